"""Split rules that pay a party from a price list and weigh a share by hours and rating (issue 15).

The test rule (conftest BRANCHES_YAML, on pos_repair) is the shape of the shipped network_repair:
    sales             paid first: the job's price on the `transfer` list
    engineer          (30 + 10 × hours) × the rating's factor (5★ 1.20 … 1★ 0.60; unrated × 1)
    after_sales_fund  10
    service_dept      60
"""

from __future__ import annotations

from decimal import Decimal
from types import MappingProxyType

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from settlement import (
    SettlementConfigError,
    SettlementError,
    Share,
    SplitRule,
    quote_ticket,
    rule_list_prices,
    split_amount,
    weighted_on,
)
from settlement.ledger_config import LedgerConfig

from .conftest import branches_mapping


@pytest.fixture(scope="module")
def job(lcfg):
    # pos_repair in east, 1.5 h: 99.99 + 1.5 × 33.33 (49.995 → 50.00) = 149.99 pre-tax
    q = quote_ticket(lcfg, "pos_repair", "east", hours="1.5")
    rule = lcfg.split_rule("pos_repair")
    return q, rule, rule_list_prices(lcfg, rule, region="east", template="pos_repair", hours="1.5")


def test_the_list_party_is_paid_first(job):
    q, _, lists = job
    assert (q.subtotal, lists) == (14999, {"sales": 3000})  # transfer list, east: a flat 30.00


@pytest.mark.parametrize("hours,rating,expected", [
    # 149.99 − 30.00 = 119.99 left. Engineer (30 + 10 × 1.5) × 1.20 = 54, fund 10, service 60: Σ 124
    #   engineer 11999 × 54/124 = 5225.37, fund 967.66, service 5805.97 → floors 5225 + 967 + 5805 = 11997,
    #   2 fen left → service (.97), fund (.66)
    ("1.5", 5, {"engineer": 5225, "after_sales_fund": 968, "service_dept": 5806}),
    # unrated counts as × 1: engineer 30 + 15 = 45, Σ 115: 4695.26 / 1043.39 / 6260.35 → floors 11998,
    #   1 fen → fund (.39)
    ("1.5", None, {"engineer": 4695, "after_sales_fund": 1044, "service_dept": 6260}),
    # two stars lower it: 45 × 0.60 = 27, Σ 97: 3339.93 / 1237.01 / 7422.06 → floors 11998, 1 fen → engineer (.93)
    ("1.5", 2, {"engineer": 3340, "after_sales_fund": 1237, "service_dept": 7422}),
    # no hours reported counts as 0 h: engineer 30, Σ 100: 3599.7 / 1199.9 / 7199.4 → floors 11997,
    #   2 fen → fund (.9), engineer (.7)
    (None, None, {"engineer": 3600, "after_sales_fund": 1200, "service_dept": 7199}),
])
def test_hours_and_rating_weigh_the_engineer(job, hours, rating, expected):
    q, rule, lists = job
    assert split_amount(q.subtotal, q.currency, rule, hours=hours, rating=rating, list_prices=lists) == {
        "sales": 3000, **expected}


def test_a_refund_reverses_the_weighted_split_exactly(job):
    q, rule, lists = job
    forward = split_amount(q.subtotal, q.currency, rule, hours="1.5", rating=5, list_prices=lists)
    assert split_amount(-q.subtotal, q.currency, rule, hours="1.5", rating=5, list_prices=lists) == {
        k: -v for k, v in forward.items()}


def test_the_list_price_for_a_thai_job_is_in_baht(lcfg):
    assert rule_list_prices(lcfg, lcfg.split_rule("pos_repair"), region="th", template="pos_repair", hours="2") == {
        "sales": 15000}  # 150.00 THB


def test_a_list_party_may_also_have_a_weight():
    rule = SplitRule("x", (Share("sales", Decimal(50), price_list="transfer"), Share("engineer", Decimal(50))))
    # 100.00: sales 30.00 first, 70.00 left by 50/50 → sales 30.00 + 35.00
    assert split_amount(10000, "CNY", rule, list_prices={"sales": 3000}) == {"sales": 6500, "engineer": 3500}


def test_a_missing_list_price_names_the_party(job):
    q, rule, _ = job
    with pytest.raises(SettlementError, match="sales is paid from the 'transfer' price list"):
        split_amount(q.subtotal, q.currency, rule)


def test_an_amount_below_the_list_price_is_refused(job):
    _, rule, lists = job
    with pytest.raises(SettlementError, match=r"29.99 CNY is less than the fixed amounts and list prices \(30.00\)"):
        split_amount(2999, "CNY", rule, list_prices=lists)


@pytest.mark.parametrize("kw,message", [
    ({"rating": 6}, "rating must be a whole number of stars from 1 to 5, not 6"),
    ({"rating": True}, "rating must be a whole number of stars from 1 to 5, not True"),
    ({"hours": "-1"}, "hours must not be negative"),
    ({"list_prices": {"sales": -1}}, "sales's list price must be minor units >= 0"),
])
def test_bad_weights_input(job, kw, message):
    q, rule, lists = job
    with pytest.raises(SettlementError, match=message):
        split_amount(q.subtotal, q.currency, rule, **{"list_prices": lists, **kw})


