"""Internal price lists (issue 15): named lists — cost (服务成本价), transfer (标准销售价), lead … — per
region and template, beside the customer's price.

    price_lists:
      cost:
        names: {zh: 服务成本价, en: service cost price}
        parts_factor: "0.80"            # parts on this list: Σ reported part amounts × factor
        regions:
          east: {default: {base_fee: "60.00", hourly_rate: "45.00"}, hvac_repair: {…}}

A region's entry is in the region's currency, amounts exact in it (never rounded at start-up).
A template's own entry wins over the region's `default`. The price of a job on a list:

    base    = base_fee                                   (left out with include_base=False: a second
                                                          branch's engineer on the same visit brings no
                                                          second call-out)
    labour  = hours × hourly_rate                        rounded once
    parts   = Σ reported part amounts × parts_factor     rounded once
    amount  = Σ lines                                    lines that come to zero are left out

Split rules may pay a party from a list (`{party: sales, price_list: transfer}`); every such name
is checked here, at start-up, against the lists and the regions and templates the rule prices.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from .config_fields import _decimal, _fail, _keys, _mapping, _names, _pricing
from .errors import SettlementError
from .money import mul, round_to_int, to_decimal, to_minor
from .pricing import Pricing, _parts

if TYPE_CHECKING:
    from .ledger_config import LedgerConfig

DEFAULT = "default"  # a region's price for every template without its own entry


@dataclass(frozen=True, slots=True)
class PriceList:
    code: str
    names: Mapping[str, str]
    parts_factor: Decimal
    prices: Mapping[str, Mapping[str, Pricing]]  # region -> template code | "default" -> price

    def pricing(self, region: str, template: str) -> Pricing:
        by_template = self.prices.get(region, {})
        found = by_template.get(template) or by_template.get(DEFAULT)
        if found is None:
            raise SettlementError(f"price list {self.code!r} has no price for {template} in {region} (nor a default)")
        return found

    def prices_job(self, region: str, template: str) -> bool:
        by_template = self.prices.get(region, {})
        return template in by_template or DEFAULT in by_template


@dataclass(frozen=True, slots=True)
class Work:
    """A job's price on one list, in the list region's currency."""
    price_list: str
    region: str
    currency: str
    lines: tuple[tuple[str, int], ...]  # (base | labour | parts, minor units)
    amount: int

    def line(self, code: str) -> int:
        return sum(amount for c, amount in self.lines if c == code)


def work_hours(hours: Any) -> Decimal:
    """Hours worked as an exact decimal; none reported counts as 0."""
    if hours is None:
        return Decimal(0)
    h = to_decimal(hours, "hours")
    if h < 0:
        raise SettlementError(f"hours must not be negative ({hours})")
    return h


def parse_price_lists(data: Any, cfg: Any, path: str) -> Mapping[str, PriceList]:
    """`price_lists` -> {code: PriceList}; also checks the split rules' `price_list` names."""
    out: dict[str, PriceList] = {}
    for code, entry in _mapping(data or {}, path).items():
        p = f"{path}.{code}"
        e = _mapping(entry, p)
        _keys(e, {"names", "parts_factor", "regions"}, p, required=("regions",))
        factor = _decimal(e["parts_factor"], f"{p}.parts_factor") if e.get("parts_factor") is not None else Decimal(1)
        prices: dict[str, Mapping[str, Pricing]] = {}
        for region, by_template in _mapping(e["regions"], f"{p}.regions").items():
            rp = f"{p}.regions.{region}"
            if region not in cfg.regions:
                raise _fail(rp, f"unknown region (known: {', '.join(cfg.regions) or 'none configured'})")
            currency = cfg.regions[region].currency
            entries = {}
            for template, price in _mapping(by_template, rp).items():
                if template != DEFAULT and template not in cfg.templates:
                    raise _fail(f"{rp}.{template}", f"unknown template (use a templates[*].code or {DEFAULT})")
                entries[str(template)] = _pricing(price, currency, f"{rp}.{template}", forced=currency)
            prices[str(region)] = MappingProxyType(entries)
        out[str(code)] = PriceList(str(code), _names(e.get("names"), f"{p}.names"), factor, MappingProxyType(prices))
    _check_rules(out, cfg)
    return MappingProxyType(out)


def _rule_templates(name: str, cfg: Any) -> list[str]:
    """The templates a split rule prices: its own template, or (default) every template without a rule."""
    if name in cfg.templates:
        return [name]
    if name == "default":
        return [t for t in cfg.templates if t not in cfg.split_rules]
    return []


def _check_rules(lists: Mapping[str, PriceList], cfg: Any) -> None:
    # A rule naming a missing list, or a list without a price where the rule applies, would only
    # fail when a job completes; at start-up it is a config error with its key path.
    for name, rule in cfg.split_rules.items():
        for i, share in enumerate(rule.shares):
            if share.price_list is None:
                continue
            p = f"split_rules.{name}.{i}.price_list"
            plist = lists.get(share.price_list)
            if plist is None:
                raise _fail(p, f"unknown price list {share.price_list!r} (known: {', '.join(lists) or 'none configured'})")
            for region in cfg.regions:
                for template in _rule_templates(name, cfg):
                    if not plist.prices_job(region, template):
                        raise _fail(p, f"price list {plist.code!r} has no price for {template} in {region} (nor a default)")


def price_list(cfg: "LedgerConfig", code: str) -> PriceList:
    try:
        return cfg.price_lists[code]
    except (KeyError, TypeError):
        raise SettlementError(f"unknown price list {code!r} (known: {', '.join(cfg.price_lists) or 'none configured'})") from None


def price_work(cfg: "LedgerConfig", list_code: str, *, region: str, template: str, hours: Any = None,
               parts: Iterable[Any] = (), include_base: bool = True) -> Work:
    """A job's price on list `list_code` in `region` (its currency). `parts`: (name, amount) pairs
    in the region's currency, as reported."""
    plist = price_list(cfg, list_code)
    reg = cfg.region(region)
    tpl = cfg.template(template)
    price = plist.pricing(reg.code, tpl.code)
    currency = reg.currency
    reported = sum(minor for _, minor in _parts(parts, currency))
    lines = (
        ("base", to_minor(price.base_fee, currency, cfg.rounding) if include_base else 0),
        ("labour", to_minor(mul(work_hours(hours), price.hourly_rate), currency, cfg.rounding)),
        ("parts", round_to_int(mul(Decimal(reported), plist.parts_factor), cfg.rounding)),
    )
    kept = tuple((code, amount) for code, amount in lines if amount)
    return Work(plist.code, reg.code, currency, kept, sum(amount for _, amount in kept))
