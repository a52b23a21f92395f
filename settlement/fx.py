"""Currency conversion at a stored rate (SETTLEMENT.md §1 "Cross-border", §5).

A rate travels with its date and source so the ticket can store exactly what was used; reports
read the stored converted amounts and never re-convert. Only configured pairs exist: an inverse
(1 / 0.2010) is never derived, because it is not a rate anyone quoted and it does not terminate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

from .errors import CurrencyMismatchError, SettlementError
from .money import DEFAULT_ROUNDING, Money, check_rounding, exponent, mul, round_to_int, shift


@dataclass(frozen=True, slots=True)
class FxRate:
    from_currency: str
    to_currency: str
    rate: Decimal  # units of to_currency per one unit of from_currency (major units)
    date: dt.date | None  # None only for the identity rate
    source: str
    # Carried on the rate so `convert(money, rate)` applies the config's mode without a config.
    rounding: str = DEFAULT_ROUNDING

    def __post_init__(self) -> None:
        exponent(self.from_currency)
        exponent(self.to_currency)
        if not isinstance(self.rate, Decimal) or not self.rate.is_finite() or self.rate <= 0:
            raise SettlementError(f"fx rate {self.from_currency}->{self.to_currency} must be a positive Decimal")
        check_rounding(self.rounding)

    def to_json(self) -> dict[str, str | None]:
        return {"from": self.from_currency, "to": self.to_currency, "rate": str(self.rate),
                "date": self.date.isoformat() if self.date else None, "source": self.source}


def identity(currency: str, rounding: str = DEFAULT_ROUNDING) -> FxRate:
    return FxRate(currency, currency, Decimal(1), None, "identity", rounding)


def convert(money: Money, rate: FxRate, rounding: str | None = None) -> Money:
    """round(amount × rate) in the target currency's exponent — one rounding, at the named point."""
    if not isinstance(money, Money):
        raise TypeError(f"convert() takes Money, not {type(money).__name__}")
    if not isinstance(rate, FxRate):
        raise TypeError(f"convert() takes an FxRate, not {type(rate).__name__}")
    if money.currency != rate.from_currency:
        raise CurrencyMismatchError(
            f"rate {rate.from_currency}->{rate.to_currency} cannot convert {money.currency}")
    # Work in minor units: amount_minor × rate × 10^(e_to − e_from), so JPY<->CNY scales right.
    places = exponent(rate.to_currency) - exponent(money.currency)
    value = shift(mul(Decimal(money.amount), rate.rate), places)
    return Money(round_to_int(value, check_rounding(rounding or rate.rounding)), rate.to_currency)


def find_rate(rates: Iterable[FxRate], from_currency: str, to_currency: str,
              on: dt.date | None = None, rounding: str = DEFAULT_ROUNDING) -> FxRate:
    """The latest configured rate for the pair (dated on or before `on` when given)."""
    exponent(from_currency)
    exponent(to_currency)
    if from_currency == to_currency:
        return identity(from_currency, rounding)
    candidates = [r for r in rates if r.from_currency == from_currency and r.to_currency == to_currency
                  and (on is None or (r.date is not None and r.date <= on))]
    if not candidates:
        when = f" on or before {on.isoformat()}" if on else ""
        raise SettlementError(f"no fx rate {from_currency}->{to_currency}{when} in fx_rates")
    return max(candidates, key=lambda r: r.date or dt.date.min)
