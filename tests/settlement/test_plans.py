"""Plans (SETTLEMENT.md §3): graduated, volume, fixed + commission, custom items, components."""

from __future__ import annotations

from decimal import Decimal

import pytest

from settlement import CurrencyMismatchError, Money, SettlementError, bill_plan


def total(cfg, plan, **kw):
    return bill_plan(cfg, plan=plan, **kw).amount


@pytest.mark.parametrize("tickets,amount", [
    (0, 0), (1, 2000), (100, 200000), (101, 201500), (500, 800000), (501, 801000),
    (650, 950000),  # spec: 100×20 + 400×15 + 150×10 = 9,500.00
])
def test_graduated_boundaries(cfg, tickets, amount):
    assert total(cfg, "basic", tickets=tickets) == amount


def test_graduated_lines(cfg):
    b = bill_plan(cfg, plan="basic", tickets=650)
    assert [(ln.code, ln.quantity, ln.unit_price, ln.amount) for ln in b.lines] == [
        ("tier.1", 100, Decimal("20.00"), 200000), ("tier.2", 400, Decimal("15.00"), 600000),
        ("tier.3", 150, Decimal("10.00"), 150000)]
    assert b.to_json() == {"currency": "CNY", "amount": "9500.00", "lines": [
        {"code": "tier.1", "label": "阶梯1（1–100）", "quantity": "100", "unit_price": "20.00", "amount": "2000.00"},
        {"code": "tier.2", "label": "阶梯2（101–500）", "quantity": "400", "unit_price": "15.00", "amount": "6000.00"},
        {"code": "tier.3", "label": "阶梯3（501+）", "quantity": "150", "unit_price": "10.00", "amount": "1500.00"}]}
    assert bill_plan(cfg, plan="basic", tickets=0).lines == ()
    assert bill_plan(cfg, plan="basic", tickets=101, language="en").lines[1].label == "Tier 2 (101–500)"


@pytest.mark.parametrize("tickets,amount", [
    (0, 0), (1, 2000), (100, 200000), (101, 151500), (500, 750000), (501, 501000), (650, 650000)])
def test_volume(cfg, tickets, amount):
    assert total(cfg, "basic_volume", tickets=tickets) == amount
    assert total(cfg, "basic_mode", tickets=tickets) == amount  # `mode: volume` on a graduated plan


@pytest.mark.parametrize("plan,tickets,amount", [
    ("flat", 0, 0), ("flat", 1, 11900), ("flat", 100, 209900),
    ("flat", 101, 260900),        # 2000 + 99 + 1 × 10 + 500
    ("flat_volume", 100, 209900), ("flat_volume", 101, 151000),  # 101 × 10 + 500
])
def test_flat_fees(cfg, plan, tickets, amount):
    assert total(cfg, plan, tickets=tickets) == amount


def test_fixed_plus_commission(cfg, cfg_even):
    revenues = [1000000, 3330, 10]  # 10000.00, 33.30, 0.10
    # 500.00 + 1.665 → 1.67 + 0.005 → 0.01, each ticket rounded once; + 3000.00
    b = bill_plan(cfg, plan="standard", revenues=revenues)
    assert [(ln.code, ln.amount) for ln in b.lines] == [("fixed", 300000), ("commission", 50168)]
    assert b.amount == 350168
    assert bill_plan(cfg_even, plan="standard", revenues=revenues).amount == 350166  # 1.66 + 0.00
    assert total(cfg, "standard") == 300000  # the fixed fee is per period, tickets or not
    assert total(cfg, "standard", revenues=[Money(1000, "CNY")]) == 300050


def test_commission_clamps(cfg):
    # 500.00 → max 300.00; 1.67 → min 2.00; 0.01 → min 2.00
    assert total(cfg, "clamped", revenues=[1000000, 3330, 10]) == 300000 + 30000 + 200 + 200
    # refunds mirror the clamp instead of turning into a charge
    assert total(cfg, "clamped", revenues=[-3330]) == 300000 - 200
    assert total(cfg, "clamped", revenues=[-1000000, 1000000]) == 300000


