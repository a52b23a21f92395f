"""Closing a month from chat, through the sandbox with real encrypted callbacks: a manager asks,
gets the draft's figures on a card with confirm / cancel, confirms by typing or tapping; the
statements are then final, and a second confirm changes nothing. Everyone else is refused in their
own language. October's jobs are the hand-computed ones of tests/ledger/conftest.py."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage import drafts
from storage.db import Database
from storage.ledger_models import Statement
from tests.ledger.conftest import Env, pinned
from tests.ledger.test_chat import stored_markdown, text_of

STORE, STORE_GROUP, DISPATCH = "storesh", "wr_sh_xuhui", "wr_east_dispatch"


async def with_env(desk, work):
    db = Database(desk.cfg.database.url)
    try:
        return await work(Env(desk.cfg, desk.cfg.ledger, db))
    finally:
        await db.close()


async def october_job(desk, **kw):
    async def work(env):
        async with env.db.transaction() as s:
            return await env.job(s, **kw)
    return await with_env(desk, work)


async def statements(desk):
    async def work(env):
        async with env.db.sessions() as s:
            return await s.scalar(select(func.count()).select_from(Statement))
    return await with_env(desk, work)


async def draft_rows(desk):
    async def work(env):
        async with env.db.sessions() as s:
            return [(d.version, d.status) for d in await drafts.drafts_of(s, "2026-10")]
    return await with_env(desk, work)


@pytest.fixture
async def desk(start):
    desk = await start(**pinned())
    await october_job(desk)                                   # zhangwei 120.00, sales 278.25, fund 119.25
    await october_job(desk, template="pos_repair", region="th", engineer="somchai", hours="1", parts=(),
                      surcharges=(), chatid="wr_bkk_siam")    # 696.50 THB: 417.90 / 208.95 / 69.65
    return desk


async def ask_close(desk, text="@小鲸 关账 2026-10", userid="zhaomin", chatid=DISPATCH):
    result = await desk.sandbox.say(userid, text, chatid=chatid)
    assert result["reply"]["msgtype"] == "template_card", text_of(result)
    return result["reply"]["template_card"]


async def test_a_manager_drafts_reviews_and_confirms_by_typing(desk):
    card = await ask_close(desk)
    assert card["card_type"] == "button_interaction"
    assert card["main_title"]["title"] == "关账草稿 · 2026年10月 · 第 1 版"
    # parties 2 × 2 currencies, zhangwei and somchai, and the two accounts' plan bills
    assert card["main_title"]["desc"].startswith("8 张对账单 · ") and card["main_title"]["desc"].endswith("尚未生效")
    assert [(b["text"], b["key"]) for b in card["button_list"]] == [("确认关账", "close_ok:1"), ("取消", "close_no:1")]
    fields = {f["keyname"]: f["value"] for f in card["horizontal_content_list"]}
    assert (fields["销售"], fields["售后基金"]) == ("278.25", "119.25")
    markdown = await stored_markdown(desk.cfg, "zhaomin")
    assert "**工程师 CNY**（合计 120.00）：张伟 120.00" in markdown
    assert "**工程师 THB**（合计 208.95）：Somchai 208.95" in markdown
    assert "**客户账户 CNY**" in markdown and "上海门店 3,025.88" in markdown
    assert "回复「确认」" in markdown
    assert await statements(desk) == 0 and await draft_rows(desk) == [(1, "draft")]

    done = await desk.sandbox.say("zhaomin", "@小鲸 确认", chatid=DISPATCH)
    text = text_of(done)
    assert text.startswith("**2026年10月已关账**") and "第 1 版草稿已由赵敏确认生效" in text
    assert "张伟 120.00" in text and "/statements?period=2026-10" in text
    written = await statements(desk)
    assert written > 0 and await draft_rows(desk) == [(1, "final")]

    # A second confirm (the card's button, still on screen) is a no-op that says so.
    again = await desk.sandbox.tap("zhaomin", card["task_id"], "close_ok:1", chatid=DISPATCH)
    assert again["reply"]["response_type"] == "update_template_card"
    assert again["reply"]["template_card"]["main_title"]["title"].startswith("2026年10月已于 ")
    assert again["reply"]["template_card"]["main_title"]["desc"] == "已关账"

    async def answered():
        return [c for c in await desk.sandbox.calls("aibot/response") if "无需再次关账" in str(c["body"])]
    assert await desk.sandbox.wait_for(answered)
    assert await statements(desk) == written


async def test_a_tap_confirms_and_the_answer_comes_by_response_url(desk):
    card = await ask_close(desk, "@小鲸 结算 2026-10 关账")
    tapped = await desk.sandbox.tap("zhaomin", card["task_id"], "close_ok:1", chatid=DISPATCH)
    update = tapped["reply"]["template_card"]
    assert update["main_title"]["title"] == "2026年10月已关账" and update["main_title"]["desc"] == "已确认关账"

    async def answered():
        return [c for c in await desk.sandbox.calls("aibot/response") if "2026年10月已关账" in str(c["body"])]
    assert await desk.sandbox.wait_for(answered)
    assert await draft_rows(desk) == [(1, "final")]


async def test_figures_that_moved_get_a_new_draft_instead_of_a_close(desk):
    card = await ask_close(desk)
    await october_job(desk)                                   # a second zhangwei job lands in October
    tapped = await desk.sandbox.tap("zhaomin", card["task_id"], "close_ok:1", chatid=DISPATCH)
    assert tapped["reply"]["template_card"]["main_title"]["desc"] == "数字有变化"
    assert await statements(desk) == 0 and await draft_rows(desk) == [(2, "draft"), (1, "superseded")]

    async def answered():
        return [c for c in await desk.sandbox.calls("aibot/response") if "第 2 版" in str(c["body"])]
    [call] = await desk.sandbox.wait_for(answered)
    assert "张伟 240.00" in str(call["body"]) and "数字已变化，未关账" in str(call["body"])
    # The new draft is the question now: a typed yes closes with today's figures.
    done = await desk.sandbox.say("zhaomin", "@小鲸 确认", chatid=DISPATCH)
    assert "第 2 版草稿已由赵敏确认生效" in text_of(done)


async def test_cancel_closes_nothing(desk):
    card = await ask_close(desk)
    tapped = await desk.sandbox.tap("zhaomin", card["task_id"], "close_no:1", chatid=DISPATCH)
    assert tapped["reply"]["template_card"]["main_title"]["desc"] == "已取消"
    await ask_close(desk)
    no = await desk.sandbox.say("zhaomin", "@小鲸 取消", chatid=DISPATCH)
    assert "2026年10月暂不关账" in text_of(no) and "第 2 版草稿保留" in text_of(no)
    assert await statements(desk) == 0


async def test_only_managers_and_admins_may_close(desk):
    engineer = await desk.sandbox.say("zhangwei", "@小鲸 关账 2026-10", chatid=DISPATCH)
    assert "只有经理和管理员可以关账" in text_of(engineer)
    customer = await desk.sandbox.say(STORE, "@小鲸 关账 2026-10", chatid=STORE_GROUP)
    assert "只有经理和管理员可以关账" in text_of(customer)
    french = await desk.sandbox.direct("lucas", "clôturer le mois dernier")
    assert french["status"] == 200

    async def refused():
        return [x for x in await desk.sandbox.texts("lucas") if "seuls les responsables" in x]
    assert await desk.sandbox.wait_for(refused)
    assert await draft_rows(desk) == [] and await statements(desk) == 0


async def test_a_month_not_over_yet(desk):
    result = await desk.sandbox.say("admin", "@小鲸 关账 本月", chatid=DISPATCH)
    text = text_of(result)
    assert "还没有结束" in text and "结束后才能关账" in text and "Asia/Shanghai" in text


async def test_more_than_a_month_is_refused(desk):
    result = await desk.sandbox.say("admin", "@小鲸 关账 上季度", chatid=DISPATCH)
    assert "关账按月进行" in text_of(result)


async def test_in_a_customers_group_the_draft_goes_privately(desk):
    result = await desk.sandbox.say("zhaomin", "@小鲸 关账 2026-10", chatid=STORE_GROUP)
    assert "私信" in text_of(result) and "278.25" not in text_of(result)
    cards = await desk.sandbox.wait_for(lambda: desk.sandbox.job_cards("zhaomin"))
    assert cards[0]["main_title"]["title"] == "关账草稿 · 2026年10月 · 第 1 版"
    assert [b["key"] for b in cards[0]["button_list"]] == ["close_ok:1", "close_no:1"]
    # The button on the private card closes the month (the app's card callback).
    await desk.sandbox.click("zhaomin", cards[0]["task_id"], "close_ok:1")

    async def closed():
        return [x for x in await desk.sandbox.texts("zhaomin") if "2026年10月已关账" in x]
    assert await desk.sandbox.wait_for(closed)
