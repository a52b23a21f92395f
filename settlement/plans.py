"""Plans — how an account is billed per period (SETTLEMENT.md §3).

Models:
* graduated: tier i covers tickets (up_to[i-1], up_to[i]]; each tier with tickets is one line
  (count × unit, rounded once) plus its `flat` once. 0 tickets -> no lines, 0.
* volume: every ticket at the unit of the tier containing the count (+ that tier's flat).
* fixed_commission: `fixed` per period + Σ clamp(round(rate × revenue), min, max), each ticket's
  commission rounded once then clamped. A negative revenue (refund) gets −commission(|revenue|),
  so the clamp cannot turn a refund into a charge.
* custom: Σ round(max(0, usage − included) × unit_price) per item with reported usage.
Any plan may carry `components` (other plans, same currency) billed with the same inputs and
added — the spec's "plus any of the above" for enterprise.

Rounding mode travels on the Plan (set from config when parsed) so a Plan bills on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable, Mapping

from . import labels
from .errors import CurrencyMismatchError, SettlementError
from .money import (DEFAULT_ROUNDING, Money, check_rounding, exponent, format_minor, mul, round_to_int, shift,
                    to_decimal)

MODELS = ("graduated", "volume", "fixed_commission", "custom")


@dataclass(frozen=True, slots=True)
class Tier:
    up_to: int | None  # None = open-ended (only the last tier)
    unit: Decimal  # major units per ticket; may be finer than the currency (e.g. 0.125)
    flat: int = 0  # minor units, charged once when the tier has at least one ticket


@dataclass(frozen=True, slots=True)
class Item:
    code: str
    unit_price: Decimal  # major units per unit of usage, e.g. 0.002 per API call
    included: Decimal = Decimal(0)
    unit: str = ""  # what one unit is ("call", "GB-month"); shown, not computed with
    names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Plan:
    code: str
    model: str
    currency: str
    tiers: tuple[Tier, ...] = ()
    fixed: int = 0  # minor units per period
    rate: Decimal = Decimal(0)
    min: int | None = None  # per-ticket commission clamp, minor units
    max: int | None = None
    items: tuple[Item, ...] = ()
    components: tuple["Plan", ...] = ()
    rounding: str = DEFAULT_ROUNDING
    names: Mapping[str, str] = field(default_factory=dict)  # 基础版 / Basic, for statements

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise SettlementError(f"plan {self.code!r}: unknown model {self.model!r} (one of: {', '.join(MODELS)})")
        exponent(self.currency)
        check_rounding(self.rounding)
        if self.model in ("graduated", "volume"):
            if not self.tiers or self.tiers[-1].up_to is not None:
                raise SettlementError(f"plan {self.code!r}: the last tier must have up_to: null")
        for c in self.components:
            if c.currency != self.currency:
                raise CurrencyMismatchError(f"plan {self.code!r}: component {c.code!r} is {c.currency}, "
                                            f"the plan is {self.currency}")


@dataclass(frozen=True, slots=True)
class BillLine:
    code: str
    label: str
    quantity: Decimal | None
    unit_price: Decimal | None
    amount: int  # minor units


@dataclass(frozen=True, slots=True)
class Bill:
    plan: str
    currency: str
    amount: int  # Σ lines
    lines: tuple[BillLine, ...]

    def to_json(self) -> dict[str, Any]:
        fmt = lambda v: format_minor(v, self.currency)  # noqa: E731
        return {
            "currency": self.currency,
            "amount": fmt(self.amount),
            "lines": [{"code": ln.code, "label": ln.label,
                       "quantity": None if ln.quantity is None else str(ln.quantity),
                       "unit_price": None if ln.unit_price is None else str(ln.unit_price),
                       "amount": fmt(ln.amount)} for ln in self.lines],
        }


def _minor(value: Decimal, plan: Plan) -> int:
    """Major-unit product -> minor units, the plan's single rounding point per line."""
    return round_to_int(shift(value, exponent(plan.currency)), plan.rounding)


def _tiered(plan: Plan, tickets: int, lang: str) -> list[BillLine]:
    lines: list[BillLine] = []
    lower = 0
    for n, tier in enumerate(plan.tiers, start=1):
        upper = tier.up_to
        if plan.model == "graduated":
            count = max(0, (tickets if upper is None else min(tickets, upper)) - lower)
        else:  # volume: the one tier containing the count takes every ticket
            count = tickets if lower < tickets and (upper is None or tickets <= upper) else 0
        if count:
            q = Decimal(count)
            lines.append(BillLine(f"tier.{n}", labels.tier_label(n, lower, upper, lang), q, tier.unit,
                                  _minor(mul(q, tier.unit), plan)))
            if tier.flat:
                lines.append(BillLine(f"tier.{n}.flat", labels.label("tier_flat", lang, n=n), None, None,
                                      tier.flat))
        lower = upper if upper is not None else lower
    return lines


