"""Money: integer minor units with an ISO 4217 currency, and the only places decimals are rounded.

Integers because stored lines must sum to stored totals exactly and SQL SUM() over integers never
drifts. Decimals are built from strings (or ints) only: `Decimal(0.1)` would carry the float's
binary error into the ledger, so floats are refused with TypeError.

Arithmetic runs in a private context (not the caller's thread context) so results do not depend on
whoever changed `decimal.getcontext()`, and it traps Inexact: a product that does not fit in 60
digits fails loudly instead of being rounded at a point the spec did not name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import (
    ROUND_05UP,
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
)
from typing import Any

from .errors import AmountError, CurrencyError, CurrencyMismatchError

# ISO 4217 minor-unit exponents. Deliberately a short, explicit table: an unknown code is far more
# likely a typo than a currency we bill in, and guessing 2 would misprice JPY/KRW a hundredfold.
EXPONENTS: dict[str, int] = {
    "CNY": 2, "HKD": 2, "MOP": 2, "TWD": 2, "SGD": 2, "THB": 2, "MYR": 2, "IDR": 2, "PHP": 2,
    "INR": 2, "AUD": 2, "NZD": 2, "USD": 2, "CAD": 2, "EUR": 2, "GBP": 2, "CHF": 2, "AED": 2,
    "SAR": 2, "JPY": 0, "KRW": 0, "VND": 0, "KWD": 3, "BHD": 3, "OMR": 3,
}

DEFAULT_ROUNDING = ROUND_HALF_UP
# decimal's ROUND_* constants are their own names as strings, so config text maps 1:1.
ROUNDING_MODES = frozenset({ROUND_HALF_UP, ROUND_HALF_EVEN, ROUND_HALF_DOWN, ROUND_UP, ROUND_DOWN,
                            ROUND_CEILING, ROUND_FLOOR, ROUND_05UP})

_EXACT = Context(prec=60, traps=[InvalidOperation, DivisionByZero, Overflow, Inexact])
_ROUNDER = Context(prec=60, traps=[InvalidOperation, DivisionByZero, Overflow])
_ONE = Decimal(1)
_DECIMAL_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_MAX_DIGITS = 30  # far beyond any real amount or rate; keeps every product inside _EXACT's 60


def exponent(currency: str) -> int:
    try:
        return EXPONENTS[currency]
    except (KeyError, TypeError):
        raise CurrencyError(f"unknown currency {currency!r} (known: {', '.join(sorted(EXPONENTS))})") from None


def check_rounding(mode: str) -> str:
    if mode not in ROUNDING_MODES:
        raise AmountError(f"unknown rounding mode {mode!r} (one of: {', '.join(sorted(ROUNDING_MODES))})")
    return mode


def decimal_setting(value: Any) -> Decimal:
    """A decimal as config writes it — "0.06", "20.00", 3 — for every section of the config.
    A float is refused with the reason: YAML reads 0.1 as a binary float that is not 0.1."""
    if isinstance(value, float):
        raise AmountError(f"write it as a string (\"{value}\"), not a float; floats cannot hold decimals exactly")
    try:
        return to_decimal(value, "value")
    except (TypeError, AmountError):
        raise AmountError(f"not a decimal ({value!r})") from None


def to_decimal(value: Any, what: str = "value") -> Decimal:
    """A finite Decimal from a string, int or Decimal; floats and bools are refused (TypeError)."""
    if isinstance(value, bool) or isinstance(value, float):
        kind = "a float" if isinstance(value, float) else "a bool"
        raise TypeError(f"{what} is {kind} ({value!r}); pass a decimal string such as \"1.50\"")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise AmountError(f"{what} is not a finite decimal ({value!r})")
        return value
    if isinstance(value, str):
        text = value.strip()
        # Strict grammar: no exponents, NaN, Infinity or thousands separators in money text.
        if not _DECIMAL_TEXT.fullmatch(text):
            raise AmountError(f"{what} is not a decimal ({value!r})")
        if sum(c.isdigit() for c in text) > _MAX_DIGITS:
            raise AmountError(f"{what} has more than {_MAX_DIGITS} digits ({value!r})")
        return Decimal(text)
    raise TypeError(f"{what} must be a decimal string, not {type(value).__name__}")


def mul(*factors: Decimal) -> Decimal:
    """Exact product (raises rather than rounds if it ever needed more than 60 digits)."""
    result = factors[0]
    try:
        for f in factors[1:]:
            result = _EXACT.multiply(result, f)
    except ArithmeticError:  # decimal.Inexact/Overflow: report as bad input, not a crash
        raise AmountError("amount or rate too large or too precise to compute exactly") from None
    return result


def shift(value: Decimal, places: int) -> Decimal:
    """value × 10^places, exactly (scaleb under the caller's context could round)."""
    return _EXACT.scaleb(value, places)


def round_to_int(value: Decimal, rounding: str = DEFAULT_ROUNDING) -> int:
    """The one rounding primitive: a decimal number of minor units -> int, with the config's mode."""
    return int(value.quantize(_ONE, rounding=rounding, context=_ROUNDER))


def to_minor(major: Decimal, currency: str, rounding: str = DEFAULT_ROUNDING) -> int:
    """Major units (e.g. yuan) -> minor units (fen), rounded once with `rounding`."""
    return round_to_int(_EXACT.scaleb(major, exponent(currency)), rounding)


def exact_minor(value: Any, currency: str, what: str = "amount") -> int:
    """An input amount in major units -> minor units, refusing anything that would need rounding."""
    if isinstance(value, int) and not isinstance(value, bool):
        # A bare int is ambiguous (yuan or fen?) on a public API; strings say what they mean.
        raise TypeError(f"{what} must be a decimal string such as \"180.00\" (or Money), not int")
    major = to_decimal(value, what)
    scaled = _EXACT.scaleb(major, exponent(currency))
    if scaled != scaled.to_integral_value():
        raise AmountError(f"{what} {value!s} has more decimals than {currency} allows ({exponent(currency)})")
    return int(scaled)


def from_minor(amount: int, currency: str) -> Decimal:
    return _EXACT.scaleb(Decimal(amount), -exponent(currency))


def format_minor(amount: int, currency: str) -> str:
    """Minor units -> the contract's amount string: '100.01', '-0.01', JPY '1500'. No grouping."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError(f"amount must be an int of minor units, not {type(amount).__name__}")
    e = exponent(currency)
    sign = "-" if amount < 0 else ""
    digits = str(abs(amount))
    if e == 0:
        return sign + digits
    digits = digits.rjust(e + 1, "0")
    return f"{sign}{digits[:-e]}.{digits[-e:]}"


def parse_money(text: Any, currency: str) -> "Money":
    """'180.00' CNY -> Money(18000, 'CNY'); more decimals than the currency has is an error."""
    return Money(exact_minor(text, currency), currency)


@dataclass(frozen=True, slots=True)
class Money:
    amount: int  # minor units
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError(f"Money amount must be an int of minor units, not {type(self.amount).__name__}")
        exponent(self.currency)

    parse = staticmethod(parse_money)

    @classmethod
    def zero(cls, currency: str) -> "Money":
        return cls(0, currency)

    @property
    def major(self) -> Decimal:
        return from_minor(self.amount, self.currency)

    def format(self) -> str:
        return format_minor(self.amount, self.currency)

    def to_json(self) -> dict[str, str]:
        return {"amount": self.format(), "currency": self.currency}

    def __str__(self) -> str:
        return f"{self.format()} {self.currency}"

    def _same(self, other: Any) -> "Money":
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatchError(f"cannot combine {self.currency} with {other.currency}")
        return other

    def __add__(self, other: Any) -> "Money":
        return Money(self.amount + self._same(other).amount, self.currency)

    def __radd__(self, other: Any) -> "Money":
        # sum() starts from int 0; accept only that so sum(list_of_money) works.
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return self.__add__(other)

    def __sub__(self, other: Any) -> "Money":
        return Money(self.amount - self._same(other).amount, self.currency)

    def __neg__(self) -> "Money":
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Any) -> bool:
        return self.amount < self._same(other).amount

    def __le__(self, other: Any) -> bool:
        return self.amount <= self._same(other).amount

    def __gt__(self, other: Any) -> bool:
        return self.amount > self._same(other).amount

    def __ge__(self, other: Any) -> bool:
        return self.amount >= self._same(other).amount
