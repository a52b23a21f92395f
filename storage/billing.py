"""Billing: invoices with due dates, prepaid balances, SLA credits, payments and credit notes.

Every function writes in the CALLER's transaction and never commits (like storage/ledger.py).

* A completion (`bill_completion`, in the completion's transaction) draws a prepaid account's
  balance by the job's total — converted once at the stored rate when the job's currency is not
  the balance's — and records an SLA credit when the job breached its SLA and the account has a
  policy. The balance row is locked by the draw's UPDATE, so "this draw took it below the
  low-balance mark" is decided exactly once, even for two jobs completing at the same instant.
* The month's close (`write_invoices`, called by storage.ledger.close_period in its transaction)
  writes one invoice per account with terms and currency: the month's jobs (totals with tax),
  the plan bill, SLA credits of EARLIER months not yet on an invoice (each on one invoice only:
  invoice_lines.sla_credit_id is unique), and on prepaid terms the rebate, credited to the balance
  once (entries are keyed `rebate:<account>:<period>`). Only what the close itself wrote is read
  back, in a fixed order, so a close run in a SAVEPOINT and rolled back (a draft) writes the same
  figures as the real one.
* Invoices are never edited: a payment or a credit note reduces the open amount that `aging`
  reports, and is its own row.

Rates are passed in (`Rates`): storage.ledger owns the stored-rate lookup, and it calls this
module at close, so this module must not import it back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, Callable, Sequence

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from settlement import FxRate, Money, SettlementError, convert, format_minor
from settlement.ledger_config import Account, LedgerConfig
from settlement.money import exact_minor
from settlement.periods import period_of, zone
from settlement.terms import (CreditTerms, PrepaidTerms, Receivable, aging, due_date, period_last_day, rebate,
                              sla_credit)
from storage.billing_models import (BillingError, CreditNote, Invoice, InvoiceLine, InvoicePayment, PrepaidBalance,
                                    PrepaidEntry, SlaCredit)
from storage.ledger_models import Statement, TicketCharge
from storage.models import Ticket, utcnow

__all__ = [
    "BillingError", "CompletionBilling", "Rates", "aging_report", "balance_of", "bill_completion", "credit_note",
    "invoice", "invoices_of", "record_payment", "top_up", "write_invoices",
]

Rates = Callable[[str, str, dt.date], "FxRate | None"]   # (from, to, day) -> the stored rate, or None
KEY_MAX = 128


def _utc_naive(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo is None else at.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _account(lcfg: LedgerConfig, code: str) -> Account:
    try:
        return lcfg.account(code)
    except SettlementError as e:
        raise BillingError(str(e)) from None


def _prepaid(lcfg: LedgerConfig, code: str) -> tuple[Account, PrepaidTerms]:
    acct = _account(lcfg, code)
    terms = lcfg.terms_of(code)
    if not isinstance(terms, PrepaidTerms):
        kind = terms.kind if terms is not None else "none"
        raise BillingError(f"account {code!r} is not prepaid (its terms: {kind}); only prepaid accounts have a balance")
    return acct, terms


def _amount(text: Any, currency: str, what: str) -> int:
    try:
        minor = exact_minor(text, currency, what)
    except (SettlementError, TypeError) as e:
        raise BillingError(str(e)) from None
    if minor <= 0:
        raise BillingError(f"{what} must be greater than 0 ({text} {currency})")
    return minor


def _key(key: Any, what: str = "key") -> str:
    if not isinstance(key, str) or not 0 < len(key.strip()) <= KEY_MAX:
        raise BillingError(f"{what} must be a string of 1 to {KEY_MAX} characters")
    return key.strip()


def _converted(amount: int, frm: str, to: str, day: dt.date, rates: Rates, what: str) -> tuple[int, dict | None]:
    """`amount` in `to`, converted once at the stored rate; the source is kept for the record."""
    if frm == to:
        return amount, None
    rate = rates(frm, to, day)
    if rate is None:
        raise BillingError(f"{what}: no stored fx rate {frm}->{to} (fx_rates) to convert {format_minor(amount, frm)} {frm}")
    return convert(Money(amount, frm), rate).amount, {"amount": format_minor(amount, frm), "currency": frm,
                                                       "rate": rate.to_json()}


# -- prepaid balances ------------------------------------------------------------------------------

async def _entry_by_key(session: AsyncSession, key: str) -> PrepaidEntry | None:
    return (await session.execute(select(PrepaidEntry).where(PrepaidEntry.idempotency_key == key))).scalar_one_or_none()


async def _move(session: AsyncSession, account: str, currency: str, amount: int, now: dt.datetime) -> int:
    """Add `amount` to the account's balance (row-locked until the transaction ends); the new balance."""
    for _ in range(2):
        row = (await session.execute(
            update(PrepaidBalance).where(PrepaidBalance.account == account)
            .values(balance=PrepaidBalance.balance + amount, updated_at=now)
            .returning(PrepaidBalance.balance, PrepaidBalance.currency))).first()
        if row is not None:
            if row[1] != currency:
                raise BillingError(f"account {account!r} holds its balance in {row[1]}, not {currency}: a changed "
                                   "terms currency needs the old balance paid out first")
            return int(row[0])
        try:
            async with session.begin_nested():   # the first movement ever; a concurrent one may create it first
                await session.execute(PrepaidBalance.__table__.insert(),
                                      {"account": account, "currency": currency, "balance": amount, "updated_at": now})
            return amount
        except IntegrityError:
            continue
    raise BillingError(f"account {account!r}: the balance row could not be created")  # pragma: no cover


