"""Issue 15 end to end, through real encrypted callbacks (the sandbox) and the live config.yaml:
an engineer completes two jobs, the customer rates one 5★, the engineer asks for their earnings in
the group and gets a private, job-by-job answer; next month a manager closes the last one from
chat — a draft card, a confirm, final statements — and a second confirm changes nothing.

Hand-computed (config.yaml, east: CNY, tax 6 %):
  #1 pos_repair, 1 h: 80.00 + 60.00 = 140.00; default rule 60/30/10 → engineer 42.00
  #2 network_repair, 2 h: 100.00 + 120.00 = 220.00; its rule pays sales the transfer list price
     (30.00) first, then weights engineer 30 + 10/h × 2 h = 50, fund 10, service 60 over 190.00:
       unrated → engineer 79.17, fund 15.83, service 95.00
       5★ (engineer × 1.20 = 60 of 130) → engineer 87.69, fund 14.62, service 87.69
     so the rating books corrections engineer +8.52, fund −1.21, service −7.31 (Σ 0)
  chenjie's month: 42.00 + 79.17 + 8.52 = 129.69 CNY
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from storage.billing_models import Invoice
from storage.db import Database
from storage.drafts import CloseDraft
from storage.ledger_models import LedgerLine, Statement
from tests.conftest import rows

STORE, GROUP, DISPATCH, ENGINEER, MANAGER = "storesh", "wr_sh_xuhui", "wr_east_dispatch", "chenjie", "zhaomin"


def text_of(result):
    reply = result["reply"]
    return reply["stream"]["content"] if reply["msgtype"] == "stream" else json.dumps(reply, ensure_ascii=False)


async def markdowns(sb, userid):
    return [m["body"]["markdown"]["content"] for m in await sb.inbox(userid=userid) if m.get("msgtype") == "markdown"]


async def claim(sb, ticket):
    async def card():
        return [c for c in await sb.job_cards(ENGINEER) if any(b["key"] == f"claim:{ticket}" for b in c.get("button_list", []))]
    [offer] = await sb.wait_for(card)
    await sb.click(ENGINEER, offer["task_id"], f"claim:{ticket}")


async def wait_text(sb, userid, *needles):
    async def found():
        return [x for x in await markdowns(sb, userid) if all(n in x for n in needles)]
    hits = await sb.wait_for(found)
    assert hits, f"{userid} never got a message with {needles}: {await markdowns(sb, userid)}"
    return hits[-1]


async def test_an_engineers_earnings_and_a_managers_close(desk):
    sb = desk.sandbox
    assert "#1" in text_of(await sb.say(STORE, "@小鲸 上海徐汇店收银机打不开了", chatid=GROUP))
    await claim(sb, 1)
    assert "#2" in text_of(await sb.say(STORE, "@小鲸 上海徐汇店网络断了，上不了网", chatid=GROUP))
    await claim(sb, 2)
    await sb.direct(ENGINEER, "#1 完工 工时1小时")
    await sb.direct(ENGINEER, "#2 完工 工时2小时")
    await wait_text(sb, ENGINEER, "#2", "已完工")

    rated = await sb.say(STORE, "@小鲸 #2 5星 修得很快", chatid=GROUP)
    assert "5" in text_of(rated)
    # The rating re-split #2, and the engineer is told what it did to their share.
    await wait_text(sb, ENGINEER, "工单 #2 获得 ★★★★★，您的分成调整 +8.52 CNY")

    asked = await sb.say(ENGINEER, "@小鲸 我这个月分成多少", chatid=DISPATCH)
    assert "私信" in text_of(asked) and "79.17" not in text_of(asked)   # the group hears only that
    answer = await wait_text(sb, ENGINEER, "我的收入", "#1", "#2")
    assert "**CNY**：129.69（2 单）" in answer
    assert "> #1 收银系统维修 · 1 小时 · 未评分 · 分成 **42.00**" in answer
    assert "> #2 网络维修 · 2 小时 · ★★★★★ · 分成 **79.17** · 更正 +8.52" in answer

    # Into the next month: the manager closes the last one from chat.
    now = dt.datetime.now(dt.timezone.utc)
    first_of_next = (now.replace(day=1) + dt.timedelta(days=32)).replace(day=2, hour=12, minute=0, second=0)
    await sb.advance((first_of_next - now).total_seconds())
    month = f"{now.year}年{now.month}月"
    drafted = await sb.say(MANAGER, "@小鲸 结算 上月 关账", chatid=DISPATCH)
    card = drafted["reply"]["template_card"]
    assert card["main_title"]["title"] == f"关账草稿 · {month} · 第 1 版"
    assert [b["key"] for b in card["button_list"]] == ["close_ok:1", "close_no:1"]
    assert card["emphasis_content"] == {"title": "360.00", "desc": "分配合计 CNY"}   # 140.00 + 220.00, all shared out
    fields = {f["keyname"]: f["value"] for f in card["horizontal_content_list"]}
    assert (fields["销售"], fields["服务部"], fields["工程师"]) == ("114.00", "87.69", "129.69 CNY · 1 人")
    db_url = desk.cfg.database.url
    assert await rows(desk.cfg, Statement) == []

    tapped = await sb.tap(MANAGER, card["task_id"], "close_ok:1", chatid=DISPATCH)
    assert tapped["reply"]["template_card"]["main_title"]["title"] == f"{month}已关账"
    statements = {(s.kind, s.owner, s.currency): s.amount for s in await rows(desk.cfg, Statement)}
    assert statements[("earnings", ENGINEER, "CNY")] == 12969
    assert statements[("share", "service_dept", "CNY")] == 8769 and statements[("share", "sales", "CNY")] == 3000 + 8400
    [draft] = await rows(desk.cfg, CloseDraft)
    assert len(await rows(desk.cfg, Invoice)) == int(fields["发票"])   # the invoices the draft announced
    assert (draft.status, draft.finalised_by) == ("final", MANAGER)

    again = await sb.say(MANAGER, "@小鲸 确认", chatid=DISPATCH)
    assert "无需再次关账" in text_of(again)
    assert len(await rows(desk.cfg, Statement)) == len(statements)
    db = Database(db_url)
    try:
        async with db.sessions() as s:
            assert not (await s.scalars(select(LedgerLine).where(LedgerLine.settled.is_(False)))).all()
    finally:
        await db.close()
