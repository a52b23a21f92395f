"""Travel allowances (issue 15, 差旅补贴): what an engineer working outside their home region is paid.

    travel_allowances:
      distances_km: {east/southwest: 1660, …}            # region pairs, either order
      rules:                                             # first match wins
        - {regions: [east, southwest], per: day, amount: {CNY: "200.00"}}
        - {band_km: [0, 800], per: trip, amount: {CNY: "80.00", THB: "400.00"}}
        - {band_km: [800, null], per: trip, amount: {CNY: "260.00", THB: "1300.00"}}

A rule matches on its region pair, or on the pair's distance falling in its band (lower bound
included, upper excluded, null = open); a pair without a distance matches only `regions` rules.
The matching rule's amount in the job's currency is paid once (`trip`) or per local calendar day
on the job (`day`, `days_on_job`). Amounts are configured per currency, never converted, like the
fixed shares of a split rule; a rule without the job's currency pays nothing rather than guessing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

from .config_fields import _amount, _count, _currency, _fail, _keys, _list, _mapping, _text
from .errors import SettlementError
from .money import exponent, format_minor
from .periods import _utc, zone

PER = ("day", "trip")


@dataclass(frozen=True, slots=True)
class TravelRule:
    regions: frozenset[str] | None
    band_km: tuple[int, int | None] | None
    per: str  # day | trip
    amounts: Mapping[str, int]  # currency -> minor units, per day or per trip

    @property
    def label(self) -> str:
        """How a statement names the rule: "east/southwest", "0-800 km", "800+ km"."""
        if self.regions is not None:
            return "/".join(sorted(self.regions))
        lo, hi = self.band_km  # type: ignore[misc]
        return f"{lo}+ km" if hi is None else f"{lo}-{hi} km"

    def matches(self, pair: frozenset[str], km: int | None) -> bool:
        if self.regions is not None:
            return self.regions == pair
        lo, hi = self.band_km  # type: ignore[misc]
        return km is not None and lo <= km and (hi is None or km < hi)


@dataclass(frozen=True, slots=True)
class TravelConfig:
    distances_km: Mapping[frozenset[str], int]
    rules: tuple[TravelRule, ...]

    def distance(self, a: str, b: str) -> int | None:
        return self.distances_km.get(frozenset((a, b)))


@dataclass(frozen=True, slots=True)
class Allowance:
    amount: int  # minor units in `currency`, for the whole job
    currency: str
    per: str  # day | trip
    days: int
    rule: str

    def to_json(self) -> dict[str, Any]:
        return {"amount": format_minor(self.amount, self.currency), "currency": self.currency, "per": self.per,
                "days": self.days, "rule": self.rule}


def _pair(v: Any, cfg: Any, path: str) -> frozenset[str]:
    regions = [_text(r, f"{path}.{i}") for i, r in enumerate(v)]
    if len(regions) != 2:
        raise _fail(path, f"expected two regions, got {len(regions)}")
    for i, r in enumerate(regions):
        if r not in cfg.regions:
            raise _fail(f"{path}.{i}", f"unknown region {r!r}")
    if regions[0] == regions[1]:
        raise _fail(path, f"the two regions are the same ({regions[0]})")
    return frozenset(regions)


def _distances(v: Any, cfg: Any, path: str) -> Mapping[frozenset[str], int]:
    out: dict[frozenset[str], int] = {}
    for key, km in _mapping(v, path).items():
        p = f"{path}.{key}"
        pair = _pair(str(key).split("/"), cfg, p)
        if pair in out:
            raise _fail(p, "this pair is given twice (either order is the same pair)")
        out[pair] = _count(km, p)
    return MappingProxyType(out)


def _band(v: Any, path: str) -> tuple[int, int | None]:
    band = _list(v, path)
    if len(band) != 2:
        raise _fail(path, "expected [from_km, to_km] (to_km null for open-ended)")
    lo = _count(band[0], f"{path}.0")
    hi = None if band[1] is None else _count(band[1], f"{path}.1")
    if hi is not None and hi <= lo:
        raise _fail(f"{path}.1", f"must be greater than {lo}")
    return lo, hi


def _rule(v: Any, cfg: Any, path: str) -> TravelRule:
    r = _mapping(v, path)
    _keys(r, {"regions", "band_km", "per", "amount"}, path, required=("per", "amount"))
    if (r.get("regions") is None) == (r.get("band_km") is None):
        raise _fail(path, "needs either regions (a pair) or band_km, not both")
    if r["per"] not in PER:
        raise _fail(f"{path}.per", f"expected day or trip, got {r['per']!r}")
    amounts = {_currency(c, f"{path}.amount.{c}"): _amount(a, c, f"{path}.amount.{c}")
               for c, a in _mapping(r["amount"], f"{path}.amount").items()}
    if not amounts:
        raise _fail(f"{path}.amount", "needs an amount in at least one currency")
    regions = _pair(_list(r["regions"], f"{path}.regions"), cfg, f"{path}.regions") if r.get("regions") is not None else None
    band = _band(r["band_km"], f"{path}.band_km") if r.get("band_km") is not None else None
    return TravelRule(regions, band, r["per"], MappingProxyType(amounts))


def parse_travel(data: Any, cfg: Any, path: str) -> TravelConfig | None:
    """`travel_allowances` -> TravelConfig; None when the section is absent (no allowances)."""
    if data is None:
        return None
    d = _mapping(data, path)
    _keys(d, {"distances_km", "rules"}, path)
    distances = _distances(d.get("distances_km") or {}, cfg, f"{path}.distances_km")
    rules = tuple(_rule(r, cfg, f"{path}.rules.{i}") for i, r in enumerate(_list(d.get("rules") or [], f"{path}.rules")))
    return TravelConfig(distances, rules)


def allowance(travel_cfg: TravelConfig | None, *, home: str, job_region: str, days: int,
              currency: str) -> Allowance | None:
    """The engineer's allowance for one job: None at home, when no rule matches, or when the
    matching rule has no amount in `currency`."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise SettlementError(f"days on the job must be a whole number of at least 1, not {days!r}")
    exponent(currency)
    if travel_cfg is None or home == job_region:
        return None
    pair = frozenset((home, job_region))
    km = travel_cfg.distance(home, job_region)
    rule = next((r for r in travel_cfg.rules if r.matches(pair, km)), None)
    if rule is None or currency not in rule.amounts:
        return None
    each = rule.amounts[currency]
    return Allowance(each * days if rule.per == "day" else each, currency, rule.per, days, rule.label)


def days_on_job(start_utc: dt.datetime, end_utc: dt.datetime, tz: str) -> int:
    """Local calendar days the job spans in `tz` (claim 23:00, done 01:00 the next day: 2), at least 1."""
    z = zone(tz)
    start, end = _utc(start_utc).astimezone(z).date(), _utc(end_utc).astimezone(z).date()
    return max(1, (end - start).days + 1)
