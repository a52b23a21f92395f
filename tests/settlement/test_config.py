"""Config parsing: typed, frozen, and one-line errors that start with the key path."""

from __future__ import annotations

import dataclasses

import pytest

from settlement import SettlementConfig, SettlementConfigError

from .conftest import config_mapping

BASIC = {"model": "graduated", "currency": "CNY",
         "tiers": [{"up_to": 100, "unit": "20.00"}, {"up_to": None, "unit": "10.00"}]}


def plan_with(**changes):
    return {**BASIC, **changes}


def error_of(**sections) -> str:
    with pytest.raises(SettlementConfigError) as e:
        SettlementConfig.from_mapping(config_mapping(**sections))
    message = str(e.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("sections,expected", [
    ({"plans": {"basic": plan_with(tiers=[{"up_to": 100, "unit": "20.00"}, {"up_to": None, "unit": "x"}])}},
     "plans.basic.tiers.1.unit: not a decimal ('x')"),
    ({"plans": {"basic": plan_with(tiers=[{"up_to": 100, "unit": 20.0}, {"up_to": None, "unit": "1"}])}},
     "plans.basic.tiers.0.unit: write it as a string"),
    ({"plans": {"basic": plan_with(tiers=[{"up_to": 100, "unit": "1"}, {"up_to": 100, "unit": "1"}, {"up_to": None, "unit": "1"}])}},
     "plans.basic.tiers.1.up_to: must be greater than the previous tier's up_to (100)"),
    ({"plans": {"basic": plan_with(tiers=[{"up_to": 100, "unit": "1"}])}},
     "plans.basic.tiers.0.up_to: the last tier must be open-ended"),
    ({"plans": {"basic": plan_with(tiers=[{"up_to": None, "unit": "1"}, {"up_to": None, "unit": "1"}])}},
     "plans.basic.tiers.0.up_to: only the last tier may be open-ended"),
    ({"plans": {"basic": plan_with(tiers=[])}}, "plans.basic.tiers: needs at least one tier"),
    ({"plans": {"basic": plan_with(tiers=[{"up_to": 0, "unit": "1"}, {"up_to": None, "unit": "1"}])}},
     "plans.basic.tiers.0.up_to: must be at least 1"),
    ({"plans": {"basic": plan_with(tiers=[{"up_to": 100, "unit": "1", "flat": "9.999"}, {"up_to": None, "unit": "1"}])}},
     "plans.basic.tiers.0.flat: 9.999 has more decimals than CNY allows (2)"),
    ({"plans": {"basic": plan_with(tiers=[{"up_to": 100, "unit": "-1"}, {"up_to": None, "unit": "1"}])}},
     "plans.basic.tiers.0.unit: must not be less than 0"),
    ({"plans": {"basic": plan_with(model="tiered")}}, "plans.basic.model: expected one of"),
    ({"plans": {"basic": plan_with(tierz=[])}}, "plans.basic.tierz: unknown key"),
    ({"plans": {"basic": plan_with(rate="0.05")}}, "plans.basic.rate: unknown key"),
    ({"plans": {"basic": plan_with(mode="flat")}}, "plans.basic.mode: expected graduated or volume"),
    ({"plans": {"basic": plan_with(currency="XYZ")}}, "plans.basic.currency: unknown currency 'XYZ'"),
    ({"plans": {"standard": {"model": "fixed_commission", "fixed": "3000.001", "rate": "0.05"}}},
     "plans.standard.fixed: 3000.001 has more decimals than CNY allows (2)"),
    ({"plans": {"standard": {"model": "fixed_commission", "fixed": "1"}}}, "plans.standard.rate: missing"),
    ({"plans": {"standard": {"model": "fixed_commission", "rate": "0.05", "min": "5.00", "max": "1.00"}}},
     "plans.standard.min: is greater than max"),
    ({"plans": {"ent": {"model": "custom", "items": [{"code": "a", "unit_price": "1"}, {"code": "a", "unit_price": "1"}]}}},
     "plans.ent.items.1.code: duplicate 'a'"),
    ({"plans": {"ent": {"model": "custom", "items": [{"code": "a"}]}}}, "plans.ent.items.0.unit_price: missing"),
    ({"plans": {"ent": {"model": "custom", "currency": "CNY", "items": [],
                        "components": [{"model": "fixed_commission", "currency": "THB", "rate": "0"}]}}},
     "plans.ent.components.0.currency: a component must bill in its plan's currency (CNY)"),
    ({"plans": {"ent": {"model": "custom", "items": [], "components": [{"model": "volume", "tiers": "x"}]}}},
     "plans.ent.components.0.tiers: expected a list"),
    ({"plans": ["basic"]}, "plans: expected a mapping"),
    ({"rounding": "HALF_UP"}, "rounding: expected one of"),
    ({"reporting_currency": "RMB"}, "reporting_currency: unknown currency 'RMB'"),
    ({"split_rules": {"default": [{"party": "a", "weight": "-1"}]}}, "split_rules.default.0.weight: must not be less than 0"),
    ({"split_rules": {"default": [{"party": "a", "weight": 1}, {"party": "a", "weight": 1}]}},
     "split_rules.default: split rule 'default' lists 'a' twice"),
    ({"split_rules": {"default": [{"party": "a"}]}}, "split_rules.default.0: needs a weight, a fixed amount, or both"),
    ({"split_rules": {"x": [{"party": "e", "fixed": {"CNY": "1.001"}}]}}, "split_rules.x.0.fixed.CNY: 1.001 has more decimals"),
    ({"split_rules": {"x": [{"party": "e", "fixed": {"CNY": "1"}, "currency": "CNY"}]}},
     "split_rules.x.0.currency: not used when fixed is a per-currency mapping"),
    ({"split_rules": {"x": [{"party": "e", "weight": 1, "share": 2}]}}, "split_rules.x.0.share: unknown key"),
    ({"fx_rates": [{"from": "THB", "to": "CNY", "rate": "0", "date": "2026-11-01"}]}, "fx_rates.0.rate: must be greater than 0"),
    ({"fx_rates": [{"from": "THB", "to": "CNY", "rate": 0.201, "date": "2026-11-01"}]}, "fx_rates.0.rate: write it as a string"),
    ({"fx_rates": [{"from": "THB", "to": "CNY", "rate": "0.2", "date": "November"}]}, "fx_rates.0.date: expected a date"),
    ({"fx_rates": [{"from": "THB", "to": "CNY", "rate": "0.2"}]}, "fx_rates.0.date: missing"),
    ({"fx_rates": [{"from": "THB", "to": "THB", "rate": "1", "date": "2026-11-01"}]}, "fx_rates.0.to: same as from"),
    ({"fx_rates": [{"from": "THB", "to": "CNY", "rate": "0.2", "date": "2026-11-01"}] * 2},
     "fx_rates.1: duplicate rate THB->CNY on 2026-11-01"),
    ({"surcharges": {"urgent": 0.25}}, "surcharges.urgent: write it as a string"),
    ({"surcharges": {"urgent": {"rate": "x"}}}, "surcharges.urgent.rate: not a decimal"),
    ({"templates": [{"code": "a", "pricing": {"base_fee": "150.001", "hourly_rate": "1"}}]},
     "templates.0.pricing.base_fee: 150.001 has more decimals than CNY allows (2)"),
    ({"templates": [{"code": "a", "pricing": {"base_fee": "1"}}]}, "templates.0.pricing.hourly_rate: missing"),
    ({"templates": [{"code": "a"}, {"code": "a"}]}, "templates.1.code: duplicate 'a'"),
    ({"regions": [{"code": "th", "currency": "THB", "prices": {"nope": {"base_fee": "1", "hourly_rate": "1"}}}]},
     "regions.0.prices.nope: unknown template"),
    ({"regions": [{"code": "th", "currency": "THB",
                   "prices": {"hvac_repair": {"base_fee": "1", "hourly_rate": "1", "currency": "CNY"}}}]},
     "regions.0.prices.hvac_repair.currency: a region's price list is in the region's currency (THB)"),
    ({"regions": [{"code": "x", "multiplier": "0"}]}, "regions.0.multiplier: must be greater than 0"),
    ({"regions": [{"code": "x", "tax_rate": "six"}]}, "regions.0.tax_rate: not a decimal"),
])
def test_errors_name_the_key_path(sections, expected):
    assert error_of(**sections).startswith(expected)


def test_not_a_mapping():
    with pytest.raises(SettlementConfigError, match=r"^\(root\): expected a mapping"):
        SettlementConfig.from_mapping(["x"])


def test_defaults_and_lookups():
    cfg = SettlementConfig.from_mapping({})
    assert (cfg.rounding, cfg.reporting_currency, dict(cfg.plans), cfg.fx_rates) == ("ROUND_HALF_UP", "CNY", {}, ())
    with pytest.raises(Exception, match="unknown plan 'basic' \\(known: none configured\\)"):
        cfg.plan("basic")
    with pytest.raises(Exception, match="unknown split rule"):
        cfg.split_rule("x")


def test_yaml_ints_are_major_units(cfg):
    c = SettlementConfig.from_mapping({"plans": {"s": {"model": "fixed_commission", "fixed": 3000, "rate": 0}}})
    assert c.plan("s").fixed == 300000
    assert cfg.plan("standard").min is None and cfg.plan("clamped").min == 200


def test_plan_currency_defaults_to_reporting_currency():
    c = SettlementConfig.from_mapping({"reporting_currency": "THB", "plans": {"b": BASIC | {"currency": None}}})
    assert c.plan("b").currency == "THB"


def test_config_is_frozen(cfg):
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.rounding = "ROUND_HALF_EVEN"  # type: ignore[misc]
    with pytest.raises(TypeError):
        cfg.plans["new"] = cfg.plan("basic")  # type: ignore[index]


def test_other_modules_template_keys_are_left_alone():
    c = SettlementConfig.from_mapping({"templates": [{"code": "a", "skill": "x", "sla_hours": 4, "checklist": ["y"]}]})
    assert c.template("a").pricing is None
