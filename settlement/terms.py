"""Payment terms, rebates, SLA credits and aging (issue 15): how an account pays, as arithmetic.

* `credit` terms (账期): an invoice is due `net_days` after its issue date or, with `month_end`,
  after the last day of the month it is issued in (net 30 month-end on Jan 31 2026 → Mar 2).
* `prepaid` terms (预付返点): jobs draw a balance down; the period's drawn volume earns a rebate —
  the WHOLE volume at the rate of the highest tier it reached (a tier's threshold counts as
  reached), rounded once. Not graduated: crossing a tier mid-period re-rates the whole month,
  which is what the account was promised.
* SLA credits: a breached job earns `percent` of its total (tax included, rounded once) or a
  `fixed` amount in the job's currency; a policy with no amount in that currency earns nothing
  rather than a converted guess.
* `aging` puts each open receivable in one bucket by days overdue, per currency.

Config (one-line errors starting with the key path, like every settlement section):

    payment_terms:                      # per region, for accounts that name no `terms`
      north: {kind: credit, net_days: 30, month_end: true}
      south: {kind: prepaid, currency: CNY, low_balance: "2000.00",
              rebates: [{from: "10000.00", rate: "0.02"}, {from: "50000.00", rate: "0.04"}]}
    accounts[*].terms:       the same shape; the account's own terms win over its region's
    accounts[*].sla_credit:  {percent: "0.10"} (10 %) | {fixed: {THB: "200.00"}}
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Iterable, Mapping, Sequence

from .config import _amount, _count, _currency, _decimal, _fail, _keys, _list, _mapping
from .money import DEFAULT_ROUNDING, check_rounding, format_minor, mul, round_to_int
from .periods import parse_month

KINDS = ("credit", "prepaid")
BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")


@dataclass(frozen=True, slots=True)
class CreditTerms:
    net_days: int
    month_end: bool = False
    kind: str = "credit"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "net_days": self.net_days, "month_end": self.month_end}


@dataclass(frozen=True, slots=True)
class Rebate:
    threshold: int   # minor units of the balance's currency; reached when volume >= threshold
    rate: Decimal    # a fraction: "0.02" is 2 %


@dataclass(frozen=True, slots=True)
class PrepaidTerms:
    currency: str
    low_balance: int = 0                       # minor units; a draw that takes the balance below it is told
    rebates: tuple[Rebate, ...] = ()           # ascending thresholds
    kind: str = "prepaid"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "currency": self.currency,
                "low_balance": format_minor(self.low_balance, self.currency),
                "rebates": [{"from": format_minor(r.threshold, self.currency), "rate": str(r.rate)}
                            for r in self.rebates]}


@dataclass(frozen=True, slots=True)
class SlaCreditPolicy:
    percent: Decimal | None = None                                    # a fraction of the job's total
    fixed: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))   # currency -> minor units

    def to_json(self) -> dict[str, Any]:
        if self.percent is not None:
            return {"percent": str(self.percent)}
        return {"fixed": {c: format_minor(v, c) for c, v in self.fixed.items()}}


Terms = CreditTerms | PrepaidTerms


# -- arithmetic ------------------------------------------------------------------------------------

def due_date(issued: dt.date, terms: Terms) -> dt.date:
    """When an invoice issued on `issued` is due. Prepaid statements are due when issued."""
    if isinstance(terms, PrepaidTerms):
        return issued
    start = issued
    if terms.month_end:
        start = issued.replace(day=calendar.monthrange(issued.year, issued.month)[1])
    return start + dt.timedelta(days=terms.net_days)


def period_last_day(period: str) -> dt.date:
    """An invoice's issue date: the last day of its month ("2028-02" → 2028-02-29)."""
    y, m = parse_month(period)
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def rebate(volume: int, terms: PrepaidTerms, rounding: str = DEFAULT_ROUNDING) -> tuple[Rebate | None, int]:
    """The tier `volume` reached and its rebate: round(volume × rate), once. No tier → (None, 0)."""
    reached = None
    for tier in terms.rebates:
        if volume >= tier.threshold:
            reached = tier
    if reached is None or volume <= 0:
        return None, 0
    return reached, round_to_int(mul(Decimal(volume), reached.rate), check_rounding(rounding))


def sla_credit(policy: SlaCreditPolicy, job_total: int, currency: str, rounding: str = DEFAULT_ROUNDING) -> int:
    """What one breached job earns, in its own currency (0: nothing to write)."""
    if policy.percent is not None:
        return max(0, round_to_int(mul(Decimal(job_total), policy.percent), check_rounding(rounding)))
    return policy.fixed.get(currency, 0)


@dataclass(frozen=True, slots=True)
class Receivable:
    ref: Any            # the invoice (id or row): carried through untouched
    currency: str
    due_on: dt.date
    open_amount: int    # minor units still owed


@dataclass(frozen=True, slots=True)
class Aged:
    receivable: Receivable
    days_overdue: int   # 0 when not yet due
    bucket: str


