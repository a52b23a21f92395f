"""A small settlement config with round numbers, so every expectation can be computed by hand.

It does not read /work/main/config.yaml: test values must not move when the shipped defaults do
(test_config_yaml.py checks the shipped file separately).
"""

from __future__ import annotations

import pytest
import yaml

from settlement import SettlementConfig

CONFIG_YAML = """
rounding: ROUND_HALF_UP
reporting_currency: CNY
plans:
  basic:        {model: graduated, currency: CNY, tiers: [{up_to: 100, unit: "20.00"}, {up_to: 500, unit: "15.00"}, {up_to: null, unit: "10.00"}]}
  basic_volume: {model: volume, currency: CNY, tiers: [{up_to: 100, unit: "20.00"}, {up_to: 500, unit: "15.00"}, {up_to: null, unit: "10.00"}]}
  basic_mode:   {model: graduated, mode: volume, currency: CNY, tiers: [{up_to: 100, unit: "20.00"}, {up_to: 500, unit: "15.00"}, {up_to: null, unit: "10.00"}]}
  flat:         {model: graduated, currency: CNY, tiers: [{up_to: 100, unit: "20.00", flat: "99.00"}, {up_to: null, unit: "10.00", flat: "500.00"}]}
  flat_volume:  {model: volume, currency: CNY, tiers: [{up_to: 100, unit: "20.00", flat: "99.00"}, {up_to: null, unit: "10.00", flat: "500.00"}]}
  standard:     {model: fixed_commission, currency: CNY, fixed: "3000.00", rate: "0.05", min: null, max: null}
  clamped:      {model: fixed_commission, currency: CNY, fixed: "3000.00", rate: "0.05", min: "2.00", max: "300.00"}
  enterprise:   {model: custom, currency: CNY, items: [{code: api_calls, unit_price: "0.002", included: 10000},
                                                       {code: storage_gb_month, unit_price: "1.50", included: 5}]}
  enterprise_plus:
    model: custom
    currency: CNY
    items: [{code: api_calls, unit_price: "0.002", included: 10000, names: {zh: API 调用, en: API calls}}]
    components:
      - {model: fixed_commission, fixed: "20000.00", rate: "0.03"}
      - {model: graduated, tiers: [{up_to: 100, unit: "0"}, {up_to: null, unit: "5.00"}]}
  yen:          {model: graduated, currency: JPY, tiers: [{up_to: null, unit: "250.5"}]}
split_rules:
  default: [{party: sales, weight: 60}, {party: engineer, weight: 30}, {party: after_sales_fund, weight: 10}]
  hvac_repair:
    - {party: engineer, fixed: {CNY: "120.00", THB: "600.00"}}
    - {party: sales, weight: 70}
    - {party: after_sales_fund, weight: 30}
fx_rates:
  - {from: THB, to: CNY, rate: "0.2010", date: 2026-11-01, source: config}
  - {from: THB, to: CNY, rate: "0.1990", date: 2026-10-01, source: bank}
  - {from: CNY, to: THB, rate: "4.9750", date: 2026-11-01, source: config}
  - {from: CNY, to: JPY, rate: "21.37", date: 2026-11-01, source: config}
  - {from: JPY, to: CNY, rate: "0.0468", date: 2026-11-01, source: config}
surcharges: {urgent: "0.25", night: "0.20", height: "0.15"}
templates:
  - {code: hvac_repair, skill: hvac, names: {zh: 空调维修, en: HVAC repair}, pricing: {base_fee: "150.00", hourly_rate: "80.00"}}
  - {code: pos_repair, skill: pos, names: {zh: 收银系统维修, en: POS repair}, pricing: {base_fee: "99.99", hourly_rate: "33.33"}}
  - {code: misc_fee, skill: pos, names: {zh: 杂项, en: Misc}, pricing: {base_fee: "100.75", hourly_rate: "50.00"}}
  - {code: odd_rate, skill: pos, names: {zh: 零头, en: Odd}, pricing: {base_fee: "10.00", hourly_rate: "33.33"}}
  - {code: survey, skill: pos, names: {zh: 勘察, en: Survey}}
regions:
  - {code: east, name: 华东, currency: CNY, language: zh, tax_rate: "0.06"}
  - {code: centre, name: 市中心, currency: CNY, language: zh, tax_rate: "0.06", multiplier: "1.2"}
  - {code: th, name: 泰国, currency: THB, language: th, tax_rate: "0.07",
     prices: {hvac_repair: {base_fee: "800.00", hourly_rate: "350.00"}}}
  - {code: jp, name: 日本, currency: JPY, language: en, tax_rate: "0.10"}
  - {code: fr, name: 法国, currency: EUR, language: fr, tax_rate: "0.20"}
"""


