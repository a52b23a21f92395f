"""Corrections: delta lines in the open month pointing at the original ticket; settled lines stay."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from settlement import CurrencyMismatchError, Money, SettlementError
from storage import ledger
from storage.ledger_models import LedgerLine

from .conftest import AFTER_OCT


async def corrected(env, tid, amount, currency="CNY", now=AFTER_OCT):
    async with env.db.transaction() as s:
        return await ledger.add_correction(s, env.lcfg, ticket_id=tid, delta=Money(amount, currency),
                                           reason="test", now=now)


async def lines_of(env, tid):
    async with env.db.sessions() as s:
        return (await s.scalars(select(LedgerLine).where(LedgerLine.ticket_id == tid).order_by(LedgerLine.id))).all()


async def net(env, tid):
    out: dict[str, int] = {}
    for ln in await lines_of(env, tid):
        out[ln.party] = out.get(ln.party, 0) + ln.amount
    return out


async def test_a_partial_refund_after_the_close_lands_in_the_open_month(env):
    async with env.db.transaction() as s:
        tid, _ = await env.job(s)  # October: engineer 120.00 fixed, sales 278.25, fund 119.25
    async with env.db.transaction() as s:
        await ledger.close_period(s, env.lcfg, "2026-10", now=AFTER_OCT)
    written = await corrected(env, tid, -5000)  # refund 50.00 of the pre-tax amount
    # 467.50 re-split: engineer still 120.00 (an internal price is per job), 347.50 at 70/30 = 243.25 / 104.25
    assert [(ln["party"], ln["amount"], ln["period"], ln["kind"]) for ln in written] == [
        ("sales", -3500, "2026-11", "correction"), ("after_sales_fund", -1500, "2026-11", "correction")]
    lines = await lines_of(env, tid)
    originals = {ln.party: ln.id for ln in lines if ln.kind == "split"}
    assert all(ln.settled for ln in lines if ln.kind == "split")  # the settled lines were not touched
    assert {ln.party: ln.corrects_line_id for ln in lines if ln.kind == "correction"} == {
        "sales": originals["sales"], "after_sales_fund": originals["after_sales_fund"]}
    assert await net(env, tid) == {"engineer": 12000, "sales": 24325, "after_sales_fund": 10425}


async def test_a_full_refund_reverses_every_share_exactly(env):
    async with env.db.transaction() as s:
        tid, _ = await env.job(s)
    await corrected(env, tid, -51750)
    assert await net(env, tid) == {"engineer": 0, "sales": 0, "after_sales_fund": 0}
    with pytest.raises(ledger.LedgerError, match="below zero"):
        await corrected(env, tid, -1)


async def test_a_repriced_job_adds_to_the_weighted_parties_and_shows_in_the_summary(env):
    async with env.db.transaction() as s:
        tid, _ = await env.job(s, template="pos_repair", hours="2", parts=(), surcharges=())  # 200.00: 120/60/20
    await corrected(env, tid, 1001, now=dt.datetime(2026, 11, 5))  # +10.01 → 210.01 split 60/30/10
    assert await net(env, tid) == {"sales": 12601, "engineer": 6300, "after_sales_fund": 2100}
    async with env.db.sessions() as s:
        nov = await ledger.summary(s, period="2026-11")
    [cny] = nov["currencies"]
    assert (cny["tickets"], cny["gross"], cny["corrections"], cny["net"]) == (0, 0, 1001, 1001)


async def test_correction_errors(env):
    async with env.db.transaction() as s:
        tid, _ = await env.job(s)
        bare = await env.ticket(s)
    with pytest.raises(CurrencyMismatchError):
        await corrected(env, tid, -100, currency="THB")
    with pytest.raises(ledger.LedgerError, match="no priced charge"):
        await corrected(env, bare, -100)
    with pytest.raises(SettlementError, match="less than the fixed"):
        await corrected(env, tid, -51750 + 100)  # 1.00 left cannot pay a 120.00 internal price
