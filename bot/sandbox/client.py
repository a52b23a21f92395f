"""A small Python client for the sandbox: what tests (and scripts) use to play WeCom's users."""

from __future__ import annotations

import asyncio
import base64
import time
from typing import Any, Callable

import aiohttp


class SandboxClient:
    def __init__(self, base_url: str, session: aiohttp.ClientSession | None = None) -> None:
        self.base = base_url.rstrip("/") + "/sandbox/api"
        self._session = session
        self._own = session is None

    async def __aenter__(self) -> "SandboxClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._own and self._session is not None:
            await self._session.close()

    async def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self._session

    async def _call(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        async with (await self._http()).request(method, self.base + path, **kw) as resp:
            if resp.status >= 400:   # the sandbox says why (e.g. "bad fault: …"): keep it in the error
                raise aiohttp.ClientResponseError(resp.request_info, resp.history, status=resp.status,
                                                  message=await resp.text(), headers=resp.headers)
            return await resp.json()

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self._call("POST", path, json=body)

    async def _get(self, path: str, **params: str) -> dict[str, Any]:
        return await self._call("GET", path, params=params)

    async def wait_up(self, timeout: float = 15.0) -> None:
        """Return once the sandbox answers: for a sandbox process that was just started."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                await self.faults()
                return
            except aiohttp.ClientConnectionError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"the sandbox at {self.base} did not come up in {timeout:.0f} s") from None
                await asyncio.sleep(0.05)

    # -- play users --------------------------------------------------------------------------------
    async def say(self, userid: str, text: str, chatid: str | None = None, msgid: str | None = None,
                  quote: str | None = None) -> dict[str, Any]:
        """@-mention the bot (AI bot callback), optionally quoting an earlier message's text.
        Returns {"status", "msgid", "reply": decrypted reply}."""
        body: dict[str, Any] = {"userid": userid, "text": text}
        if chatid:
            body["chatid"] = chatid
        if msgid:
            body["msgid"] = msgid
        if quote:
            body["quote"] = quote
        return await self._post("/bot/message", body)

    async def show(self, userid: str, images: list[bytes], text: str | None = None, chatid: str | None = None,
                   quote: str | None = None, msgid: str | None = None) -> dict[str, Any]:
        """Send the AI bot pictures: an `image` message 1:1, a `mixed` one in a group or with `text`
        (the pictures served encrypted with the bot's key, as WeCom does). Returns like `say`."""
        body: dict[str, Any] = {"userid": userid, "images": [base64.b64encode(i).decode() for i in images]}
        for key, value in (("text", text), ("chatid", chatid), ("quote", quote), ("msgid", msgid)):
            if value:
                body[key] = value
        return await self._post("/bot/media", body)

    async def send_file(self, userid: str, data: bytes, chatid: str | None = None,
                        msgid: str | None = None) -> dict[str, Any]:
        """Send the AI bot a file (`file` message). Returns like `say`."""
        body: dict[str, Any] = {"userid": userid, "file": base64.b64encode(data).decode()}
        for key, value in (("chatid", chatid), ("msgid", msgid)):
            if value:
                body[key] = value
        return await self._post("/bot/media", body)

    async def tap(self, userid: str, task_id: str, event_key: str, chatid: str | None = None) -> dict[str, Any]:
        """Tap a button on a card the AI bot replied with."""
        return await self._post("/bot/click", {"userid": userid, "task_id": task_id, "event_key": event_key,
                                               "chatid": chatid})

    async def refresh(self, userid: str, stream_id: str, chatid: str | None = None) -> dict[str, Any]:
        return await self._post("/bot/refresh", {"userid": userid, "stream_id": stream_id, "chatid": chatid})

    async def direct(self, userid: str, text: str, msgid: str | None = None) -> dict[str, Any]:
        """Write to the self-built app 1:1 (XML callback)."""
        return await self._post("/app/message", {"userid": userid, "text": text, "msgid": msgid})

    async def direct_image(self, userid: str, image: bytes, msgid: str | None = None) -> dict[str, Any]:
        """Send the self-built app a picture 1:1 (an `image` callback; the bytes through media/get)."""
        return await self._post("/app/image", {"userid": userid, "image": base64.b64encode(image).decode(),
                                               "msgid": msgid})

    async def click(self, userid: str, task_id: str, event_key: str, **extra: Any) -> dict[str, Any]:
        return await self._post("/app/click", {"userid": userid, "task_id": task_id, "event_key": event_key, **extra})

    # -- play WeChat customers of 微信客服 (kf) -----------------------------------------------------
    async def kf_say(self, external_userid: str, text: str, **kw: Any) -> dict[str, Any]:
        """A customer writes to the kf account (`kw`: open_kfid, menu_id, age_s, msgid); WeCom's
        kf_msg_or_event callback follows. Returns {"status": the desk's HTTP answer, "msgid", "token"}."""
        return await self._post("/kf/message", {"external_userid": external_userid, "text": text, **kw})

    async def kf_enter(self, external_userid: str, scene_param: str | None = None, **kw: Any) -> dict[str, Any]:
        """A customer opens the kf chat (from a store's QR code: `scene_param`; `kw`: scene, open_kfid,
        age_s). Returns {"status", "msgid", "token", "welcome_code" (null when WeCom gives none)}."""
        body: dict[str, Any] = {"external_userid": external_userid, **kw}
        if scene_param is not None:
            body["scene_param"] = scene_param
        return await self._post("/kf/enter", body)

    async def kf_callback(self, open_kfid: str | None = None) -> dict[str, Any]:
        """The kf_msg_or_event callback again, with nothing new: {"status", "token"}."""
        return await self._post("/kf/callback", {"open_kfid": open_kfid} if open_kfid else {})

    async def kf_inbox(self, external_userid: str) -> list[dict[str, Any]]:
        """What the customer got (send_msg and send_msg_on_event), in order: each with "api", "msgid",
        "msgtype" and "text" or "msgmenu"."""
        return (await self._get("/kf/inbox", external_userid=external_userid))["messages"]

    async def kf_texts(self, external_userid: str) -> list[str]:
        """What the customer read: a text's content, or a menu's head_content and item contents, one a line."""
        out = []
        for m in await self.kf_inbox(external_userid):
            if "text" in m:
                out.append(m["text"])
                continue
            menu = m["msgmenu"]
            lines = [menu.get("head_content", "")] + [item.get(item.get("type"), {}).get("content", "")
                                                      for item in menu.get("list", [])]
            out.append("\n".join(line for line in lines if line))
        return out

    # -- look --------------------------------------------------------------------------------------
    async def calls(self, api: str | None = None) -> list[dict[str, Any]]:
        return (await self._get("/calls", **({"api": api} if api else {})))["calls"]

    async def inbox(self, *, userid: str | None = None, chatid: str | None = None) -> list[dict[str, Any]]:
        params = {k: v for k, v in (("userid", userid), ("chatid", chatid)) if v}
        return (await self._get("/inbox", **params))["messages"]

    async def job_cards(self, userid: str) -> list[dict[str, Any]]:
        return [m["body"]["template_card"] for m in await self.inbox(userid=userid)
                if m["api"] == "message/send" and m.get("msgtype") == "template_card"]

    async def pushes(self, chatid: str) -> list[str]:
        """The text of every push into a group: markdown content, or a card's title and sub-title."""
        out = []
        for m in await self.inbox(chatid=chatid):
            if m["api"] != "webhook/send":
                continue
            body = m["body"]
            if body["msgtype"] == "template_card":
                card = body["template_card"]
                rows = " ".join(f"{r['keyname']}: {r['value']}" for r in card.get("horizontal_content_list", []))
                out.append(" ".join(filter(None, [card["main_title"].get("title"), card["main_title"].get("desc"),
                                                  card.get("sub_title_text"), rows])))
            else:
                out.append(body.get(body["msgtype"], {}).get("content", ""))
        return out

    async def texts(self, userid: str) -> list[str]:
        """1:1 markdown/text messages a person got from the app."""
        return [m["body"].get(m["body"]["msgtype"], {}).get("content", "") for m in await self.inbox(userid=userid)
                if m["api"] == "message/send" and m["body"]["msgtype"] in ("markdown", "text")]

    async def deliveries(self, api: str) -> list[dict[str, Any]]:
        """What WeCom really delivered through `api` ("message/send", "webhook/send" …): not the
        faults, not the re-sends its duplicate check swallowed, not the per-member drops."""
        return [c for c in await self.calls(api) if not c.get("fault")]

    # -- misbehave ---------------------------------------------------------------------------------
    async def fault(self, mode: str, count: int | None = None, seconds: float = 2.0, *, api: str = "*",
                    dest: str | None = None, probability: float | None = None, errcode: int | None = None,
                    seed: int | None = None, **extra: Any) -> dict[str, Any]:
        """Make WeCom misbehave: mode http500 | hang | reset | errcode | lost_reply (or the old
        names timeout, errcode45009, errcode42001), for `api` ("*" = any) and `dest` (a userid, a
        webhook key or a chatid), `count` times (default 1; no limit with a probability) and/or
        with `probability`, reproducibly with `seed`. `extra`: "errmsg", "reply" ("502"|"reset").
        Returns the fault as set, with its "id"."""
        spec: dict[str, Any] = {"mode": mode, "api": api, "seconds": seconds, **extra}
        for key, value in (("dest", dest), ("count", count), ("probability", probability), ("errcode", errcode),
                           ("seed", seed)):
            if value is not None:
                spec[key] = value
        return (await self._post("/faults", spec))["fault"]

    async def faults(self) -> list[dict[str, Any]]:
        """Every fault set since the last clear, with how many calls each hit ("fired")."""
        return (await self._get("/faults"))["faults"]

    async def clear_faults(self) -> None:
        await self._call("DELETE", "/faults")

    async def cache_away(self, away: bool) -> dict[str, Any]:
        """Take the desk's cache away (every call on it fails as an unreachable Redis) or give it back."""
        return await self._post("/cache", {"away": away})

    async def advance(self, seconds: float) -> dict[str, Any]:
        """Move the desk's clock forward; the worker's timers see the new time on their next pass."""
        return await self._post("/clock", {"advance_s": seconds})

    async def reset(self) -> None:
        await self._post("/reset", {})

    async def wait_for(self, probe: Callable[[], Any], *, timeout: float = 10.0, interval: float = 0.05) -> Any:
        """Poll `probe` (sync or async) until it returns something truthy; the outbox is async."""
        deadline = time.monotonic() + timeout
        while True:
            value = probe()
            if asyncio.iscoroutine(value):
                value = await value
            if value or time.monotonic() >= deadline:
                return value
            await asyncio.sleep(interval)
