"""The store's own report page (自助报修, H5, phone first): opened from a link or QR code printed in
the store. The link is signed for one store's group, so a store cannot report for another.

A submission goes the way a chat report goes — the parser reads the problem (device, urgency), the
`create_ticket` handler routes and stores it — and the store's group gets the same card a report
written there gets. Every form carries a CSRF token bound to the browser's cookie; each form can open one ticket
(a second submit of it shows the first's); each address may submit `FORM_PER_HOUR` times an hour.

Photos (`attachments.max_files` of at most `attachments.max_bytes` each) come as multipart/form-data,
read part by part with every part's size capped while it is read: the app's `client_max_size`
(server.max_body_bytes, 64 KiB, for WeCom's callbacks) bounds only whole-body reads
(`request.read()`, `request.post()`), so it does not cut a photo short here, and this route's bound
is its own — at most `MAX_PARTS` text parts of `FIELD_BYTES` and one photo more than allowed, each
cut off at `max_bytes` + 1. A proxy in front must let such bodies through to /report.
"""

from __future__ import annotations

import hashlib
import hmac
import inspect
import logging
import secrets
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.exc import IntegrityError

from bot import pages
from bot.callbacks import CONFIG, DESK
from handlers.config import AttachmentsConfig
from handlers.dispatch import dispatch
from handlers.links import check_store_signature, same_secret
from handlers.messages import TEMPLATES, languages, t
from handlers.replies import Reply
from storage import attachments, deliveries
from storage.attachments import FileStore, Upload
from storage.cache import CacheUnavailable

log = logging.getLogger("wecom_desk.report_form")
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
COOKIE = "wd_form"
FORM_TTL_S = 2 * 3600      # a form left open longer is refused (and shown again, fresh)
FORM_PER_HOUR = 10         # submissions per address per hour
LIMITS = {"problem": 1000, "name": 64, "phone": 32}
FIELDS = ("problem", "name", "phone", "urgent", "nonce", "exp", "csrf")
FIELD_BYTES = 16 * 1024    # a text part longer than this is refused as too long, unread past here
MAX_PARTS = 16             # text parts (the form has 7) and unknown ones; photos are counted on their own
CHUNK = 64 * 1024


class FileStoreDown(Exception):
    """The photos could not be written: nothing was created; the visitor may try again."""


@dataclass
class Posted:
    """What a submission carried, as far as it was read: the text fields, the photos accepted, and
    the catalog key of the first thing refused (reading stops there)."""
    fields: dict[str, str] = field(default_factory=lambda: dict.fromkeys(FIELDS, ""))
    photos: list[Upload] = field(default_factory=list)
    error: str | None = None


def _csrf(secret: str, chatid: str, browser: str, nonce: str, exp: int) -> str:
    """Binds a form (its nonce: one ticket per form) to the browser's cookie: a page elsewhere that
    posts to us has neither."""
    return hmac.new(secret.encode(), f"form|{chatid}|{browser}|{nonce}|{exp}".encode(),
                    hashlib.sha256).hexdigest()[:32]


def _store(request: web.Request) -> Any:
    """The store's group the link names, if its signature holds (else 403)."""
    cfg = request.app[CONFIG]
    chatid = request.query.get("store", "")
    group = cfg.group(chatid)
    if group is None or group.kind != "customer" or not check_store_signature(
            cfg.wecom.app.secret, chatid, request.query.get("sig", "")):
        raise web.HTTPForbidden(text="this report link is not valid; ask the store for its current QR code")
    return group


def _lang(request: web.Request, group: Any) -> str:
    wanted = request.query.get("lang", "")
    return wanted if wanted in languages() else group.language


def _mb(photos: AttachmentsConfig) -> str:
    return f"{photos.max_bytes / 2**20:.1f}".removesuffix(".0")


