"""The ticket page: status, place, priced lines, photos and history — every number a reader sees
on a card can be explained here — and, for a signed-in manager, the actions.

A card's link is signed (ticket ids are guessable) and shows the page read-only, in the ticket's
language and its region's time zone. Without a signature the page is the signed-in manager's
(bot/web/session.py), in their language and zone, with the actions: assign (the router's
candidates, with its reasons), cancel, reopen, urgency, approve. Each runs the same handler as a
manager's chat command ("#4 派给 张伟"), through `Desk.run_intent` with channel "web": one code
path, one audit trail, the same cards to the group and the engineer."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web
from bot.web.flash import Flash
from sqlalchemy import select

from bot.callbacks import CONFIG, DESK
from bot.web import session
from bot.web.render import local, render
from handlers import joint
from handlers.config import Config
from handlers.labels import location_of, template_name
from handlers.links import check_signature, ticket_signature
from handlers.messages import t
from storage import attachments, branches
from storage import tickets as store
from storage.db import Database
from storage.ledger_models import ChargeLine, TicketCharge
from storage.models import OutboxMessage
from storage.statuses import OPEN_STATUSES

FLASH = Flash("wd_flash", salt="flash")
# A web action → the intent a manager's chat command runs.
ACTIONS: dict[str, str] = {"assign": "assign_job", "cancel": "cancel_ticket", "reopen": "reopen_ticket",
                           "urgency": "set_urgency", "approve": "approve_job", "branch": "add_branch"}


def file_url(ticket_id: int, attachment_id: int, secret: str) -> str:
    return f"/tickets/{ticket_id}/files/{attachment_id}?sig={ticket_signature(secret, ticket_id)}"


def reason_text(cfg: Config, reason: Any, lang: str, tz: str) -> str:
    """One of the router's reasons (handlers/manage.py `Reason`) in the reader's words."""
    key = getattr(reason, "key", None)
    if key is None:
        return str(reason)
    values = dict(reason.values)
    if "skill" in values:
        skill = cfg.skill(values["skill"])
        values["skill"] = skill.name_in(lang) if skill else values["skill"]
    if "region" in values:
        region = cfg.region(values["region"])
        values["region"] = region.name_in(lang) if region else values["region"]
    if "at" in values:
        values["at"] = local(values["at"], tz, "%m-%d %H:%M")
    return t(lang, f"desk.why.{key}", **values)


def _event_label(lang: str, kind: str) -> str:
    try:
        return t(lang, f"event.{kind}")
    except KeyError:   # an audit kind with no sentence yet reads as itself, never as an error
        return kind


async def render_ticket(db: Database, cfg: Config, ticket_id: int, *, viewer: Any = None, desk: Any = None,
                        flash: str | None = None) -> str | None:
    """The ticket page. Without `viewer`: what a card's signed link shows, in the ticket's
    language and its region's time zone. With a signed-in `viewer` (bot/web/session.py): in their
    language and zone, with the actions and the engineers the router would pick; None when the
    ticket is outside their regions (it reads as no ticket)."""
    async with db.sessions() as session:
        ticket = await store.get_ticket(session, ticket_id)
        if ticket is None or (viewer is not None and not viewer.sees(ticket.region)):
            return None
        events = await store.events_of(session, ticket_id)
        charge = (await session.scalars(
            select(TicketCharge).where(TicketCharge.ticket_id == ticket_id))).first()
        lines = (await session.scalars(select(ChargeLine).where(ChargeLine.ticket_id == ticket_id)
                                       .order_by(ChargeLine.position))).all() if charge else []
        # What the WeChat customer did not get: WeCom allows answers only within 48 h of their
        # last message, 5 at most; the staff reading this page should know to call instead.
        undelivered = (await session.scalars(select(OutboxMessage).where(
            OutboxMessage.ticket_id == ticket_id, OutboxMessage.kind == "kf_message",
            OutboxMessage.status == "failed").order_by(OutboxMessage.id))).all()
        shares = await branches.of_ticket(session, ticket_id)
        files = await attachments.of_ticket(session, ticket_id)
        photos = [file_url(ticket_id, a.id, cfg.wecom.app.secret) for a in files if a.content_type.startswith("image/")]
        documents = [file_url(ticket_id, a.id, cfg.wecom.app.secret) for a in files
                     if not a.content_type.startswith("image/")]   # PDFs sent in chat: links, not pictures
        region = cfg.region(ticket.region)
        lang = viewer.lang if viewer is not None else ticket.language
        tz = viewer.timezone if viewer is not None else (region.timezone if region else cfg.timezone_of(None))
        ctx = desk.context(session, userid=viewer.userid, channel="web") if desk is not None and viewer is not None \
            else None
        candidates = []
        if ctx is not None and ticket.status in ("new", "offered", "assigned", "departed"):
            from handlers.manage import candidates as rank

            candidates = await rank(session, cfg, ticket)
    skill = cfg.skill(ticket.skill)
    engineer = cfg.person(ticket.assignee)
    names = {p.userid: p.name for p in cfg.people}
    where = location_of(ctx, ticket, lang) if ctx is not None else None
    if where is None:
        group = cfg.group(ticket.chatid)
        where = " · ".join(p for p in ((group.store_in(lang) if group and group.store else None),
                                        ticket.city, region.name_in(lang) if region else ticket.region) if p)
    return render(
        "ticket.html", ticket=ticket, lang=lang, tz=tz, viewer=viewer, flash=flash,
        skill=skill.name_in(lang) if skill else ticket.skill, where=where,
        service=template_name(ctx, ticket, lang) if ctx is not None else None,
        status=t(lang, f"status.{ticket.status}"), urgency=t(lang, f"urgency.{ticket.urgency}"),
        engineer=engineer.name if engineer else ticket.assignee,
        candidates=[{"userid": c.userid, "name": c.name, "eligible": c.eligible,
                     "reasons": [reason_text(cfg, r, lang, tz) for r in c.reasons]} for c in candidates],
        events=[{"at": local(e.at, tz, "%m-%d %H:%M"), "who": names.get(e.actor or "", e.actor or ""),
                 "what": _event_label(lang, e.kind), "to": t(lang, f"status.{e.to_status}") if e.to_status else "",
                 "note": e.reason} for e in events],
        charge=charge, lines=[(ln.label, ln.amount) for ln in lines],
        undelivered=[(local(m.created_at, tz), m.last_error) for m in undelivered], photos=photos,
        documents=documents, can_approve=ticket.status == "awaiting_approval",
        branches=joint.branches_text(cfg, ticket, lang), branch_shares=_branch_shares(cfg, shares, lang),
        branch_choices=[(r.code, r.name_in(lang)) for r in cfg.regions
                        if r.code not in (ticket.region, ticket.joint_region)] if ticket.status in OPEN_STATUSES else [],
        can_reopen=ticket.status in ("cancelled", "completed"), can_cancel=ticket.status in OPEN_STATUSES)




def plain(markdown: str) -> str:
    """A chat reply as page text: WeCom markdown's marks taken off (the page escapes the rest)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"</?font[^>]*>", "", text)
    text = re.sub(r"^\s*>\s?", "", text, flags=re.M)
    return text.replace("**", "").strip()


