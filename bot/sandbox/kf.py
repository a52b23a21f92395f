"""微信客服 (kf) in the sandbox: WeCom's kf API stand-in and its driver.

WeCom's side (under /sandbox/cgi-bin, token-checked like message/send, faults by api name
"kf/sync_msg", "kf/send_msg", "kf/send_msg_on_event"):
- `POST kf/sync_msg` serves what customers wrote and the events, in arrival order, paged by an opaque
  cursor, never older than 3 days (doc 94670).
- `POST kf/send_msg` keeps WeCom's window per (account, customer): only within 48 h of the customer's
  last message, and at most 5 sends after it (doc 94677).
- `POST kf/send_msg_on_event` takes an enter_session `welcome_code`: once, within 20 s (doc 95122).

The driver (under /sandbox/api/kf) plays the customer: it appends an item, then delivers the
`kf_msg_or_event` callback exactly as WeCom does, to the desk's /wecom/kf with the app's crypto
(the callback carries no content: the desk must pull it with sync_msg).

Wire formats, error codes and their sources: /tmp/kf_research.md at the time of writing (docs 94670,
94677, 95122 and the global error-code page 90313). What the docs do not settle is marked
UNCONFIRMED where it is decided. The clock is the wall clock (`now()`; tests may replace it); the
driver backdates an item with "age_s".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
import time
from typing import Any

import aiohttp
from aiohttp import web

from handlers.config import Config
from bot.sandbox.driver import _body, _need, _post_callback, app_crypto, app_xml, desk_origin
from bot.sandbox.wecom import STATE, SandboxState, _after, _before, _check_token, _err, _json_body

# -- accounts ----------------------------------------------------------------------------------------
# The account the sandbox plays when the config names none (config.yaml's wecom.kf.accounts ships it).
DEFAULT_OPEN_KFID = "wk_sandbox_service"
DEFAULT_SCENE = "sandbox"      # add_contact_way's `scene` for a link the driver "scans" with a scene_param

# -- WeCom's rules -----------------------------------------------------------------------------------
SYNC_LIMIT = 1000              # sync_msg limit: "默认值和最大值都为1000"
HORIZON_S = 3 * 86400.0        # sync_msg reads "最近3天内" only; without a cursor, from the earliest of those
CURSOR_MAX_BYTES = 64          # "不多于64字节"
TOKEN_TTL_S = 600.0            # the callback's Token: "10分钟内有效"
WINDOW_S = 48 * 3600.0         # send_msg: within 48 h of the customer's last message …
WINDOW_SENDS = 5               # … at most 5 messages; a new customer message opens a new 5
WELCOME_TTL_S = 20.0           # enter_session welcome_code: 20 s, once
TEXT_MAX_BYTES = 2048          # text.content "最长不超过2048个字节"
MENU_MAX_ITEMS = 10            # msgmenu list "不能多余10个"
MENU_TEXT_MAX_BYTES = 1024     # head_content / tail_content
MSGID_RE = re.compile(r"[0-9a-zA-Z_-]{1,32}")   # caller msgid: "不多于32字节 [0-9a-zA-Z_-]*"
MENU_TYPES = ("click", "view", "miniprogram", "text")
MSGTYPES = ("text", "msgmenu")   # what the sandbox sends (the real send_msg also takes image, file …)

# -- error codes -------------------------------------------------------------------------------------
# Codes and their meanings are from the global error-code page (90313, crawled 2024-04-08 in
# xen0n/go-workwx errcodes). WeCom's English errmsg for these is UNCONFIRMED: the texts below are the
# sandbox's own description, not WeCom's wording.
ERR_INVALID_OPEN_KFID = 95000     # 不合法的open_kfid (also for a missing one: the sandbox's choice)
ERR_SEND_COUNT = 95001            # 发送客服消息次数限制: the 6th send after one customer message
ERR_SEND_TIME = 95002             # 发送客服消息时间限制: 48 h after the customer's last message
ERR_MSGTOKEN = 95007              # 不合法的msgtoken: sync_msg's token expired or unknown
ERR_MENU_COUNT = 95008            # 菜单消息的菜单项个数超过上限
ERR_MENU_TYPE = 95009             # 不合法的菜单消息的菜单项类型
ERR_NO_CONSULT = 95031            # 客户48小时内未发起过咨询: the customer never wrote to this account
ERR_INVALID_PARAM = 40058         # 不合法的参数 (bad msgid, bad limit, missing touser)
ERR_EMPTY_TEXT = 44004            # 文本消息content参数为空
ERR_TOO_LONG = 45002              # 消息内容大小超过限制
ERR_DATA_FORMAT = 47001           # 数据格式错误 (as message/send answers a body that is not JSON)
ERR_MSGTYPE = 40008               # 不合法的消息类型 (as message/send)
# Chosen, UNCONFIRMED: 50100 is WeCom's global "分页查询的游标无效" (a paged query's cursor is
# invalid); that sync_msg answers exactly it for a garbled cursor is not documented.
ERR_INVALID_CURSOR = 50100
# Chosen, UNCONFIRMED: the doc says a caller msgid must be unique within the account "否则接口返回错误"
# and names no code; the sandbox answers 40058 (不合法的参数) with an errmsg that says why.
ERR_DUPLICATE_MSGID = ERR_INVALID_PARAM
# Chosen, UNCONFIRMED: the code for an unknown, used or expired send_msg_on_event `code` is not
# documented; 95007 (不合法的msgtoken, "有时效性,可能为失效或者非法") is the closest documented meaning.
ERR_EVENT_CODE = ERR_MSGTOKEN


def now() -> float:
    """The sandbox's kf clock (wall time); tests may replace it."""
    return time.time()


