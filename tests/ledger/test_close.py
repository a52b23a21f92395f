"""close_period: statements per (owner, period, currency, kind), settled lines, idempotent, only
ended months, and late completions moved to the open month."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import func, select

from storage import ledger
from storage.ledger_models import LedgerLine, Statement, TicketCharge

from .conftest import AFTER_OCT, NOV, OCT


async def close(env, period="2026-10", now=AFTER_OCT):
    async with env.db.transaction() as s:
        return await ledger.close_period(s, env.lcfg, period, now=now)


def by_owner(result):
    return {(st["kind"], st["owner"], st["currency"]): (st["amount"], st["line_count"]) for st in result.statements}


async def test_closing_twice_writes_one_set_of_statements(env):
    async with env.db.transaction() as s:
        await env.job(s)
        await env.job(s, template="pos_repair", engineer="chenjie", hours="2", parts=(), surcharges=())
        await env.job(s, template="pos_repair", region="th", engineer="somchai", hours="1", parts=(), surcharges=(),
                      chatid="wr_bkk_siam")
        await env.job(s, template="pos_repair", hours="2", parts=(), surcharges=(), at=NOV)  # not October's
    first = await close(env)
    assert (first.already_closed, first.written) == (False, 9)
    assert by_owner(first) == {
        ("earnings", "zhangwei", "CNY"): (12000, 1), ("earnings", "chenjie", "CNY"): (6000, 1),
        ("earnings", "somchai", "THB"): (20895, 1),
        ("share", "sales", "CNY"): (39825, 2), ("share", "after_sales_fund", "CNY"): (13925, 2),
        ("share", "sales", "THB"): (41790, 1), ("share", "after_sales_fund", "THB"): (6965, 1),
        # standard plan: 3000.00 fixed + 5 % of the sh_xuhui group's two CNY tickets (517.50 + 200.00)
        ("plan", "sh_stores", "CNY"): (300000 + 2588 + 1000, 2),
        ("plan", "api_co", "CNY"): (0, 0),
    }
    second = await close(env, now=AFTER_OCT + dt.timedelta(days=1))
    assert (second.already_closed, second.written) == (True, 0)
    assert second.closed_at == first.closed_at and by_owner(second) == by_owner(first)
    assert "already closed" in second.to_json()["note"]
    async with env.db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Statement)) == 9
        settled = dict((await s.execute(select(LedgerLine.period, func.count()).where(LedgerLine.settled.is_(True))
                                        .group_by(LedgerLine.period))).all())
        unsettled = dict((await s.execute(select(LedgerLine.period, func.count()).where(LedgerLine.settled.is_(False))
                                          .group_by(LedgerLine.period))).all())
        assert (settled, unsettled) == ({"2026-10": 9}, {"2026-11": 3})
        # every settled line points at the statement that counted it
        orphans = await s.scalar(select(func.count()).select_from(LedgerLine)
                                 .where(LedgerLine.settled.is_(True), LedgerLine.statement_id.is_(None)))
        assert orphans == 0
        line_sum = await s.scalar(select(func.sum(LedgerLine.amount)).where(LedgerLine.period == "2026-10",
                                                                            LedgerLine.currency == "CNY"))
        st_sum = await s.scalar(select(func.sum(Statement.amount)).where(
            Statement.period == "2026-10", Statement.currency == "CNY", Statement.kind != "plan"))
        assert int(line_sum) == int(st_sum) == 71750


async def test_statement_json_is_the_contract_shape(env):
    async with env.db.transaction() as s:
        await env.job(s)
    out = (await close(env)).to_json()
    assert out["period"] == "2026-10" and out["written"] == 5 and out["already_closed"] is False
    eng = next(st for st in out["statements"] if st["owner"] == "zhangwei")
    assert {k: eng[k] for k in ("owner_kind", "kind", "currency", "amount", "line_count")} == {
        "owner_kind": "person", "kind": "earnings", "currency": "CNY", "amount": "120.00", "line_count": 1}


async def test_only_ended_periods_close(env):
    with pytest.raises(ledger.PeriodNotEnded, match="has not ended"):
        await close(env, period="2026-11", now=dt.datetime(2026, 11, 30, 16, 0))  # ended in Shanghai only
    # The last zone to leave November decides: Paris (UTC+1), at 23:00 UTC.
    with pytest.raises(ledger.PeriodNotEnded, match="2026-11-30T23:00Z"):
        await close(env, period="2026-11", now=dt.datetime(2026, 11, 30, 22, 59))
    assert (await close(env, period="2026-11", now=dt.datetime(2026, 11, 30, 23, 0))).written == 2  # the two plans
    with pytest.raises(ledger.LedgerError, match="expected a month"):
        await close(env, period="October")


async def test_a_completion_after_the_close_books_into_the_open_month(env):
    await close(env)
    async with env.db.transaction() as s:
        tid, _ = await env.job(s, at=OCT)  # completed in October, recorded after October was closed
    async with env.db.sessions() as s:
        charge = (await s.scalars(select(TicketCharge).where(TicketCharge.ticket_id == tid))).one()
        periods = set((await s.scalars(select(LedgerLine.period).where(LedgerLine.ticket_id == tid))).all())
    assert (charge.period, charge.audit["period_moved_from"], periods) == ("2026-11", "2026-10", {"2026-11"})


async def test_a_close_waits_for_a_completion_that_is_writing_into_the_month(env):
    """The completion holds the month's row (KEY SHARE); the close's FOR UPDATE waits for it, then
    sees and settles its lines — no line is left unsettled in a closed month."""
    started = asyncio.Event()
    release = asyncio.Event()

    async def completion() -> None:
        async with env.db.transaction() as s:
            await env.job(s)
            started.set()
            await release.wait()

    job = asyncio.create_task(completion())
    await started.wait()
    closing = asyncio.create_task(close(env))
    await asyncio.sleep(0.3)
    assert not closing.done()  # blocked behind the completion's transaction
    release.set()
    await job
    result = await asyncio.wait_for(closing, 10)
    assert by_owner(result)[("earnings", "zhangwei", "CNY")] == (12000, 1)
    async with env.db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(LedgerLine).where(LedgerLine.settled.is_(False))) == 0


async def test_usage_is_billed_on_the_accounts_plan_statement(env):
    async with env.db.transaction() as s:
        await ledger.record_usage(s, env.lcfg, account="api_co", item="api_calls", quantity="12000", period="2026-10",
                                  now=AFTER_OCT)
        await ledger.record_usage(s, env.lcfg, account="api_co", item="api_calls", quantity=500, period="2026-10",
                                  now=AFTER_OCT)
        await ledger.record_usage(s, env.lcfg, account="api_co", item="storage_gb_month", quantity="7.5",
                                  period="2026-10", now=AFTER_OCT)
    result = await close(env)
    plan = next(st for st in result.statements if st["owner"] == "api_co")
    # (12500 − 10000) × 0.002 = 5.00; (7.5 − 5) × 1.50 = 3.75
    assert (plan["amount"], plan["detail"]["usage"]) == (875, {"api_calls": "12500", "storage_gb_month": "7.5"})
    with pytest.raises(ledger.PeriodClosed):
        async with env.db.transaction() as s:
            await ledger.record_usage(s, env.lcfg, account="api_co", item="api_calls", quantity="1",
                                      period="2026-10", now=AFTER_OCT)
