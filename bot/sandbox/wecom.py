"""A local stand-in for WeCom's server API, speaking its JSON shapes and error codes.

It answers the endpoints the desk calls, records every call, keeps WeCom's own limits (a group
robot's 20 messages a minute, an app's 30 a minute / 1000 an hour per member) and can be told to
misbehave per API and per destination, by count or by chance, so that retries can be tested over
real HTTP (`Fault`, set through the driver's POST /sandbox/api/faults).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import random
import secrets
import socket
import struct
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from handlers.clock import Clock
from handlers.config import Config
from bot.sandbox.switch import CacheSwitch

# -- faults ----------------------------------------------------------------------------------------
# http500     answer HTTP 500, before the call is processed
# hang        wait `seconds`, then answer errcode -1 "system busy" (the caller's timeout may fire first)
# reset       close the TCP connection with no HTTP answer (RST), before the call is processed
# errcode     answer the given errcode, before the call is processed
# lost_reply  process the call (a message is delivered), then lose the answer: a 502 from a proxy,
#             or a reset connection ("reply": "reset"); the caller cannot tell that it worked
FAULT_MODES = ("http500", "hang", "reset", "errcode", "lost_reply")
LEGACY_MODES: dict[str, tuple[str, int | None]] = {   # the first fault names; still accepted
    "timeout": ("hang", None), "errcode45009": ("errcode", 45009), "errcode42001": ("errcode", 42001)}
KF_APIS = ("kf/sync_msg", "kf/send_msg", "kf/send_msg_on_event")   # 微信客服 (bot/sandbox/kf.py)
MEDIA_APIS = ("media/get", "aibot/media")   # the app's media/get; the AI bot's encrypted file download
FAULT_APIS = ("message/send", "message/update_template_card", "webhook/send", "gettoken", "aibot/response") + KF_APIS \
    + MEDIA_APIS
TOKEN_APIS = ("message/send", "message/update_template_card", "media/get") + KF_APIS   # the calls that carry an access_token
TOKEN_ERRCODES = (40014, 42001)                                  # only those calls can be told these
LOST_REPLIES = ("502", "reset")
MAX_HANG_S = 600.0
# WeCom's own wording where the sandbox knows it (global error codes, doc 90313). Other codes are
# answered with NEUTRAL_ERRMSG (or the fault's own "errmsg"): the sandbox does not invent WeCom text.
ERRMSG = {-1: "system busy", 40014: "invalid access_token", 42001: "access_token expired",
          45009: "api freq out of limit"}
NEUTRAL_ERRMSG = "sandbox fault errcode {errcode}"

# -- WeCom's limits ----------------------------------------------------------------------------------
WEBHOOK_PER_MINUTE = 20        # group robot: 20 messages a minute per webhook key, then 45009
# Per app, per member (doc 90454): "每应用对同一个成员不可超过30次/分钟，1000次/小时，超过部分会被丢弃不下发".
# WeCom answers ok and drops the excess without a word: the sandbox records "message/send:dropped".
MEMBER_PER_MINUTE = 30
MEMBER_PER_HOUR = 1000
MINUTE_S, HOUR_S = 60.0, 3600.0
DUPLICATE_CHECK_DEFAULT_S = 1800.0   # message/send enable_duplicate_check's default interval (doc 90236)
# An interactive template card sent by message/send comes back with a response_code: it updates
# those recipients' cards once (message/update_template_card with userids), within 72 hours.
INTERACTIVE_CARDS = ("button_interaction", "vote_interaction", "multiple_interaction")
RESPONSE_CODE_LIFE_S = 72 * 3600.0


class FaultSpecError(ValueError):
    """A fault the driver was asked for that makes no sense; the text says why (answered 400)."""


_SPEC_KEYS = {"mode", "api", "dest", "count", "probability", "errcode", "errmsg", "seconds", "seed", "reply"}


def _int(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise FaultSpecError(f"{key} must be an integer")
    return value


def _number(data: dict[str, Any], key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FaultSpecError(f"{key} must be a number")
    return float(value)


@dataclass
class Fault:
    """One injected misbehaviour: which calls it hits (api, dest), how often (count, probability),
    and what the caller sees (mode). `name` is the mode as asked for (legacy names stay legacy in
    the calls list)."""

    id: int
    mode: str
    name: str
    api: str = "*"
    dest: str | None = None
    count: int | None = 1                 # None: no limit
    probability: float | None = None      # None: every matching call
    errcode: int | None = None
    errmsg: str | None = None
    seconds: float = 2.0
    seed: int | None = None
    reply: str = "502"                    # lost_reply only
    fired: int = 0                        # how many calls it hit
    considered: int = 0                   # how many matching calls it was drawn for
    rng: random.Random = field(default_factory=random.Random, repr=False)

    @classmethod
    def parse(cls, data: dict[str, Any], fault_id: int) -> "Fault":
        unknown = sorted(set(data) - _SPEC_KEYS)
        if unknown:
            raise FaultSpecError(f"unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(_SPEC_KEYS))}")
        name = data.get("mode")
        if name in LEGACY_MODES:
            mode, legacy_errcode = LEGACY_MODES[name]
        elif name in FAULT_MODES:
            mode, legacy_errcode = name, None
        else:
            raise FaultSpecError(f"mode must be one of {', '.join(FAULT_MODES + tuple(LEGACY_MODES))}")
        api = data.get("api", "*")
        if api != "*" and api not in FAULT_APIS:
            raise FaultSpecError(f"api must be * or one of {', '.join(FAULT_APIS)}")
        dest = data.get("dest")
        if dest is not None:
            if not isinstance(dest, str) or not dest:
                raise FaultSpecError("dest must be a non-empty string (a userid, a webhook key or a chatid)")
            if api == "gettoken":
                raise FaultSpecError("dest does not apply to gettoken (it has no destination)")
        count = _int(data, "count")
        if count is not None and count < 1:
            raise FaultSpecError("count must be at least 1")
        probability = _number(data, "probability")
        if probability is not None and not 0.0 <= probability <= 1.0:
            raise FaultSpecError("probability must be between 0 and 1")
        if count is None and probability is None:
            count = 1
        errcode = _int(data, "errcode")
        if mode == "errcode":
            if legacy_errcode is not None:
                if errcode not in (None, legacy_errcode):
                    raise FaultSpecError(f"mode {name} is errcode {legacy_errcode}, not {errcode}")
                errcode = legacy_errcode
            if errcode is None or errcode == 0:
                raise FaultSpecError("mode errcode needs a non-zero errcode, e.g. 45009, 42001 or 40014")
            if errcode in TOKEN_ERRCODES and api not in ("*",) + TOKEN_APIS:
                raise FaultSpecError(f"errcode {errcode} is about the access_token: only {', '.join(TOKEN_APIS)} "
                                     f"carry one, not {api}")
        elif errcode is not None:
            raise FaultSpecError("errcode applies only to mode errcode")
        errmsg = data.get("errmsg")
        if errmsg is not None and (mode != "errcode" or not isinstance(errmsg, str)):
            raise FaultSpecError("errmsg must be a string, and applies only to mode errcode")
        seconds = _number(data, "seconds")
        if seconds is None:
            seconds = 2.0
        if not 0.0 <= seconds <= MAX_HANG_S:
            raise FaultSpecError(f"seconds must be between 0 and {MAX_HANG_S:g}")
        seed = _int(data, "seed")
        reply = data.get("reply", "502")
        if reply not in LOST_REPLIES:
            raise FaultSpecError(f"reply must be one of {', '.join(LOST_REPLIES)}")
        if "reply" in data and mode != "lost_reply":
            raise FaultSpecError("reply applies only to mode lost_reply")
        return cls(id=fault_id, mode=mode, name=name, api=api, dest=dest, count=count, probability=probability,
                   errcode=errcode, errmsg=errmsg if errmsg is not None else (
                       ERRMSG.get(errcode, NEUTRAL_ERRMSG.format(errcode=errcode)) if errcode else None),
                   seconds=seconds, seed=seed, reply=reply, rng=random.Random(seed))

    @property
    def active(self) -> bool:
        return self.count is None or self.fired < self.count

    @property
    def after(self) -> bool:
        """Applied once the call is processed (lost_reply), not before."""
        return self.mode == "lost_reply"

    def matches(self, api: str, dests: list[str]) -> bool:
        if self.api not in ("*", api):
            return False
        if self.errcode in TOKEN_ERRCODES and api not in TOKEN_APIS:
            return False
        return self.dest is None or self.dest in dests

    def draw(self) -> bool:
        self.considered += 1
        return self.probability is None or self.rng.random() < self.probability

    def to_json(self) -> dict[str, Any]:
        out = {"id": self.id, "mode": self.mode, "name": self.name, "api": self.api, "dest": self.dest,
               "count": self.count, "probability": self.probability, "seconds": self.seconds, "seed": self.seed,
               "fired": self.fired, "considered": self.considered, "active": self.active,
               "remaining": None if self.count is None else max(0, self.count - self.fired)}
        if self.mode == "errcode":
            out.update(errcode=self.errcode, errmsg=self.errmsg)
        if self.mode == "lost_reply":
            out["reply"] = self.reply
        return out


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
    member_sends: dict[str, list[float]] = field(default_factory=dict)   # per member: delivery times, last hour
    sent_digests: dict[str, float] = field(default_factory=dict)   # message/send duplicate check
    sent_codes: dict[str, str] = field(default_factory=dict)       # message/send: a card's response_code, by digest
    seq: itertools.count = field(default_factory=lambda: itertools.count(1))
    fault_ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    cache_switch: CacheSwitch | None = None   # the desk's cache, when the sandbox is mounted in its process
    desk_url: str | None = None               # where callbacks go; None: the origin the sandbox is served on
    standalone: bool = False                  # `python -m bot.sandbox`: no desk clock or cache in reach
    # 微信客服 (kf), played by bot/sandbox/kf.py; plain data here so that this module needs no import of it
    kf_items: list[dict[str, Any]] = field(default_factory=list)     # what sync_msg serves, in arrival order
    kf_seq: itertools.count = field(default_factory=lambda: itertools.count(1))   # kf_items' positions
    kf_salt: str = field(default_factory=lambda: secrets.token_hex(4))   # binds cursors to this sandbox's life
    kf_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)   # callback Token → expiry, account
    kf_codes: dict[str, dict[str, Any]] = field(default_factory=dict)    # welcome_code → event time, used
    kf_msgids: dict[str, set[str]] = field(default_factory=dict)         # per account: msgids it has sent
    kf_sends: dict[tuple[str, str], list[float]] = field(default_factory=dict)     # (account, customer) → sends
    kf_welcomes: dict[tuple[str, str], float] = field(default_factory=dict)        # (account, customer) → last
    # Files people sent: the app's temporary media (media_id → bytes, for media/get, 3 days in
    # WeCom) and the AI bot's encrypted downloads (id → ciphertext, served at /sandbox/media/aibot/ID).
    media: dict[str, bytes] = field(default_factory=dict)
    bot_files: dict[str, bytes] = field(default_factory=dict)
    login_codes: dict[str, tuple[str, float]] = field(default_factory=dict)   # sign-in code → userid, expiry

    def reset(self) -> None:
        self.calls.clear(), self.transcript.clear(), self.tokens.clear()
        self.response_codes.clear(), self.faults.clear(), self.webhook_hits.clear(), self.sent_digests.clear()
        self.sent_codes.clear()
        self.member_sends.clear()
        self.kf_items.clear(), self.kf_tokens.clear(), self.kf_codes.clear(), self.kf_msgids.clear()
        self.kf_sends.clear(), self.kf_welcomes.clear()
        self.media.clear(), self.bot_files.clear(), self.login_codes.clear()
        self.kf_seq, self.kf_salt = itertools.count(1), secrets.token_hex(4)   # old cursors stop working
        if self.cache_switch is not None:
            self.cache_switch.away = False   # a reset sandbox gives the desk its cache back

    def new_response_code(self, **info: Any) -> str:
        # "clock_at": the desk's clock, which tests move forward to see a code expire.
        code = "rc_" + secrets.token_urlsafe(18)
        self.response_codes[code] = {"used": False, "at": time.time(), "clock_at": self.clock.now(), **info}
        return code

    def record(self, api: str, **fields: Any) -> dict[str, Any]:
        call = {"seq": next(self.seq), "at": time.time(), "api": api, **fields}
        self.calls.append(call)
        return call

    def webhook_keys(self) -> dict[str, str]:
        return {g.webhook_key: g.chatid for g in self.cfg.groups if g.webhook_key}

    # -- faults ------------------------------------------------------------------------------------
    def add_fault(self, spec: dict[str, Any]) -> Fault:
        fault = Fault.parse(spec, next(self.fault_ids))
        self.faults.append(fault)
        return fault

    def take_fault(self, api: str, dests: list[str], *, after: bool) -> Fault | None:
        """The first active fault that matches this call and wins its draw, counted as fired."""
        for fault in self.faults:
            if fault.after != after or not fault.active or not fault.matches(api, dests):
                continue
            if fault.draw():
                fault.fired += 1
                return fault
        return None

    def record_fault(self, api: str, fault: Fault, dests: list[str]) -> None:
        extra: dict[str, Any] = {"errcode": fault.errcode} if fault.mode == "errcode" else {}
        if fault.mode == "lost_reply":
            extra["reply"] = fault.reply
        self.record(api, fault=fault.name, fault_id=fault.id, to=dests, **extra)

    # -- WeCom's per-member limit ------------------------------------------------------------------
    def admit_member(self, userid: str, now: float) -> str | None:
        """Count one message to this member; the limit it would break, if any (then nothing counts)."""
        sends = [t for t in self.member_sends.get(userid, []) if t > now - HOUR_S]
        if len(sends) >= MEMBER_PER_HOUR:
            self.member_sends[userid] = sends
            return f"{MEMBER_PER_HOUR}/hour"
        if sum(1 for t in sends if t > now - MINUTE_S) >= MEMBER_PER_MINUTE:
            self.member_sends[userid] = sends
            return f"{MEMBER_PER_MINUTE}/minute"
        self.member_sends[userid] = sends + [now]
        return None


STATE = web.AppKey("sandbox_state", SandboxState)


def _err(code: int, msg: str) -> web.Response:
    return web.json_response({"errcode": code, "errmsg": msg})


async def _json_body(request: web.Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _reset_connection(request: web.Request) -> web.Response:
    """Close the connection with a TCP RST and no HTTP answer: the caller sees 'connection reset'."""
    transport = request.transport
    if transport is not None:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    return web.Response(status=500)   # never reaches anyone: the connection is gone


async def _before(state: SandboxState, request: web.Request, api: str, dests: list[str]) -> web.Response | None:
    """A fault that hits this call before WeCom processes it, acted out; None when none does."""
    fault = state.take_fault(api, dests, after=False)
    if fault is None:
        return None
    state.record_fault(api, fault, dests)
    if fault.mode == "http500":
        return web.json_response({"errcode": -1, "errmsg": "system error"}, status=500)
    if fault.mode == "hang":
        await asyncio.sleep(fault.seconds)
        return _err(-1, ERRMSG[-1])
    if fault.mode == "reset":
        return _reset_connection(request)
    assert fault.errcode is not None and fault.errmsg is not None
    return _err(fault.errcode, fault.errmsg)


def _after(state: SandboxState, request: web.Request, api: str, dests: list[str],
           answer: web.Response) -> web.Response:
    """The call was processed: its answer, unless a lost_reply fault takes it away."""
    fault = state.take_fault(api, dests, after=True)
    if fault is None:
        return answer
    state.record_fault(api, fault, dests)
    if fault.reply == "reset":
        return _reset_connection(request)
    return web.Response(status=502, text="bad gateway")


def _check_token(state: SandboxState, request: web.Request) -> web.Response | None:
    token = request.query.get("access_token", "")
    expires = state.tokens.get(token)
    if expires is None:
        return _err(40014, ERRMSG[40014])
    if expires < time.time():
        return _err(42001, ERRMSG[42001])
    return None


async def gettoken(request: web.Request) -> web.Response:
    state = request.app[STATE]
    cfg = state.cfg
    if (fault := await _before(state, request, "gettoken", [])) is not None:
        return fault
    if request.query.get("corpid") != cfg.wecom.corp_id:
        return _err(40013, "invalid corpid")
    if request.query.get("corpsecret") != cfg.wecom.app.secret:
        return _err(40001, "invalid secret")
    token = secrets.token_urlsafe(32)
    state.tokens[token] = time.time() + 7200
    state.record("gettoken")
    return _after(state, request, "gettoken", [], web.json_response(
        {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}))


async def message_send(request: web.Request) -> web.Response:
    state = request.app[STATE]
    if (bad := _check_token(state, request)) is not None:
        return bad
    body = await _json_body(request)
    touser = [u for u in str((body or {}).get("touser") or "").split("|") if u]
    if (fault := await _before(state, request, "message/send", touser)) is not None:
        return fault
    if body is None:
        return _err(47001, "data format error")
    msgtype = body.get("msgtype")
    if not touser or msgtype not in ("text", "markdown", "template_card", "textcard", "news"):
        return _err(40008, "invalid message type or no receiver")
    if str(body.get("agentid")) != str(state.cfg.wecom.app.agent_id):
        return _err(40056, "invalid agentid")
    # enable_duplicate_check: the same request JSON within duplicate_check_interval (default
    # 1800 s) is accepted but not delivered again (doc 90236).
    digest = json.dumps(body, sort_keys=True, ensure_ascii=False)
    now = time.time()
    card = body.get("template_card") if msgtype == "template_card" else None
    interactive = isinstance(card, dict) and card.get("card_type") in INTERACTIVE_CARDS
    extra: dict[str, Any] = {}
    if body.get("enable_duplicate_check") == 1 and now - state.sent_digests.get(digest, -1e18) < float(
            body.get("duplicate_check_interval") or DUPLICATE_CHECK_DEFAULT_S):
        state.record("message/send:duplicate", touser=touser, msgtype=msgtype, body=body)
        if digest in state.sent_codes:   # the same message: the same card, and its code
            extra["response_code"] = state.sent_codes[digest]
    else:
        state.sent_digests[digest] = now
        # Over the per-member limit, WeCom answers ok and drops the message for that member.
        limits = {u: state.admit_member(u, now) for u in touser}
        delivered = [u for u in touser if limits[u] is None]
        dropped = [u for u in touser if limits[u] is not None]
        if interactive:
            extra["response_code"] = state.sent_codes[digest] = state.new_response_code(
                userids=delivered, task_id=card.get("task_id"))
        if delivered:
            state.record("message/send", touser=delivered, msgtype=msgtype, body=body, **extra)
        if dropped:
            state.record("message/send:dropped", touser=dropped, msgtype=msgtype, body=body,
                         limit=sorted({limits[u] for u in dropped}))
    return _after(state, request, "message/send", touser, web.json_response(
        {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": secrets.token_hex(8), **extra}))


async def update_template_card(request: web.Request) -> web.Response:
    state = request.app[STATE]
    if (bad := _check_token(state, request)) is not None:
        return bad
    body = await _json_body(request)
    userids = (body or {}).get("userids")
    dests = [str(u) for u in userids] if isinstance(userids, list) else []
    if (fault := await _before(state, request, "message/update_template_card", dests)) is not None:
        return fault
    if body is None:
        return _err(47001, "data format error")
    info = state.response_codes.get(str(body.get("response_code")))
    if info is None or info["used"] or (state.clock.now() - info["clock_at"]).total_seconds() > RESPONSE_CODE_LIFE_S:
        return _err(60140, "response_code expired or already used")
    info["used"] = True
    state.record("message/update_template_card", touser=body.get("userids", []), body=body,
                 task_id=info.get("task_id"), response_code=body.get("response_code"))
    return _after(state, request, "message/update_template_card", dests,
                  web.json_response({"errcode": 0, "errmsg": "ok", "invaliduser": []}))


async def webhook_send(request: web.Request) -> web.Response:
    state = request.app[STATE]
    key = request.query.get("key", "")
    chatid = state.webhook_keys().get(key)
    if chatid is None:
        return _err(93000, "invalid webhook url")
    if (fault := await _before(state, request, "webhook/send", [key, chatid])) is not None:
        return fault
    now = time.time()
    hits = [h for h in state.webhook_hits.get(key, []) if h > now - MINUTE_S]
    if len(hits) >= WEBHOOK_PER_MINUTE:
        return _err(45009, ERRMSG[45009])
    state.webhook_hits[key] = hits + [now]
    body = await _json_body(request)
    if body is None or body.get("msgtype") not in ("text", "markdown", "template_card", "news", "image"):
        return _err(40008, "invalid message type")
    state.record("webhook/send", chatid=chatid, msgtype=body["msgtype"], body=body)
    return _after(state, request, "webhook/send", [key, chatid], web.json_response({"errcode": 0, "errmsg": "ok"}))


async def aibot_response(request: web.Request) -> web.Response:
    state = request.app[STATE]
    info = state.response_codes.get(request.query.get("response_code", ""))
    dests = [str(info[k]) for k in ("chatid", "userid") if info.get(k)] if info is not None else []
    if (fault := await _before(state, request, "aibot/response", dests)) is not None:
        return fault
    if info is None or info["used"]:
        return _err(60140, "response_code expired or already used")
    body = await _json_body(request)
    if body is None:
        return _err(47001, "data format error")
    info["used"] = True
    state.record("aibot/response", chatid=info.get("chatid"), body=body)
    return _after(state, request, "aibot/response", dests, web.json_response({"errcode": 0, "errmsg": "ok"}))


def encrypt_bot_file(data: bytes, encoding_aes_key: str) -> bytes:
    """What the AI bot's file URL serves: the bytes under AES-256-CBC with the bot's key (base64 of
    EncodingAESKey + "="), IV its first 16 bytes, PKCS#7-padded to a multiple of 32 (doc 100719)."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = base64.b64decode(encoding_aes_key + "=")
    pad = 32 - len(data) % 32
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return encryptor.update(data + bytes([pad]) * pad) + encryptor.finalize()