async def _post(session: AsyncSession, *, account: str, currency: str, kind: str, amount: int, period: str, key: str,
                now: dt.datetime, ticket_id: int | None = None, source: dict | None = None) -> tuple[PrepaidEntry, bool]:
    """One balance movement, once per key: (entry, created). A replayed key moves nothing."""
    first = await _entry_by_key(session, key)
    if first is not None:
        return first, False
    try:
        async with session.begin_nested():   # a concurrent writer of the same key: undo our movement, read theirs
            after = await _move(session, account, currency, amount, now)
            entry = PrepaidEntry(account=account, currency=currency, kind=kind, amount=amount, balance_after=after,
                                 period=period, ticket_id=ticket_id, idempotency_key=key, source=source, created_at=now)
            session.add(entry)
            await session.flush()
    except IntegrityError:
        first = await _entry_by_key(session, key)
        if first is None:
            raise
        return first, False
    return entry, True


def _entry_json(e: PrepaidEntry) -> dict[str, Any]:
    key = e.idempotency_key
    out = {"id": e.id, "account": e.account, "kind": e.kind, "amount": format_minor(e.amount, e.currency),
           "currency": e.currency, "balance_after": format_minor(e.balance_after, e.currency), "period": e.period,
           "ticket": e.ticket_id, "created_at": e.created_at.isoformat(timespec="seconds") + "Z"}
    if key.startswith("topup:"):
        out["key"] = key[len("topup:"):]
    if e.source:
        out["source"] = e.source
    return out


async def top_up(session: AsyncSession, lcfg: LedgerConfig, *, account: str, amount: Any, key: Any,
                 now: dt.datetime) -> tuple[dict[str, Any], bool]:
    """Add money to a prepaid balance. Returns (entry, created): a replayed key returns the first
    entry; the same key for another account or amount is refused."""
    acct, terms = _prepaid(lcfg, account)
    minor = _amount(amount, terms.currency, "amount")
    key = _key(key)
    at = _utc_naive(now)
    entry, created = await _post(session, account=acct.code, currency=terms.currency, kind="topup", amount=minor,
                                 period=period_of(at, acct.timezone), key=f"topup:{key}", now=at)
    if not created and (entry.account, entry.amount, entry.currency) != (acct.code, minor, terms.currency):
        raise BillingError(f"key {key!r} was already used for a top-up of {format_minor(entry.amount, entry.currency)} "
                           f"{entry.currency} to {entry.account} (entry {entry.id}); use a new key for a new top-up")
    return _entry_json(entry), created


