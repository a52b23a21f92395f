"""Revenue split — who gets what of one ticket (SETTLEMENT.md §2).

Largest remainder over minor units: floor each exact share, then one leftover unit each to the
largest fractional remainders, ties to the party listed first. Shares are computed as Fractions,
so "exact share" really is exact whatever the weights (33.3, 1/3 …).

Internal settlement prices: a share may carry a fixed amount per job (per currency, since a
fixed 120.00 CNY means nothing on a THB ticket); fixed amounts are paid first and the remainder
is split by weight. A share may have both. An amount smaller than the fixed total is refused
rather than producing negative shares for the weighted parties — the caller decides what a
loss-making job means.

Negative amounts (refunds, corrections) are split as −split(|amount|), so refunding a split
ticket reverses every party's share exactly, down to where the leftover unit went.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Iterable, Mapping

from .errors import SettlementError
from .money import exponent, format_minor, to_decimal


@dataclass(frozen=True, slots=True)
class Share:
    party: str
    weight: Decimal = Decimal(0)
    fixed: Mapping[str, int] = field(default_factory=dict)  # currency -> minor units per job


@dataclass(frozen=True, slots=True)
class SplitRule:
    name: str
    shares: tuple[Share, ...]

    def __post_init__(self) -> None:
        if not self.shares:
            raise SettlementError(f"split rule {self.name!r} has no parties")
        seen: set[str] = set()
        for s in self.shares:
            if s.party in seen:
                raise SettlementError(f"split rule {self.name!r} lists {s.party!r} twice")
            seen.add(s.party)
            if s.weight < 0 or any(v < 0 for v in s.fixed.values()):
                raise SettlementError(f"split rule {self.name!r}: {s.party!r} has a negative share")

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, Any]] | Mapping[str, Any], name: str = "ad hoc") -> "SplitRule":
        items = pairs.items() if isinstance(pairs, Mapping) else pairs
        shares = []
        for item in items:
            try:
                party, weight = item
            except (TypeError, ValueError):
                raise SettlementError(f"split rule {name!r}: expected (party, weight) pairs") from None
            if not isinstance(party, str) or not party:
                raise SettlementError(f"split rule {name!r}: party must be a non-empty string")
            shares.append(Share(party, to_decimal(weight, f"weight of {party}")))
        return cls(name, tuple(shares))


def _as_rule(rule: Any) -> SplitRule:
    if isinstance(rule, SplitRule):
        return rule
    if isinstance(rule, str):
        raise TypeError("pass cfg.split_rule(name) for a configured rule, not its name")
    return SplitRule.from_pairs(rule)


def largest_remainder(amount: int, weights: list[Fraction]) -> list[int]:
    """Non-negative `amount` over weights; parts sum to `amount` exactly."""
    total = sum(weights)
    if total == 0:
        if amount:
            raise SettlementError("the weights sum to 0, nothing to split the amount by")
        return [0] * len(weights)
    exact = [amount * w / total for w in weights]
    parts = [int(e) for e in exact]  # floor: everything here is >= 0
    leftover = amount - sum(parts)
    # Stable sort on the remainder alone keeps list order among equals: ties go to the first listed.
    order = sorted(range(len(weights)), key=lambda i: -(exact[i] - parts[i]))
    for i in order[:leftover]:
        parts[i] += 1
    return parts


def split_amount(amount_minor: int, currency: str, rule: Any) -> dict[str, int]:
    """{party: minor units} in rule order; Σ == amount_minor always."""
    if not isinstance(amount_minor, int) or isinstance(amount_minor, bool):
        raise TypeError(f"amount_minor must be an int of minor units, not {type(amount_minor).__name__}")
    exponent(currency)
    rule = _as_rule(rule)
    sign = -1 if amount_minor < 0 else 1
    amount = abs(amount_minor)

    fixed = []
    for s in rule.shares:
        if s.fixed and currency not in s.fixed:
            raise SettlementError(f"split rule {rule.name!r}: {s.party} has no fixed amount in {currency}")
        fixed.append(s.fixed.get(currency, 0))
    rest = amount - sum(fixed)
    if rest < 0:
        raise SettlementError(
            f"split rule {rule.name!r}: amount {format_minor(amount, currency)} {currency} is less than "
            f"the fixed amounts ({format_minor(sum(fixed), currency)})")
    weighted = largest_remainder(rest, [Fraction(s.weight) for s in rule.shares])
    return {s.party: sign * (f + w) for s, f, w in zip(rule.shares, fixed, weighted)}
