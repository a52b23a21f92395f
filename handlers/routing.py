"""Who gets a job (智能派单): candidates, ranking, offer or assign, and the fallback chain.

Candidates are engineers with the skill who serve the region, are on duty in their own time zone
and below capacity. The database ranks them (same city first, open load, longest since their last
job, CSAT); duty hours are checked here because each person has their own zone. Nobody fits →
neighbouring regions → the region's dispatch group → the region's managers. Every decision is
written to the audit trail with its reasons.

A joint job (two branches, `tickets.joint_region`) whose pair of regions has a joint squad
(`joint_squads` in config) goes first to the squad's engineers with the skill, wherever they are
based, and the squad's dispatch group is told; only when none of them can take it is it routed
as above, in the store's region.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from handlers.cards import job_card, task_id
from handlers.config import Config
from handlers import fixes as known_fixes
from handlers.hours import parse_hours
from handlers.joint import branches_text, squad_name
from handlers.messages import t
from handlers.context import Context
from handlers.labels import location_of, skill_label
from nlu.language import language_of
from settlement.branches import squad_for
from storage import appointments as slots, tickets as store
from storage.models import Person, Ticket


@dataclass(frozen=True)
class Candidate:
    userid: str
    name: str
    load: int
    capacity: int
    reason: str


def on_duty(cfg: Config, person: Person, now: datetime) -> bool:
    hours = parse_hours(person.working_hours or cfg.routing.working_hours)
    if hours is None:
        return True
    tz = ZoneInfo(person.timezone or cfg.timezone_of(person.userid))
    local = now.replace(tzinfo=timezone.utc).astimezone(tz)
    minute = local.hour * 60 + local.minute
    start, end = hours
    return start <= minute < end if start < end else (minute >= start or minute < end)


async def rank(ctx: Context, *, skill: str, region: str | None, city: str | None, exclude: set[str],
               k: int, among: Any = None) -> list[Candidate]:
    rows = await store.candidates(ctx.session, skill=skill, region=region, city=city, among=among,
                                  limit=k + len(exclude) + ctx.cfg.routing.candidates_per_query)
    # A confirmed visit slot within now…+appointments.booked_window_h counts as one more open job
    # (storage/appointments.py): the engineer ranks by that load and is passed over when it is full.
    # Looked up only for those whose latest confirmed slot ends after now (people.booked_until).
    window = timedelta(hours=ctx.cfg.appointments.booked_window_h)
    maybe = [p.userid for p, _ in rows if p.booked_until is not None and p.booked_until > ctx.now]
    booked = await slots.booked(ctx.session, maybe, ctx.now, ctx.now + window) if maybe else set()
    rows = sorted(((p, n + (p.userid in booked)) for p, n in rows), key=lambda r: (not (city and r[0].city == city), r[1]))
    chosen: list[Candidate] = []
    for position, (person, load) in enumerate(rows):
        if person.userid in exclude or load >= person.capacity or not on_duty(ctx.cfg, person, ctx.now):
            continue
        facts = [skill, person.city or "-", f"load {load}/{person.capacity}"] + (["booked"] if person.userid in booked else [])
        if city and person.city == city:
            facts.append("same city")
        if position == 0 or person.last_assigned_at is None:
            facts.append("next in rotation")
        if person.rating_count:
            facts.append(f"CSAT {person.rating_sum / person.rating_count:.1f}")
        chosen.append(Candidate(person.userid, person.name, load, person.capacity,
                                f"{person.name}: {', '.join(facts)}"))
        if len(chosen) == k:
            break
    return chosen


@dataclass(frozen=True)
class Route:
    """Who should get a job, and why (written to the audit trail)."""

    mode: str
    people: list[Candidate]
    widened_to: str | None = None
    squad: Any = None   # settlement.branches.JointSquad, when a joint job went to its squad

    @property
    def why(self) -> str:
        return "; ".join(c.reason for c in self.people) + (
            f" (widened to region {self.widened_to})" if self.widened_to else "") + (
            f" (joint squad {self.squad.code})" if self.squad is not None else "")

    def initial(self, now: datetime, timeout_s: int) -> dict[str, Any]:
        """The routed state a new ticket is stored with, so it is written once, already routed."""
        if not self.people:
            return {"status": "new"}
        if self.mode == "assign":
            return {"status": "assigned", "assignee": self.people[0].userid,
                    "status_reason": f"assigned to {self.why}"}
        return {"status": "offered", "offer_round": 1, "offer_expires_at": now + timedelta(seconds=timeout_s),
                "status_reason": f"offered to {self.why}"}


def joint_squad(ctx: Context, region: str | None, joint_region: str | None) -> Any:
    """The joint squad for a job between these two branches, if config has one."""
    if not region or not joint_region or region == joint_region:
        return None
    return squad_for(ctx.cfg.ledger.joint_squads, region, joint_region)


async def find_route(ctx: Context, *, skill: str, region: str | None, city: str | None, mode: str, k: int,
                     exclude: set[str] = frozenset(), joint_region: str | None = None) -> Route:  # type: ignore[assignment]
    """Offer (抢单) to the top k, or assign (派单) to the best one — a joint job's squad first,
    then in the ticket's region, else in its neighbours."""
    want = 1 if mode == "assign" else k
    squad = joint_squad(ctx, region, joint_region)
    if squad is not None:
        people = await rank(ctx, skill=skill, region=None, city=city, exclude=set(exclude), k=want,
                            among=squad.engineers)
        if people:
            return Route(mode, people, squad=squad)
    for r in [region, *ctx.cfg.routing.neighbours.get(region or "", [])]:
        people = await rank(ctx, skill=skill, region=r, city=city, exclude=set(exclude), k=want)
        if people:
            return Route(mode, people, r if r != region else None)
    return Route(mode, [])


