"""Managers' side (issue 12, "Acting"): assign or reassign a job, change its urgency, reopen a
cancelled ticket, list a region's unassigned or overdue tickets, add a second branch to a job (a
joint job, "#12 加分公司 华东") — from chat ("@小鲸 #4 派给 张伟",
read by rule in nlu/commands.py) or from the web pages (`Desk.run_intent(intent, entities,
userid=..., channel="web")`). The handlers take plain entity dicts and never need the chat
(`ctx.chatid` may be None).

Who may: managers and admins (the registry refuses everyone else); a manager acts only on tickets
of their regions (`permissions.manages`), an admin on all.

Everything goes through the paths the desk already has: the lifecycle table for the status, the
store's `transition`/`set_assignee` (audit trail, open-job counts), routing's `deliver` (the same
job card an automatic assignment sends), `offers_ended` (live offer cards greyed as a claim greys
them), `notify.progress` (the store group's card), and routing's own ranking for `candidates`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from handlers import joint, notify, permissions
from handlers.config import Config
from handlers.context import Context
from handlers.labels import location_of, region_label, skill_label, template_name
from handlers.lifecycle import Impossible, next_status
from handlers.messages import t
from handlers.registry import handles
from handlers.replies import Reply
from handlers.routing import Candidate as Routed
from handlers.routing import Route, deliver, joint_squad, offers_ended, on_duty, route
from handlers.tickets import ticket_reply_card
from storage import tickets as store
from storage.models import Person, Ticket, utcnow
from storage.statuses import CLAIMABLE, OPEN_STATUSES

MANAGERS = ("manager", "admin")
REFUSAL = "manage.managers_only"
LIST_MAX = 20          # lines in a region's list; the rest is counted
SUGGEST = 3            # engineers named when an assignment cannot be made


# -- who could take it (the web's assign form, and the suggestions in a refusal) ------------------

@dataclass(frozen=True)
class Candidate:
    """An engineer as the assign form shows them: would the router pick them, and why (not)."""

    userid: str
    name: str
    eligible: bool
    reasons: list[Reason] = field(default_factory=list)
    load: int = 0
    capacity: int = 0


class Reason(str):
    """A reason in the router's own words (what the audit trail says), carrying its catalog key
    and values so that a page can say it in its reader's language (`desk.why.<key>`)."""
    key: str
    values: dict[str, Any]

    def __new__(cls, english: str, key: str, **values: Any) -> "Reason":
        r = super().__new__(cls, english)
        r.key, r.values = key, values
        return r


def _rating(person: Any) -> Reason | None:
    if not person.rating_count:
        return None
    score = f"{person.rating_sum / person.rating_count:.1f}"
    return Reason(f"CSAT {score}", "csat", score=score)


def _last_assigned(person: Any) -> Reason:
    at = person.last_assigned_at
    return Reason(f"last assigned {at:%Y-%m-%d %H:%M} UTC", "last_assigned", at=at) if at \
        else Reason("never assigned", "never_assigned")


def _duty(on: bool) -> Reason:
    return Reason("on duty", "on_duty") if on else Reason("off duty", "off_duty")


