"""Engineers' side: claim or decline a job, report progress, complete it (priced), and the
approval step a template may put before completion."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from handlers.messages import t
from handlers import notify, permissions
from handlers.context import Context
from handlers.lifecycle import IMPLIED_ARRIVAL, PROGRESS_ACTIONS, Impossible, next_status
from handlers.registry import handles
from handlers.replies import Reply
from handlers.routing import offers_ended, route
from handlers import appointments as visits, completion, parts as spare_parts
from handlers.labels import location_of, region_label, skill_label
from handlers.tickets import find_ticket
from handlers.words import Words, words_of
from nlu.language import language_of
from storage import tickets as store
from storage.models import Offer, Ticket


async def _move(ctx: Context, ticket: Ticket, action: str, reason: str = "") -> bool:
    try:
        to = next_status(ticket.status, action)
    except Impossible:
        return False
    await store.transition(ctx.session, ticket, to, actor=ctx.userid, reason=reason, now=ctx.now)
    if ctx.sla is not None:
        await store.update_fields(ctx.session, ticket, next_check_at=ctx.sla.next_check(ticket, ctx.now))
    return True


async def _ticket_to_work_on(ctx: Context, entities: dict[str, Any]) -> Ticket | Reply:
    """The ticket a progress or completion report is about, if the sender may report on it."""
    found = await find_ticket(ctx, entities, mine=True)
    if isinstance(found, Reply):
        return found
    refusal = permissions.can_work(ctx, found)
    return Reply(markdown=refusal) if refusal else found


@handles("claim_job", roles={"engineer"}, refusal="claim.not_engineer", action="action_claim_job")
async def claim_job(ctx: Context, entities: dict[str, Any]) -> Reply:
    number = entities.get("ticket")
    if number is None:
        from sqlalchemy import select

        offers = (await ctx.session.scalars(select(Offer.ticket_id).where(
            Offer.userid == ctx.userid, Offer.status == "offered").order_by(Offer.ticket_id.desc()))).all()
        open_ids = sorted(set(offers))
        if len(open_ids) != 1:
            return Reply(markdown=t(ctx.lang, "claim.which", example=open_ids[-1] if open_ids else 12),
                         pending={"intent": "claim_job", "entities": {}} if open_ids else None)
        number = open_ids[0]
    ticket = await store.get_ticket(ctx.session, int(number))
    if ticket is None:
        return Reply(markdown=t(ctx.lang, "claim.no_ticket", id=number))
    region = ctx.cfg.region(ticket.region)
    refusal = permissions.can_claim(ctx, ticket, skill_label(ctx, ticket.skill), region_label(ctx, ticket.region),
                                    offered=ctx.userid in await store.offered_users(ctx.session, ticket.id))
    if refusal:
        return Reply(markdown=refusal)
    ended = await store.claim(ctx.session, ticket.id, ctx.userid, via="card" if ctx.response_code else "text",
                              now=ctx.now)
    ticket = await store.get_ticket(ctx.session, ticket.id)
    assert ticket is not None
    if ended is None:
        holder = ctx.cfg.person(ticket.assignee)
        if ticket.assignee and ticket.assignee != ctx.userid:
            name = holder.name if holder else ticket.assignee
            return Reply(markdown=t(ctx.lang, "claim.lost", id=ticket.id, name=name),
                         button=t(ctx.lang, "job.lost_button", name=name))
        return notify.impossible(ctx, ticket)
    ctx.log["ticket"] = ticket.id
    if ctx.sla is not None:
        await store.update_fields(ctx.session, ticket, next_check_at=ctx.sla.next_check(ticket, ctx.now))
    offers_ended(ctx, ticket, ended, "lost", name=ctx.name)
    # "20417 我来，半小时内到": the store hears when, as from a departure
    eta = await _set_eta(ctx, ticket, entities["eta"]) if entities.get("eta") else None
    await notify.progress(ctx, ticket, "push.claimed", name=ctx.name, eta=eta)
    return Reply(markdown=t(ctx.lang, "claim.won", id=ticket.id, skill=skill_label(ctx, ticket.skill),
                            location=location_of(ctx, ticket)),
                 button=t(ctx.lang, "job.claimed_button"))


async def _set_eta(ctx: Context, ticket: Ticket, minutes: float | None) -> str | None:
    """Keep when the engineer said they would arrive (the store's card shows it; no minutes clears
    it) and return that time in the store's own time zone, for the push."""
    eta = ctx.now + timedelta(minutes=float(minutes)) if minutes else None
    await store.update_fields(ctx.session, ticket, eta_at=eta)
    return notify.local_time(ctx, eta, notify.group_timezone(ctx, ticket)) if eta else None