def test_weighted_on_says_what_a_late_rating_changes(lcfg):
    assert weighted_on(lcfg.split_rule("pos_repair")) == {"hours", "rating"}
    assert weighted_on(lcfg.split_rule("hvac_repair")) == set()
    assert weighted_on(SplitRule("h", (Share("e", per_hour=Decimal(1)),))) == {"hours"}


def test_old_rules_and_calls_are_unchanged(cfg):
    assert split_amount(54855, "CNY", cfg.split_rule("hvac_repair")) == {
        "engineer": 12000, "sales": 29999, "after_sales_fund": 12856}
    # hours and rating mean nothing to a rule that does not ask for them
    assert split_amount(54855, "CNY", cfg.split_rule("hvac_repair"), hours="3", rating=1) == {
        "engineer": 12000, "sales": 29999, "after_sales_fund": 12856}


@pytest.mark.parametrize("share,message", [
    (Share("a", price_list="transfer", fixed=MappingProxyType({"CNY": 1})), "both a fixed amount and a price list"),
    (Share("a", Decimal(1), rating=MappingProxyType({6: Decimal(1)})), "rates stars 1 to 5 only"),
    (Share("a", per_hour=Decimal(-1)), "has a negative share"),
    (Share("a", Decimal(1), rating=MappingProxyType({5: Decimal(-1)})), "has a negative share"),
])
def test_rule_checks(share, message):
    with pytest.raises(SettlementError, match=message):
        SplitRule("x", (share,))


def error_of(rule) -> str:
    rules = {**branches_mapping()["split_rules"], "x": rule}
    with pytest.raises(SettlementConfigError) as e:
        LedgerConfig.from_mapping(branches_mapping(split_rules=rules))
    return str(e.value)


@pytest.mark.parametrize("rule,expected", [
    ([{"party": "e", "weight": 1, "rating": {"6": "1.2"}}], "split_rules.x.0.rating.6: expected a rating from 1 to 5 stars"),
    ([{"party": "e", "weight": 1, "rating": {"five": "1.2"}}], "split_rules.x.0.rating.five: expected a rating from 1 to 5 stars"),
    ([{"party": "e", "weight": 1, "rating": {"5": "1.2", 5: "1.1"}}], "split_rules.x.0.rating.5: 5 stars given twice"),
    ([{"party": "e", "weight": 1, "rating": {"5": 1.2}}], 'split_rules.x.0.rating.5: write it as a string ("1.2")'),
    ([{"party": "e", "per_hour": "-10"}], "split_rules.x.0.per_hour: must not be less than 0"),
    ([{"party": "e", "rating": {"5": "1.2"}}], "split_rules.x.0: needs a weight, a fixed amount, or both"),
    ([{"party": "e", "fixed": "1.00", "price_list": "transfer"}],
     "split_rules.x.0.price_list: a party is paid a fixed amount or from a price list, not both"),
    ([{"party": "e", "price_list": ""}], "split_rules.x.0.price_list: expected a non-empty string"),
])
def test_config_errors_name_the_key_path(rule, expected):
    assert error_of(rule).startswith(expected)


# -- every split sums to its whole ------------------------------------------------------------------

shares = st.lists(
    st.tuples(st.integers(0, 100), st.integers(0, 20), st.booleans(), st.one_of(st.none(), st.integers(0, 10**6)),
              st.integers(0, 300)),
    min_size=1, max_size=6)


@given(shares, st.integers(0, 10**10), st.one_of(st.none(), st.integers(0, 96).map(lambda q: Decimal(q) / 4)),
       st.one_of(st.none(), st.integers(1, 5)), st.booleans())
def test_every_weighted_split_sums_to_its_amount(spec, amount, hours, rating, refund):
    rule = SplitRule("p", tuple(
        Share(f"p{i}", Decimal(w), price_list="list" if listed is not None else None, per_hour=Decimal(ph),
              rating=MappingProxyType({5: Decimal(factor) / 100}) if rated else MappingProxyType({}))
        for i, (w, ph, rated, listed, factor) in enumerate(spec)))
    lists = {f"p{i}": listed for i, (_, _, _, listed, _) in enumerate(spec) if listed is not None}
    weights = [(Decimal(w) + Decimal(ph) * (hours or 0)) * (Decimal(f) / 100 if rated and rating == 5 else 1)
               for w, ph, rated, _, f in spec]
    assume(amount >= sum(lists.values()) and (amount == sum(lists.values()) or sum(weights) > 0))
    signed = -amount if refund else amount
    parts = split_amount(signed, "CNY", rule, hours=hours, rating=rating, list_prices=lists)
    assert sum(parts.values()) == signed
    for party, price in lists.items():
        assert abs(parts[party]) >= price  # the list price is paid in full, first