def test_custom_items_with_included_quantities(cfg, cfg_even):
    b = bill_plan(cfg, plan="enterprise", usage={"api_calls": 12000, "storage_gb_month": "12.5"})
    # (12000 − 10000) × 0.002 = 4.00; (12.5 − 5) × 1.50 = 11.25
    assert [(ln.code, ln.quantity, ln.amount) for ln in b.lines] == [
        ("item.api_calls", 2000, 400), ("item.storage_gb_month", Decimal("7.5"), 1125)]
    assert b.amount == 1525
    assert total(cfg, "enterprise", usage={"api_calls": 9000}) == 0  # all included
    assert total(cfg, "enterprise", usage={"api_calls": 10001}) == 0  # 0.002 → 0.00
    assert total(cfg, "enterprise", usage={"api_calls": 10003}) == 1  # 0.006 → 0.01
    assert total(cfg, "enterprise") == 0
    # 0.03 × 1.50 = 0.045: HALF_UP 0.05, HALF_EVEN 0.04
    assert total(cfg, "enterprise", usage={"storage_gb_month": "5.03"}) == 5
    assert total(cfg_even, "enterprise", usage={"storage_gb_month": "5.03"}) == 4


def test_components_are_added(cfg):
    b = bill_plan(cfg, plan="enterprise_plus", tickets=150, usage={"api_calls": 12000})
    # items 4.00 + fixed 20000.00 + tiers: 100 × 0 + 50 × 5.00 = 250.00
    assert [(ln.code, ln.amount) for ln in b.lines] == [
        ("item.api_calls", 400), ("fixed", 2000000), ("tier.1", 0), ("tier.2", 25000)]
    assert b.amount == 2025400
    assert b.lines[0].label == "API 调用"
    b2 = bill_plan(cfg, plan="enterprise_plus", revenues=[10000, 20000], usage={"api_calls": 12000})
    # + 3 % commission: 3.00 + 6.00; 2 tickets fall in the free tier
    assert b2.amount == 400 + 2000000 + 900 + 0


def test_zero_exponent_plan(cfg, cfg_even):
    assert bill_plan(cfg, plan="yen", tickets=3).to_json()["amount"] == "752"  # 751.5 → 752
    assert total(cfg, "yen", tickets=1) == 251
    assert total(cfg_even, "yen", tickets=1) == 250


def test_plan_sources(cfg):
    assert bill_plan(cfg.plan("basic"), tickets=650).amount == 950000
    adhoc = {"model": "graduated", "currency": "CNY", "tiers": [{"up_to": 10, "unit": "1.00"}, {"up_to": None, "unit": "0.50"}]}
    assert bill_plan(cfg, plan=adhoc, tickets=12).amount == 1100
    with pytest.raises(SettlementError, match="unknown plan 'gold'"):
        bill_plan(cfg, plan="gold", tickets=1)
    with pytest.raises(TypeError):
        bill_plan("basic", tickets=1)


@pytest.mark.parametrize("plan,kw,error,match", [
    ("basic", {"tickets": -1}, SettlementError, "negative"),
    ("basic", {"tickets": True}, TypeError, "int"),
    ("basic", {"tickets": 1.0}, TypeError, "int"),
    ("standard", {"revenues": [1.5]}, TypeError, "minor units"),
    ("standard", {"revenues": [Money(1, "THB")]}, CurrencyMismatchError, "THB"),
    ("standard", {"tickets": 3, "revenues": [1]}, SettlementError, "differs"),
    ("enterprise", {"usage": {"sms": 1}}, SettlementError, "no usage item 'sms'"),
    ("enterprise", {"usage": {"api_calls": -1}}, SettlementError, "negative"),
    ("enterprise", {"usage": {"api_calls": 1.5}}, TypeError, "float"),
])
def test_bad_input(cfg, plan, kw, error, match):
    with pytest.raises(error, match=match):
        bill_plan(cfg, plan=plan, **kw)
