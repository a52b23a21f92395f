"""An engineer's jobs and what a rating does to them (storage/earnings.py), against a real database.

Hand-computed with the pinned config (tests/ledger/conftest.py) plus a pos_repair rule weighted by
hours and rating — sales 60, engineer 20 + 5 per hour × the stars' factor (5★ 1.5, 1★ 0.5), fund 10:

  pos_repair, east, 2 h: base 80.00 + labour 120.00 = subtotal 200.00
    unrated: engineer 20 + 5 × 2 = 30 → 60 / 30 / 10 → sales 120.00, engineer 60.00, fund 20.00
    5★: engineer 30 × 1.5 = 45 of 115 → sales 104.3478…, engineer 78.2608…, fund 17.3913… → largest
        remainder gives the one leftover cent to sales: 104.35 / 78.26 / 17.39
        corrections: sales −15.65, engineer +18.26, fund −2.61 (Σ 0)
    1★: engineer 15 of 85 → 141.176…, 35.294…, 23.529… → two leftover cents to fund (.94) then
        sales (.65): 141.18 / 35.29 / 23.53 — the engineer's correction −24.71
  hvac_repair, east, 1.5 h, parts 180.00 (urgent): the engineer's fixed 120.00; its rule has no
        rating, so a rating moves nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import event

from storage import earnings, ledger
from storage import tickets as store
from tests.ledger.conftest import NOV, OCT, ledger_env, pinned

RATED_RULE = [{"party": "sales", "weight": 60},
              {"party": "engineer", "weight": 20, "per_hour": "5", "rating": {"5": "1.5", "1": "0.5"}},
              {"party": "after_sales_fund", "weight": 10}]


@pytest.fixture
async def rated(tmp_path: Path):
    data = pinned()
    data["split_rules"] = {**data["split_rules"], "pos_repair": RATED_RULE}
    async with ledger_env(tmp_path, data) as env:
        yield env


async def pos_job(env, *, at=OCT):
    async with env.db.transaction() as s:
        tid, _ = await env.job(s, template="pos_repair", hours="2", parts=(), surcharges=(), at=at)
    return tid


async def rate(env, tid, stars, at=OCT + dt.timedelta(days=1)):
    async with env.db.transaction() as s:
        ticket = await store.get_ticket(s, tid)
        await store.update_fields(s, ticket, rating=stars)
        return await earnings.rerate(s, env.lcfg, ticket_id=tid, rating=stars, now=at)


def moved(lines):
    return {ln["party"]: ln["amount"] for ln in lines}


async def test_five_stars_re_split_the_same_total_by_correction_lines(rated):
    tid = await pos_job(rated)
    lines = await rate(rated, tid, 5)
    assert moved(lines) == {"sales": -1565, "engineer": 1826, "after_sales_fund": -261}
    assert {ln["reason"] for ln in lines} == {"rating 5★"} and {ln["kind"] for ln in lines} == {"correction"}
    assert next(ln for ln in lines if ln["party"] == "engineer")["person"] == "zhangwei"
    async with rated.db.sessions() as s:
        s_ = await ledger.summary(s, period="2026-10", reporting_currency="CNY")
    assert s_["currencies"][0]["shares"] == {"sales": 10435, "engineer": 7826, "after_sales_fund": 1739}
    assert s_["currencies"][0]["net"] == 20000   # the same pre-tax total, re-split


async def test_one_star_moves_the_engineer_down(rated):
    tid = await pos_job(rated)
    assert moved(await rate(rated, tid, 1)) == {"sales": 2118, "engineer": -2471, "after_sales_fund": 353}


async def test_a_rule_without_rating_moves_nothing(rated):
    async with rated.db.transaction() as s:
        tid, _ = await rated.job(s)   # hvac_repair: the engineer's fixed 120.00
    assert await rate(rated, tid, 5) == []


async def test_a_correction_after_the_rating_keeps_the_rating(rated):
    """A refund re-splits by the stored rule with the rating the job has: the 5★ weighting stays."""
    tid = await pos_job(rated)
    await rate(rated, tid, 5)
    async with rated.db.transaction() as s:
        from settlement import Money

        back = await ledger.add_correction(s, rated.lcfg, ticket_id=tid, delta=Money(-20000, "CNY"), reason="refund",
                                           now=OCT + dt.timedelta(days=2))
    assert moved(back) == {"sales": -10435, "engineer": -7826, "after_sales_fund": -1739}


async def test_jobs_lists_each_job_with_its_hours_parts_rating_and_money(rated):
    async with rated.db.transaction() as s:
        hvac, _ = await rated.job(s)
    pos = await pos_job(rated)
    await rate(rated, pos, 5)
    async with rated.db.transaction() as s:
        await rated.job(s, template="pos_repair", hours="1", parts=(), surcharges=(), at=NOV)   # another month
        await rated.job(s, template="pos_repair", hours="1", parts=(), surcharges=(), engineer="liqiang")
    async with rated.db.sessions() as s:
        rows = await earnings.jobs(s, "zhangwei", periods=["2026-10"])
    assert [(j.ticket_id, j.template, j.hours, j.parts, j.rating, j.share, j.corrections, j.total, j.split)
            for j in rows] == [
        (hvac, "hvac_repair", Decimal("1.5"), 18000, None, 12000, 0, 12000, True),
        (pos, "pos_repair", Decimal("2"), 0, 5, 6000, 1826, 7826, True)]
    assert all(j.currency == "CNY" and j.reporting == j.total for j in rows)


async def test_jobs_is_one_query_however_many_jobs(rated):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    async def asked() -> int:
        statements.clear()
        event.listen(rated.db.engine.sync_engine, "before_cursor_execute", count)
        try:
            async with rated.db.sessions() as s:
                await earnings.jobs(s, "zhangwei", periods=["2026-10"])
        finally:
            event.remove(rated.db.engine.sync_engine, "before_cursor_execute", count)
        return len(statements)

    await pos_job(rated)
    one = await asked()
    for _ in range(4):
        await pos_job(rated)
    assert one == await asked() == 1
