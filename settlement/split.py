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

Internal price lists and weighted shares (issue 15): a share may instead be paid from a named
price list (`price_list: transfer` — the job's price on that list, computed by the caller with
`rule_list_prices` and passed as `list_prices`), paid first exactly like a fixed amount. A share's
weight may grow with the hours worked (`per_hour`) and be scaled by the customer's rating
(`rating: {5: "1.20", …}`):

    effective weight = (weight + per_hour × hours) × rating factor

with no hours counting as 0 and an unrated job (or a star without a factor) as × 1. Weights are
exact Fractions, so the only rounding is still the largest remainder over minor units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from .errors import SettlementError
from .money import exponent, format_minor, to_decimal
from .price_lists import price_work, work_hours

if TYPE_CHECKING:
    from .ledger_config import LedgerConfig

STARS = range(1, 6)
_AND_LISTS = " and list prices"


@dataclass(frozen=True, slots=True)
class Share:
    party: str
    weight: Decimal = Decimal(0)
    fixed: Mapping[str, int] = field(default_factory=dict)  # currency -> minor units per job
    price_list: str | None = None  # paid first: the job's price on this list (price_lists.<code>)
    per_hour: Decimal = Decimal(0)  # added to the weight per hour worked
    rating: Mapping[int, Decimal] = field(default_factory=dict)  # stars -> weight factor


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
            if s.weight < 0 or s.per_hour < 0 or any(v < 0 for v in (*s.fixed.values(), *s.rating.values())):
                raise SettlementError(f"split rule {self.name!r}: {s.party!r} has a negative share")
            if s.price_list is not None and s.fixed:
                raise SettlementError(f"split rule {self.name!r}: {s.party!r} has both a fixed amount and a price list")
            if any(star not in STARS for star in s.rating):
                raise SettlementError(f"split rule {self.name!r}: {s.party!r} rates stars 1 to 5 only")

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


def _rating(rating: Any) -> int | None:
    if rating is None:
        return None
    if isinstance(rating, bool) or not isinstance(rating, int) or rating not in STARS:
        raise SettlementError(f"rating must be a whole number of stars from 1 to 5, not {rating!r}")
    return rating


def _paid_first(rule: SplitRule, share: Share, currency: str, list_prices: Mapping[str, int] | None) -> int:
    if share.price_list is not None:
        price = (list_prices or {}).get(share.party)
        if price is None:
            raise SettlementError(f"split rule {rule.name!r}: {share.party} is paid from the {share.price_list!r} "
                                  f"price list; its list price for this job is needed (rule_list_prices)")
        if not isinstance(price, int) or isinstance(price, bool) or price < 0:
            raise SettlementError(f"split rule {rule.name!r}: {share.party}'s list price must be minor units >= 0")
        return price
    if share.fixed and currency not in share.fixed:
        raise SettlementError(f"split rule {rule.name!r}: {share.party} has no fixed amount in {currency}")
    return share.fixed.get(currency, 0)


def effective_weight(share: Share, hours: Any = None, rating: int | None = None) -> Fraction:
    """(weight + per_hour × hours) × the rating's factor, exactly."""
    weight = Fraction(share.weight) + Fraction(share.per_hour) * Fraction(work_hours(hours))
    star = _rating(rating)
    if star is not None and star in share.rating:
        weight *= Fraction(share.rating[star])
    return weight


def split_amount(amount_minor: int, currency: str, rule: Any, *, hours: Any = None, rating: int | None = None,
                 list_prices: Mapping[str, int] | None = None) -> dict[str, int]:
    """{party: minor units} in rule order; Σ == amount_minor always.

    `list_prices` ({party: minor units in `currency`}) pays the rule's price-list parties;
    `hours` and `rating` (1–5 stars, None = not rated yet) weigh the shares that ask for them."""
    if not isinstance(amount_minor, int) or isinstance(amount_minor, bool):
        raise TypeError(f"amount_minor must be an int of minor units, not {type(amount_minor).__name__}")
    exponent(currency)
    rule = _as_rule(rule)
    sign = -1 if amount_minor < 0 else 1
    amount = abs(amount_minor)

    first = [_paid_first(rule, s, currency, list_prices) for s in rule.shares]
    rest = amount - sum(first)
    if rest < 0:
        raise SettlementError(
            f"split rule {rule.name!r}: amount {format_minor(amount, currency)} {currency} is less than "
            f"the fixed amounts{_AND_LISTS if any(s.price_list for s in rule.shares) else ''} "
            f"({format_minor(sum(first), currency)})")
    weighted = largest_remainder(rest, [effective_weight(s, hours, rating) for s in rule.shares])
    return {s.party: sign * (f + w) for s, f, w in zip(rule.shares, first, weighted)}


def rule_list_prices(cfg: "LedgerConfig", rule: SplitRule, *, region: str, template: str, hours: Any = None,
                     parts: Iterable[Any] = ()) -> dict[str, int]:
    """{party: the job's price on the party's list} for the rule's price-list parties, in the
    region's currency (the job's, when `region` is where the job is priced)."""
    parts = list(parts)
    return {s.party: price_work(cfg, s.price_list, region=region, template=template, hours=hours, parts=parts).amount
            for s in rule.shares if s.price_list is not None}


def weighted_on(rule: SplitRule) -> set[str]:
    """What besides the amount the rule's shares depend on: "hours" (per_hour) and "rating" — so a
    rating that arrives after the completion re-splits only the jobs whose rule uses it."""
    out = set()
    for s in rule.shares:
        if s.per_hour:
            out.add("hours")
        if s.rating:
            out.add("rating")
    return out
