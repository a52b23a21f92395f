"""Revenue split (SETTLEMENT.md §2): largest remainder, ties to the first listed, fixed amounts."""

from __future__ import annotations

import pytest

from settlement import CurrencyError, SettlementError, SplitRule, split_amount

RULE = [("sales", 60), ("engineer", 30), ("after_sales_fund", 10)]


def test_spec_example():
    # 10001 fen → 6000.6 / 3000.3 / 1000.1 → floors 6000/3000/1000, 1 left → sales (0.6)
    assert split_amount(10001, "CNY", RULE) == {"sales": 6001, "engineer": 3000, "after_sales_fund": 1000}


@pytest.mark.parametrize("amount,weights,expected", [
    (1, [1, 1, 1], [1, 0, 0]),          # 0.01 among three equals: tie → first listed
    (2, [1, 1, 1], [1, 1, 0]),
    (1, [60, 30, 10], [1, 0, 0]),
    (1, [10, 30, 60], [0, 0, 1]),       # largest remainder beats list order
    (10000, [1, 1, 1], [3334, 3333, 3333]),
    (0, [60, 30, 10], [0, 0, 0]),
    (7, [1, 0], [7, 0]),
    (5, [0, 1, 1], [0, 3, 2]),
])
def test_largest_remainder(amount, weights, expected):
    rule = list(zip("abc", weights))
    assert list(split_amount(amount, "CNY", rule).values()) == expected


def test_decimal_weights_are_exact():
    assert split_amount(10000, "CNY", [("a", "33.3"), ("b", "33.3"), ("c", "33.4")]) == {"a": 3330, "b": 3330, "c": 3340}
    assert split_amount(100, "CNY", {"a": "1", "b": "2"}) == {"a": 33, "b": 67}  # 33.33 / 66.67


def test_refund_reverses_the_split_exactly():
    assert split_amount(-10001, "CNY", RULE) == {"sales": -6001, "engineer": -3000, "after_sales_fund": -1000}
    for amount in (1, 2, 10001, 99999, 12345678):
        forward = split_amount(amount, "CNY", RULE)
        back = split_amount(-amount, "CNY", RULE)
        assert {k: forward[k] + back[k] for k in forward} == {k: 0 for k in forward}


def test_internal_settlement_price(cfg):
    rule = cfg.split_rule("hvac_repair")
    # 548.55: engineer 120.00; 428.55 left → 299.985 / 128.565 → floors 29998 / 12856 fen, 1 left,
    # tie at .5 → sales (listed first among the weighted)
    assert split_amount(54855, "CNY", rule) == {"engineer": 12000, "sales": 29999, "after_sales_fund": 12856}
    # THB ticket uses the THB internal price: 1926.00 → 600.00 + 928.20 / 397.80
    assert split_amount(192600, "THB", rule) == {"engineer": 60000, "sales": 92820, "after_sales_fund": 39780}
    assert split_amount(-54855, "CNY", rule) == {"engineer": -12000, "sales": -29999, "after_sales_fund": -12856}
    assert split_amount(12000, "CNY", rule) == {"engineer": 12000, "sales": 0, "after_sales_fund": 0}


def test_internal_price_larger_than_the_amount_is_refused(cfg):
    with pytest.raises(SettlementError, match="less than the fixed amounts"):
        split_amount(11999, "CNY", cfg.split_rule("hvac_repair"))
    with pytest.raises(SettlementError, match="less than the fixed amounts"):
        split_amount(-11999, "CNY", cfg.split_rule("hvac_repair"))


def test_internal_price_in_another_currency_is_refused(cfg):
    with pytest.raises(SettlementError, match="no fixed amount in EUR"):
        split_amount(100000, "EUR", cfg.split_rule("hvac_repair"))


def test_rule_lookup(cfg):
    assert cfg.split_rule("hvac_repair").name == "hvac_repair"
    assert cfg.split_rule("pos_repair").name == "default"
    assert cfg.split_rule().name == "default"
    assert [s.party for s in cfg.split_rule().shares] == ["sales", "engineer", "after_sales_fund"]


@pytest.mark.parametrize("amount,rule,error,match", [
    (100, [("a", 1), ("a", 1)], SettlementError, "twice"),
    (100, [("a", -1), ("b", 1)], SettlementError, "negative"),
    (100, [("a", 0), ("b", 0)], SettlementError, "sum to 0"),
    (100, [], SettlementError, "no parties"),
    (100, [("a", 0.5)], TypeError, "float"),
    (100, "default", TypeError, "cfg.split_rule"),
    (100.0, RULE, TypeError, "int"),
    (True, RULE, TypeError, "int"),
])
def test_bad_input(amount, rule, error, match):
    with pytest.raises(error, match=match):
        split_amount(amount, "CNY", rule)


def test_zero_weights_and_zero_amount_is_fine():
    assert split_amount(0, "CNY", [("a", 0), ("b", 0)]) == {"a": 0, "b": 0}


def test_unknown_currency():
    with pytest.raises(CurrencyError):
        split_amount(1, "XXX", RULE)


def test_rule_object_from_pairs():
    rule = SplitRule.from_pairs(RULE, name="x")
    assert split_amount(10001, "CNY", rule) == split_amount(10001, "CNY", RULE)
