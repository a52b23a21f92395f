"""Joint jobs between two branches (issue 15): the joint squads (飞虎队) and the branch split.

A branch is a region booking in its region's currency. A job that involves two branches — the
host (the store's region, where the job is priced: its currency is the job's) and the other —
splits its pre-tax subtotal between them:

    each work item   = a branch's own work at its cost price, in the branch's currency
    cost             = Σ convert(work item → job currency)        each rounded once
    remainder        = subtotal − Σ costs of both branches        negative when the job lost money
    remainder shares = largest remainder of |remainder| by the squad's weights (none: equal, ties to
                       the host), carrying the remainder's sign — a loss is shared like a profit
    amount           = cost + remainder share                      Σ amounts == subtotal exactly
    branch_amount    = convert(amount → the branch's currency)     rounded once (== amount when the same)

    joint_squads:
      - {code: feihu_east_sw, name: 沪蓉飞虎队, regions: [east, southwest], dispatch_group: wr_feihu_dispatch,
         engineers: [zhangwei, wangjun], remainder: {east: 40, southwest: 60}}

Whether the dispatch group and the engineers exist is the desk's to check (handlers/config.py):
settlement knows regions, not chats or people.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Callable, Mapping, Sequence

from .config_fields import _decimal, _fail, _list, _mapping, _names, _text, coded_entries
from .errors import CurrencyMismatchError, SettlementError
from .fx import FxRate, convert
from .money import Money, exponent, format_minor
from .split import largest_remainder

BASES = ("base", "labour", "parts", "travel")
_EQUAL = Decimal(1)


@dataclass(frozen=True, slots=True)
class JointSquad:
    code: str
    name: str
    names: Mapping[str, str]
    regions: tuple[str, str]
    dispatch_group: str
    engineers: tuple[str, ...]
    remainder: Mapping[str, Decimal]  # region -> weight of what is left after both branches' costs


@dataclass(frozen=True, slots=True)
class BranchWork:
    """A branch's own work on the job at its cost price, in the BRANCH's currency."""
    branch: str
    basis: str  # base | labour | parts | travel
    amount: int
    currency: str
    price_list: str | None = None  # the list that priced it (None: e.g. a travel allowance)

    def __post_init__(self) -> None:
        if self.basis not in BASES:
            raise SettlementError(f"branch work basis must be one of {', '.join(BASES)}, not {self.basis!r}")
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError(f"branch work amount must be an int of minor units, not {type(self.amount).__name__}")
        exponent(self.currency)


@dataclass(frozen=True, slots=True)
class BranchShare:
    branch: str
    cost: int  # job currency: Σ this branch's work, converted
    remainder: int  # job currency: its share of subtotal − Σ costs (negative for a loss)
    amount: int  # job currency: cost + remainder
    currency: str  # the job's
    branch_amount: int  # `amount` in the branch's currency
    branch_currency: str
    rate: FxRate | None  # job → branch currency; None when they are the same
    work: tuple[BranchWork, ...]
    costs: tuple[int, ...] = ()  # each work item in the job currency, in the order of `work`
    cost_rate: FxRate | None = None  # branch → job currency, the rate the work was converted at

    def to_json(self) -> dict[str, Any]:
        fmt = lambda v: format_minor(v, self.currency)  # noqa: E731
        return {"branch": self.branch, "cost": fmt(self.cost), "remainder": fmt(self.remainder),
                "amount": fmt(self.amount), "currency": self.currency,
                "branch_amount": format_minor(self.branch_amount, self.branch_currency),
                "branch_currency": self.branch_currency, "rate": self.rate.to_json() if self.rate else None,
                "cost_rate": self.cost_rate.to_json() if self.cost_rate else None,
                "work": [{"basis": w.basis, "price_list": w.price_list,
                          "amount": format_minor(w.amount, w.currency), "currency": w.currency,
                          "job_amount": fmt(c)} for w, c in zip(self.work, self.costs)]}


def parse_joint_squads(data: Any, cfg: Any, path: str) -> Mapping[str, JointSquad]:
    out: dict[str, JointSquad] = {}
    pairs: dict[frozenset[str], str] = {}
    allowed = {"code", "name", "names", "regions", "dispatch_group", "engineers", "remainder"}
    for p, code, s in coded_entries(data or [], path, allowed, required=("code", "regions", "dispatch_group")):
        regions = tuple(_text(r, f"{p}.regions.{i}") for i, r in enumerate(_list(s["regions"], f"{p}.regions")))
        if len(regions) != 2:
            raise _fail(f"{p}.regions", f"expected the two branches' regions, got {len(regions)}")
        for i, r in enumerate(regions):
            if r not in cfg.regions:
                raise _fail(f"{p}.regions.{i}", f"unknown region {r!r}")
        if regions[0] == regions[1]:
            raise _fail(f"{p}.regions", f"a joint squad joins two different regions ({regions[0]} twice)")
        pair = frozenset(regions)
        if pair in pairs:
            raise _fail(f"{p}.regions", f"squad {pairs[pair]!r} already joins {regions[0]} and {regions[1]}")
        pairs[pair] = code
        engineers = tuple(_text(e, f"{p}.engineers.{i}") for i, e in enumerate(_list(s.get("engineers") or [], f"{p}.engineers")))
        if len(set(engineers)) != len(engineers):
            raise _fail(f"{p}.engineers", "lists an engineer twice")
        out[code] = JointSquad(
            code=code, name=_text(s["name"], f"{p}.name") if s.get("name") is not None else code,
            names=_names(s.get("names"), f"{p}.names"), regions=(regions[0], regions[1]),
            dispatch_group=_text(s["dispatch_group"], f"{p}.dispatch_group"), engineers=engineers,
            remainder=_remainder(s.get("remainder"), regions, f"{p}.remainder"))
    return MappingProxyType(out)


def _remainder(v: Any, regions: tuple[str, ...], path: str) -> Mapping[str, Decimal]:
    if v is None:
        return MappingProxyType({r: _EQUAL for r in regions})
    d = _mapping(v, path)
    if set(map(str, d)) != set(regions):
        raise _fail(path, f"needs a weight for exactly the squad's regions ({regions[0]}, {regions[1]})")
    weights = {str(r): _decimal(w, f"{path}.{r}") for r, w in d.items()}
    if not any(weights.values()):
        raise _fail(path, "the weights sum to 0")
    return MappingProxyType({r: weights[r] for r in regions})


def squad_for(squads: Mapping[str, JointSquad], region_a: str, region_b: str) -> JointSquad | None:
    """The squad joining the two regions (either order), if any."""
    pair = {region_a, region_b}
    return next((s for s in squads.values() if set(s.regions) == pair), None)


def _currency_of(branch: str, host: str, currency: str, work: Sequence[BranchWork],
                 currencies: Mapping[str, str] | None) -> str:
    if currencies and branch in currencies:
        return currencies[branch]
    own = [w.currency for w in work]
    if own:
        return own[0]
    if branch == host:
        return currency  # the job is priced in the host's region
    raise SettlementError(f"branch {branch!r} did no work on the job: pass its currency (currencies=)")


def branch_split(subtotal: int, currency: str, *, branches: tuple[str, str], work: Sequence[BranchWork],
                 remainder: Mapping[str, Decimal] | None, rate: Callable[[str, str], FxRate],
                 currencies: Mapping[str, str] | None = None) -> list[BranchShare]:
    """The job's pre-tax `subtotal` (job currency) between the host (branches[0]) and the other
    branch: each its converted costs, the rest by `remainder` weights. Σ amount == subtotal.

    `rate(from, to)` gives the stored rate (e.g. `cfg.fx_rate`, or a date-bound lambda);
    `currencies` names a branch's currency when it has no work item to tell it (default: the
    host's is the job currency)."""
    if not isinstance(subtotal, int) or isinstance(subtotal, bool):
        raise TypeError(f"subtotal must be an int of minor units, not {type(subtotal).__name__}")
    exponent(currency)
    host, other = branches
    if host == other:
        raise SettlementError(f"a joint job needs two different branches ({host} twice)")
    for w in work:
        if w.branch not in branches:
            raise SettlementError(f"work by {w.branch!r}, which is not one of the job's branches ({host}, {other})")
    if remainder is not None and set(remainder) != set(branches):
        raise SettlementError(f"remainder weights must name exactly the job's branches ({host}, {other})")

    def to(money: Money, target: str) -> tuple[int, FxRate | None]:
        if money.currency == target:
            return money.amount, None
        r = rate(money.currency, target)
        return convert(money, r).amount, r

    own = {b: [w for w in work if w.branch == b] for b in branches}
    cur = {b: _currency_of(b, host, currency, own[b], currencies) for b in branches}
    costs: dict[str, list[int]] = {}
    cost_rate: dict[str, FxRate | None] = {}
    for b in branches:
        for w in own[b]:
            if w.currency != cur[b]:
                raise CurrencyMismatchError(f"{b}'s {w.basis} work is in {w.currency}, the branch books in {cur[b]}")
        converted = [to(Money(w.amount, w.currency), currency) for w in own[b]]
        costs[b] = [amount for amount, _ in converted]
        cost_rate[b] = next((r for _, r in converted if r is not None), None)
    left = subtotal - sum(sum(c) for c in costs.values())
    weights = [Fraction(remainder[b]) if remainder is not None else Fraction(1) for b in branches]
    sign = -1 if left < 0 else 1
    rests = [sign * part for part in largest_remainder(abs(left), weights)]

    out = []
    for b, rest in zip(branches, rests):
        amount = sum(costs[b]) + rest
        branch_amount, r = to(Money(amount, currency), cur[b])
        out.append(BranchShare(b, sum(costs[b]), rest, amount, currency, branch_amount, cur[b], r,
                               tuple(own[b]), tuple(costs[b]), cost_rate[b]))
    return out
