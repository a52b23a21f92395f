"""WeCom server API client (gettoken, message/send, update_template_card, webhook, response_url, media/get).

The access token is cached in the shared cache (Redis in production) so that all processes use
one token; it is refreshed before expiry and once more when WeCom says it is invalid/expired.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import aiohttp

from storage.cache import Cache, lock

log = logging.getLogger("wecom_desk.api")
TOKEN_INVALID = {40014, 42001}   # invalid / expired access_token: refresh and retry once
RETRYABLE = {-1, 45009, 45033}   # system busy, API rate limit, too many concurrent calls


class WeComError(Exception):
    def __init__(self, errcode: int, errmsg: str, *, retryable: bool) -> None:
        super().__init__(f"errcode {errcode}: {errmsg}")
        self.errcode, self.errmsg, self.retryable = errcode, errmsg, retryable


class TransientError(Exception):
    """Network error, timeout or 5xx: try again later."""


class MediaTooLarge(Exception):
    """A download went past the size it may have; the rest was not read."""


async def read_capped(resp: aiohttp.ClientResponse, cap: int) -> bytes:
    """A response body of at most `cap` bytes, read in chunks: MediaTooLarge as soon as it is more
    (a Content-Length that says so is refused before any byte is read)."""
    if resp.content_length is not None and resp.content_length > cap:
        raise MediaTooLarge(f"{resp.content_length} bytes")
    data = bytearray()
    async for chunk in resp.content.iter_chunked(64 * 1024):
        data += chunk
        if len(data) > cap:
            raise MediaTooLarge(f"more than {cap} bytes")
    return bytes(data)


class WeComClient:
    def __init__(self, base: str, corp_id: str, secret: str, agent_id: int, cache: Cache,
                 timeout_s: float = 5.0) -> None:
        self.base, self.corp_id, self.secret, self.agent_id = base.rstrip("/"), corp_id, secret, agent_id
        self.cache = cache
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    @property
    def _token_key(self) -> str:
        return f"wecom:token:{self.corp_id}:{self.agent_id}"

    async def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def _request(self, method: str, url: str, **kw: Any) -> dict[str, Any]:
        session = await self._http()
        try:
            async with session.request(method, url, **kw) as resp:
                if resp.status >= 500:
                    raise TransientError(f"HTTP {resp.status}")
                if resp.status != 200:
                    raise WeComError(-2, f"HTTP {resp.status}", retryable=resp.status == 429)
                data = await resp.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError) as e:
            raise TransientError(type(e).__name__) from None
        except ValueError:
            raise TransientError("response is not JSON") from None
        if not isinstance(data, dict):
            raise TransientError("response is not a JSON object")
        return data

    @staticmethod
    def _check(data: dict[str, Any]) -> dict[str, Any]:
        code = int(data.get("errcode", 0) or 0)
        if code != 0:
            # A token rejected even after the refresh is still a passing condition, not a bad message.
            raise WeComError(code, str(data.get("errmsg", "")), retryable=code in RETRYABLE | TOKEN_INVALID)
        return data

    async def token(self, *, refresh: bool = False) -> str:
        if not refresh:
            cached = await self.cache.get(self._token_key)
            if cached:
                return cached
        # One process fetches; the others wait and read what it stored.
        async with lock(self.cache, self._token_key, ttl=15, wait=15):
            cached = None if refresh else await self.cache.get(self._token_key)
            if cached:
                return cached
            data = self._check(await self._request(
                "GET", f"{self.base}/cgi-bin/gettoken", params={"corpid": self.corp_id, "corpsecret": self.secret}))
            token = str(data["access_token"])
            ttl = max(60, int(data.get("expires_in", 7200)) - 300)  # refresh well before expiry
            await self.cache.set(self._token_key, token, ex=ttl)
            return token

    async def _api(self, path: str, body: dict[str, Any] | None = None, *, method: str = "POST",
                   params: dict[str, str] | None = None) -> dict[str, Any]:
        token = await self.token()
        for attempt in (0, 1):
            kw: dict[str, Any] = {"params": {"access_token": token, **(params or {})}}
            if body is not None:
                kw["json"] = body
            data = await self._request(method, f"{self.base}/cgi-bin/{path}", **kw)
            code = int(data.get("errcode", 0) or 0)
            if code in TOKEN_INVALID and attempt == 0:
                log.info("access token rejected (errcode %s); refreshing", code)
                await self.cache.delete(self._token_key)
                token = await self.token(refresh=True)
                continue
            return self._check(data)
        raise AssertionError("unreachable")

    async def send_message(self, touser: str, message: dict[str, Any]) -> dict[str, Any]:
        # A send whose answer was lost (timeout, 5xx) is sent again by the outbox; WeCom's own
        # duplicate check makes the identical request show up once (doc 90236, default 30 min).
        return await self._api("message/send", {"touser": touser, "agentid": self.agent_id, **message,
                                                "enable_duplicate_check": 1, "duplicate_check_interval": 1800})

    async def user_of_code(self, code: str) -> str | None:
        """The member a sign-in's code belongs to (auth/getuserinfo, doc 91023); None for someone
        outside the company (WeCom answers an openid then). A bad or used code is a WeComError."""
        data = await self._api("auth/getuserinfo", method="GET", params={"code": code})
        userid = data.get("userid") or data.get("UserId")   # the older user/getuserinfo spelled it UserId
        return str(userid) if userid else None

    async def update_template_card(self, userids: list[str], response_code: str, **update: Any) -> dict[str, Any]:
        return await self._api("message/update_template_card",
                               {"userids": userids, "agentid": self.agent_id, "response_code": response_code, **update})

    # -- 微信客服 (the app's own token: kf accounts are granted to the app in WeCom's console) ------
    async def kf_sync_msg(self, open_kfid: str, cursor: str = "", token: str | None = None,
                          limit: int = 1000) -> dict[str, Any]:
        body: dict[str, Any] = {"open_kfid": open_kfid, "limit": limit}
        if cursor:
            body["cursor"] = cursor
        if token:   # the callback's token (10 min): without it WeCom limits the call strictly
            body["token"] = token
        return await self._api("kf/sync_msg", body)

    async def kf_send_msg(self, open_kfid: str, external_userid: str, message: dict[str, Any],
                          msgid: str | None = None) -> dict[str, Any]:
        body = {"touser": external_userid, "open_kfid": open_kfid, **message}
        if msgid:
            body["msgid"] = msgid
        return await self._api("kf/send_msg", body)

    async def kf_send_msg_on_event(self, code: str, message: dict[str, Any],
                                   msgid: str | None = None) -> dict[str, Any]:
        return await self._api("kf/send_msg_on_event", {"code": code, **message, **({"msgid": msgid} if msgid else {})})

    async def get_media(self, media_id: str, max_bytes: int, timeout_s: float = 20.0) -> bytes:
        """A temporary media file's bytes (media/get, 获取临时素材 doc 96486: the file itself on success, a JSON
        error body otherwise; a rejected token is refreshed once). More than `max_bytes`: MediaTooLarge."""
        token = await self.token()
        session = await self._http()
        for attempt in (0, 1):
            try:
                async with session.get(f"{self.base}/cgi-bin/media/get",
                                       params={"access_token": token, "media_id": media_id},
                                       timeout=aiohttp.ClientTimeout(total=timeout_s)) as resp:
                    if resp.status >= 500:
                        raise TransientError(f"HTTP {resp.status}")
                    if resp.status != 200:
                        raise WeComError(-2, f"HTTP {resp.status}", retryable=resp.status == 429)
                    data = await read_capped(resp, max_bytes)
                    json_type = resp.content_type in ("application/json", "text/plain")
            except (aiohttp.ClientError, asyncio.TimeoutError) as e:
                raise TransientError(type(e).__name__) from None
            error = _json_error(data) if json_type or data[:1] == b"{" else None
            if error is None:
                return data
            code = int(error.get("errcode", 0) or 0)
            if code in TOKEN_INVALID and attempt == 0:
                await self.cache.delete(self._token_key)
                token = await self.token(refresh=True)
                continue
            self._check(error)
            raise WeComError(-2, "media/get answered JSON instead of a file", retryable=False)
        raise AssertionError("unreachable")

    async def webhook_send(self, key: str, message: dict[str, Any]) -> dict[str, Any]:
        return self._check(await self._request("POST", f"{self.base}/cgi-bin/webhook/send",
                                               params={"key": key}, json=message))

    async def response_url(self, url: str, message: dict[str, Any]) -> dict[str, Any]:
        return self._check(await self._request("POST", url, json=message))


def _json_error(data: bytes) -> dict[str, Any] | None:
    """media/get's error answer ({"errcode": …, "errmsg": …}) when the body is one, else None."""
    try:
        body = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) and "errcode" in body else None
