"""settlement/terms.py: due dates, rebates, SLA credits, aging and the config's one-line errors —
pure arithmetic, every figure worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from settlement.errors import SettlementConfigError
from settlement.ledger_config import LedgerConfig
from settlement.terms import (CreditTerms, PrepaidTerms, Rebate, Receivable, SlaCreditPolicy, aging, due_date,
                              parse_payment_terms, parse_sla_credit, parse_terms, period_last_day, rebate, sla_credit)
from tests.conftest import base_config_data

NET30_ME = CreditTerms(30, month_end=True)
THB = PrepaidTerms("THB", 500000, (Rebate(2000000, Decimal("0.02")), Rebate(5000000, Decimal("0.05"))))


@pytest.mark.parametrize("issued, terms, due", [
    # Jan 31 2026 + 30 days: 28 days of February reach Feb 28, 2 more → Mar 2.
    (dt.date(2026, 1, 31), NET30_ME, dt.date(2026, 3, 2)),
    # 2028 is a leap year: Jan 31 + 29 days of February → Feb 29, 1 more → Mar 1.
    (dt.date(2028, 1, 31), NET30_ME, dt.date(2028, 3, 1)),
    # Issued mid-February with month-end: counted from Feb 29 (leap) → Mar 30.
    (dt.date(2028, 2, 10), NET30_ME, dt.date(2028, 3, 30)),
    # Without month-end: Feb 10 + 30 → Feb 29 is day 19, Mar 11 is day 30.
    (dt.date(2028, 2, 10), CreditTerms(30), dt.date(2028, 3, 11)),
    # Dec 31 + 30 crosses the year.
    (dt.date(2026, 12, 31), NET30_ME, dt.date(2027, 1, 30)),
    # A prepaid statement is due the day it is issued.
    (dt.date(2026, 10, 31), THB, dt.date(2026, 10, 31)),
])
def test_due_dates_across_month_ends(issued, terms, due):
    assert due_date(issued, terms) == due


def test_an_invoice_is_issued_on_its_months_last_day():
    assert period_last_day("2028-02") == dt.date(2028, 2, 29)
    assert period_last_day("2026-02") == dt.date(2026, 2, 28)
    assert period_last_day("2026-10") == dt.date(2026, 10, 31)


def test_rebate_is_the_whole_volume_at_the_highest_tier_reached():
    # 19,999.99 THB: below the first tier → nothing.
    assert rebate(1999999, THB) == (None, 0)
    # Exactly 20,000.00 reaches the 2 % tier (threshold inclusive): 400.00.
    assert rebate(2000000, THB) == (THB.rebates[0], 40000)
    # 58,097.26 reached 5 %: the WHOLE volume at 5 % = 2,904.863 → 2,904.86 (not 2 % on the first
    # 50,000 and 5 % on the rest, which would be 1,000.00 + 404.86).
    assert rebate(5809726, THB) == (THB.rebates[1], 290486)
    # Rounded once, half up: 50,000.10 × 5 % = 2,500.005 → 2,500.01.
    assert rebate(5000010, THB)[1] == 250001


def test_sla_credit_percent_or_fixed_in_the_jobs_currency():
    ten = SlaCreditPolicy(percent=Decimal("0.10"))
    assert sla_credit(ten, 54855, "CNY") == 5486      # 548.55 × 10 % = 54.855 → 54.86, half up
    fixed = SlaCreditPolicy(fixed={"THB": 20000})
    assert sla_credit(fixed, 74526, "THB") == 20000   # 200.00, whatever the job cost
    assert sla_credit(fixed, 21200, "CNY") == 0       # no CNY amount: nothing, never a converted guess


def test_aging_buckets_by_days_overdue_per_currency():
    today = dt.date(2027, 1, 15)
    rows = [Receivable("oct", "CNY", dt.date(2026, 11, 30), 80055),    # 46 days overdue → 31-60
            Receivable("nov", "CNY", dt.date(2026, 12, 30), 17714),    # 16 days → 1-30
            Receivable("dec", "CNY", dt.date(2027, 1, 30), 23200),     # not due yet → current
            Receivable("jul", "THB", dt.date(2026, 8, 31), 100000),    # 137 days → 90+
            Receivable("sep", "CNY", dt.date(2026, 10, 17), 500),      # exactly 90 days → 61-90
            Receivable("paid", "CNY", dt.date(2026, 9, 1), 0)]         # nothing open: not listed
    report = aging(rows, today)
    assert [(a.receivable.ref, a.days_overdue, a.bucket) for a in report.rows] == [
        ("jul", 137, "90+"), ("sep", 90, "61-90"), ("oct", 46, "31-60"), ("nov", 16, "1-30"), ("dec", 0, "current")]
    assert dict(report.totals["CNY"]) == {"current": 23200, "1-30": 17714, "31-60": 80055, "61-90": 500, "90+": 0}
    assert dict(report.totals["THB"]) == {"current": 0, "1-30": 0, "31-60": 0, "61-90": 0, "90+": 100000}
    # Due today is not overdue; one day later is.
    assert aging([Receivable(1, "CNY", today, 1)], today).rows[0].bucket == "current"
    assert aging([Receivable(1, "CNY", today, 1)], today + dt.timedelta(days=1)).rows[0].bucket == "1-30"


class _Cfg:
    regions = {"north": None, "south": None}


@pytest.mark.parametrize("data, message", [
    ({"north": {"kind": "cash"}}, "payment_terms.north.kind: expected one of credit, prepaid, got 'cash'"),
    ({"north": {"kind": "credit"}}, "payment_terms.north.net_days: missing"),
    ({"north": {"kind": "credit", "net_days": 30, "month_end": "yes"}}, "payment_terms.north.month_end: expected true or false"),
    ({"north": {"kind": "credit", "net_days": 30, "net": 1}}, "payment_terms.north.net: unknown key"),
    ({"west": {"kind": "credit", "net_days": 30}}, "payment_terms.west: unknown region 'west'"),
    ({"south": {"kind": "prepaid", "currency": "THB", "low_balance": 5000.0}}, "payment_terms.south.low_balance: write it as a string"),
    ({"south": {"kind": "prepaid", "currency": "THB", "rebates": [{"from": "50000.00", "rate": "0.05"},
                                                                   {"from": "20000.00", "rate": "0.02"}]}},
     "payment_terms.south.rebates.1.from: must be greater than the previous tier's `from`"),
    ({"south": {"kind": "prepaid", "currency": "THB", "rebates": [{"from": "1.00", "rate": "5"}]}},
     "payment_terms.south.rebates.0.rate: a fraction at most 1"),
    ({"south": {"kind": "prepaid", "currency": "XXX"}}, "payment_terms.south.currency: unknown currency 'XXX'"),
])
def test_terms_errors_are_one_line_starting_with_the_key_path(data, message):
    with pytest.raises(SettlementConfigError) as e:
        parse_payment_terms(data, _Cfg(), "payment_terms")
    assert str(e.value).startswith(message) and "\n" not in str(e.value)


def test_sla_credit_config_errors():
    with pytest.raises(SettlementConfigError, match=r"^accounts.0.sla_credit: give exactly one of percent"):
        parse_sla_credit({"percent": "0.1", "fixed": {"CNY": "5.00"}}, "accounts.0.sla_credit")
    with pytest.raises(SettlementConfigError, match=r"^accounts.0.sla_credit.percent: a fraction at most 1"):
        parse_sla_credit({"percent": "10"}, "accounts.0.sla_credit")
    with pytest.raises(SettlementConfigError, match=r"^accounts.0.sla_credit.fixed.CNY: .*more decimals"):
        parse_sla_credit({"fixed": {"CNY": "5.001"}}, "accounts.0.sla_credit")


def test_an_accounts_own_terms_win_over_its_regions():
    data = base_config_data()
    data["payment_terms"] = {"north": {"kind": "credit", "net_days": 30, "month_end": True},
                             "th": {"kind": "credit", "net_days": 15}}
    data["accounts"] = [
        {"code": "bj", "plan": "basic", "region": "north"},                                  # the region's
        {"code": "bkk", "plan": "basic", "region": "th", "terms": {"kind": "prepaid", "currency": "THB"}},  # its own
        {"code": "sg", "plan": "basic", "region": "sg"}]                                     # none at all
    cfg = LedgerConfig.from_mapping(data)
    assert cfg.terms_of("bj") == CreditTerms(30, True)
    assert cfg.terms_of("bkk") == PrepaidTerms("THB")
    assert cfg.terms_of("sg") is None
    assert parse_terms({"kind": "credit", "net_days": 0}, "x") == CreditTerms(0, False)


def test_an_sla_credit_without_terms_is_refused_at_start_up():
    data = base_config_data()
    data["payment_terms"] = {}
    data["accounts"] = [{"code": "sg", "plan": "basic", "region": "sg", "sla_credit": {"percent": "0.05"}}]
    with pytest.raises(SettlementConfigError, match=r"^accounts.0.sla_credit: the account has no terms"):
        LedgerConfig.from_mapping(data)