async def deliver(ctx: Context, ticket: Ticket, routed: Route, exclude: Any = ()) -> None:
    """Send what a routed ticket causes: the job cards (and offers), or the fallback."""
    if not routed.people:
        await fall_back(ctx, ticket, exclude)
        return
    fix = await known_fixes.card_fix(ctx, ticket)   # the top known fix, on every card sent
    if routed.squad is not None:
        tell_squad(ctx, ticket, routed)
    if routed.mode == "assign":
        _send_job_card(ctx, ticket, routed.people[0].userid, buttons=[("decline", "job.decline_button", 2)], fix=fix)
        return
    offers = []
    for c in routed.people:
        task = _send_job_card(ctx, ticket, c.userid, buttons=[("claim", "job.claim_button", 1)], fix=fix)
        offers.append({"task_id": task, "ticket_id": ticket.id, "userid": c.userid, "status": "offered",
                       "created_at": ctx.now})
    await store.add_offers(ctx.session, offers)


async def route(ctx: Context, ticket: Ticket, *, mode: str, k: int, timeout_s: int,
                exclude: set[str] = frozenset()) -> list[Candidate]:  # type: ignore[assignment]
    """Route a ticket that already exists again (an offer timed out, the assignee declined)."""
    routed = await find_route(ctx, skill=ticket.skill, region=ticket.region, city=ticket.city, mode=mode, k=k,
                             exclude=exclude, joint_region=ticket.joint_region)
    if routed.people and mode == "assign":
        await store.transition(ctx.session, ticket, "assigned", actor="desk", reason=f"assigned to {routed.why}",
                               now=ctx.now)
        await store.set_assignee(ctx.session, ticket, routed.people[0].userid, ctx.now)
    elif routed.people:
        round_ = (ticket.offer_round or 0) + 1
        await store.update_fields(ctx.session, ticket, offer_round=round_,
                                  offer_expires_at=ctx.now + timedelta(seconds=timeout_s))
        if ticket.status != "offered":
            await store.transition(ctx.session, ticket, "offered", actor="desk", reason=f"offered to {routed.why}",
                                   now=ctx.now)
        else:
            await store.add_event(ctx.session, ticket.id, "routing", actor="desk", at=ctx.now,
                                  reason=f"offer round {round_} to {routed.why}")
    await deliver(ctx, ticket, routed, exclude)
    return routed.people


