"""Visit slots (预约). The assignee proposes a time ("#12 明天上午10点到": an `update_progress`
whose `slot` entity is a clock time, nlu/clock_times.py); the store confirms it; the confirmed
slot is on the ticket's cards, blocks the engineer's calendar, is reminded once before it starts
(handlers/timers.py `remind_appointments`) and takes one job's room in routing
(handlers/routing.py `rank`).

How the store confirms, per channel:
- a store's group: group robots cannot carry buttons (bot/present.py refuses them), so the group
  gets a text, and the reporter (and the region's store people) get the pending question of
  handlers/confirm.py in that chat: "确认" / "好的" / "ok" confirms, "不" / "no" declines
  (the "no" is routed here by confirm.report_declined);
- a reporter who is a company member: also the app's 1:1 card with one button
  (`confirm_slot:<ticket>`, dispatch.BUTTON_INTENTS);
- a WeChat customer (微信客服): a menu with the answer:1 / answer:0 items.
Every time is shown in the reader's time zone: the engineer's own, the store group's region's.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from handlers import notify, permissions
from handlers.cards import Button, Card
from handlers.context import Context
from handlers.labels import location_of
from handlers.messages import t
from handlers.registry import handles
from handlers.replies import Reply
from nlu.clock_times import resolve
from storage import appointments as slots
from storage import tickets as store
from storage.appointments import Appointment
from storage.models import Ticket
from storage.statuses import OPEN_STATUSES

INTENT = "confirm_slot"
# A visit can be proposed once someone holds the job, and again for a return visit.
PROPOSABLE = ("assigned", "departed", "on_site", "in_progress", "waiting_parts")
_UTC = timezone.utc


def _utc(local: datetime) -> datetime:
    return local.astimezone(_UTC).replace(tzinfo=None)


def _reader_tz(ctx: Context, ticket: Ticket, userid: str | None = None) -> str:
    """A store reads in its group's region's zone; anyone else in their own."""
    if userid is None and ctx.cfg.group(ctx.chatid) is not None:
        region = ctx.cfg.region(ctx.cfg.group(ctx.chatid).region)   # type: ignore[union-attr]
        return region.timezone if region else notify.group_timezone(ctx, ticket)
    return ctx.cfg.timezone_of(userid or ctx.userid)


def _span(appt: Appointment, tz_name: str) -> str:
    return notify.slot_span(appt.start_at, appt.end_at, tz_name)


# -- proposing ------------------------------------------------------------------------------------------

async def propose(ctx: Context, ticket: Ticket, entities: dict[str, Any]) -> Reply:
    """From update_progress: the slot entity, read on the writer's wall clock."""
    cfg = ctx.cfg.appointments
    if ticket.status not in PROPOSABLE or not ticket.assignee:
        return notify.impossible(ctx, ticket)
    tz_name = ctx.cfg.timezone_of(ctx.userid)
    now_local = ctx.now.replace(tzinfo=_UTC).astimezone(ZoneInfo(tz_name))
    start_local = resolve(entities["slot"], now_local)
    start = _utc(start_local)
    end = start + timedelta(minutes=cfg.duration_min)
    example = {"id": ticket.id}
    if start <= ctx.now:
        return Reply(markdown=t(ctx.lang, "appt.past", when=notify.slot_span(start, end, tz_name), **example))
    if start_local.date() > now_local.date() + timedelta(days=cfg.max_days_ahead):   # calendar days, the writer's
        return Reply(markdown=t(ctx.lang, "appt.too_far", days=cfg.max_days_ahead, **example))
    busy = await slots.clash(ctx.session, ticket.assignee, start, end, other_than_ticket=ticket.id)
    if busy is not None:
        return Reply(markdown=t(ctx.lang, "appt.busy", other=busy.ticket_id, when=_span(busy, tz_name), **example))
    appt = await slots.propose(ctx.session, ticket_id=ticket.id, engineer=ticket.assignee, start=start, end=end,
                               by=ctx.userid, now=ctx.now)
    ctx.log["ticket"] = ticket.id
    await store.add_event(ctx.session, ticket.id, "appointment", actor=ctx.userid, at=ctx.now,
                          reason=f"proposed {start:%Y-%m-%d %H:%M}–{end:%H:%M} UTC",
                          data={"appointment": appt.id, "status": "proposed"})
    await _ask_store(ctx, ticket, appt)
    return Reply(markdown=t(ctx.lang, "appt.proposed", when=_span(appt, tz_name), **example))


def _store_people(ctx: Context, ticket: Ticket) -> list[str]:
    """Who in the store's chat may answer the question by text: the reporter, and the region's
    store people (customers configured for it)."""
    group = ctx.cfg.group(ticket.chatid)
    people = [ticket.reporter] if ticket.reporter else []
    if group is not None:
        people += [p.userid for p in ctx.cfg.people if "customer" in p.roles and group.region in p.regions]
    return list(dict.fromkeys(people))