async def candidates(session: Any, cfg: Config, ticket: Ticket, *, now: datetime | None = None) -> list[Candidate]:
    """Every active engineer, best first: first those the router would consider, in the router's
    own order (storage.tickets.candidates ranks them for routing: same city, open load, longest
    since their last job, CSAT; duty hours and the neighbour regions as handlers/routing.py
    applies them), then everyone else with what rules them out. `reasons` are short strings in
    the router's words ("skill hvac", "load 1/3", "same city", "next in rotation", "CSAT 4.5",
    "off duty", "no skill hvac", "not in region east", "full 3/3" …)."""
    now = now or utcnow()
    declined = set((ticket.data or {}).get("declined", []))
    out: list[Candidate] = []
    seen: set[str] = set()
    found_eligible = False
    limit = len(cfg.people) + 1
    for r in [ticket.region, *cfg.routing.neighbours.get(ticket.region or "", [])]:
        rows = await store.candidates(session, skill=ticket.skill, region=r, city=ticket.city, limit=limit)
        eligible_here = False
        for position, (person, load) in enumerate(rows):
            if person.userid in seen:
                continue
            seen.add(person.userid)
            duty = on_duty(cfg, person, now)
            reasons = [Reason(f"skill {ticket.skill}", "skill", skill=ticket.skill),
                       Reason(f"region {r}", "region", region=r) if r == ticket.region
                       else Reason(f"neighbour region {r}", "neighbour", region=r),
                       Reason(f"load {load}/{person.capacity}", "load", load=load, capacity=person.capacity)]
            if ticket.city and person.city == ticket.city:
                reasons.append(Reason("same city", "same_city"))
            if position == 0 or person.last_assigned_at is None:
                reasons.append(Reason("next in rotation", "next_in_rotation"))
            if _rating(person):
                reasons.append(_rating(person))
            reasons.append(_duty(duty))
            reasons.append(_last_assigned(person))
            eligible = duty and person.userid not in declined and person.userid != ticket.assignee
            if person.userid in declined:
                reasons.append(Reason("declined this job", "declined"))
            if person.userid == ticket.assignee:
                reasons.append(Reason("current assignee", "current_assignee"))
            if r != ticket.region and found_eligible:
                eligible = False   # the router widens only when nobody in the region can take it
                reasons.append(Reason("only when nobody in the region can", "only_if_nobody"))
            eligible_here = eligible_here or eligible
            out.append(Candidate(person.userid, person.name, eligible, reasons, load, person.capacity))
        found_eligible = found_eligible or eligible_here
    rest = [p for p in cfg.people if "engineer" in p.roles and p.userid not in seen]
    rows_by_id = {p.userid: p for p in (await session.scalars(
        select(Person).where(Person.userid.in_([p.userid for p in rest]), Person.active.is_(True)))).all()} if rest else {}
    others = []
    for p in rest:
        row = rows_by_id.get(p.userid)
        if row is None:
            continue
        reasons = []
        if ticket.skill not in p.skills:
            reasons.append(Reason(f"no skill {ticket.skill}", "no_skill", skill=ticket.skill))
        if ticket.region not in p.regions:
            reasons.append(Reason(f"not in region {ticket.region}", "not_in_region", region=ticket.region))
        if row.open_jobs >= row.capacity:
            reasons.append(Reason(f"full {row.open_jobs}/{row.capacity}", "full", load=row.open_jobs,
                                  capacity=row.capacity))
        reasons.append(_duty(on_duty(cfg, row, now)))
        if _rating(row):
            reasons.append(_rating(row))
        reasons.append(_last_assigned(row))
        if p.userid == ticket.assignee:
            reasons.append(Reason("current assignee", "current_assignee"))
        others.append(Candidate(p.userid, p.name, False, reasons, row.open_jobs, row.capacity))
    # Not a ranking (none of them would be routed the job): those with the skill first, then by load.
    others.sort(key=lambda c: (f"no skill {ticket.skill}" in c.reasons, c.load, c.userid))
    return out + others


async def _suggestion(ctx: Context, ticket: Ticket) -> str:
    best = [c.name for c in await candidates(ctx.session, ctx.cfg, ticket, now=ctx.now) if c.eligible][:SUGGEST]
    return t(ctx.lang, "manage.suggest", names="、".join(best) if ctx.lang == "zh" else ", ".join(best),
             id=ticket.id, bot=ctx.bot_name) if best else t(ctx.lang, "manage.suggest_none")


# -- the ticket a command is about ------------------------------------------------------------------

async def _managed_ticket(ctx: Context, entities: dict[str, Any]) -> Ticket | Reply:
    """The ticket named, if the sender manages its region (the same answer as elsewhere for a
    ticket that does not exist)."""
    number = entities.get("ticket")
    try:
        number = int(number) if number is not None and not isinstance(number, bool) else None
    except (TypeError, ValueError):
        number = None
    if number is None:
        return Reply(markdown=t(ctx.lang, "manage.which_ticket", bot=ctx.bot_name), problem="ticket is required")
    ticket = await store.get_ticket(ctx.session, number)
    if ticket is None:
        return Reply(markdown=t(ctx.lang, "claim.no_ticket", id=number), problem=f"ticket: no ticket #{number}")
    if not permissions.manages(ctx, ticket.region):
        # Someone who may not even see it is told what a ticket that does not exist gets
        # (permissions.can_view); one who sees it, that its region is not theirs.
        hidden = permissions.can_view(ctx, ticket)
        return Reply(markdown=hidden or t(ctx.lang, "manage.not_your_region", id=ticket.id,
                                          region=region_label(ctx, ticket.region)),
                     problem=f"ticket: #{ticket.id} is not in your regions")
    ctx.log["ticket"] = ticket.id
    return ticket


