"""Travel allowances (issue 15, 差旅补贴): which rule pays an engineer away from home, and how much.

Test config (conftest BRANCHES_YAML):
    distances   east/southwest 1660 km, centre/east 300 km, southwest/centre 800 km
    rules       east/southwest 200.00 CNY per day; 0–800 km 80.00 CNY | 400.00 THB per trip;
                800+ km 260.00 CNY | 1300.00 THB per trip
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from settlement import SettlementConfigError, SettlementError, allowance, days_on_job
from settlement.ledger_config import LedgerConfig

from .conftest import branches_mapping

UTC = dt.timezone.utc
TRAVEL = LedgerConfig.from_mapping(branches_mapping()).travel


def test_a_region_pair_pays_per_day(lcfg):
    a = allowance(lcfg.travel, home="east", job_region="southwest", days=2, currency="CNY")
    # 2 days × 200.00
    assert a.to_json() == {"amount": "400.00", "currency": "CNY", "per": "day", "days": 2, "rule": "east/southwest"}
    # either order
    assert allowance(lcfg.travel, home="southwest", job_region="east", days=2, currency="CNY").amount == 40000


def test_a_distance_band_pays_per_trip(lcfg):
    a = allowance(lcfg.travel, home="east", job_region="centre", days=3, currency="CNY")
    assert (a.amount, a.per, a.rule) == (8000, "trip", "0-800 km")  # 300 km: once, whatever the days
    assert allowance(lcfg.travel, home="centre", job_region="east", days=1, currency="THB").amount == 40000


def test_the_band_includes_its_lower_bound_and_excludes_its_upper(lcfg):
    a = allowance(lcfg.travel, home="southwest", job_region="centre", days=1, currency="CNY")
    assert (a.amount, a.rule) == (26000, "800+ km")  # exactly 800 km is in [800, null), not [0, 800)


@pytest.mark.parametrize("home,job_region,currency", [
    ("east", "east", "CNY"),            # at home
    ("east", "th", "CNY"),              # no rule for the pair and no distance for a band
    ("east", "southwest", "THB"),       # the matching rule pays only CNY: nothing, rather than a guess
])
def test_no_allowance(lcfg, home, job_region, currency):
    assert allowance(lcfg.travel, home=home, job_region=job_region, days=2, currency=currency) is None


def test_no_section_no_allowance():
    assert allowance(None, home="east", job_region="southwest", days=1, currency="CNY") is None


@pytest.mark.parametrize("days", [0, -1, "2", True])
def test_days_must_be_whole_and_positive(lcfg, days):
    with pytest.raises(SettlementError, match="days on the job must be a whole number of at least 1"):
        allowance(lcfg.travel, home="east", job_region="southwest", days=days, currency="CNY")


@pytest.mark.parametrize("start,end,tz,days", [
    # 22:30 → 01:00 the next day in Shanghai: two local calendar days
    (dt.datetime(2026, 11, 3, 14, 30), dt.datetime(2026, 11, 3, 17, 0), "Asia/Shanghai", 2),
    (dt.datetime(2026, 11, 3, 1, 0), dt.datetime(2026, 11, 3, 9, 0), "Asia/Shanghai", 1),
    (dt.datetime(2026, 11, 3, 1, 0), dt.datetime(2026, 11, 5, 9, 0), "Asia/Shanghai", 3),
    # the same instants are 23:30 → 01:00 in Bangkok (2 days) but 00:30 → 02:00 in Shanghai (1 day)
    (dt.datetime(2026, 11, 3, 16, 30), dt.datetime(2026, 11, 3, 18, 0), "Asia/Bangkok", 2),
    (dt.datetime(2026, 11, 3, 16, 30), dt.datetime(2026, 11, 3, 18, 0), "Asia/Shanghai", 1),
    # aware datetimes are converted; a completion stamped before its claim still counts one day
    (dt.datetime(2026, 11, 3, 14, 30, tzinfo=UTC), dt.datetime(2026, 11, 3, 17, 0, tzinfo=UTC), "Asia/Shanghai", 2),
    (dt.datetime(2026, 11, 3, 10, 0), dt.datetime(2026, 11, 3, 9, 59), "Asia/Shanghai", 1),
])
def test_days_on_job_counts_local_calendar_days(start, end, tz, days):
    assert days_on_job(start, end, tz) == days


def test_days_on_job_refuses_an_unknown_zone():
    with pytest.raises(SettlementError, match="unknown time zone 'Mars/Base'"):
        days_on_job(dt.datetime(2026, 11, 3), dt.datetime(2026, 11, 3), "Mars/Base")


def error_of(travel) -> str:
    with pytest.raises(SettlementConfigError) as e:
        LedgerConfig.from_mapping(branches_mapping(travel_allowances=travel))
    assert "\n" not in str(e.value)
    return str(e.value)


RULE = {"band_km": [0, None], "per": "trip", "amount": {"CNY": "10.00"}}


@pytest.mark.parametrize("travel,expected", [
    ({"distances_km": {"east/mars": 10}}, "travel_allowances.distances_km.east/mars.1: unknown region 'mars'"),
    ({"distances_km": {"east/east": 10}}, "travel_allowances.distances_km.east/east: the two regions are the same (east)"),
    ({"distances_km": {"east": 10}}, "travel_allowances.distances_km.east: expected two regions, got 1"),
    ({"distances_km": {"east/centre": 10, "centre/east": 12}},
     "travel_allowances.distances_km.centre/east: this pair is given twice (either order is the same pair)"),
    ({"distances_km": {"east/centre": "far"}}, "travel_allowances.distances_km.east/centre: expected a whole number"),
    ({"rules": [{**RULE, "regions": ["east", "centre"]}]},
     "travel_allowances.rules.0: needs either regions (a pair) or band_km, not both"),
    ({"rules": [{"per": "trip", "amount": {"CNY": "1.00"}}]},
     "travel_allowances.rules.0: needs either regions (a pair) or band_km, not both"),
    ({"rules": [{**RULE, "per": "week"}]}, "travel_allowances.rules.0.per: expected day or trip, got 'week'"),
    ({"rules": [{**RULE, "band_km": [800, 100]}]}, "travel_allowances.rules.0.band_km.1: must be greater than 800"),
    ({"rules": [{**RULE, "band_km": [800]}]}, "travel_allowances.rules.0.band_km: expected [from_km, to_km]"),
    ({"rules": [{**RULE, "amount": {"CNY": "1.001"}}]},
     "travel_allowances.rules.0.amount.CNY: 1.001 has more decimals than CNY allows (2)"),
    ({"rules": [{**RULE, "amount": {"RMB": "1.00"}}]}, "travel_allowances.rules.0.amount.RMB: unknown currency 'RMB'"),
    ({"rules": [{**RULE, "amount": {}}]}, "travel_allowances.rules.0.amount: needs an amount in at least one currency"),
    ({"rules": [{**RULE, "amount": None}]}, "travel_allowances.rules.0.amount: missing"),
    ({"rules": [{"regions": ["east", "th", "fr"], "per": "day", "amount": {"CNY": "1.00"}}]},
     "travel_allowances.rules.0.regions: expected two regions, got 3"),
    ({"rule": []}, "travel_allowances.rule: unknown key (did you mean 'rules'?)"),
])
def test_config_errors_name_the_key_path(travel, expected):
    assert error_of(travel).startswith(expected)


@given(st.integers(1, 400), st.sampled_from(["CNY", "THB"]))
def test_per_trip_is_once_and_per_day_is_days_times(days, currency):
    trip = allowance(TRAVEL, home="east", job_region="centre", days=days, currency=currency)
    assert trip.amount == {"CNY": 8000, "THB": 40000}[currency] and trip.days == days
    daily = allowance(TRAVEL, home="east", job_region="southwest", days=days, currency="CNY")
    assert daily.amount == 20000 * days
