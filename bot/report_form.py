"""The store's own report page (自助报修, H5, phone first): opened from a link or QR code printed in
the store. The link is signed for one store's group, so a store cannot report for another.

A submission goes the way a chat report goes — the parser reads the problem (device, urgency), the
`create_ticket` handler routes and stores it — and the store's group gets the same card a report
written there gets. Every form carries a CSRF token bound to the browser's cookie; each form can open one ticket
(a second submit of it shows the first's); each address may submit `FORM_PER_HOUR` times an hour.
"""

from __future__ import annotations

import hashlib
import hmac
import inspect
import logging
import secrets
import time
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.exc import IntegrityError

from bot.callbacks import CONFIG, DESK
from handlers.dispatch import dispatch
from handlers.links import check_store_signature
from handlers.messages import TEMPLATES, languages, t
from handlers.replies import Reply
from storage import deliveries
from storage.cache import CacheUnavailable

log = logging.getLogger("wecom_desk.report_form")
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
COOKIE = "wd_form"
FORM_TTL_S = 2 * 3600      # a form left open longer is refused (and shown again, fresh)
FORM_PER_HOUR = 10         # submissions per address per hour
LIMITS = {"problem": 1000, "name": 64, "phone": 32}


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


def _page(request: web.Request, group: Any, lang: str, *, status: int = 200, error: str = "",
          done: Reply | None = None, values: dict[str, str] | None = None) -> web.Response:
    cfg = request.app[CONFIG]
    browser = request.cookies.get(COOKIE) or secrets.token_urlsafe(16)
    nonce, exp = secrets.token_urlsafe(16), int(time.time()) + FORM_TTL_S
    html = _env.get_template("report.html").render(
        t=t, lang=lang, store=group.store or group.name, error=error, done=done, values=values or {},
        action=f"/report?{request.query_string}", nonce=nonce, exp=exp,
        csrf=_csrf(cfg.wecom.app.secret, group.chatid, browser, nonce, exp), limits=LIMITS)
    resp = web.Response(text=html, content_type="text/html", status=status)
    if request.cookies.get(COOKIE) != browser:
        resp.set_cookie(COOKIE, browser, max_age=30 * 24 * 3600, httponly=True, samesite="Strict", path="/report")
    return resp


async def form(request: web.Request) -> web.Response:
    group = _store(request)
    return _page(request, group, _lang(request, group))


async def submit(request: web.Request) -> web.Response:
    cfg, desk = request.app[CONFIG], request.app[DESK]
    group = _store(request)
    lang = _lang(request, group)
    data = await request.post()
    fields = {k: str(data.get(k, "")).strip() for k in ("problem", "name", "phone", "urgent", "nonce", "exp", "csrf")}
    try:
        exp = int(fields["exp"])
    except ValueError:
        exp = 0
    browser = request.cookies.get(COOKIE, "")
    if (not fields["nonce"] or not browser or exp < time.time() or not hmac.compare_digest(
            _csrf(cfg.wecom.app.secret, group.chatid, browser, fields["nonce"], exp), fields["csrf"])):
        return _page(request, group, lang, status=403, error=t(lang, "form.expired"), values=fields)
    if not fields["problem"] or not fields["phone"]:
        return _page(request, group, lang, status=400, error=t(lang, "form.required"), values=fields)
    too_long = [k for k, n in LIMITS.items() if len(fields[k]) > n]
    if too_long:
        return _page(request, group, lang, status=400, error=t(lang, "form.too_long"), values=fields)
    try:
        if await desk.cache.hit(f"report-form:{request.remote}", 3600) > FORM_PER_HOUR:
            return _page(request, group, lang, status=429, error=t(lang, "form.too_many"), values=fields)
        reply = await _create(desk, group, fields, lang)
    except CacheUnavailable:
        return _page(request, group, lang, status=503, error=t(lang, "form.unavailable"), values=fields)
    if reply.problem:   # the handler could not open it: say what to add
        error = t(lang, "form.no_device") if reply.problem.startswith("skill") else reply.markdown
        return _page(request, group, lang, status=400, error=error, values=fields)
    return _page(request, group, lang, done=reply)


async def _create(desk: Any, group: Any, fields: dict[str, str], lang: str) -> Reply:
    """One ticket per form: the form's nonce is its dedup key, stored with the ticket."""
    key = f"web:{fields['nonce']}"
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
    try:
        async with desk.work(userid=reporter, chatid=group.chatid, channel="web") as ctx:
            reply = await dispatch(ctx, "create_ticket", entities)
            if reply.problem is None and reply.card is not None:
                ctx.push_group_card(group.chatid, reply.card, ctx.log.get("ticket"))   # the store's group sees it too
                await deliveries.record(ctx.session, key=key, channel="web", userid=reporter, chatid=group.chatid,
                                        intent="create_ticket", outcome="ok", reply=reply.to_json(), stream_id=None)
            elif reply.problem is not None:
                ctx.outbox.clear()
        return reply
    except IntegrityError:   # the same form twice (a double tap, a refresh that re-posts)
        stored = await desk.stored_reply(key)
        if stored is not None:
            return stored
        raise


def routes() -> list[web.RouteDef]:
    return [web.get("/report", form), web.post("/report", submit)]