async def balance_of(session: AsyncSession, lcfg: LedgerConfig, account: str, *, last: int = 10) -> dict[str, Any]:
    acct, terms = _prepaid(lcfg, account)
    balance = await session.scalar(select(PrepaidBalance.balance).where(PrepaidBalance.account == acct.code)) or 0
    entries = (await session.execute(select(PrepaidEntry).where(PrepaidEntry.account == acct.code)
                                     .order_by(PrepaidEntry.id.desc()).limit(last))).scalars().all()
    c = terms.currency
    return {"account": acct.code, "currency": c, "balance": format_minor(int(balance), c),
            "low_balance": format_minor(terms.low_balance, c), "below_low_balance": int(balance) < terms.low_balance,
            "entries": [_entry_json(e) for e in reversed(entries)]}


# -- completion --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CompletionBilling:
    account: Account
    draw: dict[str, Any] | None = None          # the entry, when the account is prepaid
    crossed_low: bool = False                    # this draw took the balance below low_balance
    balance: int = 0
    currency: str = ""
    low_balance: int = 0
    credit: dict[str, Any] | None = None         # the SLA credit earned, if any


async def bill_completion(session: AsyncSession, lcfg: LedgerConfig, *, ticket_id: int, chatid: str | None,
                          breached: bool, rates: Rates) -> CompletionBilling | None:
    """A priced job's account side: the prepaid draw and the SLA credit. None: no account."""
    acct = lcfg.account_of_chat(chatid)
    if acct is None:
        return None
    charge = (await session.execute(select(TicketCharge).where(TicketCharge.ticket_id == ticket_id))).scalar_one()
    done = charge.completed_at
    day = done.replace(tzinfo=dt.timezone.utc).astimezone(zone(lcfg.timezone_of(charge.region))).date()
    out = CompletionBilling(acct)
    terms = lcfg.terms_of(acct.code)
    if isinstance(terms, PrepaidTerms):
        drawn, source = _converted(charge.total, charge.currency, terms.currency, day, rates,
                                   f"account {acct.code}: ticket #{ticket_id}")
        entry, _ = await _post(session, account=acct.code, currency=terms.currency, kind="draw", amount=-drawn,
                               period=charge.period, key=f"draw:{ticket_id}", now=utcnow(), ticket_id=ticket_id,
                               source=source)
        before = entry.balance_after + drawn
        out = CompletionBilling(acct, _entry_json(entry), before >= terms.low_balance > entry.balance_after,
                                entry.balance_after, terms.currency, terms.low_balance)
    if breached and acct.sla_credit is not None:
        amount = sla_credit(acct.sla_credit, charge.total, charge.currency, lcfg.rounding)
        if amount > 0:
            row = {"ticket_id": ticket_id, "account": acct.code, "period": charge.period, "currency": charge.currency,
                   "amount": amount, "job_total": charge.total, "policy": acct.sla_credit.to_json(),
                   "created_at": utcnow()}
            await session.execute(SlaCredit.__table__.insert(), row)
            out = replace(out, credit={"ticket": ticket_id, "amount": format_minor(amount, charge.currency),
                                       "currency": charge.currency, "period": charge.period})
    return out


# -- invoices at close ---------------------------------------------------------------------------------

@dataclass
class _Draft:
    currency: str
    lines: list[dict[str, Any]]


def _line(kind: str, label: str, amount: int, currency: str, **refs: Any) -> dict[str, Any]:
    return {"kind": kind, "label": label[:200], "amount": amount, "currency": currency, "ticket_id": None,
            "statement_id": None, "sla_credit_id": None, "entry_id": None, **refs}


def _was(source: dict | None) -> str:
    """A converted line says what it was and at which stored rate: " (60.00 CNY at 4.9750)"."""
    return f" ({source['amount']} {source['currency']} at {source['rate']['rate']})" if source else ""