def _status(ctx: Context, ticket: Ticket) -> str:
    return t(ctx.lang, f"status.{ticket.status}")


def _service(ctx: Context, ticket: Ticket) -> str:
    return template_name(ctx, ticket, ctx.lang) or skill_label(ctx, ticket.skill)


# -- assign / reassign ----------------------------------------------------------------------------

@handles("assign_job", roles=MANAGERS, refusal=REFUSAL)
async def assign_job(ctx: Context, entities: dict[str, Any]) -> Reply:
    """`{"ticket": 4, "assignee": "zhangwei"}`: assign a new or offered job, or hand an assigned or
    departed one to someone else (the previous engineer is told)."""
    found = await _managed_ticket(ctx, entities)
    if isinstance(found, Reply):
        return found
    ticket = found
    userid = str(entities.get("assignee") or "").strip()
    person = ctx.cfg.person(userid)
    if person is None:
        return Reply(markdown=t(ctx.lang, "manage.unknown_person", name=userid or "-",
                                who=await _suggestion(ctx, ticket)), problem=f"assignee: unknown person {userid!r}")
    if "engineer" not in person.roles:
        return Reply(markdown=t(ctx.lang, "manage.not_engineer", name=person.name, who=await _suggestion(ctx, ticket)),
                     problem=f"assignee: {userid} is not an engineer")
    if ticket.assignee == userid and ticket.status not in CLAIMABLE:
        return Reply(markdown=t(ctx.lang, "manage.already_assigned", id=ticket.id, name=person.name))
    action = "assign" if ticket.status in CLAIMABLE else "reassign"
    try:
        to = next_status(ticket.status, action)
    except Impossible:
        return Reply(markdown=t(ctx.lang, "manage.cannot_assign", id=ticket.id, status=_status(ctx, ticket)),
                     problem=f"status: #{ticket.id} is {ticket.status}")
    # Manager override, decided here: the router's preferences — the region, spare capacity, duty
    # hours, an earlier decline — are a manager's to overrule (they know who is nearby, who can
    # take one more, who is on call), so the job goes and the reply and the audit trail name every
    # rule overruled. The skill is not: skills are the trades an engineer is qualified for (lift
    # and electrical work need a licence), so a job never goes to someone without its skill; a
    # manager who knows better adds the skill to the engineer in config.
    if ticket.skill not in person.skills:
        return Reply(markdown=t(ctx.lang, "manage.no_skill", name=person.name, skill=skill_label(ctx, ticket.skill),
                                who=await _suggestion(ctx, ticket)),
                     problem=f"assignee: {userid} lacks skill {ticket.skill}")
    row = await ctx.session.get(Person, userid)
    if row is None or not row.active:
        return Reply(markdown=t(ctx.lang, "manage.unknown_person", name=person.name, who=await _suggestion(ctx, ticket)),
                     problem=f"assignee: {userid} is not active")
    overrides: list[tuple[str, dict[str, Any]]] = []
    if ticket.region not in person.regions:
        overrides.append(("region", {"region": region_label(ctx, ticket.region)}))
    if row.open_jobs >= row.capacity:
        overrides.append(("full", {"load": row.open_jobs, "capacity": row.capacity}))
    if not on_duty(ctx.cfg, row, ctx.now):
        overrides.append(("off_duty", {}))
    if userid in (ticket.data or {}).get("declined", []):
        overrides.append(("declined", {}))

    previous = ticket.assignee if ticket.status not in CLAIMABLE else None
    kind = "reassigned" if previous else "assigned"
    why = f"{kind} by manager {ctx.name} to {person.name}" + (
        f" (overriding: {', '.join(k for k, _ in overrides)})" if overrides else "")
    await store.transition(ctx.session, ticket, to, actor=ctx.userid, reason=why, now=ctx.now)
    await store.set_assignee(ctx.session, ticket, userid, ctx.now)
    values: dict[str, Any] = {"offer_expires_at": None}
    if previous:
        values["eta_at"] = None   # the new engineer has not set out
    await store.update_fields(ctx.session, ticket, **values)
    if ctx.sla is not None:
        await store.update_fields(ctx.session, ticket, next_check_at=ctx.sla.next_check(ticket, ctx.now))
    # Live offers end as a claim ends them: the others' cards say who has it.
    ended = await store.withdraw_offers(ctx.session, ticket.id, except_user=userid, status="lost")
    ended += await store.withdraw_offers(ctx.session, ticket.id, status="won")
    offers_ended(ctx, ticket, ended, "lost", name=person.name)
    # The job card an automatic assignment sends (routing.deliver, assign mode: "decline" button).
    await deliver(ctx, ticket, Route("assign", [Routed(userid, person.name, row.open_jobs, row.capacity, why)]))
    if previous and previous != userid:
        lang = ctx.language_of(previous)
        ctx.send_text(previous, t(lang, "manage.taken_off", id=ticket.id, name=person.name, manager=ctx.name,
                                  location=location_of(ctx, ticket, lang)), ticket.id, urgent=True)
    await store.add_event(ctx.session, ticket.id, kind, actor=ctx.userid, at=ctx.now, reason=why,
                          data={"from": previous, "to": userid, "overrides": [k for k, _ in overrides],
                                "channel": ctx.channel})
    await notify.progress(ctx, ticket, f"manage.push_{kind}", to_assignee=False, name=person.name)
    lines = [t(ctx.lang, f"manage.{kind}", id=ticket.id, name=person.name,
               previous=notify.person_name(ctx, previous))]
    lines += [t(ctx.lang, f"manage.override.{k}", name=person.name, **v) for k, v in overrides]
    markdown = "\n".join(lines)
    card = replace(ticket_reply_card(ctx, ticket, lines[0], _service(ctx, ticket)), quote="\n".join(lines[1:]))
    return Reply(markdown=markdown, card=card,
                 data={"ticket": ticket.id, "assignee": userid, "previous": previous,
                       "overrides": [k for k, _ in overrides]})


