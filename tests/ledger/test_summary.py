"""summary(): SQL aggregates per currency, a reporting-currency total at stored rates, SLA, CSAT, top
engineers — scoped by region, person and period. Figures from the hand-computed jobs in conftest."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from storage import ledger
from storage.models import Ticket

from .conftest import NOV


@pytest.fixture
async def october(env):
    """Three October jobs (east hvac, east pos, Bangkok pos) and one November job."""
    async with env.db.transaction() as s:
        j1, _ = await env.job(s)  # zhangwei, 517.50 CNY
        j2, _ = await env.job(s, template="pos_repair", engineer="chenjie", hours="2", parts=(), surcharges=())
        j3, _ = await env.job(s, template="pos_repair", region="th", engineer="somchai", hours="1", parts=(),
                              surcharges=(), chatid="wr_bkk_siam")
        await env.job(s, template="pos_repair", hours="2", parts=(), surcharges=(), at=NOV)
        await s.execute(update(Ticket).where(Ticket.id == j1).values(rating=5))
        await s.execute(update(Ticket).where(Ticket.id == j2).values(rating=3, sla_breached=True))
    return env


async def summarize(env, **kw):
    kw.setdefault("period", "2026-10")
    async with env.db.sessions() as s:
        return await ledger.summary(s, reporting_currency="CNY", **kw)


async def test_month_summary_per_currency_and_total(october):
    s = await summarize(october)
    cny, thb = s["currencies"]
    assert (cny["currency"], cny["tickets"], cny["gross"], cny["tax"], cny["total"], cny["net"]) == (
        "CNY", 2, 71750, 4305, 76055, 71750)
    assert cny["shares"] == {"after_sales_fund": 13925, "engineer": 18000, "sales": 39825}
    assert cny["regions"]["east"]["shares"] == cny["shares"]
    assert (thb["currency"], thb["tickets"], thb["gross"], thb["tax"], thb["total"]) == ("THB", 1, 69650, 4876, 74526)
    assert thb["shares"] == {"after_sales_fund": 6965, "engineer": 20895, "sales": 41790}
    total = s["total"]
    assert (total["currency"], total["tickets"], total["gross"], total["tax"], total["total"], total["net"]) == (
        "CNY", 3, 85750, 5285, 91035, 85750)
    assert total["shares"] == {"after_sales_fund": 15325, "engineer": 22200, "sales": 48225}
    assert total["unconverted"] == {}
    assert s["tickets"] == 3
    assert s["sla"] == {"tickets": 3, "met": 2, "rate": "0.6667"}
    assert s["csat"] == {"rated": 2, "average": "4.00"}
    assert [(e["person"], e["currency"], e["amount"], e["reporting_amount"], e["jobs"]) for e in s["top_engineers"]] == [
        ("zhangwei", "CNY", 12000, 12000, 1), ("chenjie", "CNY", 6000, 6000, 1), ("somchai", "THB", 20895, 4200, 1)]


async def test_shares_always_add_up_to_the_pre_tax_revenue(october):
    s = await summarize(october)
    for b in s["currencies"]:
        assert sum(b["shares"].values()) == b["net"] == b["gross"]


async def test_region_scope(october):
    s = await summarize(october, regions=["east"])
    assert [b["currency"] for b in s["currencies"]] == ["CNY"]
    assert (s["tickets"], s["total"]["gross"], s["sla"]["rate"]) == (2, 71750, "0.5000")
    assert [e["person"] for e in s["top_engineers"]] == ["zhangwei", "chenjie"]
    nothing = await summarize(october, regions=[])
    assert (nothing["tickets"], nothing["currencies"], nothing["total"]["gross"]) == (0, [], 0)


async def test_person_scope_is_only_their_own_lines_and_jobs(october):
    s = await summarize(october, person="zhangwei")
    [cny] = s["currencies"]
    assert (cny["tickets"], cny["net"], cny["shares"]) == (1, 12000, {"engineer": 12000})
    assert s["total"]["net"] == 12000


@pytest.mark.parametrize("by, cny, thb, total", [
    ("person", {"after_sales_fund": 13925, "chenjie": 6000, "sales": 39825, "zhangwei": 12000},
     {"after_sales_fund": 6965, "sales": 41790, "somchai": 20895},
     {"after_sales_fund": 15325, "chenjie": 6000, "sales": 48225, "somchai": 4200, "zhangwei": 12000}),
    ("template", {"hvac_repair": 51750, "pos_repair": 20000}, {"pos_repair": 69650},
     {"hvac_repair": 51750, "pos_repair": 34000}),
    ("region", {"east": 71750}, {"th": 69650}, {"east": 71750, "th": 14000}),
])
async def test_breakdowns(october, by, cny, thb, total):
    s = await summarize(october, by=by)
    assert s["by"] == by
    assert s["currencies"][0]["shares"] == cny
    assert s["currencies"][1]["shares"] == thb
    assert s["total"]["shares"] == total


async def test_several_months_and_a_time_range(october):
    both = await summarize(october, period=["2026-10", "2026-11"])
    assert (both["tickets"], both["currencies"][0]["gross"]) == (4, 91750)
    # 15 October in Shanghai, as booked time: the three October jobs were completed at 11:00 local.
    day = await summarize(october, period=None, start=dt.datetime(2026, 10, 14, 16), end=dt.datetime(2026, 10, 15, 16))
    assert (day["tickets"], day["total"]["gross"]) == (3, 85750)
    none = await summarize(october, period=None, start=dt.datetime(2026, 10, 15, 16), end=dt.datetime(2026, 10, 16, 16))
    assert none["tickets"] == 0 and none["currencies"] == []


async def test_a_currency_without_a_stored_rate_is_reported_apart_never_guessed(october):
    async with october.db.transaction() as s:
        _, q = await october.job(s, template="pos_repair", region="fr", engineer=None, hours="1", parts=(),
                                 surcharges=(), chatid=None)
    assert (q.currency, q.subtotal, q.tax) == ("EUR", 9000, 1800)
    s = await summarize(october)
    eur = next(b for b in s["currencies"] if b["currency"] == "EUR")
    assert eur["shares"] == {"after_sales_fund": 900, "engineer": 2700, "sales": 5400}
    assert s["total"]["unconverted"] == {"EUR": 9000}
    assert (s["total"]["gross"], s["total"]["net"]) == (85750, 85750)  # unchanged: nothing converted at report time
    assert s["tickets"] == 4


async def test_summary_json_formats_amounts_in_each_currencys_exponent(october):
    out = ledger.summary_json(await summarize(october))
    assert out["currencies"][0]["gross"] == "717.50"
    assert out["currencies"][0]["shares"]["sales"] == "398.25"
    assert out["currencies"][1]["shares"]["engineer"] == "208.95"
    assert out["total"]["shares"]["engineer"] == "222.00"
    assert out["top_engineers"][2] == {"person": "somchai", "currency": "THB", "amount": "208.95",
                                       "reporting_amount": "42.00", "jobs": 1}


async def test_bad_arguments(env):
    async with env.db.sessions() as s:
        with pytest.raises(ledger.LedgerError):
            await ledger.summary(s, period="2026-10", by="weather")
        with pytest.raises(ledger.LedgerError):
            await ledger.summary(s)
