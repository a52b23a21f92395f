"""The ticket page a card links to: status, priced lines and audit trail — every number a reader
sees on a card can be explained here. Links are signed: ticket ids are guessable."""

from __future__ import annotations

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select

from handlers.config import Config
from handlers.messages import TEMPLATES, t
from settlement import format_minor
from storage import tickets as store
from storage.db import Database
from storage.ledger_models import ChargeLine, TicketCharge
from storage.models import OutboxMessage

_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


async def render_ticket(db: Database, cfg: Config, ticket_id: int) -> str | None:
    async with db.sessions() as session:
        ticket = await store.get_ticket(session, ticket_id)
        if ticket is None:
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
    lang = ticket.language
    skill = cfg.skill(ticket.skill)
    engineer = cfg.person(ticket.assignee)
    return _env.get_template("ticket.html").render(
        ticket=ticket, events=events, lang=lang, skill=skill.name if skill else ticket.skill,
        status=t(lang, f"status.{ticket.status}"), urgency=t(lang, f"urgency.{ticket.urgency}"),
        engineer=engineer.name if engineer else ticket.assignee, t=t,
        charge=charge, lines=[(ln.label, format_minor(ln.amount, ln.currency)) for ln in lines],
        total=format_minor(charge.total, charge.currency) if charge else None,
        undelivered=[(m.created_at, m.last_error) for m in undelivered])
