"""The sandbox's WeCom-side driver: it plays WeCom towards the desk, sending correctly encrypted
callbacks over real HTTP to /wecom/bot and /wecom/app, and shows what each person and group got."""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from typing import Any

import aiohttp
from aiohttp import web

from bot.crypto import WeComCrypto
from bot.sandbox.wecom import STATE, FaultSpecError, SandboxState, encrypt_bot_file


def bot_crypto(state: SandboxState) -> WeComCrypto:
    b = state.cfg.wecom.bot
    return WeComCrypto(b.token, b.encoding_aes_key, "")


def app_crypto(state: SandboxState) -> WeComCrypto:
    a = state.cfg.wecom.app
    return WeComCrypto(a.token, a.encoding_aes_key, state.cfg.wecom.corp_id)


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def app_xml(fields: dict[str, Any]) -> str:
    parts = []
    for k, v in fields.items():
        parts.append(f"<{k}>{v}</{k}>" if isinstance(v, int) else f"<{k}>{_cdata(str(v))}</{k}>")
    return "<xml>" + "".join(parts) + "</xml>"


async def _post_callback(origin: str, path: str, crypto: WeComCrypto, plaintext: str, *, xml: bool,
                         timestamp: str | None = None) -> tuple[int, str]:
    sealed = crypto.seal(plaintext, timestamp=timestamp)
    params = {"msg_signature": sealed["msgsignature"], "timestamp": sealed["timestamp"], "nonce": sealed["nonce"]}
    if xml:
        data: Any = (f"<xml><ToUserName>{_cdata(crypto.receive_id)}</ToUserName>"
                     f"<Encrypt>{_cdata(sealed['encrypt'])}</Encrypt><AgentID>{_cdata('')}</AgentID></xml>")
        headers = {"Content-Type": "text/xml"}
    else:
        data, headers = json.dumps({"encrypt": sealed["encrypt"]}), {"Content-Type": "application/json"}
    async with aiohttp.ClientSession() as http:
        async with http.post(origin + path, params=params, data=data, headers=headers,
                             timeout=aiohttp.ClientTimeout(total=10)) as resp:
            return resp.status, await resp.text()


def desk_origin(request: web.Request, state: SandboxState) -> str:
    """Where callbacks go: the desk given at start (standalone sandbox), else the server we are on."""
    return state.desk_url or str(request.url.origin())


def _open_bot_reply(crypto: WeComCrypto, status: int, body: str) -> dict[str, Any] | None:
    if status != 200 or not body:
        return None
    sealed = json.loads(body)
    crypto.verify(sealed["msgsignature"], sealed["timestamp"], sealed["nonce"], sealed["encrypt"])
    return json.loads(crypto.decrypt(sealed["encrypt"]))


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="JSON body required") from None
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(text="JSON object required")
    return data


def _need(data: dict[str, Any], *keys: str) -> None:
    missing = [k for k in keys if not data.get(k)]
    if missing:
        raise web.HTTPBadRequest(text=f"missing {', '.join(missing)}")


async def bot_message(request: web.Request) -> web.Response:
    """A person @-mentions the bot in a group (chatid given) or writes to it 1:1."""
    state, data = request.app[STATE], await _body(request)
    _need(data, "userid", "text")
    msgid = data.get("msgid") or secrets.token_hex(12)
    chatid = data.get("chatid")
    message: dict[str, Any] = {"msgid": msgid, "aibotid": "aib_sandbox", "chattype": "group" if chatid else "single",
                               "from": {"userid": data["userid"]},
                               "response_url": f"{request.url.origin()}/sandbox/cgi-bin/aibot/response?response_code="
                                               + state.new_response_code(chatid=chatid, userid=data["userid"]),
                               "msgtype": "text", "text": {"content": data["text"]}}
    if chatid:
        message["chatid"] = chatid
    if data.get("quote"):
        # A reply that quotes an earlier message (a card, the bot's answer, someone's report).
        message["quote"] = {"msgtype": "text", "text": {"content": str(data["quote"])}}
    return await _deliver_bot(request, state, message, data)


