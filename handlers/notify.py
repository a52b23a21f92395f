"""Progress cards: every state change is pushed into the customer's group (group robot webhook)
and, when someone else made it, to the assignee — in each reader's language and time zone."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from handlers.cards import Card, Field, ticket_card, ticket_fields
from handlers.messages import t
from handlers.context import Context
from handlers.lifecycle import next_actions
from handlers.replies import Reply
from handlers.labels import location_of, skill_label, template_name
from handlers.words import Words
from storage import appointments as slots, tickets as store
from storage.models import Ticket


def local_time(ctx: Context, when: datetime | None, tz_name: str) -> str:
    if when is None:
        return "-"
    local = when.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz_name))
    today = ctx.now.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz_name)).date()
    return local.strftime("%H:%M") if local.date() == today else local.strftime("%m-%d %H:%M")


def slot_span(start: datetime, end: datetime, tz_name: str) -> str:
    """A visit slot in the reader's time zone: "12-06 10:00–12:00"."""
    a, b = (x.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz_name)) for x in (start, end))
    return f"{a:%m-%d %H:%M}–{b:%H:%M}" if a.date() == b.date() else f"{a:%m-%d %H:%M}–{b:%m-%d %H:%M}"


def impossible(ctx: Context, ticket: Ticket) -> Reply:
    """A step the ticket's status does not allow: say so, and say what can be done instead."""
    steps = [t(ctx.lang, f"step.{a}", id=ticket.id) for a in next_actions(ticket.status)]
    return Reply(markdown=t(ctx.lang, "impossible.next", id=ticket.id, status=t(ctx.lang, f"status.{ticket.status}"),
                            next=" / ".join(steps) or t(ctx.lang, "step.none")))


def person_name(ctx: Context, userid: str | None) -> str:
    p = ctx.cfg.person(userid)
    return p.name if p else (userid or "-")


def group_timezone(ctx: Context, ticket: Ticket) -> str:
    region = ctx.cfg.region(ticket.region)
    return region.timezone if region else "Asia/Shanghai"


def sla_text(ctx: Context, ticket: Ticket, lang: str) -> str | None:
    """What is due next and how much business time is left ("到场 还剩 35 分钟")."""
    target, due = current_target(ticket)
    if due is None or ctx.sla is None:
        return None
    minutes = ctx.sla.countdown(ticket, due, ctx.now)
    if minutes is None:
        return None
    if minutes < 0:
        return t(lang, "sla.overdue", target=t(lang, f"sla.target.{target}"), minutes=-minutes)
    return t(lang, "sla.left", target=t(lang, f"sla.target.{target}"), minutes=minutes)


def current_target(ticket: Ticket) -> tuple[str, datetime | None]:
    """The SLA promise in play: a response until someone takes it, then on-site, then resolution."""
    if ticket.status in ("new", "offered"):
        return "response", ticket.response_due
    if ticket.status in ("assigned", "departed"):
        return "onsite", ticket.onsite_due
    if ticket.status in ("on_site", "in_progress", "waiting_parts", "awaiting_approval"):
        return "resolution", ticket.resolution_due
    return "none", None


async def timeline(ctx: Context, ticket: Ticket, lang: str, tz_name: str, last: int = 4) -> str:
    steps = [e for e in await store.events_of(ctx.session, ticket.id) if e.to_status]
    parts = [f"{t(lang, 'status.' + e.to_status)} {local_time(ctx, e.at, tz_name)}" for e in steps[-last:]]
    return " → ".join(parts)


async def card_for(ctx: Context, ticket: Ticket, lang: str, headline: str, words: Words | None = None) -> Card:
    tz_name = group_timezone(ctx, ticket)
    engineer = ctx.cfg.person(ticket.assignee)
    fields = ticket_fields(lang, id=ticket.id, skill=template_name(ctx, ticket, lang) or skill_label(ctx, ticket.skill, lang),
                           location=location_of(ctx, ticket, lang), urgency=ticket.urgency, status=ticket.status,
                           engineer=engineer.name if engineer else ticket.assignee)
    if ticket.eta_at:
        fields.append(Field(t(lang, "field.eta"), local_time(ctx, ticket.eta_at, tz_name)))
    # A slot needs an engineer on the job: an unassigned ticket costs no lookup.
    slot = await slots.confirmed_for(ctx.session, ticket.id) if ticket.assignee else None
    if slot is not None:   # the confirmed visit takes the urgency row's place (cards show 6 rows)
        fields[3] = Field(t(lang, "appt.field"), slot_span(slot.start_at, slot.end_at, tz_name))
    sla = sla_text(ctx, ticket, lang)
    if sla:
        fields.append(Field("SLA", sla))
    return ticket_card(lang, title=f"#{ticket.id} {t(lang, 'status.' + ticket.status)}",
                       desc=template_name(ctx, ticket, lang) or skill_label(ctx, ticket.skill, lang),
                       url=ctx.ticket_url(ticket.id), fields=fields,
                       quote="\n".join(filter(None, [headline, words.line() if words else "",
                                                      await timeline(ctx, ticket, lang, tz_name)])))


async def progress(ctx: Context, ticket: Ticket, key: str, *, to_assignee: bool = True, words: Words | None = None,
                   **values: Any) -> str:
    """Push the change to the customer group, and to the assignee unless they made it; the
    writer's `words` go with it, translated for whoever reads another language.
    Returns the headline in the asker's language (handlers usually reply with it)."""
    group = ctx.cfg.group(ticket.chatid)
    if group is not None and group.webhook_key:
        lang = group.language
        card = await card_for(ctx, ticket, lang, t(lang, key, id=ticket.id, **values), words)
        ctx.push_group_card(ticket.chatid, card, ticket.id, words=words)
    customer = (ticket.data or {}).get("kf")
    if customer and customer != ctx.kf_contact:   # the customer who made the change hears it in the reply
        lang = group.language if group is not None else ctx.lang
        ctx.send_kf(customer, await card_for(ctx, ticket, lang, t(lang, key, id=ticket.id, **values), words), ticket.id,
                    words=words, reader_lang=lang)
    if to_assignee and ticket.assignee and ticket.assignee != ctx.userid:
        lang = ctx.language_of(ticket.assignee)
        ctx.send_text(ticket.assignee, with_words(t(lang, key, id=ticket.id, **values), words), ticket.id,
                      urgent=ticket.urgency == "urgent", words=words)
    return t(ctx.lang, key, id=ticket.id, **values)


def with_words(text: str, words: Words | None) -> str:
    return f"{text}\n{words.line()}" if words else text
