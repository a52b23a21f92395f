"""The settlement ledger: what a completed job costs, who gets what, and month-end statements.

Every function writes in the CALLER's transaction and never commits: completion is priced and
split in the same transaction that completes the job, so a job is never completed unpriced.

Periods. A line's month (`YYYY-MM`) is computed in its region's time zone. Each month has a row in
`settlement_periods`; writers take a KEY SHARE lock on it, `close_period` takes FOR UPDATE. So a
close waits for completions already writing into the month, and completions that come after the
close see it closed and book into the next open month instead (audit: `period_moved_from`). On
SQLite the single writer gives the same order.

Corrections never touch stored lines: `add_correction` re-splits the ticket's corrected pre-tax
amount with the rule stored on the ticket and writes the per-party difference as delta lines in
the open month. Fixed internal prices therefore stay paid once per job; a full refund (to 0)
reverses every share exactly.

Reporting currency. Each line is converted once, when written, at the rate stored on the ticket
(`audit.reporting_fx`); summaries add the stored amounts and never re-convert. A line without a
configured rate keeps `reporting_amount` NULL and is reported as unconverted, never guessed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Iterable, Mapping, Sequence

from sqlalchemy import BigInteger, and_, case, cast, func, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from settlement import (CurrencyMismatchError, FxRate, Money, Quote, SettlementConfig, SettlementError, Share,
                        SplitRule, bill_plan, convert, format_minor, labels, quote_ticket, split_amount, to_decimal)
from settlement.branches import BranchWork, branch_split
from settlement.ledger_config import LedgerConfig
from settlement.periods import has_ended, last_end_utc, next_month, parse_month, period_of
from settlement.split import rule_list_prices
from storage import branches as branch_store
from storage.ledger_models import (INSERT_CHARGE, INSERT_CHARGE_LINE, INSERT_LEDGER_LINE, LedgerError, LedgerLine,
                                   SettledLineError, SettlementPeriod, Statement, TicketCharge, UsageRecord)
from storage.models import Ticket, utcnow

__all__ = [
    "AlreadyPriced", "CloseResult", "LedgerError", "PeriodClosed", "PeriodNotEnded", "SettledLineError",
    "UsageConflict", "add_correction", "close_period", "quote_markdown", "record_branches", "record_completion",
    "record_travel", "record_usage", "statements_of", "summary",
]

ENGINEER = "engineer"
TRAVEL = "travel"   # summaries show travel allowances as their own share, beside the engineer's
BY = ("party", "person", "region", "template")


class AlreadyPriced(LedgerError):
    pass


class PeriodNotEnded(LedgerError):
    pass


class PeriodClosed(LedgerError):
    pass


class UsageConflict(LedgerError):
    pass


# -- small helpers -------------------------------------------------------------------------------

def _ledger(scfg: SettlementConfig) -> LedgerConfig:
    if isinstance(scfg, LedgerConfig):
        return scfg
    # A plain SettlementConfig has no time zones, and a month computed in the wrong zone is a
    # silent error on every line near midnight: refuse rather than guess.
    raise TypeError("the ledger needs a settlement.ledger_config.LedgerConfig (a SettlementConfig plus the "
                    "regions' time zones): build it with LedgerConfig.from_mapping(whole_config)")


def _naive_utc(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo is None else at.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _local_date(at: dt.datetime, tz: str) -> dt.date:
    from settlement.periods import zone

    return at.replace(tzinfo=dt.timezone.utc).astimezone(zone(tz)).date()


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def _insert_ignore(session: AsyncSession, table: Any, values: dict[str, Any]) -> Any:
    if _dialect(session) == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).values(**values).on_conflict_do_nothing()


def _sum(expr: Any) -> Any:
    # PostgreSQL's SUM(bigint) is numeric (a Decimal in Python): cast back to an exact integer.
    return cast(func.coalesce(func.sum(expr), 0), BigInteger)


def rate_on(lcfg: LedgerConfig, frm: str, to: str, day: dt.date) -> FxRate | None:
    """The stored rate in force on `day`, else the latest configured one (a rate list that starts
    after the job is still the best evidence we have; the rate's own date is stored with it)."""
    for on in (day, None):
        try:
            return lcfg.fx_rate(frm, to, on)
        except SettlementError:
            continue
    return None


def _rate_from_json(data: Mapping[str, Any] | None, rounding: str) -> FxRate | None:
    if not data:
        return None
    date = dt.date.fromisoformat(data["date"]) if data.get("date") else None
    return FxRate(data["from"], data["to"], to_decimal(data["rate"], "rate"), date, data.get("source") or "", rounding)


def _converted(amount: int, currency: str, rate: FxRate | None) -> int | None:
    return convert(Money(amount, currency), rate).amount if rate is not None else None


def _rule_json(rule: SplitRule) -> dict[str, Any]:
    """The whole rule as the split used it, so a correction or a rating that arrives later
    re-splits by the same rule even after config changed."""
    return {"rule": rule.name, "shares": [
        {"party": s.party, "weight": str(s.weight),
         **({"fixed": {c: v for c, v in s.fixed.items()}} if s.fixed else {}),
         **({"price_list": s.price_list} if s.price_list else {}),
         **({"per_hour": str(s.per_hour)} if s.per_hour else {}),
         **({"rating": {str(n): str(f) for n, f in s.rating.items()}} if s.rating else {})}
        for s in rule.shares]}


def _rule_from_json(data: Mapping[str, Any]) -> SplitRule:
    return SplitRule(data["rule"], tuple(
        Share(s["party"], to_decimal(s["weight"], "weight"),
              MappingProxyType({c: int(v) for c, v in (s.get("fixed") or {}).items()}),
              price_list=s.get("price_list"), per_hour=to_decimal(s.get("per_hour") or "0", "per_hour"),
              rating=MappingProxyType({int(n): to_decimal(f, "rating factor") for n, f in (s.get("rating") or {}).items()}))
        for s in data["shares"]))


def _split_inputs(audit: Mapping[str, Any]) -> dict[str, Any]:
    """What a stored split was computed from besides the amount: hours and the list prices paid."""
    split = audit.get("split") or {}
    hours = split.get("hours", audit.get("hours"))
    return {"hours": to_decimal(hours, "hours") if hours is not None else None,
            "list_prices": {p: int(v) for p, v in (split.get("list_prices") or {}).items()} or None}


async def _lock_period(session: AsyncSession, period: str, *, exclusive: bool = False) -> dt.datetime | None:
    """The month's closed_at, with its row locked until the caller's transaction ends: KEY SHARE
    for writers (they do not block each other), FOR UPDATE for the closer (it waits for them)."""
    await session.execute(_insert_ignore(session, SettlementPeriod.__table__,
                                         {"period": period, "closed_at": None, "statement_count": 0}))
    query = select(SettlementPeriod.closed_at).where(SettlementPeriod.period == period)
    query = query.with_for_update() if exclusive else query.with_for_update(read=True, key_share=True)
    return (await session.execute(query)).scalar_one()


async def _bookable_period(session: AsyncSession, period: str) -> str:
    """The month to book into: `period`, or the first open month after it when it is closed."""
    for _ in range(240):  # twenty years of closed months would be a broken clock, not a ledger
        if await _lock_period(session, period) is None:
            return period
        period = next_month(period)
    raise LedgerError(f"no open period found after {period}")


# -- completion ----------------------------------------------------------------------------------

def _quote(lcfg: LedgerConfig, day: dt.date, **kw: Any) -> Quote:
    try:
        return quote_ticket(lcfg, on=day, **kw)
    except SettlementError:
        # Maybe only "no fx rate on or before <day>": price at the latest stored rate (see _rate).
        return quote_ticket(lcfg, **kw)


async def record_completion(session: AsyncSession, scfg: SettlementConfig, *, ticket_id: int, template: str,
                            region: str, engineer: str | None, hours: Any, parts: Iterable[Any],
                            surcharges: Iterable[str], language: str | None, completed_at: dt.datetime) -> Quote:
    """Price the job, split its pre-tax subtotal, store charge + lines + ledger lines. No commit.

    Raises SettlementError (bad facts or config, e.g. an internal price above the subtotal) and
    AlreadyPriced; the caller's transaction then rolls back and the job is not completed.
    """
    lcfg = _ledger(scfg)
    done = _naive_utc(completed_at)
    tz = lcfg.timezone_of(region)
    day = _local_date(done, tz)
    parts = list(parts)
    q = _quote(lcfg, day, template=template, region=region, hours=hours, parts=parts,
               surcharges=list(surcharges), language=language)
    if await session.scalar(select(TicketCharge.id).where(TicketCharge.ticket_id == ticket_id)) is not None:
        raise AlreadyPriced(f"ticket #{ticket_id} is already priced; a change is a correction (add_correction)")
    rule = lcfg.split_rule(q.template)
    # Parties paid from an internal price list get its price for this job first; shares weighted
    # by hours use the job's hours. No rating yet: a rating re-splits later (add_correction).
    list_prices = rule_list_prices(lcfg, rule, region=q.region, template=q.template, hours=q.hours or 0,
                                   parts=parts) if any(s.price_list for s in rule.shares) else None
    shares = split_amount(q.subtotal, q.currency, rule, hours=q.hours, list_prices=list_prices)
    price_list = {s.party: s.price_list for s in rule.shares}
    asked = period_of(done, tz)
    period = await _bookable_period(session, asked)
    rep_cur = lcfg.reporting_currency
    rate = rate_on(lcfg, q.currency, rep_cur, day)
    audit = {**q.to_json(audit=True),
             "split": {**_rule_json(rule), "hours": None if q.hours is None else str(q.hours),
                       **({"list_prices": list_prices} if list_prices else {})},
             "reporting_fx": rate.to_json() if rate else None,
             "period_moved_from": asked if period != asked else None}
    now = utcnow()
    rep_sub, rep_tax = _converted(q.subtotal, q.currency, rate), _converted(q.tax, q.currency, rate)
    await session.execute(INSERT_CHARGE, {
        "ticket_id": ticket_id, "template": q.template, "region": q.region, "currency": q.currency,
        "subtotal": q.subtotal, "tax": q.tax, "total": q.total, "reporting_currency": rep_cur,
        "reporting_subtotal": rep_sub, "reporting_tax": rep_tax,
        "reporting_total": None if rate is None else rep_sub + rep_tax,  # type: ignore[operator]
        "engineer": engineer, "period": period, "completed_at": done, "priced_at": now, "audit": audit})
    await session.execute(INSERT_CHARGE_LINE, [
        {"ticket_id": ticket_id, "position": i, "code": ln.code, "label": ln.label[:200], "amount": ln.amount,
         "currency": q.currency} for i, ln in enumerate(q.lines)])
    lines = [_line(ticket_id=ticket_id, party=party, person=engineer if party == ENGINEER else None, amount=amount,
                   currency=q.currency, rate=rate, rep_cur=rep_cur, period=period, region=q.region,
                   template=q.template, kind="split", booked_at=done, now=now, price_list=price_list.get(party))
             for party, amount in shares.items() if amount]
    if lines:
        await session.execute(INSERT_LEDGER_LINE, lines)
    return q


def _line(*, ticket_id: int | None, party: str, person: str | None, amount: int, currency: str,
          rate: FxRate | None, rep_cur: str, period: str, region: str, template: str | None, kind: str,
          booked_at: dt.datetime, now: dt.datetime, corrects: int | None = None, reason: str = "",
          price_list: str | None = None) -> dict[str, Any]:
    return {"ticket_id": ticket_id, "party": party, "person": person, "amount": amount, "currency": currency,
            "reporting_currency": rep_cur, "reporting_amount": _converted(amount, currency, rate),
            "period": period, "region": region, "template": template, "kind": kind, "corrects_line_id": corrects,
            "reason": reason, "settled": False, "statement_id": None, "booked_at": booked_at, "created_at": now,
            "price_list": price_list}


def quote_markdown(quote: Quote, lang: str | None) -> str:
    """The customer's line-by-line breakdown, in the region's currency (labels in `lang`)."""
    cur = quote.currency
    # Not a colon: part labels already hold one (配件：压缩机, Parts: compressor).
    sep = "\u3000" if (lang or "zh") == "zh" else " — "
    rows = [f"> {ln.label}{sep}{format_minor(ln.amount, cur)}" for ln in quote.lines if ln.code != "tax"]
    rows.append(f"> {labels.label('subtotal', lang)}{sep}{format_minor(quote.subtotal, cur)}")
    tax = next((ln for ln in quote.lines if ln.code == "tax"), None)
    rows.append(f"> {tax.label if tax else labels.label('tax', lang)}{sep}{format_minor(quote.tax, cur)}")
    rows.append(f"**{labels.label('total', lang)}{sep}{format_minor(quote.total, cur)} {cur}**")
    return "\n".join(rows)


# -- corrections ---------------------------------------------------------------------------------

async def add_correction(session: AsyncSession, scfg: SettlementConfig, *, ticket_id: int, delta: Money,
                         reason: str, now: dt.datetime, rating: int | None = None) -> list[dict[str, Any]]:
    """Change a priced ticket's pre-tax amount by `delta` (negative: refund) with delta lines in the
    open month. Returns the lines written (possibly none, when no party's share moves).

    The amount is re-split by the rule, hours and list prices stored at completion, with the
    ticket's rating (`rating`, else the stored one) for a rule weighted by it: so
    `delta=Money(0, currency)` with a new rating moves exactly what the rating moves. Travel
    lines are not part of the split and never move. A joint job's branch lines move with it."""
    lcfg = _ledger(scfg)
    if not isinstance(delta, Money):
        raise TypeError("delta must be Money (integer minor units and a currency)")
    charge = (await session.execute(select(TicketCharge).where(TicketCharge.ticket_id == ticket_id))).scalar_one_or_none()
    if charge is None:
        raise LedgerError(f"ticket #{ticket_id} has no priced charge to correct")
    if delta.currency != charge.currency:
        raise CurrencyMismatchError(f"ticket #{ticket_id} is priced in {charge.currency}, the correction is {delta.currency}")
    rows = (await session.execute(
        select(LedgerLine.party, _sum(LedgerLine.amount),
               func.min(case((LedgerLine.kind == "split", LedgerLine.id))))
        .where(LedgerLine.ticket_id == ticket_id, LedgerLine.kind.in_(SPLIT_KINDS))
        .group_by(LedgerLine.party))).all()
    current = {party: int(total) for party, total, _ in rows}
    originals = {party: first for party, _, first in rows}
    new_total = sum(current.values()) + delta.amount
    if new_total < 0:
        raise LedgerError(f"ticket #{ticket_id}: a correction of {delta} would take it below zero")
    rule = _rule_from_json(charge.audit["split"])
    if rating is None:
        rating = await session.scalar(select(Ticket.rating).where(Ticket.id == ticket_id))
    target = split_amount(new_total, charge.currency, rule, rating=rating,
                          **_split_inputs(charge.audit)) if new_total else {}
    price_list = {s.party: s.price_list for s in rule.shares}
    at = _naive_utc(now)
    period = await _bookable_period(session, period_of(at, lcfg.timezone_of(charge.region)))
    rate = _rate_from_json(charge.audit.get("reporting_fx"), lcfg.rounding)
    lines = []
    for party in dict.fromkeys([*target, *current]):
        moved = target.get(party, 0) - current.get(party, 0)
        if moved:
            lines.append(_line(ticket_id=ticket_id, party=party, person=charge.engineer if party == ENGINEER else None,
                               amount=moved, currency=charge.currency, rate=rate, rep_cur=charge.reporting_currency,
                               period=period, region=charge.region, template=charge.template, kind="correction",
                               booked_at=at, now=utcnow(), corrects=originals.get(party), reason=reason,
                               price_list=price_list.get(party)))
    if lines:
        await session.execute(INSERT_LEDGER_LINE, lines)
    if delta.amount:
        await _correct_branches(session, lcfg, charge, new_total, period=period, at=at, reason=reason)
    return lines


# -- joint jobs: travel and branches ---------------------------------------------------------------

SPLIT_KINDS = ("split", "correction")   # the lines that are a share of the job's amount (not travel)


async def _charge(session: AsyncSession, ticket_id: int) -> TicketCharge:
    charge = (await session.execute(select(TicketCharge).where(TicketCharge.ticket_id == ticket_id))).scalar_one_or_none()
    if charge is None:
        raise LedgerError(f"ticket #{ticket_id} is not priced yet")
    return charge


async def record_travel(session: AsyncSession, scfg: SettlementConfig, *, ticket_id: int, engineer: str | None,
                        allowance: Any, home: str) -> dict[str, Any]:
    """The engineer's travel allowance (settlement.travel.Allowance, in the job's currency) as a
    `travel` line beside their split share: same month, region and stored rate as the job. No commit."""
    lcfg = _ledger(scfg)
    charge = await _charge(session, ticket_id)
    if allowance.currency != charge.currency:
        raise CurrencyMismatchError(f"ticket #{ticket_id} is priced in {charge.currency}, "
                                    f"its travel allowance is {allowance.currency}")
    per = f"{allowance.days} day(s)" if allowance.per == "day" else "one trip"
    line = _line(ticket_id=ticket_id, party=ENGINEER, person=engineer, amount=allowance.amount,
                 currency=charge.currency, rate=_rate_from_json(charge.audit.get("reporting_fx"), lcfg.rounding),
                 rep_cur=charge.reporting_currency, period=charge.period, region=charge.region,
                 template=charge.template, kind="travel", booked_at=charge.completed_at, now=utcnow(),
                 reason=f"travel allowance {home} -> {charge.region} ({allowance.rule}): {per}")
    await session.execute(INSERT_LEDGER_LINE, [line])
    return line


async def record_branches(session: AsyncSession, scfg: SettlementConfig, *, ticket_id: int,
                          branches: tuple[str, str], work: Sequence[Any], remainder: Mapping[str, Decimal] | None,
                          squad: str | None = None) -> list[Any]:
    """Split a priced joint job's subtotal between its two branches (store's first) and store one
    branch line each. Each work item and each share is converted at the stored rate of the
    job's day (no rate: a SettlementError naming the pair, and the completion rolls back)."""
    lcfg = _ledger(scfg)
    charge = await _charge(session, ticket_id)
    day = _local_date(charge.completed_at, lcfg.timezone_of(charge.region))

    def rate(frm: str, to: str) -> FxRate:
        found = rate_on(lcfg, frm, to, day)
        if found is None:
            raise SettlementError(f"fx_rates: no {frm}->{to} rate to split ticket #{ticket_id} between branches "
                                  f"{' and '.join(branches)}")
        return found

    shares = branch_split(charge.subtotal, charge.currency, branches=branches, work=work, remainder=remainder,
                          rate=rate, currencies={b: lcfg.region(b).currency for b in branches})
    rep = _rate_from_json(charge.audit.get("reporting_fx"), lcfg.rounding)
    now = utcnow()
    await branch_store.write(session, [branch_store.row(
        ticket_id=ticket_id, branch=sh.branch, region=charge.region, kind="split",
        basis={"work": [{"basis": w.basis, "amount": w.amount, "currency": w.currency, "price_list": w.price_list,
                         "job_amount": c} for w, c in zip(sh.work, sh.costs)],
               "cost_rate": sh.cost_rate.to_json() if sh.cost_rate is not None else None, "squad": squad,
               "weight": str(remainder[sh.branch]) if remainder and sh.branch in remainder else None},
        cost=sh.cost, remainder=sh.remainder, amount=sh.amount, currency=sh.currency,
        branch_amount=sh.branch_amount, branch_currency=sh.branch_currency,
        rate=sh.rate.to_json() if sh.rate is not None else None, reporting_currency=charge.reporting_currency,
        reporting_amount=_converted(sh.amount, sh.currency, rep), period=charge.period,
        booked_at=charge.completed_at, now=now) for sh in shares])
    return shares


async def _correct_branches(session: AsyncSession, lcfg: LedgerConfig, charge: TicketCharge, new_total: int, *,
                            period: str, at: dt.datetime, reason: str) -> None:
    """A corrected joint job's branch shares: the same work at the same stored rates and the same
    weights over the new amount (a full refund reverses every share), as per-branch delta rows."""
    rows = await branch_store.of_ticket(session, charge.ticket_id)
    if not rows:
        return
    split = {r.branch: r for r in rows if r.kind == "split"}
    order = tuple(split)
    fields = ("cost", "remainder", "amount", "branch_amount")
    held = {b: [sum(getattr(r, f) for r in rows if r.branch == b) for f in fields] for b in order}
    target = {b: [0, 0, 0, 0] for b in order}
    if new_total:
        stored = [_rate_from_json(x, lcfg.rounding) for r in split.values() for x in (r.rate, r.basis.get("cost_rate"))]
        rates = {(x.from_currency, x.to_currency): x for x in stored if x is not None}

        def rate(frm: str, to: str) -> FxRate:
            if (frm, to) not in rates:
                raise SettlementError(f"ticket #{charge.ticket_id}: no stored {frm}->{to} rate to re-split its branches")
            return rates[frm, to]

        weights = {b: Decimal(r.basis["weight"]) for b, r in split.items() if r.basis.get("weight") is not None}
        work = [BranchWork(b, w["basis"], int(w["amount"]), w["currency"], w.get("price_list"))
                for b, r in split.items() for w in r.basis.get("work") or []]
        for sh in branch_split(new_total, charge.currency, branches=(order[0], order[1]), work=work, rate=rate,
                               remainder=weights if len(weights) == len(order) else None,
                               currencies={b: r.branch_currency for b, r in split.items()}):
            target[sh.branch] = [sh.cost, sh.remainder, sh.amount, sh.branch_amount]
    rep = _rate_from_json(charge.audit.get("reporting_fx"), lcfg.rounding)
    now = utcnow()
    await branch_store.write(session, [branch_store.row(
        ticket_id=charge.ticket_id, branch=b, region=charge.region, kind="correction", basis={"reason": reason},
        cost=moved[0], remainder=moved[1], amount=moved[2], currency=charge.currency, branch_amount=moved[3],
        branch_currency=split[b].branch_currency, rate=split[b].rate, reporting_currency=charge.reporting_currency,
        reporting_amount=_converted(moved[2], charge.currency, rep), period=period, booked_at=at, now=now)
        for b in order for moved in [[t - h for t, h in zip(target[b], held[b])]] if any(moved)])


# -- usage ---------------------------------------------------------------------------------------

def usage_quantity(value: Any) -> str:
    """Exact decimal text (≥ 0) from a string or an int; floats and anything else are refused."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise LedgerError('quantity must be a decimal string such as "12.5" or an integer')
    try:
        q = to_decimal(value, "quantity")
    except (SettlementError, TypeError) as e:
        raise LedgerError(str(e)) from None
    if q < 0:
        raise LedgerError(f"quantity must not be negative ({value})")
    return str(value).strip()


async def record_usage(session: AsyncSession, scfg: SettlementConfig, *, account: str, item: str, quantity: Any,
                       now: dt.datetime, period: str | None = None, idempotency_key: str | None = None,
                       source: str = "api") -> tuple[dict[str, Any], bool]:
    """Record usage of a custom plan item. Returns (record, created); a replayed key returns the
    first record with created=False, a key reused for different usage raises UsageConflict."""
    lcfg = _ledger(scfg)
    try:
        acct = lcfg.account(account)
    except SettlementError as e:
        raise LedgerError(str(e)) from None
    if item not in acct.items():
        raise LedgerError(f"account {account!r} (plan {acct.plan.code}) has no usage item {item!r} "
                          f"(known: {', '.join(acct.items()) or 'none'})")
    qty = usage_quantity(quantity)
    if period is not None:
        try:
            parse_month(period)
        except SettlementError as e:
            raise LedgerError(str(e)) from None
    else:
        period = period_of(_naive_utc(now), acct.timezone)
    if idempotency_key is not None and (not isinstance(idempotency_key, str) or not 0 < len(idempotency_key) <= 128):
        raise LedgerError("idempotency_key must be a string of 1 to 128 characters")
    want = {"account": account, "item": item, "quantity": qty, "period": period}
    if idempotency_key:
        first = await _usage_by_key(session, idempotency_key)
        if first is not None:
            return _same_usage(first, want, idempotency_key), False
    if await _lock_period(session, period) is not None:
        raise PeriodClosed(f"period {period} is closed; record the usage in the open period")
    row = {**want, "source": source, "idempotency_key": idempotency_key, "recorded_at": _naive_utc(now)}
    try:
        async with session.begin_nested():  # a concurrent replay may win the key: keep our transaction usable
            new_id = (await session.execute(UsageRecord.__table__.insert().returning(UsageRecord.__table__.c.id),
                                            row)).scalar_one()
    except IntegrityError:
        first = await _usage_by_key(session, idempotency_key) if idempotency_key else None
        if first is None:
            raise
        return _same_usage(first, want, idempotency_key), False  # type: ignore[arg-type]
    return _usage_json({**row, "id": new_id}), True


async def _usage_by_key(session: AsyncSession, key: str) -> dict[str, Any] | None:
    row = (await session.execute(select(UsageRecord.__table__).where(UsageRecord.idempotency_key == key))).mappings().first()
    return dict(row) if row is not None else None


def _same_usage(first: dict[str, Any], want: dict[str, Any], key: str) -> dict[str, Any]:
    same = (first["account"], first["item"], first["period"]) == (want["account"], want["item"], want["period"]) \
        and Decimal(first["quantity"]) == Decimal(want["quantity"])
    if not same:
        raise UsageConflict(f"idempotency_key {key!r} was already used for different usage (record {first['id']})")
    return _usage_json(first)


def _usage_json(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "account": row["account"], "item": row["item"], "quantity": row["quantity"],
            "period": row["period"], "idempotency_key": row["idempotency_key"],
            "recorded_at": row["recorded_at"].isoformat(timespec="seconds") + "Z"}


# -- closing a month -----------------------------------------------------------------------------

@dataclass(frozen=True)
class CloseResult:
    period: str
    already_closed: bool
    written: int  # statements written by this call (0 on a repeat)
    closed_at: dt.datetime
    statements: list[dict[str, Any]] = field(default_factory=list)  # all of the period's statements
    invoices: list[dict[str, Any]] = field(default_factory=list)    # the period's invoices, as JSON (storage/billing.py)

    def to_json(self) -> dict[str, Any]:
        note = (f"period {self.period} was already closed at {self.closed_at.isoformat(timespec='seconds')}Z; "
                "no statements written") if self.already_closed else \
            f"period {self.period} closed: {self.written} statement(s) written" + \
            (f", {len(self.invoices)} invoice(s)" if self.invoices else "")
        return {"period": self.period, "already_closed": self.already_closed, "written": self.written,
                "closed_at": self.closed_at.isoformat(timespec="seconds") + "Z", "note": note,
                "statements": [_statement_json(s) for s in self.statements], "invoices": self.invoices}


def _statement_json(s: Mapping[str, Any]) -> dict[str, Any]:
    out = {"id": s["id"], "owner": s["owner"], "owner_kind": s["owner_kind"], "kind": s["kind"],
           "period": s["period"], "currency": s["currency"], "amount": format_minor(s["amount"], s["currency"]),
           "line_count": s["line_count"]}
    if s.get("detail"):
        out["detail"] = s["detail"]
    return out


async def statements_of(session: AsyncSession, period: str) -> list[dict[str, Any]]:
    rows = (await session.execute(select(Statement.__table__).where(Statement.period == period)
                                  .order_by(Statement.kind, Statement.owner, Statement.currency))).mappings().all()
    return [dict(r) for r in rows]


async def close_period(session: AsyncSession, scfg: SettlementConfig, period: str, *, now: dt.datetime,
                       rehearsal: bool = False) -> CloseResult:
    """Write the month's statements from its unsettled lines and settle them, and the accounts'
    invoices (storage/billing.py); idempotent.

    `rehearsal`: the caller rolls everything back (a draft, storage/drafts.py), so the lines are not
    marked settled — on a big month that UPDATE is half the close, and it changes no figure."""
    from storage import billing  # billing reads ledger tables, never this module: no cycle

    lcfg = _ledger(scfg)
    try:
        parse_month(period)
    except SettlementError as e:
        raise LedgerError(str(e)) from None
    at = _naive_utc(now)
    if not has_ended(period, at, lcfg.all_timezones()):
        end = last_end_utc(period, lcfg.all_timezones())
        raise PeriodNotEnded(f"period {period} has not ended yet (it ends everywhere at "
                             f"{end.isoformat(timespec='minutes')}Z); only ended periods can be closed")
    # FOR UPDATE waits for every completion still writing into this month (they hold KEY SHARE).
    closed_at = await _lock_period(session, period, exclusive=True)
    if closed_at is not None:
        return CloseResult(period, True, 0, closed_at, await statements_of(session, period),
                           await billing.invoices_of(session, period))

    person_line = and_(LedgerLine.party == ENGINEER, LedgerLine.person.is_not(None))
    lines = (select(case((person_line, LedgerLine.person), else_=LedgerLine.party).label("owner"),
                    case((person_line, "person"), else_="party").label("owner_kind"),
                    case((person_line, "earnings"), else_="share").label("kind"),
                    LedgerLine.currency, LedgerLine.amount)
             .where(LedgerLine.period == period, LedgerLine.settled.is_(False)).subquery())
    grouped = (select(lines.c.owner, lines.c.owner_kind, literal(period), lines.c.currency, lines.c.kind,
                      _sum(lines.c.amount), func.count(), literal(at))
               .group_by(lines.c.owner, lines.c.owner_kind, lines.c.currency, lines.c.kind))
    cols = ["owner", "owner_kind", "period", "currency", "kind", "amount", "line_count", "created_at"]
    written = (await session.execute(Statement.__table__.insert().from_select(cols, grouped))).rowcount or 0

    if not rehearsal:
        await _settle_lines(session, period, person_line)
    written += await _plan_statements(session, lcfg, period, at)
    # Invoices read the plan statements just written; same transaction, so a draft rolls them back too.
    invoices = await billing.write_invoices(session, lcfg, period, at,
                                            rates=lambda frm, to, day: rate_on(lcfg, frm, to, day))
    await session.execute(update(SettlementPeriod).where(SettlementPeriod.period == period)
                          .values(closed_at=at, statement_count=written))
    return CloseResult(period, False, written, at, await statements_of(session, period), invoices)


async def _settle_lines(session: AsyncSession, period: str, person_line: Any) -> None:
    """Mark the month's lines settled, each pointing at its statement."""
    # UPDATE … FROM statements (a join, hashed on PostgreSQL) rather than a subquery per line.
    owner_of_line = case((person_line, LedgerLine.person), else_=LedgerLine.party)
    kind_of_line = case((person_line, "earnings"), else_="share")
    settled = (await session.execute(
        update(LedgerLine)
        .where(LedgerLine.period == period, LedgerLine.settled.is_(False), Statement.period == period,
               Statement.owner == owner_of_line, Statement.currency == LedgerLine.currency,
               Statement.kind == kind_of_line)
        .values(settled=True, statement_id=Statement.id))).rowcount
    counted = await session.scalar(select(_sum(Statement.line_count)).where(
        Statement.period == period, Statement.kind.in_(("share", "earnings"))))
    if settled != counted:  # cannot happen while both group alike; a close must never half-settle
        raise LedgerError(f"closing {period}: {counted} line(s) counted but {settled} settled; nothing was closed")


def _needs_revenues(plan: Any) -> bool:
    return plan.model == "fixed_commission" or any(_needs_revenues(c) for c in plan.components)


async def _plan_statements(session: AsyncSession, lcfg: LedgerConfig, period: str, at: dt.datetime) -> int:
    """One `plan` statement per configured account: its groups' priced tickets and its usage."""
    written = 0
    for acct in lcfg.accounts.values():
        plan = acct.plan
        in_account = and_(TicketCharge.period == period, Ticket.chatid.in_(acct.groups or [""]))
        base = select(TicketCharge.currency, TicketCharge.subtotal, TicketCharge.reporting_currency,
                      TicketCharge.reporting_subtotal).join(Ticket, Ticket.id == TicketCharge.ticket_id).where(in_account)
        revenues: list[Money] = []
        if _needs_revenues(plan):
            # Per ticket, because commissions are clamped per ticket; bounded by one account's month.
            for cur, sub, rep_cur, rep_sub in (await session.execute(base)).all():
                if cur == plan.currency:
                    revenues.append(Money(int(sub), cur))
                elif rep_cur == plan.currency and rep_sub is not None:
                    revenues.append(Money(int(rep_sub), rep_cur))
                else:
                    raise LedgerError(f"account {acct.code}: a {cur} ticket cannot be billed by plan {plan.code} "
                                      f"({plan.currency}) without a stored {cur}->{plan.currency} amount")
            tickets = len(revenues)
        else:
            tickets = int(await session.scalar(select(func.count()).select_from(base.subquery())) or 0)
        usage: dict[str, Decimal] = {}
        for item, qty in (await session.execute(select(UsageRecord.item, UsageRecord.quantity)
                                                .where(UsageRecord.account == acct.code, UsageRecord.period == period))).all():
            usage[item] = usage.get(item, Decimal(0)) + Decimal(qty)  # exact: quantities are stored as decimal text
        bill = bill_plan(plan, tickets=tickets, revenues=revenues, usage={k: str(v) for k, v in usage.items()})
        await session.execute(Statement.__table__.insert(), {
            "owner": acct.code, "owner_kind": "account", "period": period, "currency": bill.currency, "kind": "plan",
            "amount": bill.amount, "line_count": tickets, "created_at": at,
            "detail": {"plan": plan.code, "tickets": tickets, "usage": {k: str(v) for k, v in usage.items()},
                       "bill": bill.to_json()}})
        written += 1
    return written


# -- summaries -----------------------------------------------------------------------------------

def _scope(col_period: Any, col_time: Any, col_region: Any, *, periods: Sequence[str], start: dt.datetime | None,
           end: dt.datetime | None, regions: Sequence[str] | None) -> list[Any]:
    where = [col_period == periods[0]] if len(periods) == 1 else [col_period.in_(periods)]
    if start is not None:
        where.append(col_time >= start)
    if end is not None:
        where.append(col_time < end)
    if regions is not None:
        where.append(col_region == regions[0] if len(regions) == 1 else col_region.in_(regions))
    return where


def _months_touching(start: dt.datetime, end: dt.datetime) -> list[str]:
    # ± one day covers every region's zone; labels are then the index prefix of the query.
    first, last = (start - dt.timedelta(days=1)).date(), (end + dt.timedelta(days=1)).date()
    out, (y, m) = [], (first.year, first.month)
    while (y, m) <= (last.year, last.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + (m == 12), m % 12 + 1)
    return out


def _ratio(num: int, den: int, places: str) -> str | None:
    return str((Decimal(num) / Decimal(den)).quantize(Decimal(places))) if den else None


async def summary(session: AsyncSession, *, period: str | Sequence[str] | None = None,
                  start: dt.datetime | None = None, end: dt.datetime | None = None,
                  regions: Sequence[str] | None = None, person: str | None = None, by: str = "party",
                  reporting_currency: str = "CNY", top: int = 5) -> dict[str, Any]:
    """Aggregates for a month (or months) and/or a booked-time range, all in SQL.

    `regions=None` is every region, `[]` none; `person` narrows to that engineer's lines and jobs.
    Money is integer minor units; each block carries its currency. Python only rolls up the
    grouped rows (bounded by regions × parties × currencies), never ledger rows.
    """
    if by not in BY:
        raise LedgerError(f"by must be one of {', '.join(BY)}, not {by!r}")
    periods = [period] if isinstance(period, str) else list(period or [])
    start, end = (_naive_utc(start) if start else None), (_naive_utc(end) if end else None)
    if not periods:
        if start is None or end is None:
            raise LedgerError("a summary needs a period or both start and end")
        periods = _months_touching(start, end)
    regions = None if regions is None else list(regions)
    result: dict[str, Any] = {
        "scope": {"periods": periods, "start": start.isoformat() + "Z" if start else None,
                  "end": end.isoformat() + "Z" if end else None, "regions": regions, "person": person},
        "by": by, "reporting_currency": reporting_currency}
    if regions == []:
        return _assemble(result, [], [], [], [], reporting_currency, [])

    rc = reporting_currency
    lwhere = _scope(LedgerLine.period, LedgerLine.booked_at, LedgerLine.region, periods=periods, start=start, end=end,
                    regions=regions)
    cwhere = _scope(TicketCharge.period, TicketCharge.completed_at, TicketCharge.region, periods=periods, start=start,
                    end=end, regions=regions)
    if person is not None:
        lwhere.append(LedgerLine.person == person)
        cwhere.append(TicketCharge.engineer == person)
    rep = case((LedgerLine.reporting_currency == rc, LedgerLine.reporting_amount))
    correction = LedgerLine.kind == "correction"
    money = [_sum(LedgerLine.amount), _sum(case((correction, LedgerLine.amount), else_=0)), _sum(rep),
             _sum(case((correction, rep), else_=0)), _sum(case((rep.is_(None), LedgerLine.amount), else_=0))]

    # 1. shares by region × party × currency: the index order, so no sort on SQLite. Travel
    # allowances are summed apart in the same pass (they are paid beside the split, not of it).
    travel = LedgerLine.kind == "travel"
    shares = (await session.execute(
        select(LedgerLine.region, LedgerLine.party, LedgerLine.currency, *money,
               _sum(case((travel, LedgerLine.amount), else_=0)), _sum(case((travel, rep), else_=0)))
        .where(*lwhere).group_by(LedgerLine.region, LedgerLine.party, LedgerLine.currency))).all()
    # 2. the asked breakdown when it is not derivable from (1).
    dim = {"person": func.coalesce(LedgerLine.person, LedgerLine.party), "template": LedgerLine.template}.get(by)
    breakdown = (await session.execute(
        select(dim, LedgerLine.currency, *money).where(*lwhere).group_by(dim, LedgerLine.currency))).all() \
        if dim is not None else None
    # 3. top engineers by earnings (reporting currency first, then the amount itself).
    earned = _sum(rep)
    tops = (await session.execute(
        select(LedgerLine.person, LedgerLine.currency, _sum(LedgerLine.amount), earned,
               func.count(case((LedgerLine.kind == "split", 1))))
        .where(*lwhere, LedgerLine.party == ENGINEER, LedgerLine.person.is_not(None))
        .group_by(LedgerLine.person, LedgerLine.currency)
        .order_by(earned.desc(), _sum(LedgerLine.amount).desc(), LedgerLine.person).limit(top))).all()
    # 4. tickets, gross, tax, SLA and CSAT from the priced tickets.
    crep = lambda col: _sum(case((TicketCharge.reporting_currency == rc, col)))  # noqa: E731
    charges = (await session.execute(
        select(TicketCharge.region, TicketCharge.currency, func.count(), _sum(TicketCharge.subtotal),
               _sum(TicketCharge.tax), _sum(TicketCharge.total), crep(TicketCharge.reporting_subtotal),
               crep(TicketCharge.reporting_tax), crep(TicketCharge.reporting_total),
               _sum(case((Ticket.sla_breached, 0), else_=1)), _sum(Ticket.rating), func.count(Ticket.rating))
        .join(Ticket, Ticket.id == TicketCharge.ticket_id).where(*cwhere)
        .group_by(TicketCharge.region, TicketCharge.currency))).all()
    # 5. joint jobs by branch (none for one engineer's own view): the jobs of these regions and
    # these branches' shares of jobs elsewhere, one aggregate over the branch lines.
    branch_rows: Sequence[Any] = []
    if person is None:
        B = branch_store.BranchLine
        bwhere = _scope(B.period, B.booked_at, B.region, periods=periods, start=start, end=end, regions=None)
        if regions is not None:
            bwhere.append(or_(B.region.in_(regions), B.branch.in_(regions)))
        brep = case((B.reporting_currency == rc, B.reporting_amount))
        branch_rows = (await session.execute(
            select(B.branch, B.branch_currency, B.currency, func.count(case((B.kind == "split", 1))), _sum(B.amount),
                   _sum(B.branch_amount), _sum(brep), _sum(case((brep.is_(None), B.amount), else_=0)))
            .where(*bwhere).group_by(B.branch, B.branch_currency, B.currency))).all()
    return _assemble(result, shares, breakdown, tops, charges, rc, branch_rows)


def _money_block(currency: str) -> dict[str, Any]:
    return {"currency": currency, "tickets": 0, "gross": 0, "tax": 0, "total": 0, "corrections": 0, "net": 0,
            "shares": {}}


def _assemble(result: dict[str, Any], shares: Sequence[Any], breakdown: Sequence[Any] | None, tops: Sequence[Any],
              charges: Sequence[Any], rc: str, branch_rows: Sequence[Any] = ()) -> dict[str, Any]:
    by = result["by"]
    cur: dict[str, dict[str, Any]] = {}
    total = {**_money_block(rc), "unconverted": {}}
    sla_met = sla_n = rating_sum = rated = 0

    def block(c: str) -> dict[str, Any]:
        return cur.setdefault(c, {**_money_block(c), "regions": {}})

    def region_block(c: str, region: str) -> dict[str, Any]:
        return block(c)["regions"].setdefault(region, _money_block(c))

    def add(d: dict[str, Any], key: str, v: int) -> None:
        d[key] = d.get(key, 0) + int(v)

    for region, c, n, sub, tax, tot, rsub, rtax, rtot, met, rsum, rcount in charges:
        for b in (block(c), region_block(c, region)):
            add(b, "tickets", n), add(b, "gross", sub), add(b, "tax", tax), add(b, "total", tot)
        add(total, "tickets", n), add(total, "gross", rsub), add(total, "tax", rtax), add(total, "total", rtot)
        sla_met, sla_n = sla_met + int(met), sla_n + int(n)
        rating_sum, rated = rating_sum + int(rsum), rated + int(rcount)
    for region, party, c, amount, corr, ramount, rcorr, unconverted, trav, rtrav in shares:
        b, rb = block(c), region_block(c, region)
        for x in (b, rb):
            add(x, "net", amount), add(x, "corrections", corr), add(x["shares"], party, amount - trav)
            if trav:
                add(x["shares"], TRAVEL, trav)
        if by == "region":
            add(b.setdefault("by_region", {}), region, amount)
        add(total, "net", ramount), add(total, "corrections", rcorr)
        if by == "party":
            add(total["shares"], party, ramount - rtrav)
            if rtrav:
                add(total["shares"], TRAVEL, rtrav)
        elif by == "region":
            add(total["shares"], region, ramount)
        if unconverted:
            add(total["unconverted"], c, unconverted)
    if by == "region":
        for b in cur.values():
            b["shares"] = b.pop("by_region", {})
    elif breakdown is not None:
        for b in cur.values():
            b["shares"] = {}
        for key, c, amount, corr, ramount, rcorr, unconverted in breakdown:
            add(block(c)["shares"], key, amount)
            add(total["shares"], key, ramount)
    # Largest share first (ties by name): stable for tests and files, and how people read a split.
    for b in [total, *cur.values(), *(rb for b in cur.values() for rb in b["regions"].values())]:
        b["shares"] = dict(sorted(b["shares"].items(), key=lambda kv: (-kv[1], kv[0])))
    result.update(
        tickets=total["tickets"],
        sla={"tickets": sla_n, "met": sla_met, "rate": _ratio(sla_met, sla_n, "0.0001")},
        csat={"rated": rated, "average": _ratio(rating_sum, rated, "0.01")},
        currencies=[cur[c] for c in sorted(cur, key=lambda c: (c != rc, c))],
        total=total,
        top_engineers=[{"person": p, "currency": c, "amount": int(a), "reporting_amount": int(r), "jobs": int(j)}
                       for p, c, a, r, j in tops],
        branches=_branches(branch_rows))
    return result


def _branches(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """One block per branch: its share in its own currency, in the jobs' currencies, and in the
    reporting currency (stored amounts added, never re-converted). Largest first."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for branch, bcur, cur, jobs, amount, bamount, ramount, unconverted in rows:
        b = out.setdefault((branch, bcur), {"branch": branch, "currency": bcur, "amount": 0, "jobs": 0,
                                            "job_amounts": {}, "reporting_amount": 0, "unconverted": {}})
        b["amount"] += int(bamount)
        b["jobs"] += int(jobs)
        b["job_amounts"][cur] = b["job_amounts"].get(cur, 0) + int(amount)
        b["reporting_amount"] += int(ramount)
        if unconverted:
            b["unconverted"][cur] = b["unconverted"].get(cur, 0) + int(unconverted)
    return sorted(out.values(), key=lambda b: (-b["reporting_amount"], b["branch"], b["currency"]))


def summary_json(s: Mapping[str, Any]) -> dict[str, Any]:
    """The summary with every amount as the contract's string in its currency's exponent."""
    def money(b: Mapping[str, Any]) -> dict[str, Any]:
        c = b["currency"]
        out = {k: (format_minor(v, c) if k in ("gross", "tax", "total", "corrections", "net") else v)
               for k, v in b.items() if k not in ("shares", "regions", "unconverted")}
        out["shares"] = {k: format_minor(v, c) for k, v in b["shares"].items()}
        if "regions" in b:
            out["regions"] = {r: money(rb) for r, rb in b["regions"].items()}
        if "unconverted" in b:
            out["unconverted"] = {k: format_minor(v, k) for k, v in b["unconverted"].items()}
        return out

    rc = s["reporting_currency"]
    return {**{k: v for k, v in s.items() if k not in ("currencies", "total", "top_engineers", "branches")},
            "currencies": [money(b) for b in s["currencies"]], "total": money(s["total"]),
            "top_engineers": [{**e, "amount": format_minor(e["amount"], e["currency"]),
                               "reporting_amount": format_minor(e["reporting_amount"], rc)}
                              for e in s["top_engineers"]],
            "branches": [{**b, "amount": format_minor(b["amount"], b["currency"]),
                          "job_amounts": {c: format_minor(v, c) for c, v in b["job_amounts"].items()},
                          "reporting_amount": format_minor(b["reporting_amount"], rc),
                          "unconverted": {c: format_minor(v, c) for c, v in b["unconverted"].items()}}
                         for b in s.get("branches", [])]}
