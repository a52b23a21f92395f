"""Ticket price — what the customer pays for one job (SETTLEMENT.md §1).

    base       = base_fee × factor                      one line, rounded once
    labour     = hours × hourly_rate × factor           one line, rounded once (omitted for 0 h)
    surcharge  = rate × (base line + labour line)       one line per surcharge, rounded once
    parts      = as reported                            one line per part, never rounded
    subtotal   = Σ lines above
    tax        = subtotal × region.tax_rate             one line, rounded once
    total      = subtotal + tax                         = Σ all lines, exactly

Regional rule (the spec leaves the cross-currency case open; this is the choice):

* The region's own price list wins: `regions[*].prices[<template code>] = {base_fee, hourly_rate}`,
  written in the region's currency. Factor 1, factor_source "price_list"; the multiplier is
  not applied on top (the list *is* the regional price).
* Otherwise the template's pricing × `region.multiplier`, factor_source "multiplier". When the
  template is priced in another currency than the region (a CNY template quoted in the THB
  region), the factor also carries the stored rate template.currency→region.currency
  (e.g. CNY→THB in `fx_rates`): line = fee × multiplier × rate, still rounded once, and the rate
  (with its date and source) is kept on the quote as `fx`. A missing pair is an error that
  names the pair; no inverse is derived.

Surcharges apply to the base and labour lines as shown (after the factor), so each line can be
checked by the customer from the lines printed above it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from . import labels
from .errors import CurrencyMismatchError, SettlementError
from .fx import FxRate
from .money import Money, exact_minor, format_minor, mul, round_to_int, to_decimal, to_minor

if TYPE_CHECKING:
    from .config import SettlementConfig

PRICE_LIST = "price_list"
MULTIPLIER = "multiplier"
_ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class Pricing:
    base_fee: Decimal  # major units, exact in `currency`
    hourly_rate: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Template:
    code: str
    pricing: Pricing | None
    names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    currency: str
    tax_rate: Decimal
    multiplier: Decimal = _ONE
    language: str = "zh"
    prices: Mapping[str, Pricing] = field(default_factory=dict)  # template code -> regional price list


@dataclass(frozen=True, slots=True)
class Surcharge:
    code: str
    rate: Decimal
    names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Line:
    code: str  # base | labour | <surcharge code> | part | tax — stable, stored; labels are not
    label: str
    amount: int  # minor units, rounded once when produced

    @property
    def amount_minor(self) -> int:  # the name handlers were promised in the API sketch
        return self.amount


@dataclass(frozen=True, slots=True)
class Quote:
    template: str
    region: str
    currency: str
    lines: tuple[Line, ...]  # includes the tax line, so Σ lines == total
    subtotal: int
    tax: int
    total: int
    factor_source: str  # "price_list" | "multiplier"
    factor: Decimal  # multiplier (× fx rate when converted); 1 for a price list
    tax_rate: Decimal
    fx: FxRate | None = None  # the rate that carried template prices into the region's currency
    hours: Decimal | None = None

    def money(self, which: str = "total") -> Money:
        return Money(getattr(self, which), self.currency)

    def to_json(self, audit: bool = False) -> dict[str, Any]:
        """The public contract shape; `audit=True` adds how the price was reached (for storage)."""
        fmt = lambda v: format_minor(v, self.currency)  # noqa: E731
        out: dict[str, Any] = {
            "currency": self.currency,
            "lines": [{"code": ln.code, "label": ln.label, "amount": fmt(ln.amount)} for ln in self.lines],
            "subtotal": fmt(self.subtotal),
            "tax": fmt(self.tax),
            "total": fmt(self.total),
        }
        if audit:
            out.update(template=self.template, region=self.region, factor_source=self.factor_source,
                       factor=str(self.factor), tax_rate=str(self.tax_rate),
                       hours=None if self.hours is None else str(self.hours),
                       fx=self.fx.to_json() if self.fx else None)
        return out


def _part_amount(amount: Any, currency: str, what: str) -> int:
    if isinstance(amount, Money):
        if amount.currency != currency:
            raise CurrencyMismatchError(f"{what} is {amount.currency}, the job is priced in {currency}")
        return amount.amount
    return exact_minor(amount, currency, what)


def _parts(parts: Iterable[Any], currency: str) -> list[tuple[str, int]]:
    out = []
    for i, item in enumerate(parts):
        try:
            name, amount = item
        except (TypeError, ValueError):
            raise SettlementError(f"parts.{i}: expected (name, amount)") from None
        if not isinstance(name, str) or not name.strip():
            raise SettlementError(f"parts.{i}: the part needs a name")
        minor = _part_amount(amount, currency, f"parts.{i} ({name}) amount")
        if minor < 0:
            # A refund is a correction line against the stored ticket, never a negative part.
            raise SettlementError(f"parts.{i} ({name}) amount must not be negative")
        out.append((name.strip(), minor))
    return out


def quote_ticket(cfg: "SettlementConfig", template: str, region: str, *, hours: Any = None,
                 parts: Iterable[Any] = (), surcharges: Iterable[str] = (), language: str | None = None,
                 on: dt.date | None = None) -> Quote:
    """Price one job. `on` picks the fx rate in force on that date (default: the latest)."""
    tpl = cfg.template(template)
    reg = cfg.region(region)
    if tpl.pricing is None:
        raise SettlementError(f"template {tpl.code!r} has no pricing in config")
    lang = language or reg.language
    rounding = cfg.rounding
    currency = reg.currency

    fx: FxRate | None = None
    listed = reg.prices.get(tpl.code)
    if listed is not None:
        price, factor, source = listed, _ONE, PRICE_LIST
    else:
        price, factor, source = tpl.pricing, reg.multiplier, MULTIPLIER
        if price.currency != currency:
            fx = cfg.fx_rate(price.currency, currency, on)
            factor = mul(factor, fx.rate)

    lines = [Line("base", labels.label("base", lang), to_minor(mul(price.base_fee, factor), currency, rounding))]
    h = None
    if hours is not None:
        h = to_decimal(hours, "hours")
        if h < 0:
            raise SettlementError(f"hours must not be negative ({hours})")
        if h > 0:
            labour = to_minor(mul(h, price.hourly_rate, factor), currency, rounding)
            lines.append(Line("labour", labels.label("labour", lang), labour))
    base_and_labour = sum(ln.amount for ln in lines)

    seen: set[str] = set()
    for code in surcharges:
        sc = cfg.surcharge(code)
        if sc.code in seen:
            raise SettlementError(f"surcharge {sc.code!r} given twice")
        seen.add(sc.code)
        amount = round_to_int(mul(Decimal(base_and_labour), sc.rate), rounding)
        lines.append(Line(sc.code, labels.name_for(sc.code, sc.names, lang), amount))

    for name, minor in _parts(parts, currency):
        lines.append(Line("part", labels.with_detail("part", name, lang), minor))

    subtotal = sum(ln.amount for ln in lines)
    tax = round_to_int(mul(Decimal(subtotal), reg.tax_rate), rounding)
    lines.append(Line("tax", labels.label("tax", lang), tax))
    return Quote(template=tpl.code, region=reg.code, currency=currency, lines=tuple(lines),
                 subtotal=subtotal, tax=tax, total=subtotal + tax, factor_source=source, factor=factor,
                 tax_rate=reg.tax_rate, fx=fx, hours=h)