# -- urgency --------------------------------------------------------------------------------------

_DUE = (("response", "response_due"), ("onsite", "onsite_due"), ("resolution", "resolution_due"))


def _deadlines_for(ctx: Context, ticket: Ticket, urgency: str) -> dict[str, Any]:
    """The deadlines the ticket would have had with this urgency: computed as ticket creation
    computes them (SlaBook.deadlines from the report's time, in its region's calendar), then
    moved on by the business time it already spent waiting for parts (what the stored
    deadline holds beyond the computed one: SlaBook.resume shifted it)."""
    book = ctx.sla
    assert book is not None
    cal = book.calendar(ticket)
    was = book.deadlines(ticket.sla_policy, ticket.urgency, ticket.created_at, ticket.region)
    new = book.deadlines(ticket.sla_policy, urgency, ticket.created_at, ticket.region)
    out: dict[str, Any] = {}
    for target, column in _DUE:
        due, stored, computed = getattr(new, target), getattr(ticket, column), getattr(was, target)
        if due is not None and stored is not None and computed is not None and stored > computed:
            due = cal.add_business_time(due, cal.business_time(computed, stored))
        out[column] = due
    return out


@handles("set_urgency", roles=MANAGERS, refusal=REFUSAL)
async def set_urgency(ctx: Context, entities: dict[str, Any]) -> Reply:
    """`{"ticket": 4, "urgency": "urgent" | "normal"}`: the SLA deadlines follow (they depend on
    urgency: sla_policies minutes per urgency)."""
    urgency = entities.get("urgency")
    if urgency not in ("urgent", "normal"):
        return Reply(markdown=t(ctx.lang, "manage.which_urgency", bot=ctx.bot_name),
                     problem="urgency: urgent or normal")
    found = await _managed_ticket(ctx, entities)
    if isinstance(found, Reply):
        return found
    ticket = found
    if ticket.status not in OPEN_STATUSES:
        return Reply(markdown=t(ctx.lang, "manage.not_open", id=ticket.id, status=_status(ctx, ticket)),
                     problem=f"status: #{ticket.id} is {ticket.status}")
    if ticket.urgency == urgency:
        return Reply(markdown=t(ctx.lang, "manage.urgency_same", id=ticket.id, urgency=t(ctx.lang, f"urgency.{urgency}")))
    was = ticket.urgency
    values: dict[str, Any] = {"urgency": urgency}
    if ctx.sla is not None and any(getattr(ticket, c) for _, c in _DUE):
        values.update(_deadlines_for(ctx, ticket, urgency))
    await store.update_fields(ctx.session, ticket, **values)
    if ctx.sla is not None and ticket.sla_paused_at is None:
        _, due = notify.current_target(ticket)
        if due is not None and due > ctx.now:
            # A promise now in the future starts its nudge and breach over.
            await store.update_fields(ctx.session, ticket, sla_stage="ok",
                                      next_check_at=ctx.sla.next_check(ticket, ctx.now))
        elif not (ticket.sla_stage or "").startswith("breached:"):
            # Overdue by the new deadline: the scanner breaches it on its next pass. (One already
            # breached keeps its escalation timer: changing urgency is no reason to escalate now.)
            await store.update_fields(ctx.session, ticket, next_check_at=ctx.sla.next_check(ticket, ctx.now))
    await store.add_event(ctx.session, ticket.id, "urgency", actor=ctx.userid, at=ctx.now,
                          reason=f"urgency {was} → {urgency} by manager {ctx.name}",
                          data={"from": was, "to": urgency, "channel": ctx.channel,
                                **{c: values[c].isoformat() for _, c in _DUE if values.get(c) is not None}})
    await notify.progress(ctx, ticket, f"manage.push_{urgency}", name=ctx.name)
    target, due = notify.current_target(ticket)
    sla = notify.sla_text(ctx, ticket, ctx.lang)
    markdown = t(ctx.lang, "manage.urgency_set", id=ticket.id, urgency=t(ctx.lang, f"urgency.{urgency}"),
                 sla=sla, due=notify.local_time(ctx, due, notify.group_timezone(ctx, ticket)) if due else None)
    return Reply(markdown=markdown, card=ticket_reply_card(ctx, ticket, markdown, _service(ctx, ticket)),
                 data={"ticket": ticket.id, "urgency": urgency,
                       "due": {target: due.isoformat()} if due else {}})


