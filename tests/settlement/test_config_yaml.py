"""The shipped config.yaml: settlement sections parse, match spec §6, and every region prices every template."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from handlers.config import interpolate, load_config
from settlement import SettlementConfig, bill_plan, convert, quote_ticket, rule_list_prices, split_amount
from settlement.ledger_config import LedgerConfig

CONFIG = Path(__file__).resolve().parents[2] / "config.yaml"


@pytest.fixture(scope="module")
def shipped() -> SettlementConfig:
    # The ledger's config: the settlement sections plus price lists, squads and travel allowances.
    return LedgerConfig.from_mapping(interpolate(yaml.safe_load(CONFIG.read_text(encoding="utf-8")), env={}))


def test_still_valid_for_the_bot():
    load_config(CONFIG, env={})


def test_spec_section_6(shipped):
    assert (shipped.rounding, shipped.reporting_currency) == ("ROUND_HALF_UP", "CNY")
    assert bill_plan(shipped, plan="basic", tickets=650).amount == 950000
    assert bill_plan(shipped, plan="basic_volume", tickets=650).amount == 650000
    std = shipped.plan("standard")
    assert (std.model, std.fixed, std.rate, std.min, std.max) == ("fixed_commission", 300000, Decimal("0.05"), None, None)
    assert bill_plan(shipped, plan="enterprise", usage={"api_calls": 12000, "storage_gb_month": 7}).amount == 700
    assert split_amount(10001, "CNY", shipped.split_rule("default")) == {
        "sales": 6001, "engineer": 3000, "after_sales_fund": 1000}
    thb = shipped.fx_rate("THB", "CNY")
    assert (thb.rate, thb.date.isoformat(), thb.source) == (Decimal("0.2010"), "2026-11-01", "config")
    assert {c: str(s.rate) for c, s in shipped.surcharges.items()} == {"urgent": "0.25", "night": "0.20", "height": "0.15"}


def test_templates():
    raw = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    codes = {t["code"] for t in raw["templates"]}
    assert codes == {"hvac_repair", "elevator_repair", "pos_repair", "network_repair", "plumbing_repair",
                     "electrical_repair", "appliance_repair", "cctv_repair"}
    skills = {s["code"] for s in raw["skills"]}
    for t in raw["templates"]:
        assert t["skill"] in skills and {"zh", "en"} <= set(t["names"])


def test_every_region_prices_and_splits_every_template(shipped):
    for region in shipped.regions:
        for template in shipped.templates:
            q = quote_ticket(shipped, template, region, hours="1.5", parts=[("x", "10.00")],
                             surcharges=["urgent", "night", "height"])
            assert q.currency == shipped.region(region).currency
            rule = shipped.split_rule(template)
            # Parties paid from a price list (network_repair's sales) are priced on that list in the job's region.
            lists = rule_list_prices(shipped, rule, region=region, template=template, hours="1.5", parts=[("x", "10.00")])
            split = split_amount(q.subtotal, q.currency, rule, hours="1.5", rating=4, list_prices=lists)
            assert sum(split.values()) == q.subtotal
            reported = convert(q.money(), shipped.fx_rate(q.currency, "CNY"))
            assert reported.currency == "CNY"


def test_thai_region_uses_multiplier_at_the_stored_rate(shipped):
    q = quote_ticket(shipped, "hvac_repair", "th", hours="1")
    # 150.00 CNY × 4.9750 = 746.25 THB; 80.00 × 4.9750 = 398.00; subtotal 1144.25; tax 7 % = 80.0975 → 80.10
    assert [ln.amount for ln in q.lines] == [74625, 39800, 8010]
    assert (q.factor_source, q.fx.rate, q.total) == ("multiplier", Decimal("4.9750"), 122435)


def test_network_repair_pays_sales_the_transfer_price_and_weighs_the_engineer(shipped):
    q = quote_ticket(shipped, "network_repair", "east", hours="1.5")
    rule = shipped.split_rule("network_repair")
    lists = rule_list_prices(shipped, rule, region="east", template="network_repair", hours="1.5")
    # 100.00 + 1.5 h × 60.00 = 190.00; sales first: the transfer list's east call-out 30.00 → 160.00 left.
    # Engineer (30 + 10 × 1.5) × 1.20 = 54, fund 10, service 60 (Σ 124), of 16000 fen:
    # 6967.74… / 1290.32… / 7741.93… → floors 6967 / 1290 / 7741 (15998); the 2 fen left go to the
    # largest remainders: service (.93), engineer (.74)
    assert (q.subtotal, lists) == (19000, {"sales": 3000})
    assert split_amount(q.subtotal, q.currency, rule, hours="1.5", rating=5, list_prices=lists) == {
        "sales": 3000, "engineer": 6968, "after_sales_fund": 1290, "service_dept": 7742}


def test_the_joint_squad_and_allowances_as_shipped(shipped):
    squad = shipped.joint_squads["feihu_east_sw"]
    assert (squad.regions, squad.dispatch_group, squad.engineers) == (
        ("east", "southwest"), "wr_feihu_dispatch", ("zhangwei", "wangjun"))
    assert {r: str(w) for r, w in squad.remainder.items()} == {"east": "40", "southwest": "60"}
    assert shipped.travel.distance("southwest", "east") == 1660
    assert sorted(shipped.price_lists) == ["cost", "transfer"]