def _page(request: web.Request, group: Any, lang: str, *, status: int = 200, error: str = "",
          done: Reply | None = None, values: dict[str, str] | None = None) -> web.Response:
    cfg = request.app[CONFIG]
    browser = request.cookies.get(COOKIE) or secrets.token_urlsafe(16)
    nonce, exp = secrets.token_urlsafe(16), int(time.time()) + FORM_TTL_S
    html = _env.get_template("report.html").render(
        t=t, lang=lang, store=group.store or group.name, error=error, done=done, values=values or {},
        action=f"/report?{request.query_string}", nonce=nonce, exp=exp,
        csrf=_csrf(cfg.wecom.app.secret, group.chatid, browser, nonce, exp), limits=LIMITS,
        photos=cfg.attachments, mb=_mb(cfg.attachments))
    resp = web.Response(text=html, content_type="text/html", status=status)
    if request.cookies.get(COOKIE) != browser:
        resp.set_cookie(COOKIE, browser, max_age=30 * 24 * 3600, httponly=True, samesite="Strict", path="/report")
    return resp


async def form(request: web.Request) -> web.Response:
    group = _store(request)
    return _page(request, group, _lang(request, group))


def _genuine(request: web.Request, group: Any, fields: dict[str, str]) -> bool:
    """The form was ours, sent from the browser it was shown to, in time."""
    try:
        exp = int(fields["exp"])
    except ValueError:
        exp = 0
    browser = request.cookies.get(COOKIE, "")
    return bool(fields["nonce"] and browser and exp >= time.time() and same_secret(
        fields["csrf"], _csrf(request.app[CONFIG].wecom.app.secret, group.chatid, browser, fields["nonce"], exp)))


async def _capped(part: BodyPartReader, cap: int) -> bytes | None:
    """A part's bytes, or None as soon as there are more than `cap` (the rest is left unread)."""
    data = bytearray()
    while chunk := await part.read_chunk(CHUNK):
        data += chunk
        if len(data) > cap:
            return None
    return bytes(data)


async def read_form(request: web.Request, limits: AttachmentsConfig,
                    genuine: Callable[[dict[str, str]], bool]) -> Posted:
    """The submission, streamed: text fields, then photos (a browser sends them in the page's order,
    the photo field last). No photo byte is read unless the fields read before it hold the form's
    token (`genuine`); a body without them stops there and is refused by the caller's check."""
    posted = Posted()
    if request.content_type != "multipart/form-data":   # a page from before photos: no files
        data = await request.post()   # bounded by client_max_size
        posted.fields.update({k: str(data.get(k, "")).strip() for k in FIELDS})
        return posted
    try:
        reader = await request.multipart()
        parts = 0
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):   # a nested multipart: no form sends one
                posted.error = "form.photo_broken"
                break
            if part.name == "photos":
                if not genuine(posted.fields):
                    break   # no photo byte before the form's token holds: the caller refuses the rest
                posted.error = await _photo(part, limits, posted)
                if posted.error is not None:
                    break
                continue
            parts += 1
            raw = await _capped(part, FIELD_BYTES) if parts <= MAX_PARTS else None
            if raw is None:
                posted.error = "form.too_long"
                break
            if part.name in FIELDS:
                posted.fields[part.name] = raw.decode(part.get_charset("utf-8"), errors="replace").strip()
    except (ValueError, LookupError, RuntimeError, AssertionError, HttpProcessingError):
        log.info("report form: a body that is not well-formed multipart", exc_info=True)
        posted.error = "form.photo_broken"
    return posted


async def _photo(part: BodyPartReader, limits: AttachmentsConfig, posted: Posted) -> str | None:
    """Read one photo part into `posted`; the catalog key of what is wrong with it, if anything."""
    data = await _capped(part, limits.max_bytes)
    if data is None:
        return "form.photo_size"
    if not data and not part.filename:   # the field left empty: browsers send one empty part
        return None
    if len(posted.photos) >= limits.max_files:
        return "form.photo_count"
    upload = Upload.of(data)   # by the bytes themselves, never the name or type the client gave
    if upload is None:
        return "form.photo_type"
    posted.photos.append(upload)
    return None