# -- reopen ---------------------------------------------------------------------------------------

@handles("reopen_ticket", roles=MANAGERS, refusal=REFUSAL)
async def reopen_ticket(ctx: Context, entities: dict[str, Any]) -> Reply:
    """`{"ticket": 4}`: a cancelled ticket is new again and routed as a new report is.

    Only a cancelled one (decided here): a completed ticket was priced when it was completed
    (ledger lines, handlers/completion.py) and may already be rated or settled, so it is not
    reopened; a new report, or the follow-up a low rating opens, is the way back to that store."""
    found = await _managed_ticket(ctx, entities)
    if isinstance(found, Reply):
        return found
    ticket = found
    try:
        to = next_status(ticket.status, "reopen")
    except Impossible:
        key = "manage.reopen_done" if ticket.status in ("completed", "confirmed", "closed") else "manage.reopen_open"
        return Reply(markdown=t(ctx.lang, key, id=ticket.id, status=_status(ctx, ticket)),
                     problem=f"status: #{ticket.id} is {ticket.status}")
    previous = ticket.assignee
    # Nobody holds it any more (cancelled: the count was already given back), nobody is excluded.
    await store.set_assignee(ctx.session, ticket, None, ctx.now)
    await store.transition(ctx.session, ticket, to, actor=ctx.userid, reason=f"reopened by manager {ctx.name}",
                           now=ctx.now)
    tpl = ctx.templates.defs.get(ticket.template) if ctx.templates and ticket.template else None
    data = {k: v for k, v in (ticket.data or {}).items() if k != "declined"}
    values: dict[str, Any] = {"data": data, "offer_round": 0, "offer_expires_at": None, "eta_at": None,
                              "sla_paused_at": None, "sla_stage": "ok", "escalation_level": 0}
    if ctx.sla is not None:
        # Its promise starts again now, as a new report's would (the nudge point still counts from
        # the first report: a reopened ticket is nudged a little early rather than late).
        d = ctx.sla.deadlines(ticket.sla_policy, ticket.urgency, ctx.now, ticket.region)
        values.update(response_due=d.response, onsite_due=d.onsite, resolution_due=d.resolution,
                      next_check_at=d.next_check)
    await store.update_fields(ctx.session, ticket, **values)
    await store.add_event(ctx.session, ticket.id, "reopened", actor=ctx.userid, at=ctx.now,
                          reason=f"reopened by manager {ctx.name}" + (f"; was {previous}'s" if previous else ""),
                          data={"previous_assignee": previous, "channel": ctx.channel})
    # Routed again the way a new report is (open_ticket → find_route → deliver): the template's
    # mode, the top k, the fallback to the dispatch group or the managers when nobody fits.
    await route(ctx, ticket, mode=tpl.dispatch if tpl else ticket.dispatch_mode or "offer",
                k=tpl.offer_k if tpl else 3, timeout_s=tpl.offer_timeout_s if tpl else 300)
    await notify.progress(ctx, ticket, "manage.push_reopened", to_assignee=False, name=ctx.name)
    markdown = t(ctx.lang, "manage.reopened", id=ticket.id, status=_status(ctx, ticket),
                 engineer=notify.person_name(ctx, ticket.assignee) if ticket.assignee else None)
    return Reply(markdown=markdown, card=ticket_reply_card(ctx, ticket, markdown, _service(ctx, ticket)),
                 data={"ticket": ticket.id, "status": ticket.status, "assignee": ticket.assignee})