async def media_get(request: web.Request) -> web.Response:
    """media/get (获取临时素材, doc 96486): the file with its headers, or a JSON error body."""
    state = request.app[STATE]
    if (bad := _check_token(state, request)) is not None:
        return bad
    media_id = request.query.get("media_id", "")
    if (fault := await _before(state, request, "media/get", [media_id])) is not None:
        return fault
    data = state.media.get(media_id)
    if data is None:
        return _err(40007, "invalid media_id")
    state.record("media/get", media_id=media_id, size=len(data))
    return _after(state, request, "media/get", [media_id], web.Response(
        body=data, content_type="image/jpeg",
        headers={"Content-Disposition": f'attachment; filename="{media_id}.jpg"'}))


async def media_pic(request: web.Request) -> web.Response:
    """The PicUrl of an app `image` callback (the desk fetches by MediaId; this is for a person's eyes)."""
    data = request.app[STATE].media.get(request.match_info["media_id"])
    return web.Response(body=data, content_type="image/jpeg") if data is not None else web.Response(status=404)


async def aibot_media(request: web.Request) -> web.Response:
    """The AI bot's download URL for an image or file a person sent: the encrypted bytes."""
    state = request.app[STATE]
    file_id = request.match_info["file_id"]
    if (fault := await _before(state, request, "aibot/media", [file_id])) is not None:
        return fault
    data = state.bot_files.get(file_id)
    if data is None:
        return web.Response(status=404, text="no such file")
    state.record("aibot/media", file_id=file_id, size=len(data))
    return _after(state, request, "aibot/media", [file_id],
                  web.Response(body=data, content_type="application/octet-stream"))


def routes() -> list[web.RouteDef]:
    return [web.get("/cgi-bin/gettoken", gettoken),
            web.get("/cgi-bin/media/get", media_get), web.get("/media/aibot/{file_id}", aibot_media),
            web.get("/media/pic/{media_id}", media_pic),
            web.post("/cgi-bin/message/send", message_send),
            web.post("/cgi-bin/message/update_template_card", update_template_card),
            web.post("/cgi-bin/webhook/send", webhook_send),
            web.post("/cgi-bin/aibot/response", aibot_response)]