def _b64(value: object, name: str) -> bytes:
    if not isinstance(value, str):
        raise web.HTTPBadRequest(text=f"{name} must be base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise web.HTTPBadRequest(text=f"{name} is not base64") from None


def _bot_file_url(request: web.Request, state: SandboxState, data: bytes) -> str:
    """Keep the file encrypted as WeCom does and give its download URL."""
    file_id = secrets.token_urlsafe(12)
    state.bot_files[file_id] = encrypt_bot_file(data, state.cfg.wecom.bot.encoding_aes_key)
    return f"{request.url.origin()}/sandbox/media/aibot/{file_id}"


async def bot_media(request: web.Request) -> web.Response:
    """A person sends the bot pictures (an `image` message 1:1; in a group, or with words, a
    `mixed` one) or a file (`file`): {"userid", "images": [base64…] | "file": base64, "text"?,
    "chatid"?, "quote"?, "msgid"?}. The bytes are served encrypted at their URL (doc 100719)."""
    state, data = request.app[STATE], await _body(request)
    _need(data, "userid")
    chatid = data.get("chatid")
    message: dict[str, Any] = {"msgid": data.get("msgid") or secrets.token_hex(12), "aibotid": "aib_sandbox",
                               "chattype": "group" if chatid else "single", "from": {"userid": data["userid"]},
                               "response_url": f"{request.url.origin()}/sandbox/cgi-bin/aibot/response?response_code="
                                               + state.new_response_code(chatid=chatid, userid=data["userid"])}
    if data.get("file") is not None:
        message.update(msgtype="file", file={"url": _bot_file_url(request, state, _b64(data["file"], "file"))})
    else:
        images = data.get("images")
        if not isinstance(images, list) or not images:
            raise web.HTTPBadRequest(text="images (a list of base64 pictures) or file is required")
        urls = [_bot_file_url(request, state, _b64(i, "images[]")) for i in images]
        if data.get("text") or chatid or len(urls) > 1:
            items = ([{"msgtype": "text", "text": {"content": str(data["text"])}}] if data.get("text") else [])
            message.update(msgtype="mixed", mixed={"msg_item": items + [{"msgtype": "image", "image": {"url": u}}
                                                                          for u in urls]})
        else:
            message.update(msgtype="image", image={"url": urls[0]})
    if chatid:
        message["chatid"] = chatid
    if data.get("quote"):
        message["quote"] = {"msgtype": "text", "text": {"content": str(data["quote"])}}
    return await _deliver_bot(request, state, message, data)


async def bot_click(request: web.Request) -> web.Response:
    """A tap on a button of a card the AI bot replied with (doc 100719 template_card_event)."""
    state, data = request.app[STATE], await _body(request)
    _need(data, "userid", "task_id", "event_key")
    chatid = data.get("chatid")
    message: dict[str, Any] = {
        "msgid": secrets.token_hex(12), "aibotid": "aib_sandbox", "chattype": "group" if chatid else "single",
        "from": {"userid": data["userid"]}, "msgtype": "event",
        "response_url": f"{request.url.origin()}/sandbox/cgi-bin/aibot/response?response_code="
                        + state.new_response_code(chatid=chatid, userid=data["userid"]),
        "event": {"eventtype": "template_card_event",
                  "template_card_event": {"card_type": "button_interaction", "event_key": data["event_key"],
                                          "task_id": data["task_id"]}}}
    if chatid:
        message["chatid"] = chatid
    return await _deliver_bot(request, state, message, data)


async def bot_refresh(request: web.Request) -> web.Response:
    """WeCom's follow-up for an unfinished stream reply."""
    state, data = request.app[STATE], await _body(request)
    _need(data, "userid", "stream_id")
    message: dict[str, Any] = {"msgid": secrets.token_hex(12), "aibotid": "aib_sandbox",
                               "chattype": "group" if data.get("chatid") else "single",
                               "from": {"userid": data["userid"]}, "msgtype": "stream",
                               "stream": {"id": data["stream_id"]}}
    if data.get("chatid"):
        message["chatid"] = data["chatid"]
    return await _deliver_bot(request, state, message, data)


async def _deliver_bot(request: web.Request, state: SandboxState, message: dict[str, Any],
                       data: dict[str, Any]) -> web.Response:
    crypto = bot_crypto(state)
    status, body = await _post_callback(desk_origin(request, state), "/wecom/bot", crypto,
                                        json.dumps(message, ensure_ascii=False), xml=False)
    reply = _open_bot_reply(crypto, status, body)
    if message["msgtype"] in ("text", "image", "mixed", "file"):
        said = data.get("text") or ""
        if message["msgtype"] != "text":
            said = (said + " " if said else "") + f"[{message['msgtype']}]"
        state.transcript.append({"at": time.time(), "chatid": message.get("chatid"), "from": data["userid"],
                                 "text": said, "msgid": message["msgid"]})
    if reply is not None:
        state.transcript.append({"at": time.time(), "chatid": message.get("chatid"), "from": "bot",
                                 "to": data["userid"], "reply": reply})
    return web.json_response({"status": status, "msgid": message["msgid"], "reply": reply})


async def app_message(request: web.Request) -> web.Response:
    """A person writes to the self-built app 1:1."""
    state, data = request.app[STATE], await _body(request)
    _need(data, "userid", "text")
    msgid = str(data.get("msgid") or secrets.randbelow(10**18))
    xml = app_xml({"ToUserName": state.cfg.wecom.corp_id, "FromUserName": data["userid"],
                   "CreateTime": int(time.time()), "MsgType": "text", "Content": data["text"],
                   "MsgId": msgid, "AgentID": state.cfg.wecom.app.agent_id})
    status, _ = await _post_callback(desk_origin(request, state), "/wecom/app", app_crypto(state), xml, xml=True)
    _said_to_app(state, data["userid"], data["text"], msgid)
    return web.json_response({"status": status, "msgid": msgid})


def _said_to_app(state: SandboxState, userid: str, text: str, msgid: str) -> None:
    """What a person wrote to the app 1:1, for their chat page (never in a group's inbox: no chatid)."""
    state.transcript.append({"at": time.time(), "chatid": None, "channel": "app", "from": userid,
                             "text": text, "msgid": msgid})


async def app_image(request: web.Request) -> web.Response:
    """A person sends the self-built app a picture 1:1: {"userid", "image": base64, "msgid"?}. It
    becomes temporary media (media/get serves it) and an `image` callback with its MediaId."""
    state, data = request.app[STATE], await _body(request)
    _need(data, "userid", "image")
    media_id = "m_" + secrets.token_urlsafe(24)
    state.media[media_id] = _b64(data["image"], "image")
    msgid = str(data.get("msgid") or secrets.randbelow(10**18))
    xml = app_xml({"ToUserName": state.cfg.wecom.corp_id, "FromUserName": data["userid"],
                   "CreateTime": int(time.time()), "MsgType": "image",
                   "PicUrl": f"{request.url.origin()}/sandbox/media/pic/{media_id}", "MediaId": media_id,
                   "MsgId": msgid, "AgentID": state.cfg.wecom.app.agent_id})
    status, _ = await _post_callback(desk_origin(request, state), "/wecom/app", app_crypto(state), xml, xml=True)
    _said_to_app(state, data["userid"], "[image]", msgid)
    return web.json_response({"status": status, "msgid": msgid, "media_id": media_id})


async def app_click(request: web.Request) -> web.Response:
    """A person clicks a button on a template card sent by the app."""
    state, data = request.app[STATE], await _body(request)
    _need(data, "userid", "task_id", "event_key")
    code = data.get("response_code") or state.new_response_code(userid=data["userid"], task_id=data["task_id"])
    xml = app_xml({"ToUserName": state.cfg.wecom.corp_id, "FromUserName": data["userid"],
                   "CreateTime": int(data.get("create_time") or time.time()), "MsgType": "event",
                   "Event": "template_card_event", "EventKey": data["event_key"], "TaskId": data["task_id"],
                   "CardType": "button_interaction", "ResponseCode": code,
                   "AgentID": state.cfg.wecom.app.agent_id})
    status, _ = await _post_callback(desk_origin(request, state), "/wecom/app", app_crypto(state), xml, xml=True)
    return web.json_response({"status": status, "response_code": code})


async def calls(request: web.Request) -> web.Response:
    state = request.app[STATE]
    api = request.query.get("api")
    out = [c for c in state.calls if (not api or c["api"] == api)]
    return web.json_response({"calls": out})


def inbox_of(state: SandboxState, *, userid: str | None = None, chatid: str | None = None) -> list[dict[str, Any]]:
    """What one person (1:1 app messages, card updates) or one group (webhook pushes, bot replies) got."""
    out: list[dict[str, Any]] = []
    for c in state.calls:
        if c.get("fault"):
            continue
        if userid and c["api"] in ("message/send", "message/update_template_card") and userid in c.get("touser", []):
            out.append(c)
        if chatid and c["api"] in ("webhook/send", "aibot/response") and c.get("chatid") == chatid:
            out.append(c)
    if chatid:
        out += [{"api": "passive", **m} for m in state.transcript if m.get("chatid") == chatid]
        out.sort(key=lambda c: c["at"])
    return out


async def inbox(request: web.Request) -> web.Response:
    state = request.app[STATE]
    userid, chatid = request.query.get("userid"), request.query.get("chatid")
    if not userid and not chatid:
        raise web.HTTPBadRequest(text="userid or chatid required")
    return web.json_response({"messages": inbox_of(state, userid=userid, chatid=chatid)})


async def add_fault(request: web.Request) -> web.Response:
    """POST /sandbox/api/faults {"mode", "api", "dest", "count", "probability", "errcode", "seconds",
    "seed", …}: see `bot.sandbox.wecom.Fault`. A spec that makes no sense is answered 400 with why."""
    state, data = request.app[STATE], await _body(request)
    try:
        fault = state.add_fault(data)
    except FaultSpecError as e:
        raise web.HTTPBadRequest(text=f"bad fault: {e}") from None
    return web.json_response({"fault": fault.to_json(),
                              "faults": [f.to_json() for f in state.faults if f.active]})


async def list_faults(request: web.Request) -> web.Response:
    """Every fault set since the last clear, spent ones too, with how many calls each hit ("fired")."""
    return web.json_response({"faults": [f.to_json() for f in request.app[STATE].faults]})


async def clear_faults(request: web.Request) -> web.Response:
    request.app[STATE].faults.clear()
    return web.json_response({"faults": []})


async def cache(request: web.Request) -> web.Response:
    """POST {"away": true|false}: take the desk's cache away (every call on it raises
    CacheUnavailable, as an unreachable Redis does) or give it back. GET: where it is."""
    state = request.app[STATE]
    switch = state.cache_switch
    if switch is None:
        raise web.HTTPConflict(text="no cache to switch: this sandbox does not run inside the desk's process "
                                    "(python -m bot.sandbox); stop the Redis the desks use instead")
    if request.method == "POST":
        data = await _body(request)
        if not isinstance(data.get("away"), bool):
            raise web.HTTPBadRequest(text="away must be true or false")
        switch.away = data["away"]
    return web.json_response({"away": switch.away, "refused": switch.refused})


async def clock(request: web.Request) -> web.Response:
    """Move the desk's clock forward (SLA timers, offer timeouts, quiet hours): {"advance_s": 3600}."""
    state, data = request.app[STATE], await _body(request)
    if state.standalone:
        raise web.HTTPConflict(text="the clock belongs to the desk's process; a standalone sandbox cannot move it")
    try:
        seconds = float(data.get("advance_s", 0))
    except (TypeError, ValueError):
        raise web.HTTPBadRequest(text="advance_s must be a number") from None
    if seconds < 0:
        raise web.HTTPBadRequest(text="the clock only moves forward")
    now = state.clock.advance(seconds)
    return web.json_response({"now": now.isoformat(timespec="seconds") + "Z",
                              "offset_s": state.clock.offset.total_seconds()})


async def reset(request: web.Request) -> web.Response:
    request.app[STATE].reset()
    return web.json_response({"ok": True})


def group_members(state: SandboxState, group: Any) -> list[str]:
    """Who is in a group, as the sandbox plays it (config has no member lists): a store's group has
    the region's managers and customers (a customer named after a store only in that store's
    group; one with a city only in its city's), a dispatch group the region's engineers and
    managers; anyone who has spoken there is in it too."""
    cfg = state.cfg

    def stores(g: Any) -> list[str]:
        return [n for n in (g.store, *g.store_names.values()) if n]

    def customer_of(p: Any, g: Any) -> bool:
        named = [o for o in cfg.groups if any(n in p.name for n in stores(o))]
        if named:
            return g in named
        return not (p.city and g.city and p.city != g.city)

    wanted = {"customer", "manager"} if group.kind == "customer" else {"engineer", "manager"}
    out = [p.userid for p in cfg.people
           if group.region in p.regions and wanted & set(p.roles)
           and (group.kind != "customer" or set(p.roles) != {"customer"} or customer_of(p, group))]
    spoke = [m["from"] for m in state.transcript if m.get("chatid") == group.chatid and m.get("from") != "bot"]
    return list(dict.fromkeys(out + spoke))


async def directory(request: web.Request) -> web.Response:
    state = request.app[STATE]
    cfg = state.cfg
    return web.json_response({
        "people": [{"userid": p.userid, "name": p.name, "roles": p.roles, "languages": p.languages}
                   for p in cfg.people],
        "groups": [{"chatid": g.chatid, "name": g.name, "kind": g.kind, "language": g.language,
                    "store": g.store, "members": group_members(state, g)} for g in cfg.groups],
        "bot_names": cfg.wecom.bot.names, "bot_name": (cfg.wecom.bot.names or ["bot"])[0]})


def routes() -> list[web.RouteDef]:
    return [web.post("/api/bot/message", bot_message), web.post("/api/bot/refresh", bot_refresh),
            web.post("/api/bot/click", bot_click), web.post("/api/bot/media", bot_media),
            web.post("/api/app/message", app_message), web.post("/api/app/click", app_click),
            web.post("/api/app/image", app_image),
            web.get("/api/calls", calls), web.get("/api/inbox", inbox),
            web.post("/api/faults", add_fault), web.get("/api/faults", list_faults),
            web.delete("/api/faults", clear_faults), web.get("/api/cache", cache), web.post("/api/cache", cache),
            web.post("/api/reset", reset), web.get("/api/directory", directory), web.post("/api/clock", clock)]