# -- a region's lists -----------------------------------------------------------------------------

def _age(ctx: Context, since: datetime) -> str:
    minutes = max(0, int((ctx.now - since).total_seconds() // 60))
    if minutes < 60:
        return t(ctx.lang, "manage.age_minutes", n=minutes)
    if minutes < 48 * 60:
        return t(ctx.lang, "manage.age_hours", n=minutes // 60)
    return t(ctx.lang, "manage.age_days", n=minutes // (24 * 60))


def _overdue(ctx: Context, ticket: Ticket) -> bool:
    _, due = notify.current_target(ticket)
    return bool(ticket.sla_breached) or (due is not None and due <= ctx.now and ticket.sla_paused_at is None)


@handles("list_tickets", roles=MANAGERS, refusal=REFUSAL)
async def list_tickets(ctx: Context, entities: dict[str, Any]) -> Reply:
    """`{"region": "east" | None, "which": "unassigned" | "breached"}`: the region's tickets
    nobody has, or that missed (or are past) an SLA promise, across the region, not this group.
    Without a region: the manager's regions (an admin's: all)."""
    which = entities.get("which") if entities.get("which") in ("unassigned", "breached") else "unassigned"
    region = entities.get("region") or None
    if region is not None:
        if ctx.cfg.region(region) is None:
            return Reply(markdown=t(ctx.lang, "manage.unknown_region", region=region), problem=f"region: unknown {region!r}")
        if not permissions.manages(ctx, region):
            return Reply(markdown=t(ctx.lang, "manage.not_your_region_list", region=region_label(ctx, region)),
                         problem=f"region: {region} is not yours")
        regions: list[str] | None = [region]
    elif "admin" in ctx.roles:
        regions = None
    else:
        regions = list(ctx.person.regions) if ctx.person else []
    q = select(Ticket)
    if regions is not None:
        q = q.where(Ticket.region.in_(regions))
    if which == "unassigned":
        q = q.where(Ticket.status.in_(CLAIMABLE), Ticket.assignee.is_(None))
    else:
        q = q.where(Ticket.status.in_(OPEN_STATUSES), or_(
            Ticket.sla_breached.is_(True), Ticket.response_due <= ctx.now, Ticket.onsite_due <= ctx.now,
            Ticket.resolution_due <= ctx.now))
    found = list((await ctx.session.scalars(q.order_by(Ticket.created_at, Ticket.id))).all())
    if which == "breached":
        found = [tk for tk in found if _overdue(ctx, tk)]
    where = (", ".join(region_label(ctx, r) for r in regions) if regions is not None
             else t(ctx.lang, "manage.all_regions")) or "-"
    if not found:
        return Reply(markdown=t(ctx.lang, f"manage.list_empty_{which}", region=where),
                     data={"tickets": [], "region": region, "which": which})
    lines = [t(ctx.lang, f"manage.list_header_{which}", region=where, n=len(found))]
    for tk in found[:LIST_MAX]:
        lines.append(t(ctx.lang, "manage.list_line", id=tk.id, location=location_of(ctx, tk),
                       skill=skill_label(ctx, tk.skill), status=_status(ctx, tk), age=_age(ctx, tk.created_at),
                       urgent=tk.urgency == "urgent", urgency=t(ctx.lang, "urgency.urgent"),
                       engineer=notify.person_name(ctx, tk.assignee) if tk.assignee else None,
                       url=ctx.ticket_url(tk.id)))
    if len(found) > LIST_MAX:
        lines.append(t(ctx.lang, "manage.list_more", n=len(found) - LIST_MAX))
    # How to act on the first one: assign it, or hand it to someone else.
    hint = "manage.list_hint_assigned" if found[0].assignee else "manage.list_hint_unassigned"
    lines.append(t(ctx.lang, hint, id=found[0].id, bot=ctx.bot_name))
    return Reply(markdown="\n".join(lines), data={"tickets": [tk.id for tk in found], "region": region, "which": which})


# -- a joint job's second branch ------------------------------------------------------------------

@handles("add_branch", roles=MANAGERS, refusal="joint.managers_only")
async def add_branch(ctx: Context, entities: dict[str, Any]) -> Reply:
    """`{"ticket": 12, "region": "east"}` ("#12 加分公司 华东"): the job also involves that branch —
    a joint job, split between both branches at completion (handlers/joint.py). A job nobody has
    yet goes to the pair's joint squad, if there is one."""
    found = await _managed_ticket(ctx, entities)
    if isinstance(found, Reply):
        return found
    ticket = found
    sep = "、" if ctx.lang == "zh" else ", "
    known = sep.join(region_label(ctx, r.code) for r in ctx.cfg.regions if r.code != ticket.region)
    said = entities.get("region")
    region = said if ctx.cfg.region(said) is not None else joint.resolve_region(ctx, said)
    if region is None:
        key = "joint.unknown_region" if said else "joint.which_region"
        return Reply(markdown=t(ctx.lang, key, name=said or "", known=known, id=ticket.id, bot=ctx.bot_name),
                     problem=f"region: unknown region {said!r}" if said else "region is required")
    if region == ticket.region:
        return Reply(markdown=t(ctx.lang, "joint.same_region", id=ticket.id, region=region_label(ctx, region)),
                     problem=f"region: #{ticket.id} is already in {region}")
    if region == ticket.joint_region:
        return Reply(markdown=t(ctx.lang, "joint.already", id=ticket.id, branches=joint.branches_text(ctx.cfg, ticket, ctx.lang)))
    if ticket.completed_at is not None or ticket.status not in OPEN_STATUSES:
        # Its money was split (or the job ended) with the branches it had then.
        return Reply(markdown=t(ctx.lang, "joint.already_priced", id=ticket.id, status=_status(ctx, ticket)),
                     problem=f"status: #{ticket.id} is {ticket.status}")
    was = ticket.joint_region
    await store.update_fields(ctx.session, ticket, joint_region=region)
    await store.add_event(ctx.session, ticket.id, "joint", actor=ctx.userid, at=ctx.now,
                          reason=f"branch {region} added by manager {ctx.name}" + (f" (was {was})" if was else ""),
                          data={"from": was, "to": region, "channel": ctx.channel})
    squad = joint_squad(ctx, ticket.region, region)
    if squad is not None and ticket.status == "new":   # nobody could take it: the squad may
        tpl = ctx.templates.defs.get(ticket.template) if ctx.templates and ticket.template else None
        await route(ctx, ticket, mode=tpl.dispatch if tpl else ticket.dispatch_mode or "offer",
                    k=tpl.offer_k if tpl else 3, timeout_s=tpl.offer_timeout_s if tpl else 300)
    values = {"id": ticket.id, "region": region_label(ctx, region), "branches": joint.branches_text(ctx.cfg, ticket, ctx.lang)}
    markdown = (t(ctx.lang, "joint.added_squad", squad=joint.squad_name(squad, ctx.lang), **values) if squad
                else t(ctx.lang, "joint.added", **values))
    return Reply(markdown=markdown, card=ticket_reply_card(ctx, ticket, markdown, _service(ctx, ticket)),
                 data={"ticket": ticket.id, "joint_region": region, "squad": squad.code if squad else None})
