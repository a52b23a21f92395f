"""Spare parts end to end, through the sandbox: a part reserved from the nearest warehouse and the
engineer told where to pick it up, "配件到了" resumes the job, completion consumes the reservation
and prices the part from the catalog; none in stock → a purchase request to the region's manager;
the keeper's alert fires once when stock crosses the reorder point; 20 concurrent reservations of
the last 3 units → exactly 3; a cancelled ticket gives its units back; the CLI; the /parts page."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from bot.callbacks import DESK
from storage import parts as stock_store
from storage import tickets as store
from storage.db import Database
from storage.ledger_models import ChargeLine
from storage.models import Ticket
from storage.parts import PartMovement, PartReservation, PartStock, PurchaseRequest
from tests.conftest import rows
from tests.e2e.helpers import run_cli, write_config
from tests.web.test_insights import signed_in

STORE, GROUP, DISPATCH = "storesh", "wr_sh_xuhui", "wr_east_dispatch"

PARTS: dict[str, Any] = {
    "catalog": [
        {"code": "CMP-01", "names": {"zh": "压缩机", "en": "compressor", "fr": "compresseur", "th": "คอมเพรสเซอร์"},
         "aliases": ["压缩机总成"], "skill": "hvac", "prices": {"CNY": "180.00", "THB": "900.00"}},
        {"code": "CAP-35", "names": {"zh": "电容", "en": "capacitor", "fr": "condensateur", "th": "คาปาซิเตอร์"},
         "aliases": ["启动电容"], "prices": {"CNY": "35.00", "THB": "160.00"}},
        {"code": "GSK-01", "names": {"zh": "门封条", "en": "door gasket", "fr": "joint de porte", "th": "ขอบยางประตู"},
         "prices": {"CNY": "60.00"}},
    ],
    "warehouses": [
        {"code": "hz", "name": "杭州仓", "names": {"en": "Hangzhou warehouse"}, "regions": ["east"], "city": "杭州",
         "keeper": "zhaomin"},
        {"code": "sh", "name": "上海仓", "names": {"en": "Shanghai warehouse"}, "regions": ["east"], "city": "上海",
         "address": "上海市闵行区莘庄工业区 88 号", "keeper_chat": DISPATCH},
        {"code": "bkk", "name": "曼谷仓", "names": {"en": "Bangkok warehouse", "th": "คลังกรุงเทพฯ"}, "regions": ["th"],
         "city": "曼谷", "keeper": "admin"},
    ],
    "reorder": {"window_days": 30, "lead_days": 7, "floor": 2},
}


async def start_with_parts(start: Any, **more: Any) -> Any:
    return await start(parts=copy.deepcopy(PARTS), **more)


async def put(desk: Any, warehouse: str, part: str, n: int) -> None:
    db = Database(desk.cfg.database.url)
    try:
        async with db.transaction() as s:
            await stock_store.set_on_hand(s, warehouse=warehouse, part=part, quantity=n, actor="test", reason="count")
    finally:
        await db.close()


async def shelf(desk: Any, warehouse: str, part: str) -> tuple[int, int]:
    [row] = await rows(desk.cfg, PartStock, warehouse=warehouse, part=part)
    return row.on_hand, row.reserved


def content(said: dict[str, Any]) -> str:
    return said["reply"]["stream"]["content"]


async def job_on_site(desk: Any, n: int = 1, store_user: str = STORE, group: str = GROUP,
                      problem: str = "@小鲸 上海徐汇店空调不制冷了") -> None:
    sb = desk.sandbox
    await sb.say(store_user, problem, chatid=group)
    won = await sb.say("zhangwei", f"@小鲸 #{n} 接单", chatid=DISPATCH)
    assert "接单" in content(won), content(won)
    await sb.say("zhangwei", f"@小鲸 #{n} 到了", chatid=DISPATCH)
    [ticket] = await rows(desk.cfg, Ticket, id=n)
    assert ticket.status == "on_site"


async def test_reserve_pick_up_resume_complete_priced_from_the_catalog(start):
    desk = await start_with_parts(start)
    sb = desk.sandbox
    await put(desk, "sh", "CMP-01", 5)
    await put(desk, "hz", "CMP-01", 5)
    await job_on_site(desk)

    said = content(await sb.say("zhangwei", "@小鲸 #1 缺配件 压缩机", chatid=DISPATCH))
    # The Shanghai store's job takes it from the Shanghai warehouse (same city), though 杭州 is listed first.
    assert "上海仓" in said and "莘庄" in said and "压缩机 ×1" in said and "#1 配件到了" in said, said
    [held] = await rows(desk.cfg, PartReservation)
    assert (held.ticket_id, held.part, held.warehouse, held.qty, held.status) == (1, "CMP-01", "sh", 1, "reserved")
    assert await shelf(desk, "sh", "CMP-01") == (5, 1) and await shelf(desk, "hz", "CMP-01") == (5, 0)
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.status == "waiting_parts" and ticket.sla_paused_at is not None

    back = content(await sb.say("zhangwei", "@小鲸 #1 配件到了", chatid=DISPATCH))
    assert "继续维修" in back, back
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.status == "in_progress" and ticket.sla_paused_at is None

    done = content(await sb.say("zhangwei", "@小鲸 #1 完工 工时1小时", chatid=DISPATCH))
    assert "已完工" in done and "压缩机 (CMP-01)" in done and "180.00" in done, done
    [held] = await rows(desk.cfg, PartReservation)
    assert held.status == "consumed"
    assert await shelf(desk, "sh", "CMP-01") == (4, 0)
    [used] = [m for m in await rows(desk.cfg, PartMovement) if m.kind == "consume"]
    assert (used.warehouse, used.part, used.qty, used.ticket_id, used.actor) == ("sh", "CMP-01", 1, 1, "zhangwei")
    [line] = [ln for ln in await rows(desk.cfg, ChargeLine, ticket_id=1) if ln.code == "part"]
    assert (line.label, line.amount, line.currency) == ("配件：压缩机 (CMP-01)", 18000, "CNY")


async def test_a_typed_amount_replaces_the_catalog_price_and_is_marked_as_typed(start):
    desk = await start_with_parts(start)
    sb = desk.sandbox
    await put(desk, "sh", "CAP-35", 10)
    await job_on_site(desk)
    await sb.say("zhangwei", "@小鲸 #1 缺配件 启动电容 2个", chatid=DISPATCH)
    await sb.say("zhangwei", "@小鲸 #1 配件到了", chatid=DISPATCH)
    await sb.say("zhangwei", "@小鲸 #1 完工 工时1小时 配件50元", chatid=DISPATCH)
    lines = {ln.label: ln.amount for ln in await rows(desk.cfg, ChargeLine, ticket_id=1) if ln.code == "part"}
    # The typed amount is the parts charge (no catalog line beside it: never charged twice); the
    # reserved units are still used up.
    assert lines == {"配件：手填金额": 5000}
    assert await shelf(desk, "sh", "CAP-35") == (8, 0)


async def test_none_in_stock_asks_the_regions_manager_to_buy_it(start):
    desk = await start_with_parts(start)
    sb = desk.sandbox
    await put(desk, "sh", "CMP-01", 0)
    await job_on_site(desk)
    said = content(await sb.say("zhangwei", "@小鲸 #1 缺配件 CMP-01", chatid=DISPATCH))
    assert "采购申请" in said and "PR-1" in said and "赵敏" in said, said
    [pr] = await rows(desk.cfg, PurchaseRequest)
    assert (pr.ticket_id, pr.part, pr.region, pr.qty, pr.status) == (1, "CMP-01", "east", 1, "open")
    asked = await sb.wait_for(lambda: _texts_with(desk, "zhaomin", "PR-1"))
    assert "压缩机" in asked[0] and "张伟" in asked[0]
    assert await rows(desk.cfg, PartReservation) == []
    await sb.say("zhangwei", "@小鲸 #1 配件到了", chatid=DISPATCH)
    [pr] = await rows(desk.cfg, PurchaseRequest)
    assert pr.status == "received"
    await sb.say("zhangwei", "@小鲸 #1 完工 工时1小时", chatid=DISPATCH)
    [line] = [ln for ln in await rows(desk.cfg, ChargeLine, ticket_id=1) if ln.code == "part"]
    assert line.amount == 18000   # a bought part is priced from the catalog too


async def _pushes_with(desk: Any, chatid: str, needle: str) -> list[str]:
    return [x for x in await desk.sandbox.pushes(chatid) if needle in x]


async def _texts_with(desk: Any, userid: str, needle: str) -> list[str]:
    return [x for x in await desk.sandbox.texts(userid) if needle in x]


async def test_the_reorder_alert_fires_once_when_stock_crosses_the_threshold(start):
    desk = await start_with_parts(start)
    sb = desk.sandbox
    await put(desk, "sh", "CMP-01", 4)    # floor 2: alert when fewer than 2 are free
    desk_obj = desk.app[DESK]
    ids = []
    async with desk_obj.db.transaction() as s:
        for _ in range(4):
            t = await store.create_ticket(s, actor="test", reason="test", status="in_progress", skill="hvac",
                                          region="east", city="上海", chatid=GROUP, assignee="zhangwei", language="zh")
            ids.append(t.id)

    async def need(n: int) -> None:
        await desk_obj.run_intent("update_progress", {"ticket": n, "status": "parts_needed", "parts": "压缩机",
                                                      "_text": f"#{n} 缺配件 压缩机"}, userid="zhangwei",
                                  chatid=DISPATCH, channel="app")

    async def alerts() -> list[str]:
        return [p for p in await sb.pushes(DISPATCH) if "低于补货线" in p]

    await need(ids[0])   # 3 free
    await need(ids[1])   # 2 free: not below yet
    await asyncio.sleep(0.3)
    assert await alerts() == []
    await need(ids[2])   # 1 free: crossed
    [alert] = await sb.wait_for(alerts)
    assert "上海仓" in alert and "压缩机" in alert and "可用 1" in alert and "补货线 2" in alert
    await need(ids[3])   # 0 free: still below, no second alert
    for n in ids[:2]:    # completing consumes; still below: no second alert either
        await desk_obj.run_intent("complete_job", {"ticket": n, "_text": "完工"}, userid="zhangwei", chatid=DISPATCH,
                                  channel="app")
    await asyncio.sleep(0.5)
    assert len(await alerts()) == 1
    assert await shelf(desk, "sh", "CMP-01") == (2, 2)
    # Cancelling gives the units back: above the point again, so a later crossing alerts again.
    for n in ids[2:]:
        await desk_obj.run_intent("cancel_ticket", {"ticket": n}, userid="zhaomin", chatid=DISPATCH, channel="app")
    assert await shelf(desk, "sh", "CMP-01") == (2, 0)
    assert {r.status for r in await rows(desk.cfg, PartReservation)} == {"consumed", "released"}
    [row] = await rows(desk.cfg, PartStock, warehouse="sh", part="CMP-01")
    assert row.alerted is False


async def test_twenty_concurrent_reservations_of_the_last_three_units(start):
    desk = await start_with_parts(start)
    await put(desk, "sh", "CMP-01", 3)
    desk_obj = desk.app[DESK]
    async with desk_obj.db.transaction() as s:
        ids = [(await store.create_ticket(s, actor="test", reason="test", status="in_progress", skill="hvac",
                                          region="east", city="上海", chatid=GROUP, assignee="zhangwei",
                                          language="zh")).id for _ in range(20)]
    replies = await asyncio.gather(*(desk_obj.run_intent(
        "update_progress", {"ticket": n, "status": "parts_needed", "parts": "压缩机", "_text": f"#{n} 缺配件 压缩机"},
        userid="zhangwei", chatid=DISPATCH, channel="app") for n in ids))
    assert sum("上海仓" in r.markdown for r in replies) == 3
    assert sum("PR-" in r.markdown for r in replies) == 17
    held = await rows(desk.cfg, PartReservation)
    assert len(held) == 3 and all(r.qty == 1 for r in held)
    assert await shelf(desk, "sh", "CMP-01") == (3, 3)
    assert len(await rows(desk.cfg, PurchaseRequest)) == 17
    assert {t.status for t in await rows(desk.cfg, Ticket)} == {"waiting_parts"}


async def test_cli_import_stock_move_report(start, tmp_path: Path):
    desk = await start_with_parts(start)
    path = write_config(desk.cfg)
    csv_file = tmp_path / "stock.csv"
    csv_file.write_text("warehouse,part,quantity\nsh,CMP-01,3\nhz,CMP-01,1\nsh,CAP-35,10\n", encoding="utf-8")
    code, out, err = await run_cli("parts", "import", str(csv_file), "--config", str(path))
    assert code == 0, err
    assert "3 rows" in out
    code, out, err = await run_cli("parts", "stock", "--part", "CMP-01", "--config", str(path))
    assert code == 0, err
    got = [yaml.safe_load(line) for line in out.splitlines()]
    assert {(r["warehouse"], r["on_hand"], r["free"]) for r in got} == {("sh", 3, 3), ("hz", 1, 1)}
    code, out, err = await run_cli("parts", "move", "CMP-01", "2", "--from", "sh", "--to", "hz", "--config", str(path))
    assert code == 0, err
    assert await shelf(desk, "sh", "CMP-01") == (1, 0) and await shelf(desk, "hz", "CMP-01") == (3, 0)
    # 1 free in 上海 is below the reorder point (floor 2): its keeper's group hears it once; 杭州's
    # keeper heard about the count of 1 and nothing more (3 is back above).
    [low] = await desk.sandbox.wait_for(lambda: _pushes_with(desk, DISPATCH, "低于补货线"))
    assert "上海仓" in low and "可用 1" in low
    [hz] = await desk.sandbox.wait_for(lambda: _texts_with(desk, "zhaomin", "低于补货线"))
    assert "杭州仓" in hz and "可用 1" in hz
    code, out, err = await run_cli("parts", "move", "CMP-01", "5", "--from", "sh", "--to", "hz", "--config", str(path))
    assert code == 2 and "sh has 1 free CMP-01, cannot move 5" in err and out == ""
    assert await shelf(desk, "sh", "CMP-01") == (1, 0)
    [moved] = [m for m in await rows(desk.cfg, PartMovement) if m.kind == "transfer"]
    assert (moved.warehouse, moved.to_warehouse, moved.qty) == ("sh", "hz", 2)
    code, out, err = await run_cli("parts", "report", "--days", "30", "--config", str(path))
    assert code == 0, err
    report = [yaml.safe_load(line) for line in out.splitlines()]
    sh = next(r for r in report if r["warehouse"] == "sh" and r["part"] == "CMP-01")
    assert sh["threshold"] == 2 and sh["below"] is True and sh["consumed"] == 0
    code, _, err = await run_cli("parts", "import", str(tmp_path / "missing.csv"), "--config", str(path))
    assert code == 2 and "missing.csv" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("warehouse,part,quantity\nnowhere,CMP-01,3\n", encoding="utf-8")
    code, _, err = await run_cli("parts", "import", str(bad), "--config", str(path))
    assert code == 2 and "nowhere" in err


async def test_the_parts_page_for_managers(start):
    desk = await start_with_parts(start)
    await put(desk, "sh", "CMP-01", 1)
    await put(desk, "sh", "CAP-35", 9)
    await put(desk, "bkk", "CMP-01", 7)
    desk_obj = desk.app[DESK]
    async with desk_obj.db.transaction() as s:
        t = await store.create_ticket(s, actor="test", reason="test", status="in_progress", skill="hvac",
                                      region="east", city="上海", chatid=GROUP, assignee="zhangwei", language="zh")
    await desk_obj.run_intent("update_progress", {"ticket": t.id, "status": "parts_needed", "parts": "GSK-01",
                                                  "_text": "缺 GSK-01"}, userid="zhangwei", chatid=DISPATCH)
    async with aiohttp.ClientSession() as http:
        async with http.get(desk.url + "/parts", headers=signed_in(desk.cfg, "zhaomin")) as resp:
            assert resp.status == 200
            html = await resp.text()
        assert "上海仓" in html and "压缩机" in html and "曼谷仓" not in html   # east only
        assert html.count('class="below"') == 1 and "电容" in html   # 1 free < reorder at 2; 9 电容 are fine
        assert "PR-1" in html and "门封条" in html   # the open purchase request
        async with http.get(desk.url + "/parts", headers=signed_in(desk.cfg, "zhangwei")) as resp:
            assert resp.status == 403
        async with http.get(desk.url + "/parts", headers=signed_in(desk.cfg, "admin")) as resp:
            assert resp.status == 200 and "曼谷仓" in await resp.text()
        async with http.get(desk.url + "/parts", allow_redirects=False) as resp:
            assert resp.status in (302, 303, 401)