async def _pending_credits(session: AsyncSession, account: str, period: str) -> Sequence[SlaCredit]:
    """Credits earned before `period` and on no invoice yet, oldest first."""
    invoiced = exists().where(InvoiceLine.sla_credit_id == SlaCredit.id)
    return (await session.execute(select(SlaCredit).where(SlaCredit.account == account, SlaCredit.period < period,
                                                          ~invoiced).order_by(SlaCredit.id))).scalars().all()


async def _plan_bill(session: AsyncSession, account: str, period: str) -> Statement | None:
    return (await session.execute(select(Statement).where(
        Statement.owner == account, Statement.owner_kind == "account", Statement.kind == "plan",
        Statement.period == period))).scalar_one_or_none()


async def _credit_lines(session: AsyncSession, acct: Account, period: str) -> dict[str, list[dict[str, Any]]]:
    by_cur: dict[str, list[dict[str, Any]]] = {}
    jobs = (await session.execute(
        select(TicketCharge.ticket_id, TicketCharge.template, TicketCharge.currency, TicketCharge.total)
        .join(Ticket, Ticket.id == TicketCharge.ticket_id)
        .where(TicketCharge.period == period, Ticket.chatid.in_(acct.groups or [""]))
        .order_by(TicketCharge.ticket_id))).all()
    for tid, template, cur, total in jobs:
        by_cur.setdefault(cur, []).append(_line("job", f"#{tid} {template}", int(total), cur, ticket_id=tid))
    plan = await _plan_bill(session, acct.code, period)
    if plan is not None and plan.amount:
        by_cur.setdefault(plan.currency, []).append(
            _line("plan", f"plan {acct.plan.code}", int(plan.amount), plan.currency, statement_id=plan.id))
    for credit in await _pending_credits(session, acct.code, period):
        by_cur.setdefault(credit.currency, []).append(
            _line("sla_credit", f"SLA credit #{credit.ticket_id} ({credit.period})", -int(credit.amount),
                  credit.currency, sla_credit_id=credit.id, ticket_id=credit.ticket_id))
    return by_cur


