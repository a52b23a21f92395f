"""`/fixes` (issue 13 item 3): the known-fixes knowledge base for managers and admins.

- the active fixes per skill, each editable (title and steps in the editor's language, fault
  codes, model, symptom keywords, likely parts, guide link);
- the proposals closed jobs made (handlers/fixes.py `propose`), to accept (through the chat's
  `accept_fix` handler, as a tap on the proposal card does) or reject; a proposal from another
  region's job is not shown to a manager of other regions;
- first-time fix by skill, region and whether a known fix was shown, over the last `days`
  (storage/fixes.py `first_time_fix`, which defines it), for the viewer's regions.

Every form carries the session's CSRF token; engineers and customers are refused (403).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web
from bot.web.flash import Flash

from bot.callbacks import CONFIG, DESK
from bot.web import session
from bot.web.render import render
from handlers import fixes as known
from handlers.insights import region_name, skill_name
from handlers.messages import t
from storage import fixes as kb
from storage import tickets as store

FLASH = Flash("wd_fixes_flash", salt="fixes-flash")
DAYS = (7, 30, 90, 365)




def _now(request: web.Request) -> dt.datetime:
    now = request.app[DESK].services.clock.now()
    return now.replace(tzinfo=None) if now.tzinfo is None else now.astimezone(dt.timezone.utc).replace(tzinfo=None)


async def _visible(s: Any, viewer: session.Viewer, fix: kb.Fix) -> bool:
    """A proposal from a job is its region's managers' (an admin's: all); other fixes anyone's."""
    if fix.source_ticket is None or viewer.regions is None:
        return True
    ticket = await store.get_ticket(s, fix.source_ticket)
    return ticket is None or viewer.sees(ticket.region)


def _row(cfg: Any, lang: str, fix: kb.Fix) -> dict[str, Any]:
    title, steps = fix.text(lang)
    own_title, own_steps = (fix.title or {}).get(lang, ""), (fix.steps or {}).get(lang, [])
    return {"id": fix.id, "skill": fix.skill, "skill_name": skill_name(cfg, fix.skill, lang), "title": title,
            "steps": steps, "codes": fix.codes or [], "keywords": fix.keywords or [], "parts": fix.parts or [],
            "model": fix.model or "", "guide_url": fix.guide_url or "", "status": fix.status,
            "source_ticket": fix.source_ticket, "updates_fix": fix.updates_fix, "outcome": fix.outcome or "",
            "edit_title": own_title or title, "edit_steps": "\n".join(own_steps or steps)}


async def fixes_page(request: web.Request) -> web.Response:
    viewer = session.require(request)
    cfg, desk = request.app[CONFIG], request.app[DESK]
    lang = viewer.lang
    try:
        days = int(request.query.get("days", "30"))
    except ValueError:
        days = 30
    days = days if days in DAYS else 30
    now = _now(request)
    start = now - dt.timedelta(days=days)
    async with desk.db.sessions() as s:
        rows = await kb.listing(s, statuses=("active", "proposed"))
        rows = [f for f in rows if await _visible(s, viewer, f)]
        ftf = await kb.first_time_fix(s, start=start, end=now + dt.timedelta(seconds=1), regions=viewer.regions)
    active: dict[str, list[dict[str, Any]]] = {}
    for f in rows:
        if f.status == "active":
            active.setdefault(skill_name(cfg, f.skill, lang), []).append(_row(cfg, lang, f))
    proposed = [_row(cfg, lang, f) for f in rows if f.status == "proposed"]
    ftf_rows = [{"skill": skill_name(cfg, r.skill, lang), "region": region_name(cfg, r.region, lang),
                 "shown": r.shown, "closed": r.closed, "first": r.first_time,
                 "rate": f"{r.rate * 100:.0f}%" if r.rate is not None else "-", "skill_code": r.skill,
                 "region_code": r.region or ""} for r in ftf]
    flash = FLASH.read(request, cfg)
    html = render("web/fixes.html", lang=lang, viewer=viewer, nav="fixes", active=active, proposed=proposed,
                  ftf=ftf_rows, days=days, day_options=DAYS, flash=flash,
                  span=t(lang, "fixes.ftf.span", start=start.date().isoformat(), end=now.date().isoformat()))
    response = web.Response(text=html, content_type="text/html")
    if flash is not None:
        FLASH.shown(response, "/fixes")
    return response


def _back(cfg: Any, text: str) -> web.HTTPSeeOther:
    response = web.HTTPSeeOther("/fixes")
    FLASH.set(response, cfg, text, "/fixes")
    return response


def _fix_id(request: web.Request, lang: str) -> int:
    try:
        return int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound(text=t(lang, "fixes.page.not_found")) from None


async def act(request: web.Request) -> web.Response:
    """`POST /fixes/{id}/{action}`: accept, reject or edit."""
    viewer = session.require(request)
    form = await session.check_csrf(request, viewer)
    cfg, desk = request.app[CONFIG], request.app[DESK]
    fix_id, action = _fix_id(request, viewer.lang), request.match_info["action"]
    async with desk.db.sessions() as s:
        fix = await kb.get(s, fix_id)
        if fix is None or not await _visible(s, viewer, fix):
            raise web.HTTPNotFound(text=t(viewer.lang, "fixes.page.not_found"))
    if action == "accept":
        reply = await desk.run_intent("accept_fix", {"fix": fix_id}, userid=viewer.userid, channel="web")
        raise _back(cfg, reply.markdown)
    async with desk.work(userid=viewer.userid, channel="web") as ctx:
        if action == "reject":
            text = (await known.reject_fix(ctx, fix_id)).markdown
        else:
            row = await kb.get(ctx.session, fix_id)
            assert row is not None
            known.edit(row, {k: str(v) for k, v in form.items() if k != "csrf"}, lang=viewer.lang, now=ctx.now)
            text = t(viewer.lang, "fixes.page.saved", id=fix_id)
    raise _back(cfg, text)


def routes() -> list[web.RouteDef]:
    return [web.get("/fixes", fixes_page),
            web.post(r"/fixes/{id}/{action:accept|reject|edit}", act)]
