"""Invoices on credit terms: written by the month's close with due dates by the terms, an SLA
credit on the NEXT invoice once, aging by days overdue, payments, and credit notes that correct
an invoice without ever editing it. Figures by hand (the jobs: tests/ledger/conftest.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from storage import billing, ledger
from storage.billing_models import BillingError, Invoice
from storage.ledger import rate_on
from storage.ledger_models import SettledLineError

from tests.ledger.conftest import ledger_env

from .conftest import at, billing_config


async def shanghai_job(env, s, when, *, template="pos_repair", breached=False):
    """hvac_repair (1.5 h, 压缩机 180.00, urgent) totals 548.55 CNY; pos_repair 2 h totals 212.00."""
    kw = {} if template == "hvac_repair" else {"hours": "2", "parts": (), "surcharges": ()}
    tid, q = await env.job(s, template=template, at=when, sla_breached=breached, **kw)
    await billing.bill_completion(s, env.lcfg, ticket_id=tid, chatid="wr_sh_xuhui", breached=breached,
                                  rates=lambda f, t, d: rate_on(env.lcfg, f, t, d))
    return tid


async def close(env, period, now):
    async with env.db.transaction() as s:
        result = await ledger.close_period(s, env.lcfg, period, now=now)
    return [i for i in result.to_json()["invoices"] if i["account"] == "sh_credit"]


@pytest.fixture
async def three_months(env):
    async with env.db.transaction() as s:
        a = await shanghai_job(env, s, at(2026, 10, 15), template="hvac_repair", breached=True)  # credit 54.86
        b = await shanghai_job(env, s, at(2026, 10, 16))
        c = await shanghai_job(env, s, at(2026, 11, 10))
        d = await shanghai_job(env, s, at(2026, 12, 10))
    months = {}
    for period, now in (("2026-10", dt.datetime(2026, 11, 22)), ("2026-11", dt.datetime(2026, 12, 5)),
                        ("2026-12", dt.datetime(2027, 1, 5))):
        [months[period]] = await close(env, period, now)
    return (a, b, c, d), months


async def test_an_sla_credit_appears_once_on_the_next_invoice(env, three_months):
    (a, b, c, d), inv = three_months
    lines = {p: [(ln["kind"], ln.get("ticket"), ln["amount"]) for ln in i["lines"]] for p, i in inv.items()}
    # October: 548.55 + 212.00 + plan basic 2 tickets × 20.00 = 40.00 → 800.55. Job #a breached its
    # SLA: 10 % of 548.55 = 54.855 → 54.86, earned in October, so not on October's own invoice.
    assert lines["2026-10"] == [("job", a, "548.55"), ("job", b, "212.00"), ("plan", None, "40.00")]
    assert (inv["2026-10"]["amount"], inv["2026-10"]["issued_on"], inv["2026-10"]["due_on"]) == (
        "800.55", "2026-10-31", "2026-11-30")   # net 30 from the month's end
    # November: 212.00 + 20.00 − 54.86 = 177.14, due Nov 30 + 30 = Dec 30.
    assert lines["2026-11"] == [("job", c, "212.00"), ("plan", None, "20.00"), ("sla_credit", a, "-54.86")]
    assert (inv["2026-11"]["amount"], inv["2026-11"]["due_on"]) == ("177.14", "2026-12-30")
    # December: 212.00 + 20.00 = 232.00 — the credit is not taken twice. Due Dec 31 + 30 = Jan 30.
    assert lines["2026-12"] == [("job", d, "212.00"), ("plan", None, "20.00")]
    assert (inv["2026-12"]["amount"], inv["2026-12"]["due_on"]) == ("232.00", "2027-01-30")
    assert all(i["status"] == "open" and i["kind"] == "credit" for i in inv.values())


async def test_aging_puts_each_open_invoice_in_its_bucket(env, three_months):
    async with env.db.sessions() as s:
        report = await billing.aging_report(s, today=dt.date(2027, 1, 15))
    # Oct due Nov 30: 46 days overdue; Nov due Dec 30: 16 days; Dec due Jan 30: not yet.
    assert report["totals"] == {"CNY": {"current": "232.00", "1-30": "177.14", "31-60": "800.55", "61-90": "0.00",
                                        "90+": "0.00"}}
    assert {b: [(r["period"], r["days_overdue"]) for r in rows] for b, rows in report["buckets"].items()} == {
        "31-60": [("2026-10", 46)], "1-30": [("2026-11", 16)], "current": [("2026-12", 0)]}


async def test_a_credit_note_after_finalising_reduces_the_open_amount_not_the_invoice(env, three_months):
    _, inv = three_months
    oct_id = inv["2026-10"]["id"]
    async with env.db.transaction() as s:
        done = await billing.credit_note(s, env.lcfg, invoice_id=oct_id, amount="100.00",
                                         reason="job re-priced after the store's complaint", now=dt.datetime(2026, 12, 1))
    # 800.55 − 100.00 = 700.55 open; the invoice itself still says 800.55.
    assert (done["invoice"]["amount"], done["invoice"]["credited"], done["invoice"]["open"]) == ("800.55", "100.00", "700.55")
    assert done["credit_note"]["invoice"] == oct_id and done["credit_note"]["reason"].startswith("job re-priced")

    async with env.db.transaction() as s:   # never more than the invoice billed: 800.55 − 100.00 = 700.55 at most
        with pytest.raises(BillingError, match=r"at most 700.55 more can be"):
            await billing.credit_note(s, env.lcfg, invoice_id=oct_id, amount="700.56", reason="x",
                                      now=dt.datetime(2026, 12, 1))
        with pytest.raises(BillingError, match=r"needs a reason"):
            await billing.credit_note(s, env.lcfg, invoice_id=oct_id, amount="1.00", reason=" ",
                                      now=dt.datetime(2026, 12, 1))
    async with env.db.sessions() as s:
        report = await billing.aging_report(s, today=dt.date(2027, 1, 15))
    assert report["totals"]["CNY"]["31-60"] == "700.55"

    # The invoice is immutable: the database refuses an edit even in raw SQL, the ORM before that.
    async with env.db.transaction() as s:
        with pytest.raises((IntegrityError, DBAPIError)):
            async with s.begin_nested():
                await s.execute(text("UPDATE invoices SET amount = 1 WHERE id = :id"), {"id": oct_id})
        with pytest.raises((IntegrityError, DBAPIError)):
            async with s.begin_nested():
                await s.execute(text("DELETE FROM credit_notes"))
        row = await s.get(Invoice, oct_id)
        row.amount = 1
        with pytest.raises(SettledLineError, match="invoices row .* is final"):
            await s.flush()
        await s.rollback()

    async with env.db.transaction() as s:   # paid in full, it leaves the aging
        paid, created = await billing.record_payment(s, env.lcfg, invoice_id=oct_id, amount="700.55", key="bank-1",
                                                     now=dt.datetime(2027, 1, 10))
        again, created_again = await billing.record_payment(s, env.lcfg, invoice_id=oct_id, amount="700.55",
                                                            key="bank-1", now=dt.datetime(2027, 1, 11))
        report = await billing.aging_report(s, today=dt.date(2027, 1, 15))
    assert created and not created_again and again["payment"] == paid["payment"]
    assert paid["invoice"]["status"] == "paid" and paid["invoice"]["open"] == "0.00"
    assert "31-60" not in report["buckets"]


async def test_a_payment_above_the_open_amount_is_refused(env, three_months):
    _, inv = three_months
    async with env.db.transaction() as s:
        with pytest.raises(BillingError, match=r"invoice \d+ has 177.14 CNY open; a payment of 177.15 is more than that"):
            await billing.record_payment(s, env.lcfg, invoice_id=inv["2026-11"]["id"], amount="177.15", key="k",
                                         now=dt.datetime(2027, 1, 2))
        with pytest.raises(BillingError, match=r"no invoice 999"):
            await billing.record_payment(s, env.lcfg, invoice_id=999, amount="1.00", key="k", now=dt.datetime(2027, 1, 2))


async def test_credit_terms_due_dates_across_a_leap_february(env):
    async with env.db.transaction() as s:
        await shanghai_job(env, s, at(2028, 1, 20))
        await shanghai_job(env, s, at(2028, 2, 10))
    [jan] = await close(env, "2028-01", dt.datetime(2028, 2, 3))
    [feb] = await close(env, "2028-02", dt.datetime(2028, 3, 3))
    # Issued Jan 31 2028: + 30 days over a 29-day February → Mar 1. Issued Feb 29 → Mar 30.
    assert (jan["issued_on"], jan["due_on"]) == ("2028-01-31", "2028-03-01")
    assert (feb["issued_on"], feb["due_on"]) == ("2028-02-29", "2028-03-30")
    assert (jan["amount"], feb["amount"]) == ("232.00", "232.00")   # 212.00 + 20.00 each


async def test_an_account_with_region_terms_and_none_of_its_own(tmp_path):
    """north's payment_terms (credit, net 15) apply to an account of the north region that names none."""
    data = billing_config()
    data["payment_terms"] = {"north": {"kind": "credit", "net_days": 15}}
    data["accounts"][0].update(region="north", sla_credit=None)
    data["accounts"][0].pop("terms")
    async with ledger_env(tmp_path, data) as env:
        async with env.db.transaction() as s:
            await shanghai_job(env, s, at(2026, 10, 16))
        [inv] = await close(env, "2026-10", dt.datetime(2026, 11, 22))
    assert (inv["kind"], inv["due_on"], inv["amount"]) == ("credit", "2026-11-15", "232.00")   # Oct 31 + 15
