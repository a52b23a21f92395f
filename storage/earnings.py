"""An engineer's earnings, job by job (issue 15: "安装师傅接单还能实时查分成").

`jobs` is one query: the person's ledger lines of the period, grouped per ticket and currency,
joined to the ticket's charge (template, hours, parts) and the ticket (its rating). Each row says
what the split paid (`share`), what corrections moved since (`corrections`, e.g. a rating that
re-split the job), and the travel allowance paid beside the split (`travel`). Lines are read
where they were booked: a correction booked this month to last month's job is this month's money.

`rerate` is what a rating does to money: when the job's stored split rule weighs shares by
rating, the same pre-tax total is re-split with it — a zero `storage.ledger.add_correction`, the
machinery of every correction: delta lines in the open month, reason "rating N★" — otherwise
nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Sequence

from sqlalchemy import BigInteger, and_, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from settlement import Money
from settlement.ledger_config import LedgerConfig
from settlement.split import weighted_on
from storage import ledger
from storage.ledger_models import ChargeLine, LedgerLine, TicketCharge
from storage.models import Ticket

__all__ = ["Job", "jobs", "rerate"]

PART = "part"   # settlement/pricing.py's code for a reported part's line


@dataclass(frozen=True)
class Job:
    ticket_id: int | None
    currency: str
    template: str | None
    hours: Decimal | None
    parts: int                 # the parts on the customer's bill, minor units of `currency`
    rating: int | None
    share: int                 # the split lines
    corrections: int           # correction lines (a refund, a rating re-split)
    travel: int                # the travel allowance lines
    total: int                 # every line: share + corrections + travel
    reporting: int | None      # `total` in the reporting currency at the stored rates (None: no rate)
    split: bool                # the job itself was booked here (not only a later correction)
    completed_at: dt.datetime | None


def _sum(expr: Any) -> Any:
    return cast(func.coalesce(func.sum(expr), 0), BigInteger)


async def jobs(session: AsyncSession, person: str, *, periods: Sequence[str], start: dt.datetime | None = None,
               end: dt.datetime | None = None, reporting_currency: str = "CNY") -> list[Job]:
    """The person's jobs of `periods` (optionally only lines booked in [start, end)), oldest first."""
    line = LedgerLine
    parts = (select(_sum(ChargeLine.amount)).where(ChargeLine.ticket_id == line.ticket_id, ChargeLine.code == PART)
             .correlate(line).scalar_subquery())
    rep = case((line.reporting_currency == reporting_currency, line.reporting_amount))
    kind = lambda k: _sum(case((line.kind == k, line.amount), else_=0))  # noqa: E731
    where = [line.person == person, line.period.in_(list(periods))]
    if start is not None:
        where.append(line.booked_at >= start)
    if end is not None:
        where.append(line.booked_at < end)
    query = (
        select(line.ticket_id, line.currency, func.max(TicketCharge.template), func.max(TicketCharge.audit["hours"].as_string()),
               parts, func.max(Ticket.rating), kind("split"), kind("correction"), kind("travel"),
               _sum(line.amount), _sum(rep), func.count(case((rep.is_(None), 1))),
               func.count(case((line.kind == "split", 1))), func.max(TicketCharge.completed_at))
        .select_from(line)
        .outerjoin(TicketCharge, TicketCharge.ticket_id == line.ticket_id)
        .outerjoin(Ticket, Ticket.id == line.ticket_id)
        .where(and_(*where))
        .group_by(line.ticket_id, line.currency)
        .order_by(func.max(TicketCharge.completed_at), line.ticket_id))
    out = []
    for tid, cur, template, hours, parts_amount, rating, share, corr, travel, total, rep_sum, unconverted, splits, done \
            in (await session.execute(query)).all():
        out.append(Job(tid, cur, template, Decimal(hours) if hours not in (None, "") else None, int(parts_amount or 0),
                       rating, int(share), int(corr), int(travel), int(total), None if unconverted else int(rep_sum),
                       bool(splits), done))
    return out


async def rerate(session: AsyncSession, lcfg: LedgerConfig, *, ticket_id: int, rating: int,
                 now: dt.datetime) -> list[dict[str, Any]]:
    """The correction lines a rating causes: none when the job was never priced or its stored
    rule does not weigh shares by rating."""
    charge = (await session.execute(select(TicketCharge.currency, TicketCharge.audit)
                                    .where(TicketCharge.ticket_id == ticket_id))).one_or_none()
    if charge is None or "rating" not in weighted_on(ledger._rule_from_json(charge.audit["split"])):
        return []
    # A zero correction re-splits the same total with the rating (and the stored hours and list prices).
    return await ledger.add_correction(session, lcfg, ticket_id=ticket_id, delta=Money(0, charge.currency),
                                       reason=f"rating {rating}★", now=now, rating=rating)
