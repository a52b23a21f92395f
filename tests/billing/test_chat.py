"""End to end through the sandbox: a job completed in chat for a prepaid store draws its balance in
the completion's transaction, and the store's manager is told in chat, in Chinese, when that draw
takes the balance below its mark."""

from __future__ import annotations

from storage import billing
from storage.db import Database

from .conftest import at, billing_config

STORE, GROUP, DISPATCH = "storesh", "wr_sh_xuhui", "wr_east_dispatch"


def content(said):
    return said["reply"]["stream"]["content"]


async def test_a_completion_in_chat_draws_the_balance_and_tells_the_manager(start):
    desk = await start(**billing_config(sh_credit={
        "terms": {"kind": "prepaid", "currency": "CNY", "low_balance": "300.00"}, "sla_credit": None}))
    sb = desk.sandbox
    db = Database(desk.cfg.database.url)
    try:
        async with db.transaction() as s:
            await billing.top_up(s, desk.cfg.ledger, account="sh_credit", amount="500.00", key="t1", now=at(2026, 10, 1))
        await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
        assert "接单" in content(await sb.say("zhangwei", "@小鲸 #1 接单", chatid=DISPATCH))
        await sb.say("zhangwei", "@小鲸 #1 到了", chatid=DISPATCH)
        done = content(await sb.say("zhangwei", "@小鲸 #1 完工 工时1小时", chatid=DISPATCH))
        # hvac_repair, 1 h: 150.00 + 80.00 = 230.00, tax 6 % 13.80, total 243.80 → 500.00 − 243.80 = 256.20
        assert "已完工" in done and "243.80" in done, done
        [told] = await sb.wait_for(lambda: _texts_with(sb, "zhaomin", "预付余额"))
        assert told == ("⚠️ 上海门店 的预付余额已低于提醒线：工单 #1 扣款 243.80 CNY 后余额 256.20 CNY（提醒线 300.00）。"
                        "请尽快安排充值。")
        async with db.sessions() as s:
            bal = await billing.balance_of(s, desk.cfg.ledger, "sh_credit")
        assert (bal["balance"], bal["entries"][-1]["ticket"]) == ("256.20", 1)
    finally:
        await db.close()


async def _texts_with(sb, userid, needle):
    return [x for x in await sb.texts(userid) if needle in x]