@handles("decline_job")
async def decline_job(ctx: Context, entities: dict[str, Any]) -> Reply:
    """Assign mode (派单): the chosen engineer may decline; the next best one gets it."""
    ticket = await store.get_ticket(ctx.session, int(entities.get("ticket") or 0))
    if ticket is None:
        return Reply(markdown=t(ctx.lang, "claim.no_ticket", id=entities.get("ticket")))
    if ticket.assignee != ctx.userid:
        return Reply(markdown=t(ctx.lang, "perm.not_assignee", id=ticket.id))
    if not await _move(ctx, ticket, "decline", reason=f"declined by {ctx.name}"):
        return notify.impossible(ctx, ticket)
    declined = sorted({*(ticket.data or {}).get("declined", []), ctx.userid})
    await store.set_assignee(ctx.session, ticket, None, ctx.now)
    await store.update_fields(ctx.session, ticket, data={**(ticket.data or {}), "declined": declined})
    tpl = ctx.templates.defs.get(ticket.template) if ctx.templates else None
    await route(ctx, ticket, mode="assign", k=1, timeout_s=tpl.offer_timeout_s if tpl else 300, exclude=set(declined))
    return Reply(markdown=t(ctx.lang, "decline.done", id=ticket.id), button=t(ctx.lang, "job.declined_button"))


@handles("update_progress", action="action_update_progress")
async def update_progress(ctx: Context, entities: dict[str, Any]) -> Reply:
    ticket = await _ticket_to_work_on(ctx, entities)
    if isinstance(ticket, Reply):
        return ticket
    status = entities.get("status")
    eta_min = entities.get("eta")
    if entities.get("slot") and status in (None, "delayed", "arrived"):   # "#12 明天上午10点到": a visit time
        return await visits.propose(ctx, ticket, entities)
    if status == "delayed":
        if ticket.status not in ("assigned", "departed", "on_site", "in_progress", "waiting_parts"):
            return notify.impossible(ctx, ticket)
        if eta_min:
            await store.update_fields(ctx.session, ticket, eta_at=ctx.now + timedelta(minutes=float(eta_min)))
        reason = entities.get("_text", "")
        await store.add_event(ctx.session, ticket.id, "delayed", actor=ctx.userid, reason=reason, at=ctx.now)
        return Reply(markdown=await notify.progress(ctx, ticket, "push.delayed", name=ctx.name,
                                                    words=words_of(reason, ctx.lang)))
    if status == "arrived" and ticket.status == "waiting_parts":   # "配件到了": the parts came, work resumes
        status = "started"
    action = PROGRESS_ACTIONS.get(status or "")
    if action is None:
        return Reply(markdown=t(ctx.lang, "progress.which", id=ticket.id))
    was = ticket.status
    if not await _move(ctx, ticket, action, reason=entities.get("_text", "")):
        return notify.impossible(ctx, ticket)
    values: dict[str, Any] = {"name": ctx.name}
    words: Words | None = None
    note: str | None = None   # what became of the parts (handlers/parts.py)
    if action == "depart":
        values["eta"] = await _set_eta(ctx, ticket, eta_min)
    elif action == "arrive":
        await store.update_fields(ctx.session, ticket, eta_at=None)
    elif action == "parts_needed":
        # The part is the engineer's own word for it: shown as their words, translated for others.
        parts = str(entities.get("parts") or "").strip()
        words = Words(parts, language_of(parts, ctx.lang)) if parts else None
        values["parts"] = ""   # the catalog sentence ends without it; the words line follows
        await store.update_fields(ctx.session, ticket, sla_paused_at=ctx.now)  # the SLA clock stops
        note = await spare_parts.needed(ctx, ticket, entities)
    elif action == "start" and was == "waiting_parts":
        note = await spare_parts.arrived(ctx, ticket)
        if ctx.sla is not None and ticket.sla_paused_at:
            await ctx.sla.resume(ctx.session, ticket, ctx.now)
    headline = await notify.progress(ctx, ticket, f"push.{status}", words=words, **values)
    return Reply(markdown=headline + (f"\n{note}" if note else ""))


@handles("complete_job", action="action_complete_job")
async def complete_job(ctx: Context, entities: dict[str, Any]) -> Reply:
    ticket = await _ticket_to_work_on(ctx, entities)
    if isinstance(ticket, Reply):
        return ticket
    if ticket.status in IMPLIED_ARRIVAL:
        # "完工" straight after a claim: the engineer was there. The trail says it was implied.
        await _move(ctx, ticket, "arrive", reason=t(ctx.lang, "audit.arrival_implied"))
    try:
        next_status(ticket.status, "complete")
    except Impossible:
        return notify.impossible(ctx, ticket)
    facts = {"hours": str(entities.get("labor_hours") or 0),
             "parts": [[spare_parts.typed_label(ctx, ticket), f"{entities['parts_amount']}"]] if entities.get("parts_amount") else [],
             "surcharges": ["urgent"] if ticket.urgency == "urgent" else [], "by": ctx.userid}
    if not facts["parts"]:   # reserved or bought parts, priced from the catalog; a typed amount replaces that
        facts["parts"] = await spare_parts.catalog_lines(ctx, ticket)
    said = words_of(entities.get("_text", ""), ctx.lang)
    if said is not None:   # the engineer's note on the work; kept for an approval that comes later
        facts["note"], facts["note_lang"] = said.text, said.lang
    return await completion.complete(ctx, ticket, facts)


@handles("approve_job")
async def approve_job(ctx: Context, entities: dict[str, Any]) -> Reply:
    return await completion.decide(ctx, entities, approve=True)


@handles("reject_job")
async def reject_job(ctx: Context, entities: dict[str, Any]) -> Reply:
    return await completion.decide(ctx, entities, approve=False)
