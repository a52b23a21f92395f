"""Draft statements (storage/drafts.py): a draft is exactly what the close would write, and writes
nothing; finalising keeps the close only when nothing moved since the draft it confirms.

October, hand-computed (tests/ledger/conftest.py): one hvac_repair job in east (subtotal 517.50:
engineer zhangwei 120.00, sales 278.25, fund 119.25) and one pos_repair job in Bangkok (696.50
THB: sales 417.90, somchai 208.95, fund 69.65); the sh_stores account's plan bill is 3000.00 +
5 % of 517.50 = 3025.88; api_co's custom plan bills 0.00."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from storage import drafts, ledger
from storage.ledger_models import LedgerLine, Statement
from tests.ledger.conftest import AFTER_OCT, OCT


def figures(statements):
    return {(s["kind"], s["owner"], s["currency"]): s["amount"] for s in statements}


async def october(env):
    async with env.db.transaction() as s:
        await env.job(s)
        await env.job(s, template="pos_repair", region="th", engineer="somchai", hours="1", parts=(), surcharges=(),
                      chatid="wr_bkk_siam")


async def count(env, model):
    async with env.db.sessions() as s:
        return await s.scalar(select(func.count()).select_from(model))


async def test_a_draft_is_the_close_and_writes_nothing_final(env):
    await october(env)
    async with env.db.transaction() as s:
        drafted = await drafts.draft_close(s, env.lcfg, "2026-10", now=AFTER_OCT, by="zhaomin")
    draft = drafted.draft
    assert (draft.period, draft.version, draft.status, draft.created_by) == ("2026-10", 1, "draft", "zhaomin")
    got = figures(draft.content["statements"])
    assert got[("earnings", "zhangwei", "CNY")] == "120.00"
    assert got[("share", "sales", "CNY")] == "278.25" and got[("share", "sales", "THB")] == "417.90"
    assert got[("earnings", "somchai", "THB")] == "208.95"
    assert got[("plan", "sh_stores", "CNY")] == "3025.88"
    # Nothing is final: no statements, every line still open, the month still open.
    assert await count(env, Statement) == 0
    async with env.db.sessions() as s:
        assert await s.scalar(select(func.count()).where(LedgerLine.settled.is_(True))) == 0
        assert await drafts.closed_at(s, "2026-10") is None
    # The real close writes exactly the draft's figures.
    async with env.db.transaction() as s:
        final = await drafts.finalise(s, env.lcfg, "2026-10", now=AFTER_OCT, by="admin")
    assert final.draft.status == "final" and final.draft.finalised_by == "admin"
    assert figures(ledger._statement_json(x) for x in final.result.statements) == got
    assert final.to_json()["note"].startswith("period 2026-10 closed: draft 1 finalised")
    async with env.db.sessions() as s:
        assert await drafts.closed_at(s, "2026-10") is not None
        assert [d.status for d in await drafts.drafts_of(s, "2026-10")] == ["final"]


async def test_a_new_draft_supersedes_the_older_one(env):
    await october(env)
    async with env.db.transaction() as s:
        first = (await drafts.draft_close(s, env.lcfg, "2026-10", now=AFTER_OCT, by="zhaomin")).draft
        second = (await drafts.draft_close(s, env.lcfg, "2026-10", now=AFTER_OCT, by="admin")).draft
    assert (first.version, second.version) == (1, 2) and first.digest == second.digest
    async with env.db.sessions() as s:
        assert [(d.version, d.status) for d in await drafts.drafts_of(s, "2026-10")] == [(2, "draft"), (1, "superseded")]
    # The superseded draft cannot be finalised; the refusal names the latest.
    with pytest.raises(drafts.NoDraft, match="draft 1 .* was superseded; the latest is draft 2"):
        async with env.db.transaction() as s:
            await drafts.finalise(s, env.lcfg, "2026-10", now=AFTER_OCT, by="admin", draft_id=first.id)
    assert await count(env, Statement) == 0


async def test_figures_that_moved_since_the_draft_are_refused_and_nothing_is_written(env):
    await october(env)
    async with env.db.transaction() as s:
        stale = (await drafts.draft_close(s, env.lcfg, "2026-10", now=AFTER_OCT, by="zhaomin")).draft
    # A second October job for zhangwei lands after the draft (a late completion, priced into October).
    async with env.db.transaction() as s:
        await env.job(s, at=OCT + dt.timedelta(days=3))
    with pytest.raises(drafts.DraftMoved) as moved:
        async with env.db.transaction() as s:
            await drafts.finalise(s, env.lcfg, "2026-10", now=AFTER_OCT, by="admin", draft_id=stale.id)
    message = str(moved.value)
    assert message.startswith("period 2026-10: the figures moved since draft 1 (")
    assert "statement earnings zhangwei CNY: 120.00 → 240.00" in message and message.endswith("make a new draft")
    assert "\n" not in message
    assert await count(env, Statement) == 0
    async with env.db.sessions() as s:
        assert await drafts.closed_at(s, "2026-10") is None
    # A new draft with today's figures finalises.
    async with env.db.transaction() as s:
        fresh = (await drafts.draft_close(s, env.lcfg, "2026-10", now=AFTER_OCT, by="zhaomin")).draft
        assert figures(fresh.content["statements"])[("earnings", "zhangwei", "CNY")] == "240.00"
        done = await drafts.finalise(s, env.lcfg, "2026-10", now=AFTER_OCT, by="admin")
    assert done.draft.version == 2 and not done.already_closed


async def test_a_closed_month_stays_a_no_op(env):
    await october(env)
    async with env.db.transaction() as s:
        await drafts.draft_close(s, env.lcfg, "2026-10", now=AFTER_OCT, by="zhaomin")
        await drafts.finalise(s, env.lcfg, "2026-10", now=AFTER_OCT, by="admin")
    written = await count(env, Statement)
    async with env.db.transaction() as s:
        again = await drafts.finalise(s, env.lcfg, "2026-10", now=AFTER_OCT, by="admin")
        redraft = await drafts.draft_close(s, env.lcfg, "2026-10", now=AFTER_OCT, by="zhaomin")
    assert again.already_closed and again.draft is None and redraft.draft is None
    assert "was already closed" in again.to_json()["note"]
    assert await count(env, Statement) == written


async def test_an_open_month_cannot_be_drafted_and_nothing_finalises_without_a_draft(env):
    await october(env)
    with pytest.raises(ledger.PeriodNotEnded, match="period 2026-11 has not ended yet"):
        async with env.db.transaction() as s:
            await drafts.draft_close(s, env.lcfg, "2026-11", now=AFTER_OCT, by="zhaomin")
    with pytest.raises(drafts.NoDraft, match="period 2026-10 has no draft to finalise; make one first"):
        async with env.db.transaction() as s:
            await drafts.finalise(s, env.lcfg, "2026-10", now=AFTER_OCT, by="admin")
    assert await count(env, Statement) == 0