async def ticket_page(request: web.Request) -> web.Response:
    """`/tickets/{id}`: with a card's signed link, the read-only page anyone holding it may see;
    without one, the signed-in manager's page with the actions."""
    cfg, desk = request.app[CONFIG], request.app[DESK]
    try:
        ticket_id = int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound(text="no such ticket") from None
    if "sig" in request.query:
        if not check_signature(cfg.wecom.app.secret, ticket_id, request.query.get("sig", "")):
            raise web.HTTPForbidden(text="this link is not valid")
        html = await render_ticket(desk.db, cfg, ticket_id)
        if html is None:
            raise web.HTTPNotFound(text="no such ticket")
        return web.Response(text=html, content_type="text/html")
    viewer = session.require(request)
    flash = FLASH.read(request, cfg)
    html = await render_ticket(desk.db, cfg, ticket_id, viewer=viewer, desk=desk, flash=flash)
    if html is None:   # another region's ticket reads as no ticket at all
        raise web.HTTPNotFound(text=t(viewer.lang, "desk.no_ticket", id=ticket_id))
    response = web.Response(text=html, content_type="text/html", headers={"Cache-Control": "no-store"})
    if flash is not None:
        FLASH.shown(response, f"/tickets/{ticket_id}")
    return response


def _branch_shares(cfg: Config, rows: list[Any], lang: str) -> list[tuple[str, int, str]]:
    """A joint job's branches and what each got, in its own currency (corrections added in)."""
    out: dict[str, list[Any]] = {}
    for r in rows:
        region = cfg.region(r.branch)
        share = out.setdefault(r.branch, [region.name_in(lang) if region else r.branch, 0, r.branch_currency])
        share[1] += r.branch_amount
    return [tuple(v) for v in out.values()]  # type: ignore[misc]


def _entities(action: str, ticket_id: int, form: dict[str, Any], lang: str) -> dict[str, Any]:
    entities: dict[str, Any] = {"ticket": ticket_id}
    if action == "assign":
        entities["assignee"] = str(form.get("engineer", ""))[:64]
        if not entities["assignee"]:
            raise web.HTTPBadRequest(text=t(lang, "desk.pick_engineer"))
    elif action == "urgency":
        urgency = str(form.get("urgency", ""))
        if urgency not in ("urgent", "normal"):
            raise web.HTTPBadRequest(text=t(lang, "desk.bad_urgency"))
        entities["urgency"] = urgency
    elif action == "cancel":
        entities["_text"] = str(form.get("reason", ""))[:500]
    elif action == "branch":
        entities["region"] = str(form.get("region", ""))[:32]
    return entities


async def act(request: web.Request) -> web.Response:
    """`POST /tickets/{id}/act`: one action from the ticket page, through the chat's handler."""
    cfg, desk = request.app[CONFIG], request.app[DESK]
    viewer = session.require(request)
    form = await session.check_csrf(request, viewer)
    try:
        ticket_id = int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound(text="no such ticket") from None
    action = str(form.get("action", ""))
    if action not in ACTIONS:
        raise web.HTTPBadRequest(text=t(viewer.lang, "desk.bad_action", action=action[:32]))
    async with desk.db.sessions() as s:
        ticket = await store.get_ticket(s, ticket_id)
    if ticket is None or not viewer.sees(ticket.region):
        raise web.HTTPNotFound(text=t(viewer.lang, "desk.no_ticket", id=ticket_id))
    reply = await desk.run_intent(ACTIONS[action], _entities(action, ticket_id, form, viewer.lang),
                                  userid=viewer.userid, channel="web")
    response = web.HTTPSeeOther(f"/tickets/{ticket_id}")
    FLASH.set(response, cfg, plain(reply.markdown), f"/tickets/{ticket_id}")
    raise response


def routes() -> list[web.RouteDef]:
    return [web.get("/tickets/{id}", ticket_page), web.post("/tickets/{id}/act", act)]
