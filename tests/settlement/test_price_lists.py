"""Internal price lists (issue 15): a job's price on the cost / transfer list of a region, and the
config errors an operator sees when a list is written wrong."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from settlement import CurrencyMismatchError, Money, SettlementConfigError, SettlementError, price_work
from settlement.ledger_config import LedgerConfig

from .conftest import branches_mapping

LCFG = LedgerConfig.from_mapping(branches_mapping())


def test_cost_of_a_job_line_by_line(lcfg):
    work = price_work(lcfg, "cost", region="east", template="hvac_repair", hours="1.5",
                      parts=[("压缩机", "180.00"), ("滤网", "35.55")])
    # east's own hvac_repair entry: call-out 70.00; 1.5 h × 50.00 = 75.00;
    # parts (180.00 + 35.55) × 0.80 = 172.44
    assert (work.price_list, work.region, work.currency) == ("cost", "east", "CNY")
    assert work.lines == (("base", 7000), ("labour", 7500), ("parts", 17244))
    assert work.amount == 31744


def test_a_template_without_its_own_entry_takes_the_region_default(lcfg):
    # pos_repair has no east entry: default 60.00 + 2 h × 45.00 = 150.00
    assert price_work(lcfg, "cost", region="east", template="pos_repair", hours="2").lines == (
        ("base", 6000), ("labour", 9000))


def test_prices_are_in_the_region_currency(lcfg):
    th = price_work(lcfg, "cost", region="th", template="hvac_repair", hours="1.5")
    assert (th.currency, th.lines) == ("THB", (("base", 30000), ("labour", 33000)))  # 300.00 + 1.5 × 220.00
    # JPY has no minor unit: 1.5 h × 3333 = 4999.5 → 5000, rounded once (ROUND_HALF_UP)
    assert price_work(lcfg, "cost", region="jp", template="pos_repair", hours="1.5").lines == (
        ("base", 5000), ("labour", 5000))


def test_parts_are_rounded_once_on_their_total(lcfg):
    # (0.03 + 0.03) × 0.80 = 0.048 → 0.05; rounding each part (0.024 → 0.02) would give 0.04
    work = price_work(lcfg, "cost", region="east", template="pos_repair", parts=[("a", "0.03"), ("b", "0.03")],
                      include_base=False)
    assert work.lines == (("parts", 5),)


def test_a_second_engineer_brings_no_second_call_out(lcfg):
    work = price_work(lcfg, "cost", region="southwest", template="hvac_repair", hours="2", include_base=False)
    assert (work.lines, work.amount) == ((("labour", 8000),), 8000)  # 2 × 40.00, no 50.00 call-out


def test_lines_that_come_to_zero_are_left_out(lcfg):
    # The transfer list pays a flat 30.00: no labour rate, parts_factor 0
    work = price_work(lcfg, "transfer", region="east", template="pos_repair", hours="3", parts=[("x", "99.00")])
    assert (work.lines, work.amount) == ((("base", 3000),), 3000)


def test_bad_input_is_one_line(lcfg):
    with pytest.raises(SettlementError, match=r"^unknown price list 'lead' \(known: cost, transfer\)$"):
        price_work(lcfg, "lead", region="east", template="pos_repair")
    with pytest.raises(SettlementError, match=r"^price list 'cost' has no price for pos_repair in centre"):
        price_work(lcfg, "cost", region="centre", template="pos_repair")
    with pytest.raises(SettlementError, match="unknown region 'mars'"):
        price_work(lcfg, "cost", region="mars", template="pos_repair")
    with pytest.raises(SettlementError, match="unknown template 'nope'"):
        price_work(lcfg, "cost", region="east", template="nope")
    with pytest.raises(SettlementError, match=r"hours must not be negative \(-1\)"):
        price_work(lcfg, "cost", region="east", template="pos_repair", hours="-1")
    with pytest.raises(CurrencyMismatchError, match="is THB, the job is priced in CNY"):
        price_work(lcfg, "cost", region="east", template="pos_repair", parts=[("x", Money(100, "THB"))])


def test_the_parsed_lists(lcfg):
    cost = lcfg.price_lists["cost"]
    assert (cost.names["zh"], cost.parts_factor, sorted(cost.prices)) == (
        "服务成本价", Decimal("0.80"), ["east", "jp", "southwest", "th"])
    assert cost.pricing("east", "hvac_repair").base_fee == Decimal("70.00")


def error_of(**sections) -> str:
    with pytest.raises(SettlementConfigError) as e:
        LedgerConfig.from_mapping(branches_mapping(**sections))
    assert "\n" not in str(e.value)
    return str(e.value)


def lists_with(**cost):
    data = branches_mapping()["price_lists"]
    return {**data, "cost": {**data["cost"], **cost}}


@pytest.mark.parametrize("sections,expected", [
    ({"price_lists": lists_with(regions={"mars": {"default": {"base_fee": "1", "hourly_rate": "1"}}})},
     "price_lists.cost.regions.mars: unknown region (known: east, centre, th, jp, fr, southwest)"),
    ({"price_lists": lists_with(regions={"east": {"nope": {"base_fee": "1", "hourly_rate": "1"}}})},
     "price_lists.cost.regions.east.nope: unknown template (use a templates[*].code or default)"),
    ({"price_lists": lists_with(regions={"th": {"default": {"base_fee": "1", "hourly_rate": "1", "currency": "CNY"}}})},
     "price_lists.cost.regions.th.default.currency: a region's price list is in the region's currency (THB)"),
    ({"price_lists": lists_with(regions={"jp": {"default": {"base_fee": "1000.5", "hourly_rate": "1"}}})},
     "price_lists.cost.regions.jp.default.base_fee: 1000.5 has more decimals than JPY allows (0)"),
    ({"price_lists": lists_with(regions={"east": {"default": {"base_fee": "60.00"}}})},
     "price_lists.cost.regions.east.default.hourly_rate: missing"),
    ({"price_lists": lists_with(parts_factor="-0.10")}, "price_lists.cost.parts_factor: must not be less than 0"),
    ({"price_lists": lists_with(parts_factor=0.8)}, 'price_lists.cost.parts_factor: write it as a string ("0.8")'),
    ({"price_lists": lists_with(part_factor="0.8")},
     "price_lists.cost.part_factor: unknown key (did you mean 'parts_factor'?)"),
    ({"price_lists": {"cost": {"parts_factor": "1"}}}, "price_lists.cost.regions: missing"),
    ({"price_lists": ["cost"]}, "price_lists: expected a mapping, got list"),
])
def test_config_errors_name_the_key_path(sections, expected):
    assert error_of(**sections).startswith(expected)


def test_split_rules_are_checked_against_the_lists():
    rules = branches_mapping()["split_rules"]
    wrong = {**rules, "pos_repair": [{"party": "sales", "price_list": "lead"}, {"party": "engineer", "weight": 1}]}
    assert error_of(split_rules=wrong) == (
        "split_rules.pos_repair.0.price_list: unknown price list 'lead' (known: cost, transfer)")
    # The transfer list must price pos_repair wherever it can be sold: here it lacks France.
    lists = branches_mapping()["price_lists"]
    no_fr = {**lists, "transfer": {**lists["transfer"],
                                   "regions": {k: v for k, v in lists["transfer"]["regions"].items() if k != "fr"}}}
    assert error_of(price_lists=no_fr) == (
        "split_rules.pos_repair.0.price_list: price list 'transfer' has no price for pos_repair in fr (nor a default)")


amounts = st.integers(min_value=0, max_value=10**9).map(lambda c: str(Decimal(c).scaleb(-2)))


@given(st.lists(amounts, max_size=6), st.integers(min_value=0, max_value=4000).map(lambda q: Decimal(q) / 4),
       st.booleans())
def test_a_list_price_is_the_sum_of_its_lines(parts, hours, include_base):
    work = price_work(LCFG, "cost", region="east", template="hvac_repair", hours=hours,
                      parts=[(f"p{i}", a) for i, a in enumerate(parts)], include_base=include_base)
    assert work.amount == sum(amount for _, amount in work.lines)
    reported = sum(int(Decimal(a) * 100) for a in parts)
    assert work.line("parts") == int((Decimal(reported) * Decimal("0.8") + Decimal("0.5")).to_integral_value(rounding="ROUND_FLOOR"))
    assert work.line("base") == (7000 if include_base else 0)
