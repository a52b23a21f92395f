"""How a ticket is named to a reader: its skill, its service, its place. One rule for cards,
pushes, offers and pages, so a ticket reads the same wherever it shows up."""

from __future__ import annotations

from handlers.context import Context
from storage.models import Ticket


def skill_label(ctx: Context, code: str) -> str:
    skill = ctx.cfg.skill(code)
    return skill.name if skill else code


def template_name(ctx: Context, ticket: Ticket, lang: str) -> str | None:
    tpl = ctx.templates.defs.get(ticket.template) if ctx.templates and ticket.template else None
    return tpl.name(lang) if tpl else None


def location_of(ctx: Context, ticket: Ticket) -> str:
    region = ctx.cfg.region(ticket.region)
    store_name = (ticket.data or {}).get("store")
    parts = [p for p in (store_name, ticket.city, region.name if region else None) if p]
    return " · ".join(dict.fromkeys(parts)) or "-"
