"""Joint jobs (handlers/joint.py, handlers/routing.py): which tickets involve two branches, who gets
them, and what their completion books — travel lines and branch lines — computed by hand.

The money sections are pinned here, so the figures do not move when config.yaml does:

  hvac_repair: customer price 150.00 + 80.00/h (CNY); split: engineer fixed 120.00, the rest 70/30
  cost list: east hvac_repair 70.00 + 50.00/h, parts × 0.80; east default 60.00 + 45.00/h;
             southwest default 50.00 + 40.00/h; th default 300.00 + 220.00/h
  squad feihu_east_sw (east/southwest): zhangwei, wangjun; remainder east 40 : southwest 60
  travel: east/southwest 200.00 CNY per local day
  rates: THB→CNY 0.2010, CNY→THB 4.9750

A. Zhang Wei (home east) fixes the AC of the Chengdu store (southwest) for a Shanghai customer,
   3 h, a compressor at 500.00, claimed the day before (2 local days):
     subtotal 150.00 + 240.00 + 500.00 = 890.00; split engineer 120.00, sales 539.00, fund 231.00
     travel 2 × 200.00 = 400.00 (the engineer's, beside the split)
     east's work: base 70.00 + labour 150.00 + parts 400.00 + travel 400.00 = 1,020.00
     remainder 890.00 − 1,020.00 = −130.00 (a loss): southwest −78.00, east −52.00
     east 968.00, southwest −78.00; Σ 890.00
B. The same job done in one day, by Wang Jun (home southwest, the store's branch): no travel
     southwest's work: base 50.00 + labour 120.00 = 170.00; parts from no warehouse: southwest's,
     500.00 × 0.80 = 400.00 → 570.00; remainder 320.00: southwest 192.00, east 128.00
     southwest 762.00, east 128.00
C. A Bangkok pos_repair (th, THB) a manager made joint with east, done by Zhang Wei (east):
     subtotal 398.00 + 298.50 = 696.50 THB (CNY prices × 4.9750)
     east's work: 60.00 + 45.00 = 105.00 CNY → 522.38 THB; no squad: the rest equally, host first
     remainder 174.12: th 87.06, east 87.06 → th 87.06 THB, east 609.44 THB = 122.50 CNY
D. Case B with the compressor from the Shanghai warehouse (east): southwest's work 170.00, east's
     the parts, 400.00; remainder 320.00 as in B → southwest 362.00, east 528.00
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from handlers import joint
from handlers.context import Context
from handlers.routing import find_route
from settlement import Money
from storage import branches, ledger
from storage import parts as stock, tickets as store
from storage.cache import MemoryCache
from storage.db import Database
from storage.ledger_models import LedgerLine
from tests.conftest import base_config_data, make_config
from tests.handlers.conftest import prepared
from tests.ledger.conftest import pinned

CLAIMED = dt.datetime(2026, 10, 14, 6, 0)     # 14:00 in Chengdu
DONE = dt.datetime(2026, 10, 15, 6, 0)        # 14:00 the next day: 2 local days on the job


def money_sections() -> dict[str, Any]:
    """The ledger tests' pinned money (tests/ledger/conftest.py) plus the branches' sections, and
    the accounts with their home regions."""
    return {**pinned(), "accounts": base_config_data()["accounts"],
            "price_lists": {"cost": {"parts_factor": "0.80", "regions": {
                "east": {"default": {"base_fee": "60.00", "hourly_rate": "45.00"},
                         "hvac_repair": {"base_fee": "70.00", "hourly_rate": "50.00"}},
                "southwest": {"default": {"base_fee": "50.00", "hourly_rate": "40.00"}},
                "th": {"default": {"base_fee": "300.00", "hourly_rate": "220.00"}}}}},
            "joint_squads": [{"code": "feihu_east_sw", "name": "沪蓉飞虎队", "regions": ["east", "southwest"],
                              "dispatch_group": "wr_feihu_dispatch", "engineers": ["zhangwei", "wangjun"],
                              "remainder": {"east": 40, "southwest": 60}}],
            "travel_allowances": {"distances_km": {"east/southwest": 1660}, "rules": [
                {"regions": ["east", "southwest"], "per": "day", "amount": {"CNY": "200.00"}}]}}


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[tuple[Any, Database]]:
    cfg = make_config(tmp_path, **money_sections())
    async with prepared(cfg) as db:
        yield cfg, db


def _ctx(cfg: Any, session: Any, *, userid: str = "desk", chatid: str | None = None, now: dt.datetime = DONE) -> Context:
    return Context(cfg=cfg, session=session, cache=MemoryCache(), userid=userid, chatid=chatid, channel="test",
                   now=now, person=cfg.person(userid), settlement=cfg.ledger)


async def _complete(cfg: Any, db: Database, *, region: str, chatid: str, engineer: str, template: str, hours: str,
                    parts: list[tuple[str, str]], joint_region: str | None, claimed: dt.datetime = CLAIMED,
                    warehouse: str | None = None) -> int:
    """Claimed at `claimed`, completed at DONE: priced and split as handlers/completion.py does
    (a compressor reserved in `warehouse` leaves the shelf first)."""
    async with db.transaction() as s:
        t = await store.create_ticket(s, actor="storesh", reason="test", skill="hvac" if template == "hvac_repair" else "pos",
                                      region=region, chatid=chatid, template=template, joint_region=joint_region,
                                      now=claimed - dt.timedelta(hours=1))
        await store.claim(s, t.id, engineer, via="test", now=claimed)
        if warehouse is not None:
            await stock.set_on_hand(s, warehouse=warehouse, part="CMP-01", quantity=1, actor="test", reason="test")
            held = await stock.reserve(s, ticket_id=t.id, part="CMP-01", warehouse=warehouse, qty=1, actor=engineer)
            await stock.consume(s, held, actor=engineer, now=DONE)
        ticket = await store.get_ticket(s, t.id)
        ctx = _ctx(cfg, s, userid=engineer)
        quote = await ledger.record_completion(s, cfg.ledger, ticket_id=t.id, template=template, region=region,
                                               engineer=engineer, hours=hours, parts=parts, surcharges=[],
                                               language="zh", completed_at=DONE)
        await joint.after_completion(ctx, ticket, quote, {"hours": hours, "parts": parts, "surcharges": []})
        return t.id


async def _lines(db: Database, model: Any, ticket_id: int) -> list[Any]:
    async with db.sessions() as s:
        return list((await s.scalars(select(model).where(model.ticket_id == ticket_id).order_by(model.id))).all())


# -- which tickets are joint ------------------------------------------------------------------------

async def test_a_customer_from_another_branch_makes_a_joint_job(env):
    cfg, db = env
    async with db.sessions() as s:
        ctx = _ctx(cfg, s)
        # A Shanghai store manager reporting at the Chengdu store; at home, not joint.
        assert joint.joint_region_of(ctx, region="southwest", reporter="storesh", chatid="wr_cd_chunxi") == "east"
        assert joint.joint_region_of(ctx, region="east", reporter="storesh", chatid="wr_sh_xuhui") is None
        # Someone the desk does not know (a WeChat customer) belongs where their store's account does.
        assert joint.home_region(ctx, "wm_stranger", "wr_hz_xihu") == "east"
        assert joint.joint_region_of(ctx, region="southwest", reporter="wm_stranger", chatid="wr_cd_chunxi") is None
        # Staff reporting on a store's behalf bring no branch of their own.
        assert joint.joint_region_of(ctx, region="southwest", reporter="zhaomin", chatid="wr_cd_chunxi") is None


async def test_a_joint_job_goes_to_its_squad_first_then_the_stores_region(env):
    cfg, db = env
    async with db.sessions() as s:
        ctx = _ctx(cfg, s)
        routed = await find_route(ctx, skill="hvac", region="southwest", city="成都", mode="offer", k=3,
                                  joint_region="east")
        # Both squad engineers, wherever they are based (Zhang Wei is in Shanghai), nobody else.
        assert {c.userid for c in routed.people} == {"zhangwei", "wangjun"}
        assert routed.squad.code == "feihu_east_sw" and "joint squad feihu_east_sw" in routed.why
        # The squad cannot take it: the store's region, then its neighbours, as for any job.
        routed = await find_route(ctx, skill="hvac", region="southwest", city="成都", mode="offer", k=3,
                                  joint_region="east", exclude={"zhangwei", "wangjun"})
        assert [c.userid for c in routed.people] == ["liuyang"] and routed.squad is None
        assert routed.widened_to == "south"
        # A pair without a squad, and a job of one branch, route as before.
        alone = await find_route(ctx, skill="hvac", region="southwest", city="成都", mode="offer", k=3)
        assert [c.userid for c in alone.people] == ["wangjun"] and alone.squad is None
        no_squad = await find_route(ctx, skill="hvac", region="th", city="曼谷", mode="offer", k=3, joint_region="east")
        assert [c.userid for c in no_squad.people] == ["somchai"] and no_squad.squad is None


async def test_the_squads_dispatch_group_hears_of_the_offer(env):
    cfg, db = env
    from handlers.routing import deliver

    async with db.transaction() as s:
        ctx = _ctx(cfg, s)
        t = await store.create_ticket(s, actor="storesh", reason="test", skill="hvac", region="southwest",
                                      city="成都", chatid="wr_cd_chunxi", template="hvac_repair", joint_region="east",
                                      urgency="normal")
        routed = await find_route(ctx, skill="hvac", region="southwest", city="成都", mode="offer", k=3,
                                  joint_region="east")
        await deliver(ctx, t, routed)
    pushes = [r["payload"]["markdown"]["content"] for r in ctx.outbox if r["kind"] == "webhook"]
    [push] = pushes
    assert "沪蓉飞虎队" in push and "西南 ⇄ 华东" in push and f"#{t.id}" in push
    assert "张伟" in push and "王军" in push
    assert {r["dest"] for r in ctx.outbox if r["kind"] == "app_message"} == {"zhangwei", "wangjun"}


# -- what a completion books ------------------------------------------------------------------------

async def test_case_a_travel_and_a_shared_loss(env):
    cfg, db = env
    tid = await _complete(cfg, db, region="southwest", chatid="wr_cd_chunxi", engineer="zhangwei",
                          template="hvac_repair", hours="3", parts=[("压缩机", "500.00")], joint_region="east")
    lines = await _lines(db, LedgerLine, tid)
    assert [(ln.party, ln.person, ln.kind, ln.amount) for ln in lines] == [
        ("engineer", "zhangwei", "split", 12000), ("sales", None, "split", 53900),
        ("after_sales_fund", None, "split", 23100), ("engineer", "zhangwei", "travel", 40000)]
    assert "east/southwest" in lines[-1].reason and "2 day(s)" in lines[-1].reason
    rows = await _lines(db, branches.BranchLine, tid)
    assert [(r.branch, r.cost, r.remainder, r.amount, r.branch_amount, r.branch_currency) for r in rows] == [
        ("southwest", 0, -7800, -7800, -7800, "CNY"), ("east", 102000, -5200, 96800, 96800, "CNY")]
    assert sum(r.amount for r in rows) == 89000
    assert [(w["basis"], w["amount"]) for w in rows[1].basis["work"]] == [
        ("base", 7000), ("labour", 15000), ("parts", 40000), ("travel", 40000)]
    assert rows[1].basis["weight"] == "40" and rows[1].basis["squad"] == "feihu_east_sw"


async def test_case_b_the_stores_own_engineer_on_the_same_job(env):
    cfg, db = env
    tid = await _complete(cfg, db, region="southwest", chatid="wr_cd_chunxi", engineer="wangjun",
                          template="hvac_repair", hours="3", parts=[("压缩机", "500.00")], joint_region="east",
                          claimed=DONE - dt.timedelta(hours=3))
    assert [ln.kind for ln in await _lines(db, LedgerLine, tid)] == ["split", "split", "split"]   # no travel
    rows = await _lines(db, branches.BranchLine, tid)
    assert [(r.branch, r.cost, r.remainder, r.amount) for r in rows] == [
        ("southwest", 57000, 19200, 76200), ("east", 0, 12800, 12800)]


async def test_case_d_parts_from_the_other_branchs_warehouse(env):
    # Case B, but the compressor came from the Shanghai warehouse: east's cost is the parts (400.00).
    cfg, db = env
    tid = await _complete(cfg, db, region="southwest", chatid="wr_cd_chunxi", engineer="wangjun",
                          template="hvac_repair", hours="3", parts=[("压缩机", "500.00")], joint_region="east",
                          claimed=DONE - dt.timedelta(hours=3), warehouse="sh")
    rows = await _lines(db, branches.BranchLine, tid)
    assert [(r.branch, r.cost, r.remainder, r.amount) for r in rows] == [
        ("southwest", 17000, 19200, 36200), ("east", 40000, 12800, 52800)]
    assert [w["basis"] for w in rows[1].basis["work"]] == ["parts"]


async def test_case_c_two_currencies_at_the_stored_rates(env):
    cfg, db = env
    tid = await _complete(cfg, db, region="th", chatid="wr_bkk_siam", engineer="zhangwei", template="pos_repair",
                          hours="1", parts=[], joint_region="east")
    rows = await _lines(db, branches.BranchLine, tid)
    assert [(r.branch, r.cost, r.remainder, r.amount, r.currency) for r in rows] == [
        ("th", 0, 8706, 8706, "THB"), ("east", 52238, 8706, 60944, "THB")]
    assert [(r.branch_amount, r.branch_currency, r.reporting_amount) for r in rows] == [
        (8706, "THB", 1750), (12250, "CNY", 12250)]
    assert rows[1].rate["rate"] == "0.2010" and rows[1].basis["cost_rate"]["rate"] == "4.9750"
    assert rows[1].basis["weight"] is None   # no squad for east/th: equal shares


async def test_a_correction_moves_the_branches_with_the_job(env):
    cfg, db = env
    tid = await _complete(cfg, db, region="southwest", chatid="wr_cd_chunxi", engineer="wangjun",
                          template="hvac_repair", hours="3", parts=[("压缩机", "500.00")], joint_region="east",
                          claimed=DONE - dt.timedelta(hours=3))
    async with db.transaction() as s:   # 320.00 off: nothing is left beyond southwest's own cost
        await ledger.add_correction(s, cfg.ledger, ticket_id=tid, delta=Money(-32000, "CNY"), reason="goodwill",
                                    now=DONE + dt.timedelta(days=1))
    rows = await _lines(db, branches.BranchLine, tid)
    assert [(r.branch, r.kind, r.amount) for r in rows[2:]] == [("southwest", "correction", -19200),
                                                                ("east", "correction", -12800)]
    assert sum(r.amount for r in rows) == 57000
    async with db.transaction() as s:   # a full refund reverses every share
        await ledger.add_correction(s, cfg.ledger, ticket_id=tid, delta=Money(-57000, "CNY"), reason="refund",
                                    now=DONE + dt.timedelta(days=2))
    rows = await _lines(db, branches.BranchLine, tid)
    assert {b: sum(r.amount for r in rows if r.branch == b) for b in ("southwest", "east")} == {"southwest": 0, "east": 0}


async def test_a_correction_never_moves_the_travel_line(env):
    cfg, db = env
    tid = await _complete(cfg, db, region="southwest", chatid="wr_cd_chunxi", engineer="zhangwei",
                          template="hvac_repair", hours="3", parts=[("压缩机", "500.00")], joint_region=None)
    assert await _lines(db, branches.BranchLine, tid) == []   # one branch: no branch lines
    async with db.transaction() as s:
        written = await ledger.add_correction(s, cfg.ledger, ticket_id=tid, delta=Money(-10000, "CNY"),
                                              reason="discount", now=DONE + dt.timedelta(days=1))
    # 790.00 after 120.00 fixed: sales 469.00 (−70.00), fund 201.00 (−30.00); the engineer's 120.00 and travel stay.
    assert [(ln["party"], ln["amount"]) for ln in written] == [("sales", -7000), ("after_sales_fund", -3000)]
    lines = await _lines(db, LedgerLine, tid)
    assert [(ln.kind, ln.amount) for ln in lines if ln.kind == "travel"] == [("travel", 40000)]


async def test_the_summary_shows_each_branch_in_its_currency(env):
    cfg, db = env
    await _complete(cfg, db, region="southwest", chatid="wr_cd_chunxi", engineer="zhangwei", template="hvac_repair",
                    hours="3", parts=[("压缩机", "500.00")], joint_region="east")
    await _complete(cfg, db, region="th", chatid="wr_bkk_siam", engineer="zhangwei", template="pos_repair",
                    hours="1", parts=[], joint_region="east")
    async with db.sessions() as s:
        everything = await ledger.summary(s, period="2026-10")
        southwest = await ledger.summary(s, period="2026-10", regions=["southwest"])
        east = await ledger.summary(s, period="2026-10", regions=["east"])
        mine = await ledger.summary(s, period="2026-10", person="zhangwei")
    assert [(b["branch"], b["currency"], b["amount"], b["reporting_amount"], b["jobs"]) for b in everything["branches"]] == [
        ("east", "CNY", 96800 + 12250, 96800 + 12250, 2), ("th", "THB", 8706, 1750, 1), ("southwest", "CNY", -7800, -7800, 1)]
    assert everything["branches"][0]["job_amounts"] == {"CNY": 96800, "THB": 60944}
    # A region's managers see all the branches of its jobs, and its own branch's share of jobs elsewhere.
    assert [(b["branch"], b["amount"]) for b in southwest["branches"]] == [("east", 96800), ("southwest", -7800)]
    assert [(b["branch"], b["amount"]) for b in east["branches"]] == [("east", 96800 + 12250)]
    assert mine["branches"] == []
    # Travel is its own share in the summary, beside the engineer's split share.
    cny = next(b for b in everything["currencies"] if b["currency"] == "CNY")
    assert cny["shares"]["travel"] == 40000 and cny["shares"]["engineer"] == 12000
    as_json = ledger.summary_json(everything)
    assert as_json["branches"][0]["amount"] == "1090.50" and as_json["branches"][1]["reporting_amount"] == "17.50"