def config_mapping(**overrides):
    data = yaml.safe_load(CONFIG_YAML)
    data.update(overrides)
    return data


@pytest.fixture(scope="session")
def cfg() -> SettlementConfig:
    return SettlementConfig.from_mapping(config_mapping())


@pytest.fixture(scope="session")
def cfg_even() -> SettlementConfig:
    return SettlementConfig.from_mapping(config_mapping(rounding="ROUND_HALF_EVEN"))


# Money across branches (issue 15): the sections LedgerConfig reads beside the above, with a
# second CNY branch (southwest) for joint jobs. Round numbers again; the shipped values live in
# config.yaml and are checked in test_config_yaml.py.
BRANCHES_YAML = """
split_rules:
  pos_repair:
    - {party: sales, price_list: transfer}
    - {party: engineer, weight: 30, per_hour: "10", rating: {"5": "1.20", "4": "1.00", "3": "0.80", "2": "0.60", "1": "0.60"}}
    - {party: after_sales_fund, weight: 10}
    - {party: service_dept, weight: 60}
price_lists:
  cost:
    names: {zh: 服务成本价, en: service cost price}
    parts_factor: "0.80"
    regions:
      east: {default: {base_fee: "60.00", hourly_rate: "45.00"}, hvac_repair: {base_fee: "70.00", hourly_rate: "50.00"}}
      southwest: {default: {base_fee: "50.00", hourly_rate: "40.00"}}
      th: {default: {base_fee: "300.00", hourly_rate: "220.00"}}
      jp: {default: {base_fee: "5000", hourly_rate: "3333"}}
  transfer:
    names: {zh: 标准销售价, en: standard sales price}
    parts_factor: "0"
    regions:
      east: {default: {base_fee: "30.00", hourly_rate: "0"}}
      centre: {default: {base_fee: "30.00", hourly_rate: "0"}}
      southwest: {default: {base_fee: "30.00", hourly_rate: "0"}}
      th: {default: {base_fee: "150.00", hourly_rate: "0"}}
      jp: {default: {base_fee: "600", hourly_rate: "0"}}
      fr: {default: {base_fee: "4.00", hourly_rate: "0"}}
joint_squads:
  - {code: feihu, name: 沪蓉飞虎队, names: {en: Shanghai–Chengdu squad}, regions: [east, southwest],
     dispatch_group: wr_feihu_dispatch, engineers: [zhangwei, wangjun], remainder: {east: 40, southwest: 60}}
travel_allowances:
  distances_km: {east/southwest: 1660, centre/east: 300, southwest/centre: 800, centre/th: 2500}
  rules:
    - {regions: [east, southwest], per: day, amount: {CNY: "200.00"}}
    - {band_km: [0, 800], per: trip, amount: {CNY: "80.00", THB: "400.00"}}
    - {band_km: [800, null], per: trip, amount: {CNY: "260.00", THB: "1300.00"}}
"""


def branches_mapping(**overrides):
    """The test config plus the branch sections (and the southwest region they use)."""
    data = config_mapping()
    extra = yaml.safe_load(BRANCHES_YAML)
    data["regions"] = [*data["regions"], {"code": "southwest", "name": "西南", "currency": "CNY", "tax_rate": "0.06"}]
    data["split_rules"] = {**data["split_rules"], **extra.pop("split_rules")}
    data.update(extra)
    data.update(overrides)
    return data


@pytest.fixture(scope="session")
def lcfg():
    from settlement.ledger_config import LedgerConfig

    return LedgerConfig.from_mapping(branches_mapping())
