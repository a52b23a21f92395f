"""Billing tables (migration 0012): what accounts owe and hold. Money is integer minor units + currency.

* invoices           one per (account, period, currency), written by the month's close
* invoice_lines      what an invoice is made of: jobs, the plan bill, draws, SLA credits, rebates
* credit_notes       corrections of an invoice after it is issued (it is never edited)
* invoice_payments   money received against an invoice (idempotent by key)
* sla_credits        one per breached ticket; on an invoice once (invoice_lines.sla_credit_id is unique)
* prepaid_entries    every movement of a prepaid balance (top-up, draw, plan, SLA credit, rebate, payment)
* prepaid_balances   the running balance per account: the row a draw locks, so two draws cannot
                     both see the balance above the low-balance mark and neither tell the manager

Everything but prepaid_balances is written once and never changed: database triggers refuse
UPDATE and DELETE (so raw SQL cannot either), and the ORM guard below refuses it first, with a
clearer message — as for statements (storage/ledger_models.py).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from storage.ledger_models import ID, LedgerError, SettledLineError
from storage.models import Base, utcnow


class BillingError(LedgerError):
    """A billing operation that must not happen; one line, fit for an operator."""


class Invoice(Base):
    __tablename__ = "invoices"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(7))
    currency: Mapped[str] = mapped_column(String(3))
    kind: Mapped[str] = mapped_column(String(16))        # credit | prepaid (the terms it was issued under)
    issued_on: Mapped[date] = mapped_column(Date)        # the period's last day
    due_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)      # Σ lines
    # What the account owes on it: `amount` on credit terms; on prepaid terms only what the
    # balance did not cover (0 while it stays positive).
    amount_due: Mapped[int] = mapped_column(BigInteger)
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)   # prepaid: balance, drawn volume, rebate tier
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (
        UniqueConstraint("account", "period", "currency", name="uq_invoices_account_period_currency"),
        Index("ix_invoices_period", "period"),
    )


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))        # job | plan | draw | sla_credit | rebate
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    statement_id: Mapped[int | None] = mapped_column(ForeignKey("statements.id"))
    sla_credit_id: Mapped[int | None] = mapped_column(ForeignKey("sla_credits.id"), unique=True)   # once, ever
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("prepaid_entries.id"))
    label: Mapped[str] = mapped_column(String(200))
    amount: Mapped[int] = mapped_column(BigInteger)      # owed: credits and rebates are negative
    currency: Mapped[str] = mapped_column(String(3))
    __table_args__ = (UniqueConstraint("invoice_id", "position", name="uq_invoice_lines_invoice_position"),)


class CreditNote(Base):
    __tablename__ = "credit_notes"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)      # > 0: taken off the invoice's open amount
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class InvoicePayment(Base):
    __tablename__ = "invoice_payments"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    paid_at: Mapped[datetime] = mapped_column(DateTime)


class SlaCredit(Base):
    __tablename__ = "sla_credits"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)   # one credit per ticket
    account: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(7))       # the job's ledger month; invoiced at a LATER close
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)
    job_total: Mapped[int] = mapped_column(BigInteger)
    policy: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (Index("ix_sla_credits_account_period", "account", "period"),)


class PrepaidEntry(Base):
    __tablename__ = "prepaid_entries"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))     # the balance's
    kind: Mapped[str] = mapped_column(String(16))        # topup | draw | plan | sla_credit | rebate | payment
    amount: Mapped[int] = mapped_column(BigInteger)      # signed: draws and plan fees are negative
    balance_after: Mapped[int] = mapped_column(BigInteger)
    period: Mapped[str] = mapped_column(String(7))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    # Every entry has one: a person's top-up key ("topup:K"), else what the entry is for ("draw:<ticket>",
    # "rebate:<account>:<period>" …), so a retry or a second close can never write it twice.
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    source: Mapped[dict[str, Any] | None] = mapped_column(JSON)   # the amount before conversion and the stored rate
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (Index("ix_prepaid_entries_account_period", "account", "period", "kind"),)


class PrepaidBalance(Base):
    __tablename__ = "prepaid_balances"
    account: Mapped[str] = mapped_column(String(64), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    balance: Mapped[int] = mapped_column(BigInteger)     # always Σ prepaid_entries.amount of the account
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


FINAL = (Invoice, InvoiceLine, CreditNote, InvoicePayment, SlaCredit, PrepaidEntry)   # written once, never changed
IMMUTABLE = tuple(m.__tablename__ for m in FINAL)


# -- the ORM half of immutability (migration 0012's triggers are the other half) -----------------

def _refuse_change(mapper: Any, connection: Any, target: Any) -> None:
    raise SettledLineError(f"{target.__tablename__} row {target.id} is final and cannot be changed or deleted; "
                           "correct an invoice with a credit note")


for _final in FINAL:
    event.listen(_final, "before_update", _refuse_change)
    event.listen(_final, "before_delete", _refuse_change)