# -- accounts from the config ---------------------------------------------------------------------------
def configured_accounts(cfg: Config) -> list[str]:
    """The open_kfids under wecom.kf.accounts (read defensively: the section is the desk's)."""
    kf = getattr(cfg.wecom, "kf", None)
    return [str(getattr(a, "open_kfid", "")) for a in (getattr(kf, "accounts", None) or [])
            if getattr(a, "open_kfid", "")]


def known_account(cfg: Config, open_kfid: Any) -> bool:
    """A configured account; with none configured, any id that looks like one ("wk…")."""
    if not isinstance(open_kfid, str) or not open_kfid:
        return False
    ids = configured_accounts(cfg)
    return open_kfid in ids if ids else open_kfid.startswith("wk")


def default_account(cfg: Config) -> str:
    ids = configured_accounts(cfg)
    return ids[0] if ids else DEFAULT_OPEN_KFID


# -- the message store ------------------------------------------------------------------------------------
def _append(state: SandboxState, open_kfid: str, external_userid: str, origin: int, item: dict[str, Any],
            at: float) -> dict[str, Any]:
    entry = {"seq": next(state.kf_seq), "at": at, "open_kfid": open_kfid, "external_userid": external_userid,
             "origin": origin, "item": item}
    state.kf_items.append(entry)
    return entry


MEDIA_TYPES = ("image", "voice", "video", "file")   # a customer's media item carries a media_id only


def add_customer_text(state: SandboxState, open_kfid: str, external_userid: str, text: str, *,
                      menu_id: str | None = None, age_s: float = 0.0, msgid: str | None = None,
                      msgtype: str = "text") -> dict[str, Any]:
    """An origin-3 item, as the customer's message (or a tap on a msgmenu click item) arrives;
    `msgtype` image/voice/video/file gives a media item instead of text."""
    at = now() - age_s
    content: dict[str, Any] = {"content": text}
    if menu_id is not None:
        content["menu_id"] = menu_id
    item = {"msgid": msgid or f"from_msgid_{secrets.randbelow(10**19)}", "open_kfid": open_kfid,
            "external_userid": external_userid, "send_time": int(at), "origin": 3, "msgtype": msgtype}
    item[msgtype] = content if msgtype == "text" else {"media_id": f"media_{secrets.token_hex(8)}"}
    return _append(state, open_kfid, external_userid, 3, item, at)["item"]