@dataclass(frozen=True, slots=True)
class Aging:
    today: dt.date
    rows: tuple[Aged, ...]                       # oldest first
    totals: Mapping[str, Mapping[str, int]]      # currency -> bucket -> open amount (every bucket present)


def bucket_of(days_overdue: int) -> str:
    if days_overdue <= 0:
        return "current"
    if days_overdue <= 30:
        return "1-30"
    if days_overdue <= 60:
        return "31-60"
    if days_overdue <= 90:
        return "61-90"
    return "90+"


def aging(rows: Iterable[Receivable], today: dt.date) -> Aging:
    """Open receivables by days overdue on `today`, per currency; nothing owed → not listed."""
    aged = []
    totals: dict[str, dict[str, int]] = {}
    for r in rows:
        if r.open_amount <= 0:
            continue
        days = max(0, (today - r.due_on).days)
        a = Aged(r, days, bucket_of(days))
        aged.append(a)
        cur = totals.setdefault(r.currency, dict.fromkeys(BUCKETS, 0))
        cur[a.bucket] += r.open_amount
    aged.sort(key=lambda a: (-a.days_overdue, a.receivable.currency, a.receivable.due_on))
    return Aging(today, tuple(aged), MappingProxyType({c: MappingProxyType(totals[c]) for c in sorted(totals)}))


# -- config ----------------------------------------------------------------------------------------

def _rebates(v: Any, currency: str, path: str) -> tuple[Rebate, ...]:
    out: list[Rebate] = []
    for i, r in enumerate(_list(v, path)):
        p = f"{path}.{i}"
        r = _mapping(r, p)
        _keys(r, {"from", "rate"}, p, required=("from", "rate"))
        threshold = _amount(r["from"], currency, f"{p}.from")
        if out and threshold <= out[-1].threshold:
            raise _fail(f"{p}.from", "must be greater than the previous tier's `from`")
        rate = _decimal(r["rate"], f"{p}.rate")
        if rate > 1:
            raise _fail(f"{p}.rate", f"a fraction at most 1 (\"0.02\" is 2 %), got {r['rate']}")
        out.append(Rebate(threshold, rate))
    return tuple(out)


def parse_terms(v: Any, path: str) -> Terms:
    d = _mapping(v, path)
    kind = d.get("kind")
    if kind not in KINDS:
        raise _fail(f"{path}.kind", f"expected one of {', '.join(KINDS)}, got {kind!r}")
    if kind == "credit":
        _keys(d, {"kind", "net_days", "month_end"}, path, required=("net_days",))
        month_end = d.get("month_end", False)
        if not isinstance(month_end, bool):
            raise _fail(f"{path}.month_end", f"expected true or false, got {month_end!r}")
        return CreditTerms(_count(d["net_days"], f"{path}.net_days"), month_end)
    _keys(d, {"kind", "currency", "low_balance", "rebates"}, path, required=("currency",))
    currency = _currency(d["currency"], f"{path}.currency")
    low = _amount(d["low_balance"], currency, f"{path}.low_balance") if d.get("low_balance") is not None else 0
    return PrepaidTerms(currency, low, _rebates(d.get("rebates") or [], currency, f"{path}.rebates"))


def parse_sla_credit(v: Any, path: str) -> SlaCreditPolicy:
    d = _mapping(v, path)
    _keys(d, {"percent", "fixed"}, path)
    if ("percent" in d) == ("fixed" in d):
        raise _fail(path, "give exactly one of percent (\"0.10\" is 10 % of the job's total) or fixed ({CNY: \"50.00\"})")
    if "percent" in d:
        pct = _decimal(d["percent"], f"{path}.percent", positive=True)
        if pct > 1:
            raise _fail(f"{path}.percent", f"a fraction at most 1 (\"0.10\" is 10 %), got {d['percent']}")
        return SlaCreditPolicy(percent=pct)
    fixed = {}
    for cur, amount in _mapping(d["fixed"], f"{path}.fixed").items():
        cur = _currency(cur, f"{path}.fixed.{cur}")
        fixed[cur] = _amount(amount, cur, f"{path}.fixed.{cur}")
    if not fixed:
        raise _fail(f"{path}.fixed", "needs an amount in at least one currency")
    return SlaCreditPolicy(fixed=MappingProxyType(fixed))


def parse_payment_terms(data: Any, cfg: Any, path: str) -> Mapping[str, Terms]:
    """`payment_terms`: region code -> terms, for the accounts of that region that name none."""
    if data is None:
        return MappingProxyType({})
    out = {}
    for region, v in _mapping(data, path).items():
        if region not in cfg.regions:
            raise _fail(f"{path}.{region}", f"unknown region {region!r} (known: {', '.join(cfg.regions)})")
        out[region] = parse_terms(v, f"{path}.{region}")
    return MappingProxyType(out)


__all__: Sequence[str] = (
    "Aged", "Aging", "BUCKETS", "CreditTerms", "PrepaidTerms", "Rebate", "Receivable", "SlaCreditPolicy", "Terms",
    "aging", "bucket_of", "due_date", "period_last_day", "parse_payment_terms", "parse_sla_credit", "parse_terms", "rebate", "sla_credit",
)
