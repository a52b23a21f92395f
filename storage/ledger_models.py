"""The settlement ledger's tables (migration 0002). Money is integer minor units + ISO currency.

* ticket_charges   one row per priced ticket: what the customer pays, and how it was reached (audit)
* charge_lines     that price line by line, as the customer was shown it
* ledger_lines     who gets what: split lines at completion, correction (delta) lines later
* usage_records    usage of custom plan items per account and period (idempotent by key)
* statements       one per (owner, period, currency, kind), written when a period is closed
* settlement_periods  a month's open/closed state; its row is the lock that orders closing a
                   month against completions landing in it (see storage/ledger.py)

Settled ledger lines and statements never change: database triggers refuse it (so raw SQL cannot
either), and the ORM guard below refuses it before the database is asked, with a clearer message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow

ID = BigInteger().with_variant(Integer, "sqlite")  # SQLite only auto-increments INTEGER PRIMARY KEY


class LedgerError(ValueError):
    """A ledger operation that must not happen; the message is one line, fit for an operator."""


class SettledLineError(LedgerError):
    """A settled ledger line (or a statement) was about to be changed or deleted."""


class TicketCharge(Base):
    __tablename__ = "ticket_charges"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    template: Mapped[str] = mapped_column(String(64))
    region: Mapped[str] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[int] = mapped_column(BigInteger)
    tax: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(BigInteger)
    # Converted once, at completion, at the stored rate (audit.reporting_fx); never re-converted.
    reporting_currency: Mapped[str] = mapped_column(String(3))
    reporting_subtotal: Mapped[int | None] = mapped_column(BigInteger)
    reporting_tax: Mapped[int | None] = mapped_column(BigInteger)
    reporting_total: Mapped[int | None] = mapped_column(BigInteger)
    engineer: Mapped[str | None] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(7))
    completed_at: Mapped[datetime] = mapped_column(DateTime)
    priced_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    audit: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    __table_args__ = (
        Index("ix_ticket_charges_summary", "period", "region", "currency"),
        Index("ix_ticket_charges_engineer", "engineer", "period"),
    )


class ChargeLine(Base):
    __tablename__ = "charge_lines"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket_charges.ticket_id"))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(32))  # stable: base | labour | <surcharge> | part | tax
    label: Mapped[str] = mapped_column(String(200))  # as the customer saw it, in their language
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    __table_args__ = (UniqueConstraint("ticket_id", "position", name="uq_charge_lines_ticket_position"),)


class Statement(Base):
    __tablename__ = "statements"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(64))  # party code, person userid or account code
    owner_kind: Mapped[str] = mapped_column(String(16))  # party | person | account
    period: Mapped[str] = mapped_column(String(7))
    currency: Mapped[str] = mapped_column(String(3))
    kind: Mapped[str] = mapped_column(String(16))  # share (party) | earnings (person) | plan (account)
    amount: Mapped[int] = mapped_column(BigInteger)
    line_count: Mapped[int] = mapped_column(Integer)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # plan bills: the bill's lines
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("owner", "period", "currency", "kind",
                                       name="uq_statements_owner_period_currency_kind"),)


class LedgerLine(Base):
    __tablename__ = "ledger_lines"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    party: Mapped[str] = mapped_column(String(32))
    person: Mapped[str | None] = mapped_column(String(64))  # the engineer, for the `engineer` party
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reporting_currency: Mapped[str] = mapped_column(String(3))
    reporting_amount: Mapped[int | None] = mapped_column(BigInteger)  # None: no stored rate existed
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM in the region's time zone
    region: Mapped[str] = mapped_column(String(32))
    template: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(12))  # split | correction | travel
    # The internal price list (settlement/price_lists.py) that priced this party's line, when
    # the split rule pays the party from one; statements show it.
    price_list: Mapped[str | None] = mapped_column(String(32))
    corrects_line_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_lines.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    settled: Mapped[bool] = mapped_column(Boolean, default=False)
    statement_id: Mapped[int | None] = mapped_column(ForeignKey("statements.id"))
    booked_at: Mapped[datetime] = mapped_column(DateTime)  # completion (split) or correction time, UTC
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        # Covering for the summaries: a month (optionally some regions) grouped by region, party,
        # currency is read from this index alone, already in GROUP BY order.
        Index("ix_ledger_lines_summary", "period", "region", "party", "currency", "person", "kind",
              "amount", "reporting_currency", "reporting_amount"),
        Index("ix_ledger_lines_person", "person", "period"),
        Index("ix_ledger_lines_ticket", "ticket_id"),
        # Every line is updated exactly once, when its month is closed (settled, statement_id — no
        # indexed column). Half-empty pages let PostgreSQL do that as a HOT update, in place,
        # without touching the four indexes: ~10× faster closes, for twice the heap size.
        {"postgresql_with": {"fillfactor": 50}},
    )


class UsageRecord(Base):
    __tablename__ = "usage_records"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(64))
    item: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[str] = mapped_column(String(40))  # decimal text: exact, never a float
    period: Mapped[str] = mapped_column(String(7))
    source: Mapped[str] = mapped_column(String(16), default="api")  # api | cli
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (Index("ix_usage_records_account_period", "account", "period"),)


class SettlementPeriod(Base):
    __tablename__ = "settlement_periods"
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    statement_count: Mapped[int] = mapped_column(Integer, default=0)


INSERT_LEDGER_LINE = LedgerLine.__table__.insert()
INSERT_CHARGE_LINE = ChargeLine.__table__.insert()
INSERT_CHARGE = TicketCharge.__table__.insert()


# -- the ORM half of immutability (the database triggers are the other half) ----------------------

def _was_settled(target: LedgerLine) -> bool:
    from sqlalchemy import inspect

    committed = inspect(target).committed_state
    return bool(committed["settled"] if "settled" in committed else target.settled)


@event.listens_for(LedgerLine, "before_update")
def _refuse_settled_update(mapper: Any, connection: Any, target: LedgerLine) -> None:
    if _was_settled(target):
        raise SettledLineError(f"ledger line {target.id} is settled (statement {target.statement_id}, period "
                               f"{target.period}) and cannot be changed; post a correction instead")


@event.listens_for(LedgerLine, "before_delete")
def _refuse_settled_delete(mapper: Any, connection: Any, target: LedgerLine) -> None:
    if _was_settled(target):
        raise SettledLineError(f"ledger line {target.id} is settled (statement {target.statement_id}, period "
                               f"{target.period}) and cannot be deleted; post a correction instead")


@event.listens_for(Statement, "before_update")
@event.listens_for(Statement, "before_delete")
def _refuse_statement_change(mapper: Any, connection: Any, target: Statement) -> None:
    raise SettledLineError(f"statement {target.id} ({target.owner}, {target.period}, {target.currency}) "
                           "is final and cannot be changed or deleted")