def last_customer_message(state: SandboxState, open_kfid: str, external_userid: str) -> float | None:
    times = [e["at"] for e in state.kf_items
             if e["origin"] == 3 and e["open_kfid"] == open_kfid and e["external_userid"] == external_userid]
    return max(times) if times else None


def welcome_allowed(state: SandboxState, open_kfid: str, external_userid: str, at: float) -> bool:
    """enter_session carries a welcome_code only if "用户在过去48小时里未收过欢迎语,且未向客服发过消息"."""
    wrote = last_customer_message(state, open_kfid, external_userid)
    welcomed = state.kf_welcomes.get((open_kfid, external_userid))
    return all(t is None or at - t > WINDOW_S for t in (wrote, welcomed))


def add_enter_session(state: SandboxState, open_kfid: str, external_userid: str, *, scene: str = "",
                      scene_param: str = "", age_s: float = 0.0) -> dict[str, Any]:
    """An origin-4 enter_session event item; its welcome_code (when WeCom would give one) is valid 20 s."""
    at = now() - age_s
    event: dict[str, Any] = {"event_type": "enter_session", "open_kfid": open_kfid,
                             "external_userid": external_userid, "scene": scene, "scene_param": scene_param}
    if welcome_allowed(state, open_kfid, external_userid, at):
        code = secrets.token_urlsafe(24)
        state.kf_codes[code] = {"at": at, "used": False, "open_kfid": open_kfid,
                                "external_userid": external_userid}
        event["welcome_code"] = code
    # Events carry a msgid here; whether WeCom's always do is UNCONFIRMED (the Go SDKs expect one).
    item = {"msgid": f"event_{secrets.token_hex(12)}", "send_time": int(at), "origin": 4, "msgtype": "event",
            "event": event}
    return _append(state, open_kfid, external_userid, 4, item, at)["item"]


def new_token(state: SandboxState, open_kfid: str) -> str:
    """The Token a kf_msg_or_event callback carries: sync_msg accepts it for 10 minutes."""
    token = "ENC" + secrets.token_urlsafe(33)
    state.kf_tokens[token] = {"expires": now() + TOKEN_TTL_S, "open_kfid": open_kfid}
    return token


# -- cursors ----------------------------------------------------------------------------------------------
# Opaque to the caller: base64url of "<scope>.<position>". The scope ties a cursor to the open_kfid it
# was read for (or to "every account") and to this sandbox's life (reset makes old cursors invalid).
# Whether WeCom's cursors are per account is UNCONFIRMED; refusing another account's cursor catches
# a desk that mixes them up, and the desk should keep one cursor per open_kfid anyway.
def _scope(state: SandboxState, open_kfid: str | None) -> str:
    return hashlib.sha256(f"{state.kf_salt}:{open_kfid or '*'}".encode()).hexdigest()[:10]


def encode_cursor(state: SandboxState, open_kfid: str | None, position: int) -> str:
    raw = f"{_scope(state, open_kfid)}.{position}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(state: SandboxState, open_kfid: str | None, cursor: str) -> int | None:
    """The position a cursor stands for; None if it is not one this sandbox gave for this scope."""
    if len(cursor.encode()) > CURSOR_MAX_BYTES:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, ValueError):
        return None
    scope, _, position = raw.partition(".")
    if scope != _scope(state, open_kfid) or not position.isdigit():
        return None
    last = state.kf_items[-1]["seq"] if state.kf_items else 0
    pos = int(position)
    return pos if pos <= last else None


