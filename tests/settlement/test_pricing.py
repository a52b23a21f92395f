"""Ticket prices (SETTLEMENT.md §1), every number computed by hand in the comments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from settlement import AmountError, CurrencyMismatchError, Money, SettlementError, quote_ticket, split_amount


def amounts(q):
    return [(ln.code, ln.amount) for ln in q.lines]


def test_the_api_example(cfg):
    q = quote_ticket(cfg, template="hvac_repair", region="east", hours="1.5", parts=[("压缩机", "180.00")],
                     surcharges=["urgent"], language="zh")
    # base 150.00; labour 1.5 × 80.00 = 120.00; urgent 0.25 × 270.00 = 67.50; part 180.00
    # subtotal 517.50; tax 0.06 × 517.50 = 31.05; total 548.55
    assert amounts(q) == [("base", 15000), ("labour", 12000), ("urgent", 6750), ("part", 18000), ("tax", 3105)]
    assert (q.currency, q.subtotal, q.tax, q.total) == ("CNY", 51750, 3105, 54855)
    assert (q.factor_source, q.factor, q.fx) == ("multiplier", Decimal(1), None)
    assert [ln.label for ln in q.lines] == ["基础服务费", "工时费", "加急费", "配件：压缩机", "税"]
    assert q.lines[0].amount_minor == 15000
    assert q.to_json() == {
        "currency": "CNY",
        "lines": [{"code": "base", "label": "基础服务费", "amount": "150.00"},
                  {"code": "labour", "label": "工时费", "amount": "120.00"},
                  {"code": "urgent", "label": "加急费", "amount": "67.50"},
                  {"code": "part", "label": "配件：压缩机", "amount": "180.00"},
                  {"code": "tax", "label": "税", "amount": "31.05"}],
        "subtotal": "517.50", "tax": "31.05", "total": "548.55",
    }
    assert q.money() == Money(54855, "CNY")


def test_multiplier_region(cfg):
    q = quote_ticket(cfg, "hvac_repair", "centre", hours="1.5", parts=[("压缩机", "180.00")], surcharges=["urgent"])
    # × 1.2: base 180.00; labour 144.00; urgent 0.25 × 324.00 = 81.00; part 180.00 (parts are not scaled)
    # subtotal 585.00; tax 35.10; total 620.10
    assert amounts(q) == [("base", 18000), ("labour", 14400), ("urgent", 8100), ("part", 18000), ("tax", 3510)]
    assert (q.subtotal, q.tax, q.total) == (58500, 3510, 62010)
    assert (q.factor_source, q.factor) == ("multiplier", Decimal("1.2"))


def test_regional_price_list_wins(cfg):
    q = quote_ticket(cfg, "hvac_repair", "th", hours="2", surcharges=["night"])
    # th list: base 800.00 THB; labour 2 × 350.00 = 700.00; night 0.20 × 1500.00 = 300.00
    # subtotal 1800.00; tax 0.07 → 126.00; total 1926.00
    assert amounts(q) == [("base", 80000), ("labour", 70000), ("night", 30000), ("tax", 12600)]
    assert (q.currency, q.total, q.factor_source, q.factor, q.fx) == ("THB", 192600, "price_list", Decimal(1), None)
    assert [ln.label for ln in q.lines] == ["ค่าบริการพื้นฐาน", "ค่าแรง", "ค่าบริการกลางคืน", "ภาษี"]


def test_no_price_list_converts_template_price_at_the_stored_rate(cfg):
    q = quote_ticket(cfg, "pos_repair", "th", hours="1")
    # 99.99 CNY × 4.9750 = 497.45025 → 497.45 THB; 33.33 × 4.9750 = 165.81675 → 165.82
    # subtotal 663.27; tax 0.07 × 663.27 = 46.4289 → 46.43; total 709.70
    assert amounts(q) == [("base", 49745), ("labour", 16582), ("tax", 4643)]
    assert (q.subtotal, q.total, q.factor_source) == (66327, 70970, "multiplier")
    assert (q.fx.from_currency, q.fx.to_currency, q.fx.rate, q.fx.date, q.fx.source) == (
        "CNY", "THB", Decimal("4.9750"), dt.date(2026, 11, 1), "config")
    audit = q.to_json(audit=True)
    assert audit["factor_source"] == "multiplier" and audit["fx"]["rate"] == "4.9750"


def test_missing_pricing_rate_names_the_pair(cfg):
    with pytest.raises(SettlementError, match="no fx rate CNY->EUR"):
        quote_ticket(cfg, "hvac_repair", "fr")


def test_zero_exponent_currency(cfg):
    q = quote_ticket(cfg, "hvac_repair", "jp", hours="1.5", parts=[("compressor", "1500")])
    # 150.00 × 21.37 = 3205.5 → 3206 JPY; 120.00 × 21.37 = 2564.4 → 2564; part 1500
    # subtotal 7270; tax 0.10 → 727; total 7997
    assert amounts(q) == [("base", 3206), ("labour", 2564), ("part", 1500), ("tax", 727)]
    assert q.total == 7997
    assert q.to_json()["total"] == "7997" and q.to_json()["lines"][0]["amount"] == "3206"
    assert q.lines[2].label == "Parts: compressor"  # region language en
    with pytest.raises(AmountError, match="more decimals than JPY allows"):
        quote_ticket(cfg, "hvac_repair", "jp", parts=[("compressor", "1500.5")])


def test_tax_rounding_half_up_vs_half_even(cfg, cfg_even):
    # subtotal 100.75; tax 0.06 × 100.75 = 6.045 → HALF_UP 6.05, HALF_EVEN 6.04
    up = quote_ticket(cfg, "misc_fee", "east")
    even = quote_ticket(cfg_even, "misc_fee", "east")
    assert (up.subtotal, up.tax, up.total) == (10075, 605, 10680)
    assert (even.subtotal, even.tax, even.total) == (10075, 604, 10679)


def test_each_line_rounded_once_and_totals_are_sums_of_rounded_lines(cfg, cfg_even):
    # labour 0.5 × 33.33 = 16.665 → 16.67; night 0.20 × (10.00 + 16.67) = 5.334 → 5.33
    # subtotal 32.00 (not 31.998); tax 1.92; total 33.92
    q = quote_ticket(cfg, "odd_rate", "east", hours="0.5", surcharges=["night"])
    assert amounts(q) == [("base", 1000), ("labour", 1667), ("night", 533), ("tax", 192)]
    assert (q.subtotal, q.total) == (3200, 3392)
    # HALF_EVEN: labour 16.66; night 0.20 × 26.66 = 5.332 → 5.33; subtotal 31.99; tax 1.9194 → 1.92
    e = quote_ticket(cfg_even, "odd_rate", "east", hours="0.5", surcharges=["night"])
    assert amounts(e) == [("base", 1000), ("labour", 1666), ("night", 533), ("tax", 192)]
    assert e.total == 3391
    for quote in (q, e):
        assert quote.total == sum(ln.amount for ln in quote.lines)
        assert quote.subtotal == sum(ln.amount for ln in quote.lines if ln.code != "tax")


def test_all_surcharges_apply_to_base_plus_labour(cfg):
    q = quote_ticket(cfg, "hvac_repair", "east", hours="1.5", surcharges=["urgent", "night", "height"])
    # base + labour = 270.00 → urgent 67.50, night 54.00, height 40.50; subtotal 432.00; tax 25.92
    assert amounts(q) == [("base", 15000), ("labour", 12000), ("urgent", 6750), ("night", 5400),
                          ("height", 4050), ("tax", 2592)]
    assert q.total == 45792


def test_labour_line_only_for_hours_worked(cfg):
    assert [ln.code for ln in quote_ticket(cfg, "hvac_repair", "east").lines] == ["base", "tax"]
    assert [ln.code for ln in quote_ticket(cfg, "hvac_repair", "east", hours="0").lines] == ["base", "tax"]
    assert quote_ticket(cfg, "hvac_repair", "east", hours=2).lines[1].amount == 16000  # int hours are exact


def test_several_parts_and_money_parts(cfg):
    q = quote_ticket(cfg, "hvac_repair", "east", parts=[("滤网", "35.50"), ("电容", Money(1250, "CNY"))])
    assert amounts(q) == [("base", 15000), ("part", 3550), ("part", 1250), ("tax", 1188)]  # 198.00 × 0.06
    assert [ln.label for ln in q.lines[1:3]] == ["配件：滤网", "配件：电容"]


def test_languages(cfg):
    en = quote_ticket(cfg, "hvac_repair", "east", hours="1", parts=[("filter", "1.00")], surcharges=["height"],
                      language="en")
    assert [ln.label for ln in en.lines] == ["Base service fee", "Labour", "Work-at-height surcharge",
                                             "Parts: filter", "Tax"]
    fr = quote_ticket(cfg, "hvac_repair", "east", surcharges=["urgent"], language="fr")
    assert [ln.label for ln in fr.lines] == ["Forfait de base", "Supplément urgence", "TVA"]
    de = quote_ticket(cfg, "hvac_repair", "east", language="de")  # unknown → English
    assert de.lines[0].label == "Base service fee"


@pytest.mark.parametrize("kwargs,error,match", [
    ({"template": "nope"}, SettlementError, "unknown template 'nope'"),
    ({"region": "mars"}, SettlementError, "unknown region 'mars'"),
    ({"surcharges": ["weekend"]}, SettlementError, "unknown surcharge 'weekend'"),
    ({"surcharges": ["urgent", "urgent"]}, SettlementError, "given twice"),
    ({"hours": "-1"}, SettlementError, "must not be negative"),
    ({"hours": "abc"}, AmountError, "hours is not a decimal"),
    ({"hours": 1.5}, TypeError, "float"),
    ({"parts": [("x", 1.5)]}, TypeError, "float"),
    ({"parts": [("x", 180)]}, TypeError, "not int"),
    ({"parts": [("x", "180.001")]}, AmountError, "more decimals than CNY"),
    ({"parts": [("x", "-1.00")]}, SettlementError, "must not be negative"),
    ({"parts": [("", "1.00")]}, SettlementError, "needs a name"),
    ({"parts": ["x"]}, SettlementError, "expected \\(name, amount\\)"),
    ({"parts": [("x", Money(100, "THB"))]}, CurrencyMismatchError, "THB"),
    ({"template": "survey"}, SettlementError, "has no pricing"),
])
def test_bad_input(cfg, kwargs, error, match):
    args = {"template": "hvac_repair", "region": "east", **kwargs}
    with pytest.raises(error, match=match):
        quote_ticket(cfg, **args)


def test_split_of_a_quote_uses_the_templates_rule(cfg):
    q = quote_ticket(cfg, "hvac_repair", "east", hours="1.5", parts=[("压缩机", "180.00")], surcharges=["urgent"])
    # subtotal 517.50: engineer fixed 120.00, rest 397.50 → sales 70 % = 278.25, fund 30 % = 119.25
    parts = split_amount(q.subtotal, q.currency, cfg.split_rule(q.template))
    assert parts == {"engineer": 12000, "sales": 27825, "after_sales_fund": 11925}
