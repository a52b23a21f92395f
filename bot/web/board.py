"""The managers' board at `/`: open tickets in the viewer's regions, nobody-on-it and broken
promises first, with filters; the page polls `/board/rows` and SLA countdowns tick in the browser.
With the sandbox on and nobody signed in, `/` is a start page instead."""

from __future__ import annotations

import hashlib
from typing import Any

from aiohttp import web

from bot.callbacks import CONFIG, DESK
from bot.web import session
from bot.web.render import iso_utc, local, render
from handlers.config import Config
from handlers.context import Context
from handlers.labels import location_of, skill_label, template_name
from handlers.messages import t
from handlers.notify import current_target
from storage.board import BoardFilter, file_counts, open_tickets
from storage.models import Ticket

FILTERS = ("region", "city", "store", "skill", "template", "engineer")


# -- the board -------------------------------------------------------------------------------------

def _choices(cfg: Config, viewer: session.Viewer, ctx: Context) -> dict[str, list[tuple[str, str]]]:
    """Every filter's values the viewer may pick, named in their language."""
    lang = viewer.lang
    regions = [r for r in cfg.regions if viewer.sees(r.code)]
    codes = {r.code for r in regions}
    return {
        "region": [(r.code, r.name_in(lang)) for r in regions],
        "city": [(c.name, c.name_in(lang)) for r in regions for c in r.cities],
        "store": [(g.chatid, g.store_in(lang) or g.name) for g in cfg.groups if g.kind == "customer" and g.region in codes],
        "skill": [(s.code, s.name_in(lang)) for s in cfg.skills],
        "template": [(code, d.name(lang)) for code, d in (ctx.templates.defs.items() if ctx.templates else [])],
        "engineer": [(p.userid, p.name) for p in cfg.people if "engineer" in p.roles and codes & set(p.regions)],
    }


def _filter_of(request: web.Request, viewer: session.Viewer, choices: dict[str, list[tuple[str, str]]]) -> dict[str, str]:
    """The chosen filters; a value the viewer cannot pick is a 400 that names it (not an empty
    board that looks like good news)."""
    chosen = {}
    for key in FILTERS:
        value = request.query.get(key, "")
        if not value:
            continue
        if value not in {v for v, _ in choices[key]}:
            raise web.HTTPBadRequest(text=t(viewer.lang, "desk.bad_filter", field=key, value=value[:64]))
        chosen[key] = value
    return chosen


def _row(ctx: Context, ticket: Ticket, viewer: session.Viewer) -> dict[str, Any]:
    lang = viewer.lang
    target, due = current_target(ticket)
    engineer = ctx.cfg.person(ticket.assignee)
    return {
        "id": ticket.id, "status": ticket.status, "status_label": t(lang, f"status.{ticket.status}"),
        "urgent": ticket.urgency == "urgent", "urgency_label": t(lang, f"urgency.{ticket.urgency}"),
        "where": location_of(ctx, ticket, lang), "skill": skill_label(ctx, ticket.skill, lang),
        "service": template_name(ctx, ticket, lang), "engineer": engineer.name if engineer else ticket.assignee,
        "created": local(ticket.created_at, viewer.timezone, "%m-%d %H:%M"),
        "breached": bool(ticket.sla_breached), "paused": ticket.sla_paused_at is not None,
        "target": t(lang, f"desk.target.{target}") if due is not None else "",
        "due": iso_utc(due), "due_local": local(due, viewer.timezone, "%m-%d %H:%M"),
        "description": (ticket.description or "")[:120],
    }


async def _board_rows(request: web.Request, viewer: session.Viewer) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    cfg, desk = request.app[CONFIG], request.app[DESK]
    async with desk.db.sessions() as s:
        ctx = desk.context(s, userid=viewer.userid, channel="web")
        choices = _choices(cfg, viewer, ctx)
        chosen = _filter_of(request, viewer, choices)
        f = BoardFilter(regions=viewer.regions, region=chosen.get("region"), city=chosen.get("city"),
                        chatid=chosen.get("store"), skill=chosen.get("skill"), template=chosen.get("template"),
                        engineer=chosen.get("engineer"))
        tickets = await open_tickets(s, f)
        files = await file_counts(s, [tk.id for tk in tickets])
        rows = [{**_row(ctx, tk, viewer), "files": files.get(tk.id, 0)} for tk in tickets]
    return rows, {"choices": choices, "chosen": chosen}


def _landing(request: web.Request) -> web.Response:
    lang = session.lang_of(request)
    return web.Response(text=render("web/landing.html", lang=lang, viewer=None), content_type="text/html")


async def home(request: web.Request) -> web.Response:
    """`/`: the board for a signed-in manager; with the sandbox on and nobody signed in, a start
    page offering the sandbox chat and a sign-in as anyone; otherwise WeCom's sign-in."""
    if session.current(request) is None and request.app[CONFIG].sandbox.enabled:
        return _landing(request)
    viewer = session.require(request)
    rows, filters = await _board_rows(request, viewer)
    return web.Response(text=render("web/board.html", lang=viewer.lang, viewer=viewer, nav="board", rows=rows,
                                    refresh_ms=int(request.app[CONFIG].web.refresh_s * 1000), **filters),
                        content_type="text/html")


async def board_rows(request: web.Request) -> web.Response:
    """The board's rows alone, for the page's polling; the ETag lets an unchanged board cost a 304."""
    viewer = session.require(request)
    rows, _ = await _board_rows(request, viewer)
    html = render("web/board_rows.html", lang=viewer.lang, rows=rows)
    etag = '"' + hashlib.sha1(html.encode()).hexdigest()[:16] + '"'
    if request.headers.get("If-None-Match") == etag:
        return web.Response(status=304, headers={"ETag": etag})
    return web.Response(text=html, content_type="text/html", headers={"ETag": etag, "Cache-Control": "no-store"})


def routes() -> list[web.RouteDef]:
    return [web.get("/", home), web.get("/board/rows", board_rows)]

