"""Settlement config: the §6 sections of config.yaml -> typed, frozen objects.

Read from the whole config mapping (after ${VAR} interpolation): top-level `rounding`,
`reporting_currency`, `plans`, `split_rules`, `fx_rates`, `surcharges`, `templates[*]` (code,
names, pricing) and `regions[*]` (code, currency, language, tax_rate, multiplier, prices).

Every error is one line that starts with the key path (`plans.basic.tiers.1.unit: not a
decimal ('x')`), list indexes zero-based like the rest of the desk's config errors. Unknown keys
inside settlement-owned entries are refused, so a typo fails at start-up instead of billing with
a default; templates and regions are shared with other modules, so only their settlement keys are
checked there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Mapping

# The shared readers keep their names here too: ledger_config, terms and handlers import them from .config.
from .config_fields import (  # noqa: F401
    _amount, _count, _currency, _decimal, _fail, _keys, _list, _mapping, _names, _pricing, _text, coded_entries,
    unknown_key,
)
from .errors import SettlementError
from .fx import FxRate, find_rate
from .money import DEFAULT_ROUNDING, ROUNDING_MODES
from .plans import MODELS, Item, Plan, Tier
from .pricing import Region, Surcharge, Template
from .split import STARS, Share, SplitRule

_TIERED = ("graduated", "volume")
_PLAN_KEYS = {
    "graduated": {"tiers", "mode"},
    "volume": {"tiers", "mode"},
    "fixed_commission": {"fixed", "rate", "min", "max"},
    "custom": {"items"},
}
_COMMON_PLAN_KEYS = {"model", "currency", "components", "names"}


# -- plans -------------------------------------------------------------------------------------

def _tiers(v: Any, currency: str, path: str) -> tuple[Tier, ...]:
    raw = _list(v, path)
    if not raw:
        raise _fail(path, "needs at least one tier")
    tiers, last = [], 0
    for i, t in enumerate(raw):
        p = f"{path}.{i}"
        t = _mapping(t, p)
        _keys(t, {"up_to", "unit", "flat"}, p, required=("unit",))
        up_to = t.get("up_to")
        if up_to is not None:
            up_to = _count(up_to, f"{p}.up_to", minimum=1)
            if up_to <= last:
                raise _fail(f"{p}.up_to", f"must be greater than the previous tier's up_to ({last})")
            last = up_to
        elif i != len(raw) - 1:
            raise _fail(f"{p}.up_to", "only the last tier may be open-ended (null)")
        flat = _amount(t["flat"], currency, f"{p}.flat") if t.get("flat") is not None else 0
        tiers.append(Tier(up_to, _decimal(t["unit"], f"{p}.unit"), flat))
    if tiers[-1].up_to is not None:
        raise _fail(f"{path}.{len(raw) - 1}.up_to", "the last tier must be open-ended (up_to: null)")
    return tuple(tiers)


def _items(v: Any, path: str) -> tuple[Item, ...]:
    items = []
    for p, code, it in coded_entries(v, path, {"code", "unit_price", "included", "unit", "names"},
                                     required=("code", "unit_price")):
        included = _decimal(it["included"], f"{p}.included") if it.get("included") is not None else Decimal(0)
        items.append(Item(code, _decimal(it["unit_price"], f"{p}.unit_price"), included,
                          str(it.get("unit") or ""), _names(it.get("names"), f"{p}.names")))
    return tuple(items)


def parse_plan(data: Any, path: str, *, code: str, rounding: str, default_currency: str,
               component: bool = False) -> Plan:
    d = _mapping(data, path)
    model = d.get("model")
    if model not in MODELS:
        raise _fail(f"{path}.model", f"expected one of {', '.join(MODELS)}, got {model!r}")
    _keys(d, _COMMON_PLAN_KEYS | _PLAN_KEYS[model], path)
    currency = _currency(d["currency"], f"{path}.currency") if d.get("currency") is not None else default_currency
    if component and currency != default_currency:
        raise _fail(f"{path}.currency", f"a component must bill in its plan's currency ({default_currency})")
    mode = d.get("mode")
    if mode is not None:
        if mode not in _TIERED or (model == "volume" and mode != "volume"):
            raise _fail(f"{path}.mode", f"expected graduated or volume, got {mode!r}")
        model = mode  # the spec's "basic with mode: volume"
    kw: dict[str, Any] = {}
    if model in _TIERED:
        if "tiers" not in d:
            raise _fail(f"{path}.tiers", "missing")
        kw["tiers"] = _tiers(d["tiers"], currency, f"{path}.tiers")
    elif model == "fixed_commission":
        if d.get("rate") is None:
            raise _fail(f"{path}.rate", "missing")
        kw["rate"] = _decimal(d["rate"], f"{path}.rate")
        if d.get("fixed") is not None:
            kw["fixed"] = _amount(d["fixed"], currency, f"{path}.fixed")
        for k in ("min", "max"):
            if d.get(k) is not None:
                kw[k] = _amount(d[k], currency, f"{path}.{k}")
        if kw.get("min") is not None and kw.get("max") is not None and kw["min"] > kw["max"]:
            raise _fail(f"{path}.min", "is greater than max")
    else:
        if "items" not in d:
            raise _fail(f"{path}.items", "missing")
        kw["items"] = _items(d["items"], f"{path}.items")
    comps = []
    for i, c in enumerate(_list(d.get("components") or [], f"{path}.components")):
        comps.append(parse_plan(c, f"{path}.components.{i}", code=f"{code}.components.{i}",
                                rounding=rounding, default_currency=currency, component=True))
    try:
        return Plan(code=code, model=model, currency=currency, components=tuple(comps), rounding=rounding,
                    names=_names(d.get("names"), f"{path}.names"), **kw)
    except SettlementError as e:
        raise _fail(path, str(e)) from None


# -- split rules -------------------------------------------------------------------------------

def _fixed(v: Any, entry: Mapping[str, Any], default_currency: str, path: str) -> Mapping[str, int]:
    if isinstance(v, Mapping):  # {CNY: "120.00", THB: "600.00"}: one internal price per currency
        if entry.get("currency") is not None:
            raise _fail(f"{path}.currency", "not used when fixed is a per-currency mapping")
        return MappingProxyType({_currency(c, f"{path}.fixed.{c}"): _amount(a, c, f"{path}.fixed.{c}")
                                 for c, a in v.items()})
    cur = _currency(entry["currency"], f"{path}.currency") if entry.get("currency") is not None else default_currency
    return MappingProxyType({cur: _amount(v, cur, f"{path}.fixed")})


def _rating_factors(v: Any, path: str) -> Mapping[int, Decimal]:
    """{"5": "1.20", "4": "1.00", …}: a weight factor per star (YAML keys may be text or numbers)."""
    out = {}
    for star, factor in _mapping(v or {}, path).items():
        try:
            n = int(str(star).strip())
        except ValueError:
            n = 0
        if n not in STARS or isinstance(star, bool):
            raise _fail(f"{path}.{star}", "expected a rating from 1 to 5 stars")
        if n in out:
            raise _fail(f"{path}.{star}", f"{n} stars given twice")
        out[n] = _decimal(factor, f"{path}.{star}")
    return MappingProxyType(out)


def _split_rule(name: str, v: Any, default_currency: str, path: str) -> SplitRule:
    shares = []
    for i, e in enumerate(_list(v, path)):
        p = f"{path}.{i}"
        e = _mapping(e, p)
        _keys(e, {"party", "weight", "fixed", "currency", "price_list", "per_hour", "rating"}, p, required=("party",))
        if all(e.get(k) is None for k in ("weight", "fixed", "price_list", "per_hour")):
            raise _fail(p, "needs a weight, a fixed amount, or both (or a price_list, or per_hour)")
        if e.get("fixed") is not None and e.get("price_list") is not None:
            raise _fail(f"{p}.price_list", "a party is paid a fixed amount or from a price list, not both")
        weight = _decimal(e["weight"], f"{p}.weight") if e.get("weight") is not None else Decimal(0)
        fixed = _fixed(e["fixed"], e, default_currency, p) if e.get("fixed") is not None else MappingProxyType({})
        # The list's existence is checked with the price lists (settlement/price_lists.py), parsed after the rules.
        price_list = _text(e["price_list"], f"{p}.price_list") if e.get("price_list") is not None else None
        per_hour = _decimal(e["per_hour"], f"{p}.per_hour") if e.get("per_hour") is not None else Decimal(0)
        shares.append(Share(_text(e["party"], f"{p}.party"), weight, fixed, price_list, per_hour,
                            _rating_factors(e.get("rating"), f"{p}.rating")))
    try:
        return SplitRule(name, tuple(shares))
    except SettlementError as e:
        raise _fail(path, str(e)) from None


# -- fx, surcharges, templates, regions ----------------------------------------------------------

def _date(v: Any, path: str) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v.strip())
        except ValueError:
            pass
    raise _fail(path, f"expected a date like 2026-11-01, got {v!r}")


def _fx_rates(v: Any, rounding: str, path: str) -> tuple[FxRate, ...]:
    rates, seen = [], set()
    for i, r in enumerate(_list(v, path)):
        p = f"{path}.{i}"
        r = _mapping(r, p)
        _keys(r, {"from", "to", "rate", "date", "source"}, p, required=("from", "to", "rate", "date"))
        frm, to = _currency(r["from"], f"{p}.from"), _currency(r["to"], f"{p}.to")
        if frm == to:
            raise _fail(f"{p}.to", "same as from")
        date = _date(r["date"], f"{p}.date")
        if (frm, to, date) in seen:
            raise _fail(p, f"duplicate rate {frm}->{to} on {date.isoformat()}")
        seen.add((frm, to, date))
        source = _text(r["source"], f"{p}.source") if r.get("source") is not None else "config"
        rates.append(FxRate(frm, to, _decimal(r["rate"], f"{p}.rate", positive=True), date, source, rounding))
    return tuple(rates)


def _surcharges(v: Any, path: str) -> Mapping[str, Surcharge]:
    out = {}
    for code, s in _mapping(v, path).items():
        p = f"{path}.{code}"
        names: Mapping[str, str] = MappingProxyType({})
        if isinstance(s, Mapping):  # {rate: "0.25", names: {zh: 加急费}} for surcharges without a built-in label
            _keys(s, {"rate", "names"}, p, required=("rate",))
            names, s = _names(s.get("names"), f"{p}.names"), s["rate"]
            p = f"{p}.rate"
        out[str(code)] = Surcharge(str(code), _decimal(s, p), names)
    return MappingProxyType(out)


def _templates(v: Any, default_currency: str, path: str) -> Mapping[str, Template]:
    out: dict[str, Template] = {}
    for p, code, t in coded_entries(v, path):
        pricing = _pricing(t["pricing"], default_currency, f"{p}.pricing") if t.get("pricing") is not None else None
        out[code] = Template(code, pricing, _names(t.get("names"), f"{p}.names"))
    return MappingProxyType(out)


def _regions(v: Any, templates: Mapping[str, Template], path: str) -> Mapping[str, Region]:
    out: dict[str, Region] = {}
    for p, code, r in coded_entries(v, path):
        currency = _currency(r.get("currency", "CNY"), f"{p}.currency")
        prices = {}
        for tcode, entry in _mapping(r.get("prices") or {}, f"{p}.prices").items():
            if tcode not in templates:
                raise _fail(f"{p}.prices.{tcode}", "unknown template")
            prices[tcode] = _pricing(entry, currency, f"{p}.prices.{tcode}", forced=currency)
        out[code] = Region(
            code=code, currency=currency,
            tax_rate=_decimal(r.get("tax_rate", "0"), f"{p}.tax_rate"),
            multiplier=_decimal(r.get("multiplier", "1"), f"{p}.multiplier", positive=True),
            language=str(r.get("language") or "zh"), prices=MappingProxyType(prices))
    return MappingProxyType(out)


# -- the config object -------------------------------------------------------------------------

def _known(kind: str, code: Any, table: Mapping[str, Any]) -> SettlementError:
    return SettlementError(f"unknown {kind} {code!r} (known: {', '.join(table) or 'none configured'})")


@dataclass(frozen=True)
class SettlementConfig:
    rounding: str = DEFAULT_ROUNDING
    reporting_currency: str = "CNY"
    plans: Mapping[str, Plan] = field(default_factory=lambda: MappingProxyType({}))
    split_rules: Mapping[str, SplitRule] = field(default_factory=lambda: MappingProxyType({}))
    fx_rates: tuple[FxRate, ...] = ()
    surcharges: Mapping[str, Surcharge] = field(default_factory=lambda: MappingProxyType({}))
    templates: Mapping[str, Template] = field(default_factory=lambda: MappingProxyType({}))
    regions: Mapping[str, Region] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_mapping(cls, data: Any) -> "SettlementConfig":
        d = _mapping(data, "(root)")
        rounding = d.get("rounding") or DEFAULT_ROUNDING
        if rounding not in ROUNDING_MODES:
            raise _fail("rounding", f"expected one of {', '.join(sorted(ROUNDING_MODES))}, got {rounding!r}")
        reporting = _currency(d.get("reporting_currency") or "CNY", "reporting_currency")
        plans = {str(k): parse_plan(v, f"plans.{k}", code=str(k), rounding=rounding, default_currency=reporting)
                 for k, v in _mapping(d.get("plans") or {}, "plans").items()}
        rules = {str(k): _split_rule(str(k), v, reporting, f"split_rules.{k}")
                 for k, v in _mapping(d.get("split_rules") or {}, "split_rules").items()}
        templates = _templates(d.get("templates") or [], reporting, "templates")
        return cls(
            rounding=rounding, reporting_currency=reporting,
            plans=MappingProxyType(plans), split_rules=MappingProxyType(rules),
            fx_rates=_fx_rates(d.get("fx_rates") or [], rounding, "fx_rates"),
            surcharges=_surcharges(d.get("surcharges") or {}, "surcharges"),
            templates=templates, regions=_regions(d.get("regions") or [], templates, "regions"),
        )

    def template(self, code: str) -> Template:
        try:
            return self.templates[code]
        except (KeyError, TypeError):
            raise _known("template", code, self.templates) from None

    def region(self, code: str) -> Region:
        try:
            return self.regions[code]
        except (KeyError, TypeError):
            raise _known("region", code, self.regions) from None

    def surcharge(self, code: str) -> Surcharge:
        try:
            return self.surcharges[code]
        except (KeyError, TypeError):
            raise _known("surcharge", code, self.surcharges) from None

    def plan(self, code: str) -> Plan:
        try:
            return self.plans[code]
        except (KeyError, TypeError):
            raise _known("plan", code, self.plans) from None

    def parse_plan(self, data: Any, path: str = "plan", code: str = "ad hoc") -> Plan:
        """An ad-hoc plan (e.g. `settle plan --plan '<json>'`) in the §6 shape, with this config's rounding."""
        return parse_plan(data, path, code=code, rounding=self.rounding, default_currency=self.reporting_currency)

    def split_rule(self, name_or_template: str | None = None) -> SplitRule:
        """The rule named so (usually a template code), else `default`."""
        if name_or_template in self.split_rules:
            return self.split_rules[name_or_template]  # type: ignore[index]
        if "default" in self.split_rules:
            return self.split_rules["default"]
        raise _known("split rule", name_or_template, self.split_rules)

    def fx_rate(self, from_currency: str, to_currency: str, on: dt.date | None = None) -> FxRate:
        return find_rate(self.fx_rates, from_currency, to_currency, on, self.rounding)