def _commission(plan: Plan, revenue: int) -> int:
    c = round_to_int(mul(Decimal(abs(revenue)), plan.rate), plan.rounding)
    if plan.min is not None:
        c = max(c, plan.min)
    if plan.max is not None:
        c = min(c, plan.max)
    return -c if revenue < 0 else c


def _fixed_commission(plan: Plan, revenues: list[int], lang: str) -> list[BillLine]:
    lines = []
    if plan.fixed:
        lines.append(BillLine("fixed", labels.label("fixed", lang), None, None, plan.fixed))
    if revenues:
        total = sum(_commission(plan, r) for r in revenues)
        lines.append(BillLine("commission", labels.label("commission", lang), Decimal(len(revenues)), plan.rate, total))
    return lines


def _custom(plan: Plan, usage: Mapping[str, Decimal], lang: str) -> list[BillLine]:
    lines = []
    for item in plan.items:
        if item.code not in usage:
            continue
        billable = max(Decimal(0), usage[item.code] - item.included)
        lines.append(BillLine(f"item.{item.code}", labels.pick(item.names, lang, item.code), billable,
                              item.unit_price, _minor(mul(billable, item.unit_price), plan)))
    return lines


def _item_codes(plan: Plan) -> set[str]:
    codes = {i.code for i in plan.items}
    for c in plan.components:
        codes |= _item_codes(c)
    return codes


def _bill_lines(plan: Plan, tickets: int, revenues: list[int], usage: Mapping[str, Decimal], lang: str) -> list[BillLine]:
    if plan.model in ("graduated", "volume"):
        lines = _tiered(plan, tickets, lang)
    elif plan.model == "fixed_commission":
        lines = _fixed_commission(plan, revenues, lang)
    else:
        lines = _custom(plan, usage, lang)
    for c in plan.components:
        lines += _bill_lines(c, tickets, revenues, usage, lang)
    return lines


def _revenues(revenues: Iterable[Any], currency: str) -> list[int]:
    out = []
    for i, r in enumerate(revenues):
        if isinstance(r, Money):
            if r.currency != currency:
                raise CurrencyMismatchError(f"revenues.{i} is {r.currency}, the plan bills in {currency}")
            out.append(r.amount)
        elif isinstance(r, int) and not isinstance(r, bool):
            out.append(r)
        else:
            raise TypeError(f"revenues.{i} must be an int of minor units or Money, not {type(r).__name__}")
    return out


def _usage(usage: Mapping[str, Any] | None, plan: Plan) -> dict[str, Decimal]:
    out = {}
    known = _item_codes(plan)
    for code, qty in (usage or {}).items():
        if code not in known:
            raise SettlementError(f"plan {plan.code!r} has no usage item {code!r} "
                                  f"(items: {', '.join(sorted(known)) or 'none'})")
        q = to_decimal(qty, f"usage {code}")
        if q < 0:
            raise SettlementError(f"usage {code} must not be negative ({qty})")
        out[code] = q
    return out


def bill(plan: Plan, *, tickets: int | None = None, revenues: Iterable[Any] = (),
         usage: Mapping[str, Any] | None = None, language: str = "zh") -> Bill:
    revs = _revenues(revenues, plan.currency)
    if tickets is None:
        tickets = len(revs)
    elif not isinstance(tickets, int) or isinstance(tickets, bool):
        raise TypeError(f"tickets must be an int, not {type(tickets).__name__}")
    if tickets < 0:
        raise SettlementError(f"tickets must not be negative ({tickets})")
    if revs and tickets != len(revs):
        raise SettlementError(f"tickets ({tickets}) differs from the number of revenues ({len(revs)})")
    lines = _bill_lines(plan, tickets, revs, _usage(usage, plan), language)
    return Bill(plan.code, plan.currency, sum(ln.amount for ln in lines), tuple(lines))


def bill_plan(source: Any, plan: Any = None, *, tickets: int | None = None, revenues: Iterable[Any] = (),
              usage: Mapping[str, Any] | None = None, language: str = "zh") -> Bill:
    """Bill one period. `source` is a Plan, or a SettlementConfig with `plan` a name, Plan or §6 mapping."""
    if isinstance(source, Plan):
        if plan is not None:
            raise TypeError("bill_plan(plan_object) takes no second plan")
        p = source
    else:
        # A SettlementConfig, known by what it can do: config.py builds Plans, so plans.py
        # cannot import it back.
        if not (hasattr(source, "plan") and hasattr(source, "parse_plan")):
            raise TypeError(f"bill_plan() takes a SettlementConfig or a Plan, not {type(source).__name__}")
        if isinstance(plan, Plan):
            p = plan
        elif isinstance(plan, Mapping):
            p = source.parse_plan(plan)
        elif isinstance(plan, str):
            p = source.plan(plan)
        else:
            raise TypeError("plan must be a configured plan name, a Plan or a plan mapping")
    return bill(p, tickets=tickets, revenues=revenues, usage=usage, language=language)