async def submit(request: web.Request) -> web.Response:
    cfg, desk = request.app[CONFIG], request.app[DESK]
    group = _store(request)
    lang = _lang(request, group)
    posted = await read_form(request, cfg.attachments, lambda fields: _genuine(request, group, fields))
    fields = posted.fields
    if not _genuine(request, group, fields):
        return _page(request, group, lang, status=403, error=t(lang, "form.expired"), values=fields)
    if posted.error is not None:
        error = t(lang, posted.error, n=cfg.attachments.max_files, mb=_mb(cfg.attachments))
        return _page(request, group, lang, status=400, error=error, values=fields)
    if not fields["problem"] or not fields["phone"]:
        return _page(request, group, lang, status=400, error=t(lang, "form.required"), values=fields)
    too_long = [k for k, n in LIMITS.items() if len(fields[k]) > n]
    if too_long:
        return _page(request, group, lang, status=400, error=t(lang, "form.too_long"), values=fields)
    try:
        if await desk.cache.hit(f"report-form:{request.remote}", 3600) > FORM_PER_HOUR:
            return _page(request, group, lang, status=429, error=t(lang, "form.too_many"), values=fields)
        reply = await _create(desk, group, fields, lang, posted.photos)
    except (CacheUnavailable, FileStoreDown):
        return _page(request, group, lang, status=503, error=t(lang, "form.unavailable"), values=fields)
    if reply.problem:   # the handler could not open it: say what to add
        error = t(lang, "form.no_device") if reply.problem.startswith("skill") else reply.markdown
        return _page(request, group, lang, status=400, error=error, values=fields)
    return _page(request, group, lang, done=reply)


async def _create(desk: Any, group: Any, fields: dict[str, str], lang: str, photos: list[Upload]) -> Reply:
    """One ticket per form: the form's nonce is its dedup key, stored with the ticket. Its photos
    are written to the file store first and their rows with the ticket; unless that transaction
    commits with a ticket, the files are deleted again (a crash in between may leave a file no row
    names — never a row without its file)."""
    key = f"web:{fields['nonce']}"
    if (stored := await desk.stored_reply(key)) is not None:
        return stored   # the same form again: its ticket, and its photos are not stored twice
    parsed = desk.parser.parse(fields["problem"])
    if inspect.isawaitable(parsed):   # a remote NLU backend (Rasa, an LLM)
        parsed = await parsed
    entities = {k: v for k, v in dict(parsed.entities).items() if k in ("skill", "urgency", "store")}
    entities.update({"_text": fields["problem"], "_confirmed": True,
                     "contact": {"name": fields["name"], "phone": fields["phone"]}})
    if fields["urgent"]:
        entities["urgency"] = "urgent"
    # Who reported: not a WeCom user; a stable id from the phone number, never the number itself.
    reporter = "web:" + hashlib.sha256(fields["phone"].encode()).hexdigest()[:16]
    store: FileStore | None = None
    if photos:
        try:
            store = desk.files
            await attachments.put_all(store, photos)
        except OSError as e:
            log.error("report form: cannot store photos: %s", e)
            raise FileStoreDown from e
    linked = kept = False
    try:
        async with desk.work(userid=reporter, chatid=group.chatid, channel="web") as ctx:
            reply = await dispatch(ctx, "create_ticket", entities)
            ticket = ctx.log.get("ticket")
            if reply.problem is None and reply.card is not None:
                if photos and ticket is not None:
                    await attachments.record(ctx.session, ticket, photos, source="form", uploaded_by=reporter)
                    reply = replace(reply, data={**(reply.data or {}), "photos": len(photos)})
                    linked = True
                ctx.push_group_card(group.chatid, reply.card, ticket)   # the store's group sees it too
                await deliveries.record(ctx.session, key=key, channel="web", userid=reporter, chatid=group.chatid,
                                        intent="create_ticket", outcome="ok", reply=reply.to_json(), stream_id=None)
            elif reply.problem is not None:
                ctx.outbox.clear()
        kept = linked   # the transaction committed, rows and all
        return reply
    except IntegrityError:   # the same form twice (a double tap, a refresh that re-posts)
        stored = await desk.stored_reply(key)
        if stored is not None:
            return stored
        raise
    finally:
        if store is not None and not kept:
            await attachments.discard(store, photos)


def routes() -> list[web.RouteDef]:
    # The report's photos are served beside their ticket page (bot/pages.py); listed here because
    # the app adds these routes.
    return [web.get("/report", form), web.post("/report", submit), *pages.routes()]