async def _prepaid_lines(session: AsyncSession, lcfg: LedgerConfig, acct: Account, terms: PrepaidTerms, period: str,
                         at: dt.datetime, rates: Rates) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The month's draws, and the close's own movements of the balance: the plan fee, SLA credits, the rebate."""
    cur, day = terms.currency, period_last_day(period)
    draws = (await session.execute(
        select(PrepaidEntry, TicketCharge.template).outerjoin(TicketCharge, TicketCharge.ticket_id == PrepaidEntry.ticket_id)
        .where(PrepaidEntry.account == acct.code, PrepaidEntry.period == period, PrepaidEntry.kind == "draw")
        .order_by(PrepaidEntry.id))).all()
    lines = [_line("draw", f"#{e.ticket_id} {template or ''}".strip() + _was(e.source), -e.amount, cur,
                   ticket_id=e.ticket_id, entry_id=e.id) for e, template in draws]
    volume = sum(-e.amount for e, _ in draws)

    async def post(kind: str, amount: int, key: str, source: dict | None = None, ticket_id: int | None = None) -> PrepaidEntry:
        entry, _ = await _post(session, account=acct.code, currency=cur, kind=kind, amount=amount, period=period,
                               key=key, now=at, source=source, ticket_id=ticket_id)
        return entry

    plan = await _plan_bill(session, acct.code, period)
    if plan is not None and plan.amount:
        fee, source = _converted(int(plan.amount), plan.currency, cur, day, rates, f"account {acct.code}: plan {acct.plan.code}")
        e = await post("plan", -fee, f"plan:{acct.code}:{period}", source=source)
        lines.append(_line("plan", f"plan {acct.plan.code}" + _was(source), fee, cur, statement_id=plan.id,
                           entry_id=e.id))
    for credit in await _pending_credits(session, acct.code, period):
        back, source = _converted(int(credit.amount), credit.currency, cur, day, rates,
                                  f"account {acct.code}: SLA credit #{credit.ticket_id}")
        e = await post("sla_credit", back, f"sla_credit:{credit.id}", source=source, ticket_id=credit.ticket_id)
        lines.append(_line("sla_credit", f"SLA credit #{credit.ticket_id} ({credit.period})" + _was(source), -back, cur,
                           sla_credit_id=credit.id, ticket_id=credit.ticket_id, entry_id=e.id))
    tier, amount = rebate(volume, terms, lcfg.rounding)
    if tier is not None and amount:
        e = await post("rebate", amount, f"rebate:{acct.code}:{period}")
        lines.append(_line("rebate", f"rebate {(tier.rate * 100).normalize():f} % of {format_minor(volume, cur)}", -amount, cur,
                           entry_id=e.id))
    detail = {"drawn": format_minor(volume, cur),
              "rebate_tier": {"from": format_minor(tier.threshold, cur), "rate": str(tier.rate)} if tier else None}
    return lines, detail


async def _open_amounts(session: AsyncSession, ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """invoice id -> (paid, credited)."""
    if not ids:
        return {}
    out = {i: (0, 0) for i in ids}
    for model, slot in ((InvoicePayment, 0), (CreditNote, 1)):
        for iid, total in (await session.execute(select(model.invoice_id, func.sum(model.amount))
                                                 .where(model.invoice_id.in_(ids)).group_by(model.invoice_id))).all():
            pair = list(out[iid])
            pair[slot] = int(total)
            out[iid] = (pair[0], pair[1])
    return out


def _open(inv: Invoice, paid: int, credited: int) -> int:
    return max(0, inv.amount_due - paid - credited)


async def write_invoices(session: AsyncSession, lcfg: LedgerConfig, period: str, at: dt.datetime,
                         rates: Rates) -> list[dict[str, Any]]:
    """The month's invoices, one per account with terms and currency (see the module doc)."""
    issued = period_last_day(period)
    for acct in lcfg.accounts.values():
        terms = lcfg.terms_of(acct.code)
        if terms is None:
            continue
        drafts: list[_Draft] = []
        detail: dict[str, Any] | None = None
        if isinstance(terms, CreditTerms):
            drafts = [_Draft(c, ls) for c, ls in sorted((await _credit_lines(session, acct, period)).items())]
        else:
            lines, detail = await _prepaid_lines(session, lcfg, acct, terms, period, at, rates)
            drafts = [_Draft(terms.currency, lines)] if lines else []
        for d in drafts:
            amount = sum(ln["amount"] for ln in d.lines)
            due = amount
            if isinstance(terms, PrepaidTerms):
                # Owed only what the balance did not cover, less what earlier statements already ask for.
                balance = int(await session.scalar(select(PrepaidBalance.balance)
                                                   .where(PrepaidBalance.account == acct.code)) or 0)
                earlier = (await session.execute(select(Invoice).where(
                    Invoice.account == acct.code, Invoice.currency == d.currency, Invoice.period < period))).scalars().all()
                opens = await _open_amounts(session, [i.id for i in earlier])
                owed = sum(_open(i, *opens[i.id]) for i in earlier)
                due = max(0, -balance - owed)
                detail = {**(detail or {}), "balance": format_minor(balance, d.currency)}
            inv = Invoice(account=acct.code, period=period, currency=d.currency, kind=terms.kind, issued_on=issued,
                          due_on=due_date(issued, terms), amount=amount, amount_due=due, terms=terms.to_json(),
                          detail=detail, created_at=at)
            session.add(inv)
            await session.flush()
            await session.execute(InvoiceLine.__table__.insert(), [
                {**ln, "invoice_id": inv.id, "position": i} for i, ln in enumerate(d.lines)])
    return await invoices_of(session, period)


# -- reading ---------------------------------------------------------------------------------------------