async def _ask_store(ctx: Context, ticket: Ticket, appt: Appointment) -> None:
    engineer = notify.person_name(ctx, appt.engineer)
    group = ctx.cfg.group(ticket.chatid)
    kf = (ticket.data or {}).get("kf")
    asked: list[str] = []   # conversation keys the question waits under
    if group is not None and group.webhook_key:
        tz_name = notify.group_timezone(ctx, ticket)
        ctx.push_group(ticket.chatid, t(group.language, "appt.ask_group", id=ticket.id, name=engineer,
                                        when=_span(appt, tz_name)), ticket.id)
        asked += [f"conv:{ticket.chatid}:{u}" for u in _store_people(ctx, ticket)]
    if kf:   # a WeChat customer: one-tap menu items, read like a typed answer
        lang = group.language if group is not None else ticket.language
        text = t(lang, "appt.ask_group", id=ticket.id, name=engineer, when=_span(appt, notify.group_timezone(ctx, ticket)))
        ctx.send_kf_menu(kf, text, [("answer:1", t(lang, "appt.yes")), ("answer:0", t(lang, "appt.no"))], ticket.id)
        asked.append(f"conv:{ticket.chatid or '-'}:{kf.split('|', 1)[-1]}")
    reporter = ctx.cfg.person(ticket.reporter)
    if reporter is not None and not kf:   # a company member: the app's 1:1 card, one tap
        lang = ctx.language_of(reporter.userid)
        when = _span(appt, notify.group_timezone(ctx, ticket) if group is not None else ctx.cfg.timezone_of(reporter.userid))
        ctx.send_card(reporter.userid, Card(
            title=t(lang, "appt.card_title", id=ticket.id), desc=when,
            quote=t(lang, "appt.ask_card", id=ticket.id, name=engineer, when=when),
            task_id=f"slot-{appt.id}-{secrets.token_hex(4)}",
            buttons=(Button(t(lang, "appt.confirm_button"), f"{INTENT}:{ticket.id}", 1),)), ticket.id, urgent=True)
        asked.append(f"conv:-:{reporter.userid}")
    # The same state Desk._remember keeps for a question (handlers/desk.py): a yes runs confirm_slot,
    # a no runs report_declined, which hands "_slot" questions back to `slot_declined`. It waits
    # until the slot starts, not the conversation TTL: a store may answer hours later.
    state = json.dumps({"intent": INTENT, "confirm": True,
                        "entities": {"ticket": ticket.id, "appointment": appt.id, "_slot": True}})
    ttl = max(60.0, (appt.start_at - ctx.now).total_seconds())
    for key in dict.fromkeys(asked):
        await ctx.cache.set(key, state, ex=ttl)


# -- the store's answer ---------------------------------------------------------------------------------

async def _the_proposal(ctx: Context, entities: dict[str, Any]) -> tuple[Ticket, Appointment] | Reply:
    ticket = await store.get_ticket(ctx.session, int(entities.get("ticket") or 0))
    if ticket is None:
        return Reply(markdown=t(ctx.lang, "claim.no_ticket", id=entities.get("ticket")))
    if not (permissions.is_customer_of(ctx, ticket) or permissions.manages(ctx, ticket.region)):
        return Reply(markdown=t(ctx.lang, "appt.not_yours", id=ticket.id))
    appt = None
    if entities.get("appointment"):
        appt = await slots.get(ctx.session, int(entities["appointment"]))
    if appt is None or appt.ticket_id != ticket.id or appt.status != "proposed":
        appt = await slots.latest(ctx.session, ticket.id, ("proposed",))
    if appt is None:
        booked = await slots.confirmed_for(ctx.session, ticket.id)
        if booked is not None:
            return Reply(markdown=t(ctx.lang, "appt.already", id=ticket.id,
                                    when=_span(booked, _reader_tz(ctx, ticket))),
                         button=t(ctx.lang, "appt.confirmed_button"))
        return Reply(markdown=t(ctx.lang, "appt.nothing", id=ticket.id))
    return ticket, appt


@handles(INTENT)
async def confirm_slot(ctx: Context, entities: dict[str, Any]) -> Reply:
    """The store says yes (text to the pending question, a tap on the card or the menu)."""
    found = await _the_proposal(ctx, entities)
    if isinstance(found, Reply):
        return found
    ticket, appt = found
    ctx.log["ticket"] = ticket.id
    reader_tz = _reader_tz(ctx, ticket)
    if appt.start_at <= ctx.now or ticket.status not in OPEN_STATUSES or ticket.assignee != appt.engineer:
        await slots.set_status(ctx.session, appt, "cancelled", was="proposed")
        return Reply(markdown=t(ctx.lang, "appt.lapsed", id=ticket.id, when=_span(appt, reader_tz)))
    busy = await slots.clash(ctx.session, appt.engineer, appt.start_at, appt.end_at, other_than_ticket=ticket.id)
    if busy is not None:   # booked elsewhere since the proposal: this one cannot stand
        await slots.set_status(ctx.session, appt, "cancelled", was="proposed")
        _tell_engineer(ctx, ticket, appt, "appt.declined_engineer")
        return Reply(markdown=t(ctx.lang, "appt.busy_now", id=ticket.id, when=_span(appt, reader_tz)))
    before = timedelta(minutes=ctx.cfg.appointments.remind_before_min)
    # Confirmed less than `remind_before` ahead: this confirmation is the reminder.
    remind_at = appt.start_at - before if appt.start_at - before > ctx.now else None
    earlier = await slots.confirmed_for(ctx.session, ticket.id)
    if not await slots.confirm(ctx.session, appt, by=ctx.userid, now=ctx.now, remind_at=remind_at):
        return Reply(markdown=t(ctx.lang, "appt.nothing", id=ticket.id))
    if earlier is not None:   # a new time for the same visit replaces the old one
        await slots.set_status(ctx.session, earlier, "cancelled", was="confirmed")
    await store.add_event(ctx.session, ticket.id, "appointment", actor=ctx.userid, at=ctx.now,
                          reason=f"confirmed {appt.start_at:%Y-%m-%d %H:%M}–{appt.end_at:%H:%M} UTC",
                          data={"appointment": appt.id, "status": "confirmed"})
    await _forget_question(ctx, ticket)
    await notify.progress(ctx, ticket, "appt.push_confirmed", to_assignee=False)
    _tell_engineer(ctx, ticket, appt, "appt.confirmed_engineer")
    return Reply(markdown=t(ctx.lang, "appt.confirmed", id=ticket.id, when=_span(appt, reader_tz)),
                 button=t(ctx.lang, "appt.confirmed_button"))


