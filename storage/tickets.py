"""Ticket state and its audit trail. Every state change goes through `transition`/`claim`,
which write the audit event in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from storage.models import (INSERT_EVENT, INSERT_OFFER, INSERT_TICKET, Offer, Person, PersonRegion, PersonSkill,
                            Ticket, TicketEvent, utcnow)
from storage.statuses import CLAIMABLE, OPEN_STATUSES



# Writes here are plain INSERT/UPDATE statements rather than ORM unit-of-work flushes: the
# callback path is hot, and the audit trail is append-only, so nothing is gained by tracking.
# The object a handler holds is kept in step with `_mirror`, which changes it without marking it
# dirty (a dirty object would be written a second time by the next autoflush).


_TICKETS = Ticket.__table__


def _update(ticket_id: int) -> Any:
    # A Core UPDATE on the table: the ORM's bulk-update path costs more than the statement itself.
    return _TICKETS.update().where(_TICKETS.c.id == ticket_id)


def _mirror(ticket: Ticket, values: dict[str, Any]) -> None:
    for k, v in values.items():
        set_committed_value(ticket, k, v)


async def _count_job(session: AsyncSession, userid: str | None, delta: int, *, assigned_at: Any = None) -> None:
    """The one place an engineer's open-job count (and, for a new job, the time of their last
    assignment, for round robin) changes."""
    if not userid or (delta == 0 and assigned_at is None):
        return
    values: dict[str, Any] = {"open_jobs": Person.open_jobs + delta} if delta else {}
    if assigned_at is not None:
        values["last_assigned_at"] = assigned_at
    await session.execute(update(Person).where(Person.userid == userid).values(**values)
                          .execution_options(synchronize_session=False))


async def recount_open_jobs(session: AsyncSession) -> None:
    """Re-derive every engineer's open-job count from the tickets (run at start-up)."""
    count = (select(func.count()).select_from(Ticket)
             .where(Ticket.assignee == Person.userid, Ticket.status.in_(OPEN_STATUSES)).scalar_subquery())
    await session.execute(update(Person).values(open_jobs=count).execution_options(synchronize_session=False))

def event_row(ticket_id: int, kind: str, *, actor: str | None, from_status: str | None = None,
              to_status: str | None = None, reason: str = "", data: dict[str, Any] | None = None,
              at: Any = None) -> dict[str, Any]:
    return {"ticket_id": ticket_id, "actor": actor, "kind": kind, "from_status": from_status,
            "to_status": to_status, "reason": reason, "data": data or {}, "at": at or utcnow()}


async def add_event(session: AsyncSession, ticket_id: int, kind: str, **fields: Any) -> None:
    await session.execute(INSERT_EVENT, [event_row(ticket_id, kind, **fields)])


async def create_ticket(session: AsyncSession, *, actor: str | None, reason: str, status: str = "new",
                        status_reason: str = "", now: Any = None, **fields: Any) -> Ticket:
    """Insert a ticket with its 'created' event — and, when it starts beyond 'new' (routed before
    it was stored), the status event too, and the assignee's open-job count when born assigned."""
    now = now or utcnow()
    values = {"status": status, "created_at": now, "updated_at": now, "data": {}, "sla_breached": False,
              "escalated": False, "offer_round": 0, "sla_stage": "ok", "escalation_level": 0, **fields}
    ticket_id = (await session.execute(INSERT_TICKET, values)).scalar_one()
    if values.get("assignee") and status in OPEN_STATUSES:  # born assigned (派单)
        await _count_job(session, values["assignee"], 1, assigned_at=now)
    events = [event_row(ticket_id, "created", actor=actor, to_status="new", reason=reason, at=now,
                        data={k: v for k, v in fields.items()
                              if k in ("skill", "region", "city", "urgency", "source") or (k == "joint_region" and v)})]
    if status != "new":
        events.append(event_row(ticket_id, "status", actor="desk", from_status="new", to_status=status,
                                reason=status_reason, at=now))
    await session.execute(INSERT_EVENT, events)
    return Ticket(id=ticket_id, **values)


async def get_ticket(session: AsyncSession, ticket_id: int) -> Ticket | None:
    return await session.get(Ticket, ticket_id, populate_existing=True)


async def transition(session: AsyncSession, ticket: Ticket, to_status: str, *, actor: str | None,
                     reason: str = "", data: dict[str, Any] | None = None, now: Any = None) -> None:
    from_status, now = ticket.status, now or utcnow()
    await session.execute(_update(ticket.id).values(status=to_status, updated_at=now))
    _mirror(ticket, {"status": to_status, "updated_at": now})
    was_open, is_open = from_status in OPEN_STATUSES, to_status in OPEN_STATUSES
    if was_open != is_open:
        await _count_job(session, ticket.assignee, 1 if is_open else -1)
    await add_event(session, ticket.id, "status", actor=actor, from_status=from_status, to_status=to_status,
                    reason=reason, data=data, at=now)