# -- WeCom's API ------------------------------------------------------------------------------------------
async def sync_msg(request: web.Request) -> web.Response:
    state = request.app[STATE]
    if (bad := _check_token(state, request)) is not None:
        return bad
    body = await _json_body(request)
    open_kfid = (body or {}).get("open_kfid") or None
    dests = [open_kfid] if isinstance(open_kfid, str) else []
    if (fault := await _before(state, request, "kf/sync_msg", dests)) is not None:
        return fault
    if body is None:
        return _err(ERR_DATA_FORMAT, "data format error")
    if open_kfid is not None and not known_account(state.cfg, open_kfid):
        return _err(ERR_INVALID_OPEN_KFID, f"invalid open_kfid {open_kfid!r}")
    token = body.get("token") or None
    if token is not None:
        info = state.kf_tokens.get(token) if isinstance(token, str) else None
        if info is None or info["expires"] < now():
            return _err(ERR_MSGTOKEN, "invalid msg token: unknown, or older than 10 minutes")
    limit = body.get("limit", SYNC_LIMIT)
    if limit in (None, 0):
        limit = SYNC_LIMIT
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        return _err(ERR_INVALID_PARAM, "invalid limit: an integer up to 1000")
    limit = min(limit, SYNC_LIMIT)   # a larger limit is served 1000 (WeCom's answer to it is UNCONFIRMED)
    cursor = body.get("cursor") or ""
    if not isinstance(cursor, str):
        return _err(ERR_INVALID_CURSOR, "invalid cursor")
    position = decode_cursor(state, open_kfid, cursor) if cursor else 0
    if position is None:
        return _err(ERR_INVALID_CURSOR, "invalid cursor: not a next_cursor this server gave for this open_kfid")
    horizon = now() - HORIZON_S
    pending = [e for e in state.kf_items
               if e["seq"] > position and e["at"] >= horizon and open_kfid in (None, e["open_kfid"])]
    page = pending[:limit]
    next_cursor = encode_cursor(state, open_kfid, page[-1]["seq"] if page else position)
    has_more = 1 if len(pending) > limit else 0
    state.record("kf/sync_msg", open_kfid=open_kfid, cursor=cursor, next_cursor=next_cursor, count=len(page),
                 has_more=has_more, token=token is not None, limit=limit)
    return _after(state, request, "kf/sync_msg", dests, web.json_response(
        {"errcode": 0, "errmsg": "ok", "next_cursor": next_cursor, "has_more": has_more,
         "msg_list": [e["item"] for e in page]}))


def _utf8_len(value: str) -> int:
    return len(value.encode("utf-8"))


Refusal = tuple[int, str]   # (errcode, errmsg)


def content_error(body: dict[str, Any]) -> Refusal | None:
    """What is wrong with the text or msgmenu part of a send_msg / send_msg_on_event body, if anything."""
    msgtype = body.get("msgtype")
    if msgtype not in MSGTYPES:
        return ERR_MSGTYPE, f"invalid message type {msgtype!r} (the sandbox takes {' or '.join(MSGTYPES)})"
    part = body.get(msgtype)
    if not isinstance(part, dict):
        return ERR_INVALID_PARAM, f"invalid parameter: {msgtype} must be an object"
    if msgtype == "text":
        content = part.get("content")
        if not isinstance(content, str) or not content:
            return ERR_EMPTY_TEXT, "empty text content"
        if _utf8_len(content) > TEXT_MAX_BYTES:
            return ERR_TOO_LONG, f"text content over {TEXT_MAX_BYTES} bytes"
        return None
    for key in ("head_content", "tail_content"):
        value = part.get(key, "")
        if not isinstance(value, str) or _utf8_len(value) > MENU_TEXT_MAX_BYTES:
            return ERR_TOO_LONG, f"msgmenu {key} must be a string of at most {MENU_TEXT_MAX_BYTES} bytes"
    items = part.get("list", [])
    if not isinstance(items, list):
        return ERR_INVALID_PARAM, "invalid parameter: msgmenu list must be an array"
    if len(items) > MENU_MAX_ITEMS:
        return ERR_MENU_COUNT, f"msgmenu has {len(items)} items, at most {MENU_MAX_ITEMS}"
    for item in items:
        kind = item.get("type") if isinstance(item, dict) else None
        sub = item.get(kind) if kind in MENU_TYPES else None
        if not isinstance(sub, dict) or not isinstance(sub.get("content"), str) or not sub["content"]:
            return ERR_MENU_TYPE, (f"invalid msgmenu item {item!r}: type one of {', '.join(MENU_TYPES)}, "
                                   "with its content")
    return None


