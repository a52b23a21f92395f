"""Each branch's share of a joint job (migration 0011): `branch_lines`.

A joint job involves two branches (regions): the store's and a second one (`tickets.joint_region`).
At completion its pre-tax subtotal is also split between them (settlement/branches.py
`branch_split`): each branch's own work at its cost price, the rest by the squad's weights. One
row per branch holds that share in the job's currency, in the branch's own currency at the stored
rate, and in the reporting currency (converted once, when written, like a ledger line).

These rows are how the company allocates a job between its branches; they are not owed to anyone,
so a month's close leaves them alone. A correction of the job's amount adds a `correction` row
per branch whose share moved (storage/ledger.py `add_correction`), so a ticket's rows always sum
to its current subtotal.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping, Sequence

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Index, Integer, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow


class BranchLine(Base):
    __tablename__ = "branch_lines"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    branch: Mapped[str] = mapped_column(String(32))     # the branch (a region code) this share is of
    region: Mapped[str] = mapped_column(String(32))     # the job's region (the store's), for a region's summary
    kind: Mapped[str] = mapped_column(String(12))       # split | correction
    # The branch's own work at its cost price: [{basis, amount, currency, price_list, job_amount}],
    # the remainder weight it was given, and (a correction) why.
    basis: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    cost: Mapped[int] = mapped_column(BigInteger)        # Σ its work, in the job's currency
    remainder: Mapped[int] = mapped_column(BigInteger)   # its part of subtotal − Σ costs (negative: a loss)
    amount: Mapped[int] = mapped_column(BigInteger)      # cost + remainder
    currency: Mapped[str] = mapped_column(String(3))     # the job's
    branch_amount: Mapped[int] = mapped_column(BigInteger)
    branch_currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[dict[str, Any] | None] = mapped_column(JSON)   # job → branch currency; None when the same
    reporting_currency: Mapped[str] = mapped_column(String(3))
    reporting_amount: Mapped[int | None] = mapped_column(BigInteger)   # None: no stored rate existed
    period: Mapped[str] = mapped_column(String(7))       # the job's ledger month
    booked_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        # Covering for the by-branch block of a month's summary (storage/ledger.py `summary`).
        Index("ix_branch_lines_summary", "period", "branch", "branch_currency", "currency", "region",
              "kind", "amount", "branch_amount", "reporting_currency", "reporting_amount"),
        Index("ix_branch_lines_ticket", "ticket_id"),
    )


_T = BranchLine.__table__
INSERT_BRANCH_LINE = _T.insert()


def row(*, ticket_id: int, branch: str, region: str, kind: str, basis: Mapping[str, Any], cost: int, remainder: int,
        amount: int, currency: str, branch_amount: int, branch_currency: str, rate: Mapping[str, Any] | None,
        reporting_currency: str, reporting_amount: int | None, period: str, booked_at: dt.datetime,
        now: dt.datetime) -> dict[str, Any]:
    return {"ticket_id": ticket_id, "branch": branch, "region": region, "kind": kind, "basis": dict(basis),
            "cost": cost, "remainder": remainder, "amount": amount, "currency": currency,
            "branch_amount": branch_amount, "branch_currency": branch_currency,
            "rate": dict(rate) if rate else None, "reporting_currency": reporting_currency,
            "reporting_amount": reporting_amount, "period": period, "booked_at": booked_at, "created_at": now}


async def write(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
    if rows:
        await session.execute(INSERT_BRANCH_LINE, [dict(r) for r in rows])


async def of_ticket(session: AsyncSession, ticket_id: int) -> list[BranchLine]:
    """A ticket's rows, the first split first (the store's branch, then the other)."""
    return list((await session.scalars(select(BranchLine).where(BranchLine.ticket_id == ticket_id)
                                       .order_by(BranchLine.id))).all())