@dataclass(frozen=True)
class EndedOffer:
    """An offer that just ended, whose card its engineer still sees as it was sent."""

    task_id: str
    userid: str
    status: str   # won | lost | withdrawn


async def claim(session: AsyncSession, ticket_id: int, userid: str, *, via: str,
                now: Any = None) -> list[EndedOffer] | None:
    """Atomic first-claim-wins: one conditional UPDATE, correct across processes on both backends.
    None: someone else was first. Else the offers that ended with it (the winner's 'won', the
    others' still-live ones 'lost'), whose cards say so next."""
    now = now or utcnow()
    res = await session.execute(
        update(Ticket).where(Ticket.id == ticket_id, Ticket.status.in_(CLAIMABLE), Ticket.assignee.is_(None))
        .values(status="assigned", assignee=userid, updated_at=now, offer_expires_at=None))
    if res.rowcount != 1:
        return None
    await _count_job(session, userid, 1, assigned_at=now)
    await add_event(session, ticket_id, "claimed", actor=userid, from_status="offered", to_status="assigned",
                    reason=f"claimed by {via}", at=now)
    won = await _end_offers(session, ticket_id, "won", Offer.userid == userid)
    return won + await withdraw_offers(session, ticket_id, except_user=userid, status="lost")


async def _end_offers(session: AsyncSession, ticket_id: int, status: str, *where: Any) -> list[EndedOffer]:
    """Live offers → `status`, in one UPDATE: those it ended (an offer ends once)."""
    res = await session.execute(
        update(Offer).where(Offer.ticket_id == ticket_id, Offer.status == "offered", *where).values(status=status)
        .returning(Offer.task_id, Offer.userid).execution_options(synchronize_session=False))
    return [EndedOffer(r.task_id, r.userid, status) for r in res.all()]


async def set_assignee(session: AsyncSession, ticket: Ticket, userid: str | None, now: Any) -> None:
    old = ticket.assignee
    if old == userid:
        return
    await session.execute(_update(ticket.id).values(assignee=userid))
    _mirror(ticket, {"assignee": userid})
    counted = ticket.status in OPEN_STATUSES
    await _count_job(session, old, -1 if counted else 0)
    await _count_job(session, userid, 1 if counted else 0, assigned_at=now)


async def update_fields(session: AsyncSession, ticket: Ticket, **values: Any) -> None:
    """Set columns on a ticket (and on the object the handler holds) in one UPDATE. Who holds
    the ticket changes only through `claim`/`set_assignee`, which keep the open-job counts."""
    assert "assignee" not in values and "status" not in values, "use set_assignee / transition"
    await session.execute(_update(ticket.id).values(**values))
    _mirror(ticket, values)


async def claim_timer(session: AsyncSession, ticket: Ticket, column: str, new: Any) -> bool:
    """Take a ticket's timer (`next_check_at`, `offer_expires_at`) for one scheduler pass: a
    conditional UPDATE, so of several workers scanning at once exactly one gets it. The object
    keeps the value it was read with, for the evaluation that follows."""
    col = _TICKETS.c[column]
    res = await session.execute(_update(ticket.id).where(col == getattr(ticket, column)).values({column: new}))
    return res.rowcount == 1


async def add_offers(session: AsyncSession, offers: list[dict[str, Any]]) -> None:
    await session.execute(INSERT_OFFER, offers)


_PEOPLE, _SKILLS, _REGIONS = Person.__table__, PersonSkill.__table__, PersonRegion.__table__


def _candidates_query(with_region: bool, among: bool = False):  # type: ignore[no-untyped-def]
    p = _PEOPLE.c
    load = p.open_jobs
    rating = p.rating_sum * 1.0 / func.nullif(p.rating_count, 0)
    same_city = case((p.city == bindparam("city"), 0), else_=1)
    # Plain rows from Core on the tables, not Person objects nor an ORM select: building ORM
    # instances was most of routing's time, and the ORM's compile step most of the rest.
    joined = _PEOPLE.join(_SKILLS, _SKILLS.c.userid == p.userid)
    q = (select(*_PEOPLE.c, load.label("load"))
         .where(_SKILLS.c.skill == bindparam("skill"), p.active.is_(True), load < p.capacity)
         # city match, then open load, then round robin (longest since last job), then CSAT.
         .order_by(same_city, load, p.last_assigned_at.asc().nullsfirst(), rating.desc().nullslast(), p.userid)
         .limit(bindparam("limit")))
    if with_region:
        joined = joined.join(_REGIONS, _REGIONS.c.userid == p.userid)
        q = q.where(_REGIONS.c.region == bindparam("region"))
    if among:   # a joint squad's pool, whichever regions its engineers serve
        q = q.where(p.userid.in_(bindparam("among", expanding=True)))
    return q.select_from(joined)


# Built once: constructing a SELECT is a noticeable share of a callback's CPU.
_CANDIDATES = {(r, a): _candidates_query(r, a) for r in (True, False) for a in (True, False)}