def msgid_error(state: SandboxState, open_kfid: str, msgid: Any) -> Refusal | None:
    """A caller msgid must match WeCom's form and be new within the account."""
    if msgid is None or msgid == "":
        return None
    if not isinstance(msgid, str) or not MSGID_RE.fullmatch(msgid):
        return ERR_INVALID_PARAM, "invalid msgid: at most 32 bytes of [0-9a-zA-Z_-]"
    if msgid in state.kf_msgids.get(open_kfid, set()):
        return ERR_DUPLICATE_MSGID, f"msgid {msgid} already used by this kf account"
    return None


def _take_msgid(state: SandboxState, open_kfid: str, msgid: Any) -> str:
    msgid = msgid or secrets.token_hex(16)   # WeCom generates one when the caller gives none
    state.kf_msgids.setdefault(open_kfid, set()).add(msgid)
    return msgid


def window_error(state: SandboxState, open_kfid: str, touser: str, at: float) -> Refusal | None:
    """WeCom's rule for send_msg: 5 messages within 48 h of the customer's last message."""
    wrote = last_customer_message(state, open_kfid, touser)
    if wrote is None:
        return ERR_NO_CONSULT, "the customer has not written to this kf account: send after the customer writes"
    if at - wrote > WINDOW_S:
        return ERR_SEND_TIME, "over 48 hours since the customer's last message"
    sent = [t for t in state.kf_sends.get((open_kfid, touser), []) if t >= wrote]
    if len(sent) >= WINDOW_SENDS:
        return ERR_SEND_COUNT, f"{WINDOW_SENDS} messages already sent since the customer's last message"
    return None


def _refuse(state: SandboxState, api: str, refusal: Refusal, **fields: Any) -> web.Response:
    """Answer WeCom's refusal, recorded as "<api>:refused" with its errcode (a refusal is no delivery)."""
    state.record(f"{api}:refused", errcode=refusal[0], errmsg=refusal[1], **fields)
    return _err(*refusal)


async def send_msg(request: web.Request) -> web.Response:
    state = request.app[STATE]
    if (bad := _check_token(state, request)) is not None:
        return bad
    body = await _json_body(request)
    touser, open_kfid = (body or {}).get("touser"), (body or {}).get("open_kfid")
    dests = [d for d in (touser, open_kfid) if isinstance(d, str) and d]
    if (fault := await _before(state, request, "kf/send_msg", dests)) is not None:
        return fault
    if body is None:
        return _err(ERR_DATA_FORMAT, "data format error")
    info = {"touser": touser, "open_kfid": open_kfid, "msgtype": body.get("msgtype"), "body": body}
    if not known_account(state.cfg, open_kfid):
        return _refuse(state, "kf/send_msg", (ERR_INVALID_OPEN_KFID, f"invalid open_kfid {open_kfid!r}"), **info)
    if not isinstance(touser, str) or not touser:
        return _refuse(state, "kf/send_msg", (ERR_INVALID_PARAM, "invalid parameter: touser (the customer's "
                                                                 "external_userid) is required"), **info)
    refusal = (content_error(body) or msgid_error(state, open_kfid, body.get("msgid"))
               or window_error(state, open_kfid, touser, now()))
    if refusal is not None:
        return _refuse(state, "kf/send_msg", refusal, **info)
    msgid = _take_msgid(state, open_kfid, body.get("msgid"))
    state.kf_sends.setdefault((open_kfid, touser), []).append(now())
    state.record("kf/send_msg", msgid=msgid, **info)
    return _after(state, request, "kf/send_msg", dests,
                  web.json_response({"errcode": 0, "errmsg": "ok", "msgid": msgid}))


