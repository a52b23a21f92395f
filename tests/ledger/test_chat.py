"""In chat: `settlement_summary` for a manager, an engineer, a customer, a region out of scope —
end to end through the sandbox, with real encryption — and the signed report it links to."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlencode, urlparse

import aiohttp
import pytest
from sqlalchemy import select
from storage import ledger
from storage import tickets as store
from storage.db import Database
from storage.models import InboundCallback, Ticket, utcnow
from tests.conftest import rows

from .conftest import pinned

STORE, STORE_GROUP, DISPATCH = "storesh", "wr_sh_xuhui", "wr_east_dispatch"


def card_values(card):
    return {row["keyname"]: row["value"] for row in card["horizontal_content_list"]}


def text_of(result):
    reply = result["reply"]
    return reply["stream"]["content"] if reply["msgtype"] == "stream" else json.dumps(reply, ensure_ascii=False)


async def stored_markdown(cfg, userid):
    [last] = sorted((r for r in await rows(cfg, InboundCallback) if r.userid == userid), key=lambda r: r.received_at)[-1:]
    return json.loads(last.reply)["markdown"]


@pytest.fixture
async def desk(start):
    """A desk where one job was reported in the sandbox, claimed by zhangwei and completed this month."""
    desk = await start(**pinned())
    reported = await desk.sandbox.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=STORE_GROUP)
    assert reported["status"] == 200
    claimed = await desk.sandbox.say("zhangwei", "@小鲸 接单 1", chatid=DISPATCH)
    assert "1" in text_of(claimed)
    db = Database(desk.cfg.database.url)
    try:
        async with db.transaction() as s:  # what the completion handler does, in one transaction
            ticket = (await s.scalars(select(Ticket).where(Ticket.id == 1))).one()
            assert ticket.assignee == "zhangwei"
            await ledger.record_completion(
                s, desk.cfg.ledger, ticket_id=ticket.id, template=ticket.template or "hvac_repair",
                region=ticket.region, engineer=ticket.assignee, hours="1.5", parts=[("压缩机", "180.00")],
                surcharges=["urgent"], language="zh", completed_at=utcnow())
            await store.transition(s, ticket, "completed", actor="zhangwei", reason="test completion")
    finally:
        await db.close()
    return desk


async def test_a_completed_job_appears_in_the_managers_summary(desk):
    result = await desk.sandbox.say("zhaomin", "@小鲸 本月华东区结算汇总", chatid=DISPATCH)
    reply = result["reply"]
    assert reply["msgtype"] == "template_card"
    card = reply["template_card"]
    assert card["card_type"] == "text_notice"
    assert card["main_title"]["title"].startswith("华东 · ")
    assert card["emphasis_content"]["title"] == "517.50"
    assert card_values(card) == {"工单数": "1", "收入 CNY": "517.50 (+31.05)", "销售": "278.25", "工程师": "120.00",
                                 "售后基金": "119.25", "SLA · 满意度": "100.0% · -"}
    assert "张伟 120.00 CNY" in card["sub_title_text"]
    markdown = await stored_markdown(desk.cfg, "zhaomin")
    assert "**CNY**：收入 517.50 · 税 31.05 · 含税 548.55（1 单）" in markdown
    assert "**合计（CNY）**：收入 517.50" in markdown

    # the card links to the signed full report
    url = card["card_action"]["url"]
    assert card["jump_list"][0]["url"] == url
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as resp:
            assert resp.status == 200
            html = await resp.text()
        assert "517.50" in html and "278.25" in html and "张伟" in html
        async with http.get(url + "&format=csv") as resp:
            assert resp.status == 200 and resp.content_type == "text/csv"
            csv_text = await resp.text()
        assert "east,CNY,1,517.50,31.05,548.55" in csv_text


async def test_report_links_cannot_be_widened_or_forged(desk):
    result = await desk.sandbox.say("zhaomin", "@小鲸 本月华东区结算汇总", chatid=DISPATCH)
    url = result["reply"]["template_card"]["card_action"]["url"]
    parsed = urlparse(url)
    query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
    base = f"{desk.url}{parsed.path}?"
    async with aiohttp.ClientSession() as http:
        for tampered in ({**query, "region": "east,south"}, {k: v for k, v in query.items() if k != "region"},
                         {**query, "sig": "0" * 32}, {**query, "exp": str(int(query["exp"]) + 1)},
                         {k: v for k, v in query.items() if k != "sig"}):
            async with http.get(base + urlencode(tampered)) as resp:
                assert resp.status == 403, tampered


async def test_an_expired_link_is_refused(desk):
    from handlers.links import report_url

    stale = report_url(desk.url, desk.cfg.wecom.app.secret, period="2026-10", timezone="Asia/Shanghai",
                       regions=["east"], ttl_s=-1)
    async with aiohttp.ClientSession() as http:
        async with http.get(stale) as resp:
            assert resp.status == 403 and "expired" in await resp.text()


async def test_an_engineer_gets_only_their_own_earnings_privately(desk):
    result = await desk.sandbox.say("zhangwei", "@小鲸 我这个月挣了多少", chatid=DISPATCH)
    assert "私信" in text_of(result) and "120.00" not in text_of(result)

    def earnings(ms):
        return [m["body"]["markdown"]["content"] for m in ms if m.get("msgtype") == "markdown"]

    texts = await desk.sandbox.wait_for(lambda: _poll(desk, "zhangwei", earnings))
    assert any("**CNY**：120.00（1 单）" in x for x in texts), texts
    assert not any("278.25" in x or "销售" in x for x in texts)  # nobody else's share
    cards = [c for c in await desk.sandbox.job_cards("zhangwei") if c["main_title"]["title"].startswith("我的收入")]
    assert cards and cards[0]["emphasis_content"]["title"] == "120.00"


async def _poll(desk, userid, pick):
    return pick(await desk.sandbox.inbox(userid=userid))


async def test_an_engineer_asking_in_a_direct_message_gets_the_answer_there(desk):
    await desk.sandbox.direct("zhangwei", "本月收入")
    texts = await desk.sandbox.wait_for(lambda: _poll(
        desk, "zhangwei", lambda ms: [m["body"]["markdown"]["content"] for m in ms if m.get("msgtype") == "markdown"]))
    assert any("120.00" in x for x in texts)


async def test_another_engineer_has_earned_nothing(desk):
    result = await desk.sandbox.say("liqiang", "@小鲸 本月结算", chatid=DISPATCH)
    assert "私信" in text_of(result)
    # Other 1:1 notes may reach him first (a job card he was offered, greyed after someone's claim).
    texts = await desk.sandbox.wait_for(lambda: _poll(
        desk, "liqiang", lambda ms: [m["body"]["markdown"]["content"] for m in ms
                                     if m.get("msgtype") == "markdown" and "结算" in m["body"]["markdown"]["content"]]))
    assert any("还没有结算收入" in x for x in texts), texts


async def test_a_customer_gets_a_polite_refusal(desk):
    result = await desk.sandbox.say(STORE, "@小鲸 本月结算汇总", chatid=STORE_GROUP)
    text = text_of(result)
    assert "抱歉" in text and "517.50" not in text


async def test_a_region_outside_the_managers_scope_is_refused(desk):
    result = await desk.sandbox.say("zhaomin", "@小鲸 本月华南区结算汇总", chatid=DISPATCH)
    text = text_of(result)
    assert "华东" in text and "华南" in text and "无法查看" in text


async def test_a_manager_asking_in_a_customers_group_is_answered_privately(desk):
    result = await desk.sandbox.say("zhaomin", "@小鲸 本月结算汇总", chatid=STORE_GROUP)
    assert "私信" in text_of(result)
    cards = await desk.sandbox.wait_for(lambda: desk.sandbox.job_cards("zhaomin"))
    assert cards[0]["emphasis_content"]["title"] == "517.50"


async def test_an_admin_sees_every_region(desk):
    result = await desk.sandbox.say("admin", "@小鲸 本月结算", chatid=DISPATCH)
    card = result["reply"]["template_card"]
    assert card["main_title"]["title"].startswith("全部区域")
    assert card_values(card)["工单数"] == "1"
    empty = await desk.sandbox.say("admin", "@小鲸 2025年1月结算", chatid=DISPATCH)
    assert card_values(empty["reply"]["template_card"])["工单数"] == "0"
    assert "还没有结算记录" in await stored_markdown(desk.cfg, "admin")


def test_money_for_people_is_grouped():
    from handlers.settlement import money

    assert (money(123456789, "CNY"), money(-5, "CNY"), money(1500, "JPY")) == ("1,234,567.89", "-0.05", "1,500")
    assert re.fullmatch(r"[\d,]+\.\d\d", money(100, "CNY"))
