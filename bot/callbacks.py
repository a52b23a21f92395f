"""The two WeCom callback endpoints. Thin: HTTP → verified, decrypted `Inbound` → Desk → reply.

/wecom/bot  AI bot (智能机器人), JSON: group @-mentions, passive reply in the response body.
/wecom/app  self-built app (自建应用), XML: 1:1 messages and card clicks; answered 200 at once,
            everything the user sees goes out through the outbox.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from aiohttp import web

from handlers.config import Config
from bot.crypto import CryptoError, SignatureError, WeComCrypto
from handlers.desk import Desk, Outcome
from bot.present import present
from handlers.cards import Card
from bot.inbound import BadPayload, load_json, parse_app_fields, parse_bot_message, parse_xml, xml_fields
from bot.kf import KfReader, kf_event
from bot.metrics import observe_callback
from handlers.event import Inbound
from storage.cache import CacheUnavailable
from handlers.replies import Reply

log = logging.getLogger("wecom_desk.callback")
DESK = web.AppKey("desk", Desk)
CONFIG = web.AppKey("config", Config)
BOT_CRYPTO = web.AppKey("bot_crypto", WeComCrypto)
APP_CRYPTO = web.AppKey("app_crypto", WeComCrypto)
BACKGROUND = web.AppKey("background", set)
KF_READER = web.AppKey("kf_reader", KfReader)
APP_ACK_S = 4.0  # WeCom waits 5 s for the app callback; answer before it gives up and retries


def _fail(status: int, reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=status)


def _query(request: web.Request) -> tuple[str | None, str, str]:
    q = request.query
    return q.get("msg_signature"), q.get("timestamp", ""), q.get("nonce", "")


def _check_time(cfg: Config, timestamp: str) -> None:
    try:
        ts = int(timestamp)
    except ValueError:
        raise SignatureError("timestamp is not a number") from None
    if abs(time.time() - ts) > cfg.server.timestamp_tolerance_s:
        raise SignatureError("timestamp outside the allowed window")


async def verify_url(request: web.Request, crypto: WeComCrypto) -> web.Response:
    """URL verification (GET): answer the decrypted echostr alone — no quotes, BOM or newline."""
    signature, timestamp, nonce = _query(request)
    echostr = request.query.get("echostr")
    if not echostr or not timestamp or not nonce:
        return _fail(400, "timestamp, nonce and echostr are required")
    try:
        plain = crypto.open(signature, timestamp, nonce, echostr)
    except SignatureError as e:
        return _fail(403, str(e))
    except CryptoError as e:
        return _fail(400, str(e))
    return web.Response(text=plain, content_type="text/plain")


async def _open(request: web.Request, crypto: WeComCrypto, encrypt_of: Any) -> str | web.Response:
    """Shared POST prologue: size, query, body, signature, time window, decrypt."""
    cfg = request.app[CONFIG]
    signature, timestamp, nonce = _query(request)
    if not signature:
        return _fail(403, "missing msg_signature")
    if not timestamp or not nonce:
        return _fail(400, "timestamp and nonce are required")
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return _fail(413, f"body larger than {cfg.server.max_body_bytes} bytes")
    try:
        encrypt = encrypt_of(body)
    except BadPayload as e:
        return _fail(400, str(e))
    try:
        crypto.verify(signature, timestamp, nonce, encrypt)
        _check_time(cfg, timestamp)
        return crypto.decrypt(encrypt)
    except SignatureError as e:
        return _fail(403, str(e))
    except CryptoError as e:
        return _fail(400, str(e))


async def _inbound(request: web.Request, crypto: WeComCrypto, encrypt_of: Any, parse: Any,
                   started: float) -> Inbound | web.Response:
    """Opened and parsed, or the 4xx that says why not (logged like every callback)."""
    opened = await _open(request, crypto, encrypt_of)
    if isinstance(opened, web.Response):
        _log(None, {"outcome": "rejected"}, started, opened.status)
        return opened
    try:
        return parse(opened)
    except BadPayload as e:
        _log(None, {"outcome": "rejected"}, started, 400)
        return _fail(400, str(e))


def _bot_encrypt_of(body: bytes) -> str:
    data = load_json(body)
    if not isinstance(data, dict) or not isinstance(data.get("encrypt"), str) or not data["encrypt"]:
        raise BadPayload("body must be {\"encrypt\": \"...\"}")
    return data["encrypt"]


def _app_encrypt_of(body: bytes) -> str:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadPayload("body is not UTF-8") from None
    encrypt = xml_fields(parse_xml(text)).get("Encrypt")
    if not encrypt:
        raise BadPayload("Encrypt is required")
    return encrypt


def _log(inbound: Inbound | None, outcome: Outcome | str, started: float, status: int) -> None:
    done = outcome if isinstance(outcome, Outcome) else Outcome(outcome)
    observe_callback(inbound.channel if inbound else None, done.status, status, time.perf_counter() - started)
    log.info(json.dumps({
        "event": "callback", "channel": inbound.channel if inbound else None,
        "msgid": inbound.msgid if inbound else None, "chat": inbound.chatid if inbound else None,
        "user": inbound.userid if inbound else None, "kind": inbound.kind if inbound else None,
        "intent": done.intent, "ticket": done.ticket, "outcome": done.status,
        "status": status, "latency_ms": round((time.perf_counter() - started) * 1000, 1)},
        ensure_ascii=False))


def _spawn(app: web.Application, coro: Any) -> asyncio.Task[Any]:
    """Handling keeps running after we answered; hold a reference so it is not collected."""
    task = asyncio.ensure_future(coro)
    app[BACKGROUND].add(task)
    task.add_done_callback(app[BACKGROUND].discard)
    return task


# -- AI bot ----------------------------------------------------------------------------------------
def bot_payload(reply: Reply | None, stream_id: str, *, finished: bool = True, refresh: bool = False,
                lang: str = "zh") -> dict[str, Any] | None:
    if not finished:
        return {"msgtype": "stream", "stream": {"id": stream_id, "finish": False, "content": "⏳"}}
    if reply is None:
        return None
    if reply.card and refresh:
        return {"msgtype": "stream_with_template_card",
                "stream": {"id": stream_id, "finish": True, "content": reply.markdown},
                "template_card": present(reply.card, "bot")}
    if reply.card:
        return {"msgtype": "template_card", "template_card": present(reply.card, "bot")}
    return {"msgtype": "stream", "stream": {"id": stream_id, "finish": True, "content": reply.markdown}}


def card_update_payload(reply: Reply | None, task_id: str | None) -> dict[str, Any] | None:
    """A tap on an AI-bot card is answered by updating that card (doc 100719): its first line
    says what became of the tap; the full answer goes to the tap's response_url (Desk)."""
    if reply is None or not task_id or not reply.markdown:
        return None
    headline = reply.markdown.strip().splitlines()[0].lstrip("#>*- ").rstrip("* ").strip()   # "**…**": no marks
    return {"response_type": "update_template_card",
            "template_card": present(Card(title=headline, desc=reply.button or "", task_id=task_id), "bot")}


