"""What the scheduler does on each pass: offers that nobody took in time go to the next engineers;
SLA promises are watched (nudge at 80 %, breach → managers, then up the escalation chain).

Each ticket's timer is claimed with a conditional UPDATE on the timer column, so several workers
can scan at once without telling anyone twice."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from handlers.messages import t
from handlers import notify
from handlers.appointments import remind_due
from handlers.context import Context
from handlers.labels import location_of
from handlers.routing import offers_ended, route
from storage import tickets as store
from storage.models import Ticket

BATCH = 200


async def expire_offers(ctx: Context) -> int:
    """Offers past their timeout: offer to the next K (never the same people again)."""
    due = (await ctx.session.scalars(select(Ticket).where(
        Ticket.offer_expires_at <= ctx.now, Ticket.status == "offered").order_by(Ticket.offer_expires_at)
        .limit(BATCH))).all()
    moved = 0
    for ticket in due:
        if not await store.claim_timer(ctx.session, ticket, "offer_expires_at", None):
            continue
        set_committed_value(ticket, "offer_expires_at", None)
        tpl = ctx.templates.defs.get(ticket.template) if ctx.templates and ticket.template else None
        already = await store.offered_users(ctx.session, ticket.id)
        offers_ended(ctx, ticket, await store.withdraw_offers(ctx.session, ticket.id), "expired")
        await store.add_event(ctx.session, ticket.id, "offer_timeout", actor="desk", at=ctx.now,
                              reason=f"round {ticket.offer_round} unclaimed: {', '.join(sorted(already))}")
        await route(ctx, ticket, mode="offer", k=tpl.offer_k if tpl else 3,
                    timeout_s=tpl.offer_timeout_s if tpl else 300, exclude=already)
        moved += 1
    return moved


async def check_sla(ctx: Context) -> int:
    if ctx.sla is None:
        return 0
    due = (await ctx.session.scalars(select(Ticket).where(Ticket.next_check_at <= ctx.now)
                                     .order_by(Ticket.next_check_at).limit(BATCH))).all()
    handled = 0
    for ticket in due:
        if not await store.claim_timer(ctx.session, ticket, "next_check_at", None):
            continue
        await _check_one(ctx, ticket)
        handled += 1
    return handled


async def _check_one(ctx: Context, ticket: Ticket) -> None:
    target, due = notify.current_target(ticket)
    if due is None or ticket.sla_paused_at is not None or ticket.status not in store.OPEN_STATUSES:
        await store.update_fields(ctx.session, ticket, next_check_at=None)
        return
    stage = ctx.sla.stage(ticket, due, ctx.now)
    recorded = ticket.sla_stage or "ok"
    if stage == "nudge" and recorded not in (f"nudged:{target}", f"breached:{target}"):
        await _nudge(ctx, ticket, target, due)
    elif stage == "breach" and recorded != f"breached:{target}":
        await _breach(ctx, ticket, target)
        return
    elif stage == "breach":
        await _escalate(ctx, ticket, target)
        return
    await store.update_fields(ctx.session, ticket, next_check_at=ctx.sla.next_check(ticket, ctx.now))


async def _nudge(ctx: Context, ticket: Ticket, target: str, due: datetime) -> None:
    minutes = ctx.sla.countdown(ticket, due, ctx.now) or 0
    who = [ticket.assignee] if ticket.assignee else sorted(await store.offered_users(ctx.session, ticket.id))
    for userid in who:
        lang = ctx.language_of(userid)
        ctx.send_text(userid, t(lang, "sla.nudge", id=ticket.id, target=t(lang, f"sla.target.{target}"),
                                minutes=minutes), ticket.id, urgent=True)
    await store.update_fields(ctx.session, ticket, sla_stage=f"nudged:{target}")
    await store.add_event(ctx.session, ticket.id, "sla_nudge", actor="desk", at=ctx.now,
                          reason=f"{target} due in {minutes} business min; told {', '.join(who) or 'nobody'}")


async def _breach(ctx: Context, ticket: Ticket, target: str) -> None:
    managers = ctx.cfg.managers_of(ticket.region)
    _tell(ctx, ticket, [m.userid for m in managers], "sla.breach", target)
    await store.update_fields(ctx.session, ticket, sla_stage=f"breached:{target}", sla_breached=True, escalated=True,
                              escalation_level=1,
                              next_check_at=ctx.now + timedelta(minutes=ctx.cfg.escalation.repeat_after_min))
    await store.add_event(ctx.session, ticket.id, "sla_breach", actor="desk", at=ctx.now,
                          reason=f"{target} deadline missed; escalated to managers "
                                 + (", ".join(m.name for m in managers) or "(none configured)"))


async def _escalate(ctx: Context, ticket: Ticket, target: str) -> None:
    """Still overdue and nothing moved: the next level of the chain (managers → head of service)."""
    level = (ticket.escalation_level or 1) + 1
    heads = list(ctx.cfg.routing.head_of_service)
    managers = [m.userid for m in ctx.cfg.managers_of(ticket.region)]
    _tell(ctx, ticket, sorted(set(heads + managers)), "sla.escalate", target, level=level,
          managers=", ".join(notify.person_name(ctx, m) for m in managers) or "-")
    last = level >= 2  # the chain has two steps; after the head of service nobody is above
    await store.update_fields(ctx.session, ticket, escalation_level=level,
                              next_check_at=None if last else ctx.now + timedelta(minutes=ctx.cfg.escalation.repeat_after_min))
    await store.add_event(ctx.session, ticket.id, "escalation", actor="desk", at=ctx.now,
                          reason=f"level {level}: told {', '.join(heads + managers) or 'nobody'}")


def _tell(ctx: Context, ticket: Ticket, userids: list[str], key: str, target: str, **extra: Any) -> None:
    for userid in userids:
        lang = ctx.language_of(userid)
        text = t(lang, key, id=ticket.id, target=t(lang, f"sla.target.{target}"), location=location_of(ctx, ticket, lang),
                 engineer=notify.person_name(ctx, ticket.assignee), **extra)
        if key != "sla.nudge" and _manages(ctx.cfg.person(userid), ticket.region):
            # How to act on it: the commands a manager can answer with (handlers/manage.py).
            text += "\n" + t(lang, "manage.howto_assigned" if ticket.assignee else "manage.howto_unassigned",
                             id=ticket.id, bot=ctx.bot_name)
        ctx.send_text(userid, text, ticket.id, urgent=True)
        person = ctx.cfg.person(userid)
        if key == "sla.nudge" or person is None:
            continue
        # A breach or an escalation also goes by email and SMS: WeCom may be closed on the phone.
        plain = text.replace("**", "")
        if ctx.cfg.mail.smtp_host and person.email:
            ctx.send_email(person.email, t(lang, "mail.escalation.subject", id=ticket.id),
                           plain + "\n\n" + ctx.ticket_url(ticket.id), ticket.id)
        if ctx.cfg.sms.provider != "none" and person.mobile:
            ctx.send_sms(person.mobile, plain, ticket.id)


def _manages(person: Any, region: str | None) -> bool:
    return person is not None and ("admin" in person.roles or ("manager" in person.roles and region in person.regions))


async def remind_appointments(ctx: Context) -> int:
    """Confirmed visit slots an hour (appointments.remind_before_min) ahead: engineer and store, once."""
    return await remind_due(ctx)
