"""Money, exponents, parsing and the rounding primitive (hand-computed)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext

import pytest

from settlement import (
    AmountError,
    CurrencyError,
    CurrencyMismatchError,
    Money,
    exponent,
    format_minor,
    parse_money,
    to_decimal,
    to_minor,
)


@pytest.mark.parametrize("currency,e", [("JPY", 0), ("KRW", 0), ("CNY", 2), ("THB", 2), ("EUR", 2),
                                        ("SGD", 2), ("USD", 2), ("HKD", 2), ("KWD", 3)])
def test_exponents(currency, e):
    assert exponent(currency) == e


@pytest.mark.parametrize("bad", ["XYZ", "cny", "", None, "RMB"])
def test_unknown_currency_is_a_clear_error(bad):
    with pytest.raises(CurrencyError, match="unknown currency"):
        exponent(bad)
    with pytest.raises(CurrencyError):
        Money(1, bad)


@pytest.mark.parametrize("text,currency,minor", [
    ("100.01", "CNY", 10001), ("-0.01", "CNY", -1), ("100", "CNY", 10000), (".5", "CNY", 50),
    ("0", "CNY", 0), (" 180.00 ", "THB", 18000), ("100.010", "CNY", 10001),  # trailing zeros are exact
    ("1500", "JPY", 1500), ("1500.0", "JPY", 1500), ("1.234", "KWD", 1234),
])
def test_parse_money(text, currency, minor):
    assert parse_money(text, currency) == Money(minor, currency)


@pytest.mark.parametrize("text,currency", [("100.015", "CNY"), ("1500.5", "JPY"), ("0.001", "THB")])
def test_parse_refuses_more_decimals_than_the_currency_has(text, currency):
    with pytest.raises(AmountError, match=f"more decimals than {currency} allows"):
        parse_money(text, currency)


@pytest.mark.parametrize("text", ["abc", "1e3", "NaN", "Infinity", "1,000.00", "--1", "", "1.2.3", "1" * 31])
def test_parse_refuses_non_decimal_text(text):
    with pytest.raises(AmountError):
        parse_money(text, "CNY")


def test_floats_are_refused_everywhere():
    with pytest.raises(TypeError, match="float"):
        to_decimal(0.1)
    with pytest.raises(TypeError, match="float"):
        parse_money(100.01, "CNY")
    with pytest.raises(TypeError):
        Money(1.5, "CNY")
    with pytest.raises(TypeError):
        Money(True, "CNY")
    with pytest.raises(TypeError):
        format_minor(1.0, "CNY")


def test_bare_int_amount_is_ambiguous_and_refused():
    # 100 could be yuan or fen; strings (major units) and Money (minor units) say which.
    with pytest.raises(TypeError, match="not int"):
        parse_money(100, "CNY")


@pytest.mark.parametrize("minor,currency,text", [
    (10001, "CNY", "100.01"), (-1, "CNY", "-0.01"), (0, "CNY", "0.00"), (5, "CNY", "0.05"),
    (-100, "CNY", "-1.00"), (1500, "JPY", "1500"), (-1500, "JPY", "-1500"), (0, "JPY", "0"),
    (1234, "KWD", "1.234"), (950000, "CNY", "9500.00"),
])
def test_format_minor(minor, currency, text):
    assert format_minor(minor, currency) == text


def test_half_up_is_not_half_even():
    # The pitfall the spec names: 0.125 yuan is 12.5 fen.
    assert to_minor(Decimal("0.125"), "CNY", ROUND_HALF_UP) == 13
    assert to_minor(Decimal("0.125"), "CNY", ROUND_HALF_EVEN) == 12
    assert to_minor(Decimal("0.135"), "CNY", ROUND_HALF_EVEN) == 14
    assert to_minor(Decimal("-0.125"), "CNY", ROUND_HALF_UP) == -13  # half away from zero
    assert to_minor(Decimal("2.675"), "CNY") == 268  # round(2.675, 2) on a float gives 2.67
    assert to_minor(Decimal("1500.5"), "JPY") == 1501


def test_rounding_ignores_the_callers_decimal_context():
    with localcontext() as ctx:
        ctx.prec = 3
        assert to_minor(Decimal("12345.675"), "CNY") == 1234568


def test_money_arithmetic_and_mixing_currencies_refused():
    a, b = Money(10001, "CNY"), Money(-1, "CNY")
    assert a + b == Money(10000, "CNY")
    assert a - b == Money(10002, "CNY")
    assert -a == Money(-10001, "CNY")
    assert sum([a, b, Money(0, "CNY")]) == Money(10000, "CNY")
    assert b < a and a >= b
    assert str(a) == "100.01 CNY" and a.to_json() == {"amount": "100.01", "currency": "CNY"}
    assert a.major == Decimal("100.01")
    thb = Money(100, "THB")
    with pytest.raises(CurrencyMismatchError, match="CNY with THB"):
        a + thb
    with pytest.raises(CurrencyMismatchError):
        a - thb
    with pytest.raises(CurrencyMismatchError):
        a < thb
    with pytest.raises(CurrencyMismatchError):
        sum([a, thb])
    with pytest.raises(TypeError):
        a + 1
    assert Money(1, "CNY") != Money(1, "THB")


def test_money_is_frozen():
    m = Money(1, "CNY")
    with pytest.raises(AttributeError):
        m.amount = 2  # type: ignore[misc]