async def candidates(session: AsyncSession, *, skill: str, region: str | None, city: str | None = None,
                     limit: int = 5, among: Sequence[str] | None = None) -> list[tuple[Any, int]]:
    """Engineers with the skill who serve the region (any region, when `among` names a joint
    squad's engineers) and have spare capacity, best first, with their open load."""
    params: dict[str, Any] = {"skill": skill, "limit": limit, "city": city or ""}
    if region:
        params["region"] = region
    if among is not None:
        if not among:
            return []
        params["among"] = list(among)
    rows = (await session.execute(_CANDIDATES[bool(region), among is not None], params)).all()
    return [(p, p.load) for p in rows if "engineer" in (p.roles or [])]


async def open_tickets_of_assignee(session: AsyncSession, userid: str, limit: int = 5) -> Sequence[Ticket]:
    return (await session.scalars(select(Ticket).where(Ticket.assignee == userid, Ticket.status.in_(OPEN_STATUSES))
                                  .order_by(Ticket.id.desc()).limit(limit))).all()


async def withdraw_offers(session: AsyncSession, ticket_id: int, except_user: str | None = None,
                          status: str = "withdrawn") -> list[EndedOffer]:
    """The one place offers end (claimed by someone else, cancelled, timed out): the ones that
    were still live, for the caller to update their cards (handlers/routing.py `offers_ended`)."""
    return await _end_offers(session, ticket_id, status, *([Offer.userid != except_user] if except_user else []))


async def offer_of(session: AsyncSession, task_id: str) -> Offer | None:
    return await session.get(Offer, task_id, populate_existing=True)


async def record_codes(session: AsyncSession, codes: list[tuple[str, str, Any]]) -> None:
    """The response codes message/send answered for job cards: (task_id, code, when)."""
    if codes:   # one executemany for all the cards that went out together
        await session.execute(_RECORD_CODE, [{"task": task, "code": code, "at": at} for task, code, at in codes])


# Core on the table: the worker runs these on the callbacks' loop and writer.
_OFFERS = Offer.__table__
_RECORD_CODE = (_OFFERS.update().where(_OFFERS.c.task_id == bindparam("task"))
                .values(response_code=bindparam("code"), code_at=bindparam("at")))


async def forget_code(session: AsyncSession, task_id: str) -> None:
    """WeCom said the code is used up: a retry must not count on it."""
    await session.execute(_OFFERS.update().where(_OFFERS.c.task_id == task_id).values(response_code=None))


async def open_twin(session: AsyncSession, chatid: str, skill: str) -> Ticket | None:
    """The newest open ticket of this store (its group) for this skill: where a repeat report goes."""
    return (await session.scalars(select(Ticket).where(Ticket.chatid == chatid, Ticket.skill == skill,
                                                       Ticket.status.in_(OPEN_STATUSES))
                                  .order_by(Ticket.id.desc()).limit(1))).first()


async def events_of_kind(session: AsyncSession, kind: str, *, ticket_id: int | None = None,
                         actor: str | None = None, chatid: str | None = None, limit: int = 20) -> Sequence[TicketEvent]:
    """Newest first."""
    q = select(TicketEvent).where(TicketEvent.kind == kind)
    if ticket_id is not None:
        q = q.where(TicketEvent.ticket_id == ticket_id)
    if actor is not None:
        q = q.where(TicketEvent.actor == actor)
    if chatid is not None:
        q = q.join(Ticket, Ticket.id == TicketEvent.ticket_id).where(Ticket.chatid == chatid)
    return (await session.scalars(q.order_by(TicketEvent.id.desc()).limit(limit))).all()


async def offered_users(session: AsyncSession, ticket_id: int) -> set[str]:
    return set((await session.scalars(select(Offer.userid).where(Offer.ticket_id == ticket_id))).all())


async def latest_completed_unrated(session: AsyncSession, chatid: str) -> Ticket | None:
    return (await session.scalars(select(Ticket).where(Ticket.chatid == chatid, Ticket.status == "completed",
                                                       Ticket.rating.is_(None)).order_by(Ticket.id.desc()))).first()


async def open_tickets_of_chat(session: AsyncSession, chatid: str, limit: int = 5) -> Sequence[Ticket]:
    return (await session.scalars(select(Ticket).where(Ticket.chatid == chatid, Ticket.status.in_(OPEN_STATUSES))
                                  .order_by(Ticket.id.desc()).limit(limit))).all()


async def latest_open_of_reporter(session: AsyncSession, userid: str, chatid: str | None) -> Ticket | None:
    """"The last one": the sender's newest open ticket in this chat (or anywhere, in a 1:1)."""
    q = select(Ticket).where(Ticket.reporter == userid, Ticket.status.in_(OPEN_STATUSES))
    if chatid:
        q = q.where(Ticket.chatid == chatid)
    return (await session.scalars(q.order_by(Ticket.id.desc()).limit(1))).first()


async def events_of(session: AsyncSession, ticket_id: int) -> Sequence[TicketEvent]:
    return (await session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)
                                  .order_by(TicketEvent.id))).all()
