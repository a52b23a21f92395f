"""Conversion at a stored rate: round(amount × rate) in the target exponent, rate keeps date/source."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from settlement import CurrencyMismatchError, FxRate, Money, SettlementError, convert


def test_latest_rate_with_date_and_source(cfg):
    rate = cfg.fx_rate("THB", "CNY")
    assert (rate.rate, rate.date, rate.source) == (Decimal("0.2010"), dt.date(2026, 11, 1), "config")
    # 1926.00 THB × 0.2010 = 387.126 → 387.13 CNY
    assert convert(Money(192600, "THB"), rate) == Money(38713, "CNY")
    assert rate.to_json() == {"from": "THB", "to": "CNY", "rate": "0.2010", "date": "2026-11-01", "source": "config"}


def test_rate_in_force_on_a_date(cfg):
    rate = cfg.fx_rate("THB", "CNY", on=dt.date(2026, 10, 15))
    assert (rate.rate, rate.source) == (Decimal("0.1990"), "bank")
    assert convert(Money(192600, "THB"), rate) == Money(38327, "CNY")  # 383.274
    with pytest.raises(SettlementError, match="no fx rate THB->CNY on or before 2026-09-01"):
        cfg.fx_rate("THB", "CNY", on=dt.date(2026, 9, 1))


def test_zero_exponent_both_ways(cfg):
    # 548.55 CNY × 21.37 = 11722.5135 JPY → 11723
    assert convert(Money(54855, "CNY"), cfg.fx_rate("CNY", "JPY")) == Money(11723, "JPY")
    # 1000 JPY × 0.0468 = 46.80 CNY
    assert convert(Money(1000, "JPY"), cfg.fx_rate("JPY", "CNY")) == Money(4680, "CNY")


def test_conversion_rounding_mode():
    rate = FxRate("CNY", "JPY", Decimal("25"), dt.date(2026, 11, 1), "test")
    assert convert(Money(10, "CNY"), rate) == Money(3, "JPY")  # 0.10 × 25 = 2.5 → HALF_UP 3
    assert convert(Money(10, "CNY"), rate, "ROUND_HALF_EVEN") == Money(2, "JPY")
    assert convert(Money(-10, "CNY"), rate) == Money(-3, "JPY")


def test_config_rounding_travels_on_the_rate(cfg_even):
    assert cfg_even.fx_rate("CNY", "JPY").rounding == "ROUND_HALF_EVEN"


def test_mismatch_and_types(cfg):
    with pytest.raises(CurrencyMismatchError, match="THB->CNY cannot convert CNY"):
        convert(Money(1, "CNY"), cfg.fx_rate("THB", "CNY"))
    with pytest.raises(TypeError):
        convert(1.5, cfg.fx_rate("THB", "CNY"))  # type: ignore[arg-type]
    with pytest.raises(SettlementError):
        FxRate("CNY", "THB", Decimal("0"), dt.date(2026, 1, 1), "x")


def test_no_inverse_is_derived(cfg):
    assert cfg.fx_rate("CNY", "THB").rate == Decimal("4.9750")  # configured, not 1/0.2010
    with pytest.raises(SettlementError, match="no fx rate CNY->EUR"):
        cfg.fx_rate("CNY", "EUR")


def test_identity(cfg):
    rate = cfg.fx_rate("CNY", "CNY")
    assert (rate.rate, rate.source) == (Decimal(1), "identity")
    assert convert(Money(123, "CNY"), rate) == Money(123, "CNY")