async def _as_json(session: AsyncSession, invoices: Sequence[Invoice]) -> list[dict[str, Any]]:
    ids = [i.id for i in invoices]
    opens = await _open_amounts(session, ids)
    lines: dict[int, list[InvoiceLine]] = {i: [] for i in ids}
    if ids:
        for ln in (await session.execute(select(InvoiceLine).where(InvoiceLine.invoice_id.in_(ids))
                                         .order_by(InvoiceLine.invoice_id, InvoiceLine.position))).scalars():
            lines[ln.invoice_id].append(ln)
    return [invoice_json(i, lines[i.id], *opens[i.id]) for i in invoices]


def invoice_json(inv: Invoice, lines: Sequence[InvoiceLine], paid: int = 0, credited: int = 0) -> dict[str, Any]:
    c = inv.currency
    left = _open(inv, paid, credited)
    out = {"id": inv.id, "account": inv.account, "period": inv.period, "currency": c, "kind": inv.kind,
           "issued_on": inv.issued_on.isoformat(), "due_on": inv.due_on.isoformat(),
           "amount": format_minor(inv.amount, c), "amount_due": format_minor(inv.amount_due, c),
           "paid": format_minor(paid, c), "credited": format_minor(credited, c), "open": format_minor(left, c),
           "status": "open" if left > 0 else ("paid" if inv.amount_due > 0 else "nothing_due"),
           "lines": [{"kind": ln.kind, "label": ln.label, "amount": format_minor(ln.amount, c),
                      **({"ticket": ln.ticket_id} if ln.ticket_id else {})} for ln in lines]}
    if inv.detail:
        out["detail"] = inv.detail
    return out


async def invoices_of(session: AsyncSession, period: str) -> list[dict[str, Any]]:
    rows = (await session.execute(select(Invoice).where(Invoice.period == period)
                                  .order_by(Invoice.account, Invoice.currency))).scalars().all()
    return await _as_json(session, rows)


async def _invoice(session: AsyncSession, invoice_id: Any, *, lock: bool = False) -> Invoice:
    if isinstance(invoice_id, bool) or not isinstance(invoice_id, int):
        raise BillingError(f"an invoice is a number, not {invoice_id!r}")
    q = select(Invoice).where(Invoice.id == invoice_id)
    inv = (await session.execute(q.with_for_update() if lock else q)).scalar_one_or_none()
    if inv is None:
        raise BillingError(f"no invoice {invoice_id} (invoices are written when a month is closed: settle close)")
    return inv


async def invoice(session: AsyncSession, invoice_id: int) -> dict[str, Any]:
    return (await _as_json(session, [await _invoice(session, invoice_id)]))[0]


# -- payments and credit notes ---------------------------------------------------------------------------

async def record_payment(session: AsyncSession, lcfg: LedgerConfig, *, invoice_id: int, amount: Any, key: Any,
                         now: dt.datetime) -> tuple[dict[str, Any], bool]:
    """Money received against an invoice, once per key: ({payment, invoice}, created). A prepaid
    statement's payment also puts the money back on the balance."""
    key = _key(key)
    inv = await _invoice(session, invoice_id, lock=True)   # one payer at a time decides "more than is open"
    minor = _amount(amount, inv.currency, "amount")
    first = (await session.execute(select(InvoicePayment).where(InvoicePayment.idempotency_key == key))).scalar_one_or_none()
    if first is not None:
        if (first.invoice_id, first.amount) != (inv.id, minor):
            raise BillingError(f"key {key!r} was already used for a payment of {format_minor(first.amount, first.currency)} "
                               f"{first.currency} on invoice {first.invoice_id}; use a new key for a new payment")
        return {"payment": _payment_json(first), "invoice": await invoice(session, inv.id)}, False
    paid, credited = (await _open_amounts(session, [inv.id]))[inv.id]
    left = _open(inv, paid, credited)
    if minor > left:
        raise BillingError(f"invoice {inv.id} has {format_minor(left, inv.currency)} {inv.currency} open; "
                           f"a payment of {format_minor(minor, inv.currency)} is more than that")
    at = _utc_naive(now)
    pay = InvoicePayment(invoice_id=inv.id, amount=minor, currency=inv.currency, idempotency_key=key, paid_at=at)
    session.add(pay)
    await session.flush()
    if inv.kind == "prepaid":
        acct = _account(lcfg, inv.account)
        await _post(session, account=inv.account, currency=inv.currency, kind="payment", amount=minor,
                    period=period_of(at, acct.timezone), key=f"payment:{pay.id}", now=at)
    return {"payment": _payment_json(pay), "invoice": await invoice(session, inv.id)}, True


