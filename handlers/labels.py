"""How a ticket is named to a reader: its skill, its service, its place, in the reader's language.
One rule for cards, pushes, offers and pages, so a ticket reads the same wherever it shows up."""

from __future__ import annotations

from handlers.context import Context
from storage.models import Ticket


def skill_label(ctx: Context, code: str, lang: str | None = None) -> str:
    skill = ctx.cfg.skill(code)
    return skill.name_in(lang or ctx.lang) if skill else code


def template_name(ctx: Context, ticket: Ticket, lang: str) -> str | None:
    tpl = ctx.templates.defs.get(ticket.template) if ctx.templates and ticket.template else None
    return tpl.name(lang) if tpl else None


def region_label(ctx: Context, code: str | None, lang: str | None = None) -> str:
    region = ctx.cfg.region(code)
    return region.name_in(lang or ctx.lang) if region else (code or "-")


def location_of(ctx: Context, ticket: Ticket, lang: str | None = None) -> str:
    """"Siam store · กรุงเทพฯ · ประเทศไทย": the store, its city and its region, each as the reader names it."""
    lang = lang or ctx.lang
    region = ctx.cfg.region(ticket.region)
    group = ctx.cfg.group(ticket.chatid)
    store_name = (group.store_in(lang) if group is not None and group.store else None) or (ticket.data or {}).get("store")
    city = next((c for c in region.cities if c.name == ticket.city), None) if region else None
    parts = [p for p in (store_name, city.name_in(lang) if city else ticket.city,
                         region.name_in(lang) if region else None) if p]
    return " · ".join(dict.fromkeys(parts)) or "-"