async def send_msg_on_event(request: web.Request) -> web.Response:
    state = request.app[STATE]
    if (bad := _check_token(state, request)) is not None:
        return bad
    body = await _json_body(request)
    code = (body or {}).get("code")
    event = state.kf_codes.get(code) if isinstance(code, str) else None
    dests = [event["external_userid"], event["open_kfid"]] if event else []
    if (fault := await _before(state, request, "kf/send_msg_on_event", dests)) is not None:
        return fault
    if body is None:
        return _err(ERR_DATA_FORMAT, "data format error")
    if event is None:
        return _refuse(state, "kf/send_msg_on_event", (ERR_EVENT_CODE, "invalid code: no event gave it"),
                       code=code, msgtype=body.get("msgtype"), body=body)
    info = {"external_userid": event["external_userid"], "open_kfid": event["open_kfid"], "code": code,
            "msgtype": body.get("msgtype"), "body": body}
    refusal: Refusal | None = None
    if event["used"]:
        refusal = ERR_EVENT_CODE, "code already used: it is good once"
    elif now() - event["at"] > WELCOME_TTL_S:
        refusal = ERR_EVENT_CODE, f"code expired: it is good {WELCOME_TTL_S:g} s after the event"
    refusal = refusal or content_error(body) or msgid_error(state, event["open_kfid"], body.get("msgid"))
    if refusal is not None:
        return _refuse(state, "kf/send_msg_on_event", refusal, **info)
    event["used"] = True
    msgid = _take_msgid(state, event["open_kfid"], body.get("msgid"))
    state.kf_welcomes[(event["open_kfid"], event["external_userid"])] = now()
    state.record("kf/send_msg_on_event", msgid=msgid, **info)
    return _after(state, request, "kf/send_msg_on_event", dests,
                  web.json_response({"errcode": 0, "errmsg": "ok", "msgid": msgid}))


# -- the driver: the customer's side ----------------------------------------------------------------------
def callback_xml(state: SandboxState, token: str, open_kfid: str, create_time: int | None = None) -> str:
    """The decrypted kf_msg_or_event callback, as doc 94670 shows it."""
    return app_xml({"ToUserName": state.cfg.wecom.corp_id, "CreateTime": int(create_time or now()),
                    "MsgType": "event", "Event": "kf_msg_or_event", "Token": token, "OpenKfId": open_kfid})


async def deliver_callback(request: web.Request, state: SandboxState, open_kfid: str) -> dict[str, Any]:
    """Tell the desk that `open_kfid` has something to pull: {"status": its HTTP answer, "token"}.
    The desk unreachable is status 0 with the "error"."""
    token = new_token(state, open_kfid)
    xml = callback_xml(state, token, open_kfid)
    try:
        status, _ = await _post_callback(desk_origin(request, state), "/wecom/kf", app_crypto(state), xml, xml=True)
    except (aiohttp.ClientError, TimeoutError) as e:
        return {"status": 0, "token": token, "error": f"{type(e).__name__}: {e}"}
    return {"status": status, "token": token}


def _account(state: SandboxState, data: dict[str, Any]) -> str:
    open_kfid = data.get("open_kfid") or default_account(state.cfg)
    if not known_account(state.cfg, open_kfid):
        raise web.HTTPBadRequest(text=f"unknown open_kfid {open_kfid!r}; known: "
                                      f"{', '.join(configured_accounts(state.cfg)) or 'any wk…'}")
    return str(open_kfid)


def _age(data: dict[str, Any]) -> float:
    age = data.get("age_s", 0)
    if isinstance(age, bool) or not isinstance(age, (int, float)) or age < 0:
        raise web.HTTPBadRequest(text="age_s must be a number of seconds, at least 0")
    return float(age)


def _opt_str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise web.HTTPBadRequest(text=f"{key} must be a string")
    return value


