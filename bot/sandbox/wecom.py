"""A local stand-in for WeCom's server API, speaking its JSON shapes and error codes.

It answers the endpoints the desk calls, records every call, and can be told to misbehave
(HTTP 500, a hang, errcode 45009 or 42001) so that retries can be tested over real HTTP.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from handlers.clock import Clock
from handlers.config import Config

# lost_reply: WeCom processes the call, then the answer never reaches us (a 502 from a proxy).
FAULT_MODES = ("http500", "timeout", "errcode45009", "errcode42001", "lost_reply")


@dataclass
class Fault:
    mode: str
    remaining: int
    seconds: float = 2.0


@dataclass
class SandboxState:
    cfg: Config
    clock: Clock = field(default_factory=Clock)  # the desk's clock: the sandbox can move it forward
    calls: list[dict[str, Any]] = field(default_factory=list)
    transcript: list[dict[str, Any]] = field(default_factory=list)  # passive replies seen by the driver
    tokens: dict[str, float] = field(default_factory=dict)
    response_codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    webhook_hits: dict[str, list[float]] = field(default_factory=dict)
    sent_digests: dict[str, float] = field(default_factory=dict)   # message/send duplicate check
    seq: itertools.count = field(default_factory=lambda: itertools.count(1))

    def reset(self) -> None:
        self.calls.clear(), self.transcript.clear(), self.tokens.clear()
        self.response_codes.clear(), self.faults.clear(), self.webhook_hits.clear(), self.sent_digests.clear()

    def new_response_code(self, **info: Any) -> str:
        code = "rc_" + secrets.token_urlsafe(18)
        self.response_codes[code] = {"used": False, "at": time.time(), **info}
        return code

    def record(self, api: str, **fields: Any) -> dict[str, Any]:
        call = {"seq": next(self.seq), "at": time.time(), "api": api, **fields}
        self.calls.append(call)
        return call

    def webhook_keys(self) -> dict[str, str]:
        return {g.webhook_key: g.chatid for g in self.cfg.groups if g.webhook_key}


STATE = web.AppKey("sandbox_state", SandboxState)


def _err(code: int, msg: str) -> web.Response:
    return web.json_response({"errcode": code, "errmsg": msg})


async def _json_body(request: web.Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


async def _apply_fault(state: SandboxState, api: str, *, token_api: bool) -> web.Response | None:
    """Consume one injected fault, if any applies to this call."""
    for fault in state.faults:
        if fault.remaining <= 0:
            continue
        if fault.mode == "errcode42001" and not token_api:
            continue
        if fault.mode == "lost_reply":
            continue   # applied after the call is processed (message_send)
        fault.remaining -= 1
        state.record(api, fault=fault.mode)
        if fault.mode == "http500":
            return web.json_response({"errcode": -1, "errmsg": "system error"}, status=500)
        if fault.mode == "timeout":
            await asyncio.sleep(fault.seconds)
            return web.json_response({"errcode": -1, "errmsg": "system busy"})
        if fault.mode == "errcode45009":
            return _err(45009, "api freq out of limit")
        if fault.mode == "errcode42001":
            return _err(42001, "access_token expired")
    return None


def _check_token(state: SandboxState, request: web.Request) -> web.Response | None:
    token = request.query.get("access_token", "")
    expires = state.tokens.get(token)
    if expires is None:
        return _err(40014, "invalid access_token")
    if expires < time.time():
        return _err(42001, "access_token expired")
    return None


async def gettoken(request: web.Request) -> web.Response:
    state = request.app[STATE]
    cfg = state.cfg
    if (fault := await _apply_fault(state, "gettoken", token_api=False)) is not None:
        return fault
    if request.query.get("corpid") != cfg.wecom.corp_id:
        return _err(40013, "invalid corpid")
    if request.query.get("corpsecret") != cfg.wecom.app.secret:
        return _err(40001, "invalid secret")
    token = secrets.token_urlsafe(32)
    state.tokens[token] = time.time() + 7200
    state.record("gettoken")
    return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})


async def message_send(request: web.Request) -> web.Response:
    state = request.app[STATE]
    if (bad := _check_token(state, request)) is not None:
        return bad
    if (fault := await _apply_fault(state, "message/send", token_api=True)) is not None:
        return fault
    body = await _json_body(request)
    if body is None:
        return _err(47001, "data format error")
    msgtype = body.get("msgtype")
    if not body.get("touser") or msgtype not in ("text", "markdown", "template_card", "textcard", "news"):
        return _err(40008, "invalid message type or no receiver")
    if str(body.get("agentid")) != str(state.cfg.wecom.app.agent_id):
        return _err(40056, "invalid agentid")
    # enable_duplicate_check: the same request JSON within duplicate_check_interval (default
    # 1800 s) is accepted but not delivered again (doc 90236).
    digest = json.dumps(body, sort_keys=True, ensure_ascii=False)
    now = time.time()
    if body.get("enable_duplicate_check") == 1 and now - state.sent_digests.get(digest, -1e18) < float(
            body.get("duplicate_check_interval") or 1800):
        state.record("message/send:duplicate", touser=body["touser"].split("|"), msgtype=msgtype, body=body)
    else:
        state.sent_digests[digest] = now
        state.record("message/send", touser=body["touser"].split("|"), msgtype=msgtype, body=body)
    lost = next((f for f in state.faults if f.mode == "lost_reply" and f.remaining > 0), None)
    if lost is not None:
        lost.remaining -= 1
        state.record("message/send", fault="lost_reply")
        return web.Response(status=502, text="bad gateway")
    return web.json_response({"errcode": 0, "errmsg": "ok", "invaliduser": "",
                              "msgid": secrets.token_hex(8)})


async def update_template_card(request: web.Request) -> web.Response:
    state = request.app[STATE]
    if (bad := _check_token(state, request)) is not None:
        return bad
    if (fault := await _apply_fault(state, "message/update_template_card", token_api=True)) is not None:
        return fault
    body = await _json_body(request)
    if body is None:
        return _err(47001, "data format error")
    info = state.response_codes.get(str(body.get("response_code")))
    if info is None or info["used"]:
        return _err(60140, "response_code expired or already used")
    info["used"] = True
    state.record("message/update_template_card", touser=body.get("userids", []), body=body,
                 task_id=info.get("task_id"))
    return web.json_response({"errcode": 0, "errmsg": "ok", "invaliduser": []})


async def webhook_send(request: web.Request) -> web.Response:
    state = request.app[STATE]
    key = request.query.get("key", "")
    chatid = state.webhook_keys().get(key)
    if chatid is None:
        return _err(93000, "invalid webhook url")
    if (fault := await _apply_fault(state, "webhook/send", token_api=False)) is not None:
        return fault
    now = time.time()
    hits = [h for h in state.webhook_hits.get(key, []) if h > now - 60]
    if len(hits) >= 20:
        return _err(45009, "api freq out of limit")
    state.webhook_hits[key] = hits + [now]
    body = await _json_body(request)
    if body is None or body.get("msgtype") not in ("text", "markdown", "template_card", "news", "image"):
        return _err(40008, "invalid message type")
    state.record("webhook/send", chatid=chatid, msgtype=body["msgtype"], body=body)
    return web.json_response({"errcode": 0, "errmsg": "ok"})


async def aibot_response(request: web.Request) -> web.Response:
    state = request.app[STATE]
    info = state.response_codes.get(request.query.get("response_code", ""))
    if info is None or info["used"]:
        return _err(60140, "response_code expired or already used")
    body = await _json_body(request)
    if body is None:
        return _err(47001, "data format error")
    info["used"] = True
    state.record("aibot/response", chatid=info.get("chatid"), body=body)
    return web.json_response({"errcode": 0, "errmsg": "ok"})


def routes() -> list[web.RouteDef]:
    return [web.get("/cgi-bin/gettoken", gettoken),
            web.post("/cgi-bin/message/send", message_send),
            web.post("/cgi-bin/message/update_template_card", update_template_card),
            web.post("/cgi-bin/webhook/send", webhook_send),
            web.post("/cgi-bin/aibot/response", aibot_response),
            web.get("/translate/m", translate_page)]


# -- translation provider stand-in ------------------------------------------------------------------
async def translate_page(request: web.Request) -> web.Response:
    """Google Translate's mobile page (what deep-translator's GoogleTranslator reads): the result
    in <div class="result-container">. The sandbox cannot translate; it marks the text with the
    target language, so a reader sees that the text went through translation."""
    from html import escape

    q, sl, tl = request.query.get("q"), request.query.get("sl"), request.query.get("tl")
    if not q or not sl or not tl:
        return web.Response(status=400, text="q, sl and tl are required")
    state = request.app[STATE]
    state.record("translate", source=sl, target=tl, text=q)
    return web.Response(text=f'<html><body><div class="result-container">[{escape(tl)}] {escape(q)}</div></body></html>',
                        content_type="text/html")