def tell_squad(ctx: Context, ticket: Ticket, routed: Route) -> None:
    """The squad's dispatch group hears which of its engineers a joint job went to."""
    squad = routed.squad
    group = ctx.cfg.group(squad.dispatch_group)
    lang = group.language if group is not None else ctx.lang
    sep = "、" if lang == "zh" else ", "
    ctx.push_group(squad.dispatch_group, t(
        lang, f"joint.squad_{'assigned' if routed.mode == 'assign' else 'offered'}", id=ticket.id,
        squad=squad_name(squad, lang), skill=skill_label(ctx, ticket.skill, lang),
        location=location_of(ctx, ticket, lang), branches=branches_text(ctx.cfg, ticket, lang),
        urgency=t(lang, f"urgency.{ticket.urgency}"), names=sep.join(c.name for c in routed.people)), ticket.id)


def _send_job_card(ctx: Context, ticket: Ticket, userid: str, *, buttons: list[tuple[str, str, int]],
                   fix: Any = None) -> str:
    lang = ctx.language_of(userid)
    task = task_id(ticket.id, userid)
    card = job_card(lang, ticket_id=ticket.id, skill=skill_label(ctx, ticket.skill, lang), location=location_of(ctx, ticket, lang),
                    urgency=ticket.urgency, description=ticket.description,
                    description_lang=language_of(ticket.description or "", ticket.language),
                    task=task, buttons=buttons,
                    title_key="job.assigned_title" if buttons[0][0] == "decline" else "job.title")
    card = known_fixes.on_card(ctx, card, ticket, fix, userid, lang)
    # An offer is only made to someone on duty and expires in minutes: quiet hours never hold it.
    ctx.send_card(userid, card, ticket.id, urgent=True)
    return task


# What an ended offer's card says instead of its button, and the short text when it cannot be updated.
ENDED = {"lost": ("job.lost_button", "offer.lost"), "cancelled": ("offer.cancelled_button", "offer.cancelled"),
         "expired": ("offer.expired_button", "offer.expired")}


def offers_ended(ctx: Context, ticket: Ticket, ended: list[store.EndedOffer], why: str, *, name: str = "") -> None:
    """Offers that just ended (storage.tickets.withdraw_offers, claim): each engineer's card is
    greyed in place, in their language (the short text instead when it cannot be). The winner's
    own card says it was claimed, unless the click that won it updates it (Desk._effects_of_reply)."""
    button_key, text_key = ENDED[why]
    for offer in ended:
        lang = ctx.language_of(offer.userid)
        if offer.status == "won":
            if offer.task_id != ctx.task_id:
                ctx.update_offer_card(offer.userid, offer.task_id, t(lang, "job.claimed_button"), None, ticket.id)
            continue
        ctx.update_offer_card(offer.userid, offer.task_id, t(lang, button_key, name=name),
                              t(lang, text_key, id=ticket.id, name=name), ticket.id)


async def fall_back(ctx: Context, ticket: Ticket, exclude: Any = ()) -> None:
    """Nobody can take it: the dispatch group of the region, else its managers, are asked."""
    if ticket.offer_expires_at is not None:
        await store.update_fields(ctx.session, ticket, offer_expires_at=None)
    dispatch = next((g for g in ctx.cfg.groups if g.kind == "dispatch" and g.region == ticket.region), None)
    text = lambda lang: t(lang, "push.unassigned", id=ticket.id, skill=skill_label(ctx, ticket.skill, lang),  # noqa: E731
                          location=location_of(ctx, ticket, lang), urgency=t(lang, f"urgency.{ticket.urgency}"))
    if dispatch is not None and ctx.push_group(dispatch.chatid, text(dispatch.language), ticket.id):
        target = f"dispatch group {dispatch.name}"
    else:
        managers = ctx.cfg.managers_of(ticket.region)
        for m in managers:
            ctx.send_text(m.userid, text(ctx.language_of(m.userid)), ticket.id, urgent=True)
        target = "managers " + ", ".join(m.name for m in managers) if managers else "nobody (no dispatch group or manager)"
    await store.add_event(ctx.session, ticket.id, "routing", actor="desk", at=ctx.now,
                          reason=f"no engineer with skill {ticket.skill}, region {ticket.region} (or neighbours), "
                                 f"on duty and below capacity{' excluding ' + ', '.join(sorted(exclude)) if exclude else ''}; "
                                 f"asked {target}")