async def bot_get(request: web.Request) -> web.Response:
    return await verify_url(request, request.app[BOT_CRYPTO])


async def bot_post(request: web.Request) -> web.Response:
    started = time.perf_counter()
    crypto, desk, cfg = request.app[BOT_CRYPTO], request.app[DESK], request.app[CONFIG]
    inbound = await _inbound(request, crypto, _bot_encrypt_of, parse_bot_message, started)
    if isinstance(inbound, web.Response):
        return inbound
    outcome: Outcome | str
    if inbound.kind == "stream_refresh":
        assert inbound.stream_id is not None
        reply = await desk.stream_reply(inbound.stream_id)
        payload = bot_payload(reply, inbound.stream_id, finished=reply is not None, refresh=True)
        outcome = "refresh"
    else:
        deadline = cfg.server.reply_deadline_ms / 1000
        task = _spawn(request.app, desk.receive(inbound))
        done, _ = await asyncio.wait({task}, timeout=deadline)
        if done and isinstance(task.exception(), CacheUnavailable):
            return _unavailable(inbound, started)
        outcome = task.result() if done else "deferred"
        reply = outcome.reply if isinstance(outcome, Outcome) else None
        if isinstance(outcome, Outcome) and reply is None and outcome.status == "duplicate":
            left = max(0.0, deadline - (time.perf_counter() - started))
            reply = await desk.wait_stored_reply(inbound.dedup_key or "", left)
            if reply is None:
                # Still nobody's answer: if its handler died, this delivery takes the work over
                # in the background, and WeCom's refreshes of this stream read the reply.
                _spawn(request.app, desk.take_over(inbound))
                outcome = "deferred"
        if inbound.kind == "card_click":
            payload = card_update_payload(reply, inbound.task_id)
        else:
            payload = bot_payload(reply, inbound.stream_key, finished=isinstance(outcome, Outcome))
    _log(inbound, outcome, started, 200)
    if payload is None:
        return web.Response(text="")
    sealed = crypto.seal(json.dumps(payload, ensure_ascii=False), nonce=request.query.get("nonce"))
    return web.json_response(sealed)


