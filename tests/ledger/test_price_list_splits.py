"""A split rule that pays a party from an internal price list and weighs the engineer by hours and
rating (storage/ledger.py record_completion, add_correction), computed by hand:

  pos_repair, east, 2 h: 80.00 + 120.00 = subtotal 200.00 CNY
  rule: sales from the `transfer` list (east default 30.00 + 0/h, parts × 0 → 30.00),
        engineer weight 30 + 10 per hour (= 50), × 1.5 at five stars; fund weight 10
  at completion (no rating yet): sales 30.00, then 170.00 at 50 : 10 → engineer 141.67, fund 28.33
  rated five stars: 170.00 at 75 : 10 → engineer 150.00, fund 20.00 (a +8.33 / −8.33 correction)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, AsyncIterator

import pytest
from sqlalchemy import select, update

from settlement import Money
from storage import ledger
from storage.ledger_models import LedgerLine, TicketCharge
from storage.models import Ticket

from .conftest import OCT, Env, ledger_env, pinned

RULE = [{"party": "sales", "price_list": "transfer"},
        {"party": "engineer", "weight": 30, "per_hour": "10", "rating": {5: "1.5"}},
        {"party": "after_sales_fund", "weight": 10}]


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    data = pinned()
    data["split_rules"] = {**data["split_rules"], "pos_repair": RULE}
    data["price_lists"] = {"transfer": {"parts_factor": "0", "regions": {
        r["code"]: {"default": {"base_fee": "30.00" if r["code"] == "east" else "1.00", "hourly_rate": "0"}}
        for r in data["regions"]}}}
    async with ledger_env(tmp_path, data) as e:
        yield e


async def _lines(env: Env, tid: int) -> list[Any]:
    async with env.db.sessions() as s:
        return list((await s.scalars(select(LedgerLine).where(LedgerLine.ticket_id == tid).order_by(LedgerLine.id))).all())


async def test_a_party_paid_from_a_list_and_an_engineer_weighted_by_hours(env):
    async with env.db.transaction() as s:
        tid, q = await env.job(s, template="pos_repair", hours="2", parts=(), surcharges=())
    assert q.subtotal == 20000
    lines = await _lines(env, tid)
    # The statement can say which list priced the sales line.
    assert [(ln.party, ln.amount, ln.price_list) for ln in lines] == [
        ("sales", 3000, "transfer"), ("engineer", 14167, None), ("after_sales_fund", 2833, None)]
    async with env.db.sessions() as s:
        charge = (await s.scalars(select(TicketCharge).where(TicketCharge.ticket_id == tid))).one()
    split = charge.audit["split"]
    assert split["hours"] == "2" and split["list_prices"] == {"sales": 3000}
    assert split["shares"][1] == {"party": "engineer", "weight": "30", "per_hour": "10", "rating": {"5": "1.5"}}


async def test_the_stored_rule_reads_back_as_the_configured_one(env):
    rule = env.lcfg.split_rule("pos_repair")
    assert ledger._rule_from_json(ledger._rule_json(rule)) == rule
    plain = env.lcfg.split_rule("hvac_repair")
    assert ledger._rule_from_json(ledger._rule_json(plain)) == plain


async def test_a_rating_that_arrives_later_re_splits_by_the_stored_rule(env):
    async with env.db.transaction() as s:
        tid, _ = await env.job(s, template="pos_repair", hours="2", parts=(), surcharges=())
    async with env.db.transaction() as s:
        moved = await ledger.add_correction(s, env.lcfg, ticket_id=tid, delta=Money(0, "CNY"), reason="rated 5",
                                            now=OCT, rating=5)
    assert [(ln["party"], ln["amount"], ln["kind"]) for ln in moved] == [
        ("engineer", 833, "correction"), ("after_sales_fund", -833, "correction")]
    async with env.db.transaction() as s:   # asked again: nothing left to move
        assert await ledger.add_correction(s, env.lcfg, ticket_id=tid, delta=Money(0, "CNY"), reason="again",
                                           now=OCT, rating=5) == []


async def test_a_later_refund_keeps_the_stored_rating(env):
    async with env.db.transaction() as s:
        tid, _ = await env.job(s, template="pos_repair", hours="2", parts=(), surcharges=())
        await s.execute(update(Ticket).where(Ticket.id == tid).values(rating=5))
    async with env.db.transaction() as s:
        await ledger.add_correction(s, env.lcfg, ticket_id=tid, delta=Money(-8500, "CNY"), reason="half back",
                                    now=OCT)
    # 115.00 left: sales keeps its list price 30.00, 85.00 at 75 : 10 → engineer 75.00, fund 10.00.
    totals: dict[str, int] = {}
    for ln in await _lines(env, tid):
        totals[ln.party] = totals.get(ln.party, 0) + ln.amount
    assert totals == {"sales": 3000, "engineer": 7500, "after_sales_fund": 1000}
