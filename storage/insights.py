"""What the managers' insight and money pages read: SLA breaches by place, engineers' load, the
timeline facts for response and resolution times, ratings, corrections and monthly revenue.

Plain rows out (tuples and dicts), no presentation: handlers/insights.py aggregates (medians,
weeks) and bot/web/insights.py names things for the reader. Core/ORM only, the same SQL on SQLite
and PostgreSQL. Times in and out are naive UTC; `regions=None` is every region, `[]` none.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Sequence

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.ledger_models import LedgerLine, Statement, TicketCharge
from storage.models import Person, PersonRegion, Ticket, TicketEvent
from storage.statuses import OPEN_STATUSES


def _regions(col: Any, regions: Sequence[str] | None) -> list[Any]:
    if regions is None:
        return []
    return [col.in_(list(regions))]


def _event_in(kind: str, start: dt.datetime, end: dt.datetime) -> Any:
    return exists().where(TicketEvent.ticket_id == Ticket.id, TicketEvent.kind == kind,
                          TicketEvent.at >= start, TicketEvent.at < end)


async def sla_by_place(session: AsyncSession, *, start: dt.datetime, end: dt.datetime,
                       regions: Sequence[str] | None) -> list[dict[str, Any]]:
    """Per (region, city): tickets reported in [start, end), SLA breaches and near-breaches in it.

    A breach is a ticket whose deadline was missed in the span (its `sla_breach` event), or one
    reported in the span and marked breached. A near-breach is a ticket the desk warned about in
    the span (`sla_nudge`, or reported in the span and still at `nudged:<target>`) that did not
    breach. A ticket counts once per column."""
    if regions is not None and not regions:
        return []
    created = and_(Ticket.created_at >= start, Ticket.created_at < end)
    breach = and_(Ticket.sla_breached.is_(True), or_(_event_in("sla_breach", start, end), created))
    near = and_(Ticket.sla_breached.is_(False),
                or_(_event_in("sla_nudge", start, end), and_(created, Ticket.sla_stage.like("nudged:%"))))
    one = lambda cond: func.coalesce(func.sum(case((cond, 1), else_=0)), 0)  # noqa: E731
    rows = (await session.execute(
        select(Ticket.region, Ticket.city, one(created), one(breach), one(near))
        .where(or_(created, breach, near), *_regions(Ticket.region, regions))
        .group_by(Ticket.region, Ticket.city))).all()
    return [{"region": r, "city": c, "tickets": int(n), "breaches": int(b), "near": int(x)} for r, c, n, b, x in rows]


async def engineers(session: AsyncSession, regions: Sequence[str] | None) -> list[dict[str, Any]]:
    """Active people working in the regions, with their load and lifetime CSAT (one row each)."""
    if regions is not None and not regions:
        return []
    q = select(Person.userid, Person.roles, Person.open_jobs, Person.capacity, Person.rating_sum,
               Person.rating_count).where(Person.active.is_(True))
    if regions is not None:
        q = q.where(Person.userid.in_(select(PersonRegion.userid).where(PersonRegion.region.in_(list(regions)))))
    rows = (await session.execute(q.order_by(Person.userid))).all()
    return [{"userid": u, "roles": list(roles or []), "open_jobs": int(o or 0), "capacity": int(c or 0),
             "rating_sum": int(rs or 0), "rating_count": int(rc or 0)} for u, roles, o, c, rs, rc in rows]


async def open_jobs_by_assignee(session: AsyncSession, regions: Sequence[str] | None) -> dict[str, int]:
    """Open tickets per engineer inside the regions (their `open_jobs` counts every region)."""
    if regions is not None and not regions:
        return {}
    rows = (await session.execute(
        select(Ticket.assignee, func.count()).where(Ticket.assignee.is_not(None), Ticket.status.in_(OPEN_STATUSES),
                                                    *_regions(Ticket.region, regions))
        .group_by(Ticket.assignee))).all()
    return {u: int(n) for u, n in rows}


async def ratings(session: AsyncSession, *, start: dt.datetime, end: dt.datetime,
                  regions: Sequence[str] | None) -> list[tuple[str | None, str | None, dt.datetime, int]]:
    """(region, assignee, completed_at, rating) of rated tickets completed in [start, end)."""
    if regions is not None and not regions:
        return []
    rows = (await session.execute(
        select(Ticket.region, Ticket.assignee, Ticket.completed_at, Ticket.rating)
        .where(Ticket.rating.is_not(None), Ticket.completed_at >= start, Ticket.completed_at < end,
               *_regions(Ticket.region, regions))
        .order_by(Ticket.completed_at))).all()
    return [(r, a, c, int(x)) for r, a, c, x in rows]


async def timelines(session: AsyncSession, *, start: dt.datetime, end: dt.datetime,
                    regions: Sequence[str] | None) -> list[tuple[str | None, dt.datetime, dt.datetime | None,
                                                                 dt.datetime | None]]:
    """(region, created, first assigned or claimed, completed) of tickets reported in [start, end),
    from the audit trail: the first `claimed` event or `status` event into `assigned`."""
    if regions is not None and not regions:
        return []
    assigned = (select(TicketEvent.ticket_id, func.min(TicketEvent.at).label("at"))
                .where(or_(TicketEvent.kind == "claimed",
                           and_(TicketEvent.kind == "status", TicketEvent.to_status == "assigned")))
                .group_by(TicketEvent.ticket_id).subquery())
    completed = (select(TicketEvent.ticket_id, func.min(TicketEvent.at).label("at"))
                 .where(TicketEvent.kind == "status", TicketEvent.to_status == "completed")
                 .group_by(TicketEvent.ticket_id).subquery())
    rows = (await session.execute(
        select(Ticket.region, Ticket.created_at, assigned.c.at, func.coalesce(completed.c.at, Ticket.completed_at))
        .outerjoin(assigned, assigned.c.ticket_id == Ticket.id)
        .outerjoin(completed, completed.c.ticket_id == Ticket.id)
        .where(Ticket.created_at >= start, Ticket.created_at < end, *_regions(Ticket.region, regions)))).all()
    return [(r, c, a, d) for r, c, a, d in rows]


async def corrections(session: AsyncSession, *, periods: Sequence[str], start: dt.datetime | None,
                      end: dt.datetime | None, regions: Sequence[str] | None) -> list[dict[str, Any]]:
    """Correction lines booked in the months (and the booked-time range, when given)."""
    if regions is not None and not regions:
        return []
    where = [LedgerLine.kind == "correction", LedgerLine.period.in_(list(periods)),
             *_regions(LedgerLine.region, regions)]
    if start is not None:
        where.append(LedgerLine.booked_at >= start)
    if end is not None:
        where.append(LedgerLine.booked_at < end)
    rows = (await session.execute(
        select(LedgerLine.ticket_id, LedgerLine.region, LedgerLine.party, LedgerLine.person, LedgerLine.amount,
               LedgerLine.currency, LedgerLine.reason, LedgerLine.booked_at, LedgerLine.settled)
        .where(*where).order_by(LedgerLine.booked_at, LedgerLine.id))).mappings().all()
    return [dict(r) for r in rows]


async def statements(session: AsyncSession, periods: Sequence[str]) -> list[dict[str, Any]]:
    """Statements written when the months were closed (company-wide: parties, people, accounts)."""
    rows = (await session.execute(
        select(Statement.__table__).where(Statement.period.in_(list(periods)))
        .order_by(Statement.period, Statement.kind, Statement.owner, Statement.currency))).mappings().all()
    return [dict(r) for r in rows]


async def priced_months(session: AsyncSession, periods: Sequence[str], regions: Sequence[str] | None) -> set[str]:
    """Which of the months have any priced ticket in the regions (the chart skips asking the rest)."""
    if regions is not None and not regions:
        return set()
    rows = (await session.execute(
        select(TicketCharge.period).where(TicketCharge.period.in_(list(periods)),
                                          *_regions(TicketCharge.region, regions))
        .group_by(TicketCharge.period))).scalars().all()
    return set(rows)
