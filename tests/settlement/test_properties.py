"""Property-based checks of the invariants the spec promises."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from settlement import (
    SettlementConfig,
    bill_plan,
    format_minor,
    parse_money,
    quote_ticket,
    split_amount,
)

from .conftest import config_mapping

CFG = SettlementConfig.from_mapping(config_mapping())
CFG_EVEN = SettlementConfig.from_mapping(config_mapping(rounding="ROUND_HALF_EVEN"))
CURRENCIES = st.sampled_from(["CNY", "JPY", "THB", "KWD"])
amounts = st.integers(min_value=-10**12, max_value=10**12)
weights = st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=8).filter(lambda w: sum(w) > 0)


@given(amounts, weights, CURRENCIES)
def test_split_parts_sum_to_the_amount_and_stay_within_one_unit(amount, ws, currency):
    rule = [(f"p{i}", w) for i, w in enumerate(ws)]
    parts = split_amount(amount, currency, rule)
    assert sum(parts.values()) == amount
    assert list(parts) == [p for p, _ in rule]
    for (_, w), got in zip(rule, parts.values()):
        exact = Fraction(abs(amount) * w, sum(ws))
        assert int(exact) <= abs(got) <= int(exact) + 1


@given(amounts, weights)
def test_split_is_symmetric_for_refunds(amount, ws):
    rule = [(f"p{i}", w) for i, w in enumerate(ws)]
    forward, back = split_amount(amount, "CNY", rule), split_amount(-amount, "CNY", rule)
    assert all(forward[k] == -back[k] for k in forward)


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=8))
def test_equal_weights_ties_go_to_the_first_listed(amount, n):
    parts = list(split_amount(amount, "CNY", [(f"p{i}", 1) for i in range(n)]).values())
    assert parts == sorted(parts, reverse=True) and max(parts) - min(parts) <= 1


@given(st.integers(min_value=12000, max_value=10**10))
def test_fixed_share_splits_sum(amount):
    parts = split_amount(amount, "CNY", CFG.split_rule("hvac_repair"))
    assert sum(parts.values()) == amount and parts["engineer"] == 12000


unit_text = st.integers(min_value=0, max_value=100000).map(lambda c: str(Decimal(c).scaleb(-3)))


@st.composite
def tiered_plans(draw):
    gaps = draw(st.lists(st.integers(min_value=1, max_value=300), min_size=0, max_size=4))
    bounds, edge = [], 0
    for g in gaps:
        edge += g
        bounds.append(edge)
    bounds.append(None)
    tiers = []
    for b in bounds:
        tier = {"up_to": b, "unit": draw(unit_text)}
        if draw(st.booleans()):
            tier["flat"] = format_minor(draw(st.integers(min_value=0, max_value=100000)), "CNY")
        tiers.append(tier)
    return {"model": "graduated", "currency": "CNY", "tiers": tiers}


@given(tiered_plans(), st.integers(min_value=0, max_value=1500), st.sampled_from([CFG, CFG_EVEN]))
def test_graduated_never_decreases_as_tickets_grow(raw, n, cfg):
    plan = cfg.parse_plan(raw)
    before, after = bill_plan(plan, tickets=n), bill_plan(plan, tickets=n + 1)
    assert after.amount >= before.amount
    assert before.amount == sum(ln.amount for ln in before.lines)


hours = st.one_of(st.none(), st.integers(min_value=0, max_value=4000).map(lambda c: str(Decimal(c).scaleb(-2))))


@settings(max_examples=300)
@given(st.sampled_from(["hvac_repair", "pos_repair", "misc_fee", "odd_rate"]),
       st.sampled_from(["east", "centre", "th", "jp"]), hours,
       st.lists(st.integers(min_value=0, max_value=10**7), max_size=3),
       st.lists(st.sampled_from(["urgent", "night", "height"]), unique=True),
       st.sampled_from([CFG, CFG_EVEN]))
def test_priced_lines_sum_to_the_total(template, region, h, part_minors, surcharges, cfg):
    currency = cfg.region(region).currency
    parts = [(f"p{i}", format_minor(m, currency)) for i, m in enumerate(part_minors)]
    q = quote_ticket(cfg, template, region, hours=h, parts=parts, surcharges=surcharges)
    assert q.total == sum(ln.amount for ln in q.lines)
    assert q.subtotal == sum(ln.amount for ln in q.lines if ln.code != "tax")
    assert q.total == q.subtotal + q.tax
    # Tax is the rounded subtotal × rate, rounded once, recomputed here independently.
    assert q.tax == int((Decimal(q.subtotal) * cfg.region(region).tax_rate).quantize(Decimal(1), rounding=cfg.rounding))
    assert all(isinstance(ln.amount, int) and ln.amount >= 0 for ln in q.lines)


@given(amounts, CURRENCIES)
def test_format_then_parse_round_trips(amount, currency):
    assert parse_money(format_minor(amount, currency), currency).amount == amount


@given(st.lists(st.integers(min_value=-10**8, max_value=10**8), max_size=20))
def test_commission_bill_lines_sum(revenues):
    for plan in ("standard", "clamped"):
        b = bill_plan(CFG, plan=plan, revenues=revenues)
        assert b.amount == sum(ln.amount for ln in b.lines)