# -- self-built app --------------------------------------------------------------------------------
async def app_get(request: web.Request) -> web.Response:
    return await verify_url(request, request.app[APP_CRYPTO])


async def app_post(request: web.Request) -> web.Response:
    """The app's callback URL, which also receives 微信客服 notices (`/wecom/kf` is the same)."""
    started = time.perf_counter()
    desk = request.app[DESK]
    inbound = await _inbound(request, request.app[APP_CRYPTO], _app_encrypt_of, _app_or_kf, started)
    if isinstance(inbound, web.Response):
        return inbound
    if isinstance(inbound, tuple):
        return await _kf_notice(request, *inbound, started=started)
    task = _spawn(request.app, desk.receive(inbound))
    done, _ = await asyncio.wait({task}, timeout=APP_ACK_S)
    if done and isinstance(task.exception(), CacheUnavailable):
        return _unavailable(inbound, started)
    outcome = task.result() if done else "deferred"
    if isinstance(outcome, Outcome) and outcome.status == "duplicate" and outcome.reply is None:
        _spawn(request.app, desk.take_over(inbound))   # its first handler may have died: see bot_post
    _log(inbound, outcome, started, 200)
    return web.Response(text="")


def _app_or_kf(plaintext: str) -> Inbound | tuple[str, str | None]:
    fields = xml_fields(parse_xml(plaintext))
    notice = kf_event(fields)
    return notice if notice is not None else parse_app_fields(fields)


async def _kf_notice(request: web.Request, open_kfid: str, token: str | None, *, started: float) -> web.Response:
    """A 微信客服 account has news: read and handle it before answering if that fits in WeCom's
    wait; a read that takes longer goes on after the 200 (the cursor moves only past handled
    messages, so a process that dies meanwhile loses nothing: the next read starts there). A read
    that fails is a 503, and WeCom sends the notice again."""
    reader = request.app[KF_READER]
    if not reader.known(open_kfid):
        log.warning("微信客服 notice for an account not in wecom.kf.accounts: %s", open_kfid)
        _log(None, "ignored", started, 200)
        return web.Response(text="")
    task = _spawn(request.app, reader.read(open_kfid, token))
    done, _ = await asyncio.wait({task}, timeout=APP_ACK_S)
    if done and task.exception() is not None:
        log.warning("微信客服 %s: reading failed (%s); answering 503 so that WeCom retries", open_kfid,
                    type(task.exception()).__name__)
        _log(None, "unavailable", started, 503)
        return web.Response(status=503, text="temporarily unavailable; retry")
    _log(None, "kf-read" if done else "deferred", started, 200)
    return web.Response(text="")


def _unavailable(inbound: Inbound, started: float) -> web.Response:
    """The cache is down: nothing was handled, so WeCom must not hear 200. It retries a 503."""
    log.warning("cache unavailable; answering 503 so that WeCom retries msgid=%s", inbound.msgid or inbound.dedup_key)
    _log(inbound, "unavailable", started, 503)
    return web.Response(status=503, text="temporarily unavailable (cache); retry")


def routes() -> list[web.RouteDef]:
    return [web.get("/wecom/bot", bot_get), web.post("/wecom/bot", bot_post),
            web.get("/wecom/app", app_get), web.post("/wecom/app", app_post),
            web.get("/wecom/kf", app_get), web.post("/wecom/kf", app_post)]