def _payment_json(p: InvoicePayment) -> dict[str, Any]:
    return {"id": p.id, "invoice": p.invoice_id, "amount": format_minor(p.amount, p.currency), "currency": p.currency,
            "key": p.idempotency_key, "paid_at": p.paid_at.isoformat(timespec="seconds") + "Z"}


async def credit_note(session: AsyncSession, lcfg: LedgerConfig, *, invoice_id: int, amount: Any, reason: Any,
                      now: dt.datetime) -> dict[str, Any]:
    """A correction of an issued invoice, which itself never changes: the note takes `amount` off
    its open amount. On a prepaid statement, what exceeds the open amount goes back on the balance.
    Notes on one invoice never add up to more than it billed."""
    if not isinstance(reason, str) or not reason.strip():
        raise BillingError("a credit note needs a reason (--reason), e.g. \"job #12 re-priced\"")
    inv = await _invoice(session, invoice_id, lock=True)
    minor = _amount(amount, inv.currency, "amount")
    paid, credited = (await _open_amounts(session, [inv.id]))[inv.id]
    if credited + minor > inv.amount:
        raise BillingError(f"invoice {inv.id} billed {format_minor(inv.amount, inv.currency)} {inv.currency} and "
                           f"{format_minor(credited, inv.currency)} is already credited; at most "
                           f"{format_minor(max(0, inv.amount - credited), inv.currency)} more can be")
    at = _utc_naive(now)
    note = CreditNote(invoice_id=inv.id, amount=minor, currency=inv.currency, reason=reason.strip()[:2000], created_at=at)
    session.add(note)
    await session.flush()
    refunded = minor - min(minor, _open(inv, paid, credited))
    if inv.kind == "prepaid" and refunded:
        acct = _account(lcfg, inv.account)
        await _post(session, account=inv.account, currency=inv.currency, kind="credit_note", amount=refunded,
                    period=period_of(at, acct.timezone), key=f"credit_note:{note.id}", now=at)
    return {"credit_note": {"id": note.id, "invoice": inv.id, "amount": format_minor(minor, inv.currency),
                            "currency": inv.currency, "reason": note.reason,
                            "to_balance": format_minor(refunded if inv.kind == "prepaid" else 0, inv.currency),
                            "created_at": at.isoformat(timespec="seconds") + "Z"},
            "invoice": await invoice(session, inv.id)}


# -- aging ---------------------------------------------------------------------------------------------

async def aging_report(session: AsyncSession, *, today: dt.date) -> dict[str, Any]:
    """Open invoices by days overdue on `today`, per currency (settlement.terms.aging)."""
    invoices = (await session.execute(select(Invoice).where(Invoice.amount_due > 0)
                                      .order_by(Invoice.due_on, Invoice.id))).scalars().all()
    opens = await _open_amounts(session, [i.id for i in invoices])
    aged = aging([Receivable(i, i.currency, i.due_on, _open(i, *opens[i.id])) for i in invoices], today)
    buckets: dict[str, list[dict[str, Any]]] = {}
    for a in aged.rows:
        i: Invoice = a.receivable.ref
        buckets.setdefault(a.bucket, []).append({
            "invoice": i.id, "account": i.account, "period": i.period, "currency": i.currency,
            "due_on": i.due_on.isoformat(), "days_overdue": a.days_overdue,
            "open": format_minor(a.receivable.open_amount, i.currency)})
    return {"today": today.isoformat(),
            "totals": {c: {b: format_minor(v, c) for b, v in t.items()} for c, t in aged.totals.items()},
            "buckets": buckets}