async def kf_message(request: web.Request) -> web.Response:
    """POST {"external_userid", "text", "open_kfid"?, "menu_id"?, "age_s"?, "msgid"?}: the customer writes
    (a tap on a menu's click item is text with its menu_id). Then the callback."""
    state, data = request.app[STATE], await _body(request)
    _need(data, "external_userid", "text")
    open_kfid = _account(state, data)
    msgtype = _opt_str(data, "msgtype") or "text"
    if msgtype != "text" and msgtype not in MEDIA_TYPES:
        raise web.HTTPBadRequest(text=f"msgtype must be text or one of {', '.join(MEDIA_TYPES)}")
    item = add_customer_text(state, open_kfid, str(data["external_userid"]), str(data["text"]),
                             menu_id=_opt_str(data, "menu_id"), age_s=_age(data), msgid=_opt_str(data, "msgid"),
                             msgtype=msgtype)
    delivered = await deliver_callback(request, state, open_kfid)
    return web.json_response({**delivered, "msgid": item["msgid"]})


async def kf_enter(request: web.Request) -> web.Response:
    """POST {"external_userid", "scene_param"?, "scene"?, "open_kfid"?, "age_s"?}: the customer opens the
    chat (a store's QR code is the account link with &scene_param=…). Then the callback. "welcome_code"
    is null when WeCom would give none (the customer wrote, or got a welcome, in the last 48 h)."""
    state, data = request.app[STATE], await _body(request)
    _need(data, "external_userid")
    open_kfid = _account(state, data)
    scene_param = _opt_str(data, "scene_param") or ""
    scene = _opt_str(data, "scene")
    item = add_enter_session(state, open_kfid, str(data["external_userid"]),
                             scene=scene if scene is not None else (DEFAULT_SCENE if scene_param else ""),
                             scene_param=scene_param, age_s=_age(data))
    delivered = await deliver_callback(request, state, open_kfid)
    return web.json_response({**delivered, "msgid": item["msgid"],
                              "welcome_code": item["event"].get("welcome_code")})


async def kf_callback(request: web.Request) -> web.Response:
    """POST {"open_kfid"?}: the callback again, with nothing new to pull (WeCom re-delivers)."""
    state, data = request.app[STATE], await _body(request)
    return web.json_response(await deliver_callback(request, state, _account(state, data)))


def inbox_of(state: SandboxState, external_userid: str) -> list[dict[str, Any]]:
    """What a customer got, in order: send_msg and send_msg_on_event deliveries (not faults or refusals)."""
    out = []
    for c in state.calls:
        if c.get("fault") or not ((c["api"] == "kf/send_msg" and c.get("touser") == external_userid)
                                  or (c["api"] == "kf/send_msg_on_event"
                                      and c.get("external_userid") == external_userid)):
            continue
        body = c["body"]
        entry = {"seq": c["seq"], "at": c["at"], "api": c["api"], "open_kfid": c["open_kfid"],
                 "msgid": c["msgid"], "msgtype": c["msgtype"]}
        if c["msgtype"] == "text":
            entry["text"] = body["text"]["content"]
        else:
            entry["msgmenu"] = body["msgmenu"]
        out.append(entry)
    return out


async def kf_inbox(request: web.Request) -> web.Response:
    external_userid = request.query.get("external_userid")
    if not external_userid:
        raise web.HTTPBadRequest(text="external_userid required")
    return web.json_response({"messages": inbox_of(request.app[STATE], external_userid)})


def routes() -> list[web.RouteDef]:
    return [web.post("/cgi-bin/kf/sync_msg", sync_msg),
            web.post("/cgi-bin/kf/send_msg", send_msg),
            web.post("/cgi-bin/kf/send_msg_on_event", send_msg_on_event),
            web.post("/api/kf/message", kf_message), web.post("/api/kf/enter", kf_enter),
            web.post("/api/kf/callback", kf_callback), web.get("/api/kf/inbox", kf_inbox)]