async def slot_declined(ctx: Context, entities: dict[str, Any]) -> Reply:
    """The store says no: the proposal lapses and the engineer is asked for another time."""
    found = await _the_proposal(ctx, entities)
    if isinstance(found, Reply):
        return found
    ticket, appt = found
    ctx.log["ticket"] = ticket.id
    if await slots.set_status(ctx.session, appt, "cancelled", was="proposed"):
        await store.add_event(ctx.session, ticket.id, "appointment", actor=ctx.userid, at=ctx.now,
                              reason="proposal declined by the store",
                              data={"appointment": appt.id, "status": "cancelled"})
        _tell_engineer(ctx, ticket, appt, "appt.declined_engineer")
    await _forget_question(ctx, ticket)
    return Reply(markdown=t(ctx.lang, "appt.declined", id=ticket.id))


async def _forget_question(ctx: Context, ticket: Ticket) -> None:
    """Answered once (by anyone): the others' copies of the question go."""
    for u in _store_people(ctx, ticket):
        await ctx.cache.delete(f"conv:{ticket.chatid}:{u}")
    if ticket.reporter:
        await ctx.cache.delete(f"conv:-:{ticket.reporter}")


def _tell_engineer(ctx: Context, ticket: Ticket, appt: Appointment, key: str) -> None:
    lang = ctx.language_of(appt.engineer)
    ctx.send_text(appt.engineer, t(lang, key, id=ticket.id, when=_span(appt, ctx.cfg.timezone_of(appt.engineer)),
                                   location=location_of(ctx, ticket, lang)), ticket.id, urgent=True)


# -- the reminder ---------------------------------------------------------------------------------------

async def remind_due(ctx: Context) -> int:
    """Confirmed slots whose reminder time came: the engineer and the store are told once (the
    timer is claimed with a conditional UPDATE, so several workers never remind twice). A slot
    whose ticket closed or changed hands meanwhile is filed instead (done / cancelled)."""
    sent = 0
    for appt in await slots.due_reminders(ctx.session, ctx.now):
        if not await slots.claim_reminder(ctx.session, appt):
            continue
        ticket = await store.get_ticket(ctx.session, appt.ticket_id)
        if appt.status != "confirmed":
            continue
        if ticket is None or ticket.status not in OPEN_STATUSES or ticket.assignee != appt.engineer:
            done = ticket is not None and ticket.status == "completed"
            await slots.set_status(ctx.session, appt, "done" if done else "cancelled", was="confirmed")
            continue
        _tell_engineer(ctx, ticket, appt, "appt.remind_engineer")
        engineer = notify.person_name(ctx, appt.engineer)
        group = ctx.cfg.group(ticket.chatid)
        if group is not None and group.webhook_key:
            ctx.push_group(ticket.chatid, t(group.language, "appt.remind_store", id=ticket.id, name=engineer,
                                            when=_span(appt, notify.group_timezone(ctx, ticket))), ticket.id)
        kf = (ticket.data or {}).get("kf")
        if kf:
            lang = group.language if group is not None else ticket.language
            ctx.send_kf(kf, t(lang, "appt.remind_store", id=ticket.id, name=engineer,
                              when=_span(appt, notify.group_timezone(ctx, ticket))), ticket.id)
        elif group is None and ctx.cfg.person(ticket.reporter) is not None:
            lang = ctx.language_of(ticket.reporter)   # type: ignore[arg-type]
            ctx.send_text(ticket.reporter, t(lang, "appt.remind_store", id=ticket.id, name=engineer,   # type: ignore[arg-type]
                                             when=_span(appt, ctx.cfg.timezone_of(ticket.reporter))), ticket.id)
        await store.add_event(ctx.session, ticket.id, "appointment", actor="desk", at=ctx.now,
                              reason="reminded engineer and store", data={"appointment": appt.id, "status": "reminded"})
        sent += 1
    return sent
