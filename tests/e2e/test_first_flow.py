"""The first flow, end to end over real HTTP with real WeCom encryption, against the sandbox."""

from __future__ import annotations

import asyncio

from storage.models import InboundCallback, OutboxMessage, Ticket, TicketEvent
from tests.conftest import rows

CUSTOMER, GROUP = "storesh", "wr_sh_xuhui"


def card_values(card: dict) -> dict[str, str]:
    return {row["keyname"]: row["value"] for row in card["horizontal_content_list"]}


async def report(desk, text="@小鲸 上海徐汇店空调不制冷了", **kw):
    result = await desk.sandbox.say(kw.pop("userid", CUSTOMER), text, chatid=kw.pop("chatid", GROUP), **kw)
    assert result["status"] == 200
    return result


async def test_report_creates_ticket_and_card_reply(desk):
    result = await report(desk)
    reply = result["reply"]
    assert reply["msgtype"] == "template_card"
    card = reply["template_card"]
    assert "#1" in card["main_title"]["title"]
    values = card_values(card)
    assert values["工单"] == "#1"
    assert values["类别"] == "空调维修"
    assert "上海" in values["地点"] and "华东" in values["地点"]
    assert values["紧急程度"] == "普通"
    assert values["状态"] == "待接单"
    [ticket] = await rows(desk.cfg, Ticket)
    assert (ticket.skill, ticket.city, ticket.region, ticket.chatid, ticket.reporter, ticket.status) == (
        "hvac", "上海", "east", GROUP, CUSTOMER, "offered")
    kinds = [e.kind for e in await rows(desk.cfg, TicketEvent, ticket_id=ticket.id)]
    assert kinds[0] == "created" and "status" in kinds


async def test_only_matching_engineers_get_the_job_card(desk):
    await report(desk)
    # hvac in east: zhangwei (上海) and liqiang (杭州). Not: liuyang (hvac, south), wangfang (elevator, east).
    for engineer in ("zhangwei", "liqiang"):
        cards = await desk.sandbox.wait_for(lambda e=engineer: desk.sandbox.job_cards(e))
        assert len(cards) == 1
        assert cards[0]["card_type"] == "button_interaction"
        assert cards[0]["button_list"][0]["key"] == "claim:1"
    await asyncio.sleep(0.3)  # give a wrong delivery the time to show up
    for other in ("liuyang", "wangfang", "somchai", "chenjie", CUSTOMER):
        assert await desk.sandbox.job_cards(other) == []


async def test_claim_by_click_updates_card_and_pushes_to_customer_group(desk):
    await report(desk)
    [card] = await desk.sandbox.wait_for(lambda: desk.sandbox.job_cards("zhangwei"))
    click = await desk.sandbox.click("zhangwei", card["task_id"], "claim:1")
    assert click["status"] == 200
    [ticket] = await rows(desk.cfg, Ticket)
    assert (ticket.status, ticket.assignee) == ("assigned", "zhangwei")
    updates = await desk.sandbox.wait_for(lambda: desk.sandbox.calls("message/update_template_card"))
    assert updates[0]["body"]["response_code"] == click["response_code"]
    assert updates[0]["body"]["button"]["replace_name"] == "已接单 ✅"
    pushes = await desk.sandbox.wait_for(lambda: desk.sandbox.pushes(GROUP))
    assert "#1" in pushes[0] and "张伟" in pushes[0]


async def test_claim_by_text_in_a_group(desk):
    await report(desk)
    result = await desk.sandbox.say("liqiang", "@小鲸 接单 1", chatid="wr_east_dispatch")
    assert "#1" in result["reply"]["stream"]["content"] and "接单" in result["reply"]["stream"]["content"]
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.assignee == "liqiang"
    pushes = await desk.sandbox.wait_for(lambda: desk.sandbox.pushes(GROUP))
    assert "李强" in pushes[0]
    # The loser is told who has it.
    late = await desk.sandbox.say("zhangwei", "@小鲸 接单 #1", chatid="wr_east_dispatch")
    assert "李强" in late["reply"]["stream"]["content"]
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.assignee == "liqiang"


async def test_a_claim_with_a_time_to_arrive_tells_the_store_when(desk):
    await report(desk)
    result = await desk.sandbox.say("liqiang", "@小鲸 #1 我来，大概40分钟到", chatid="wr_east_dispatch")
    assert "#1" in result["reply"]["stream"]["content"]
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.assignee == "liqiang" and ticket.eta_at is not None
    assert 38 * 60 <= (ticket.eta_at - ticket.created_at).total_seconds() <= 42 * 60
    pushes = await desk.sandbox.wait_for(lambda: desk.sandbox.pushes(GROUP))
    assert "李强" in pushes[0] and "预计" in pushes[0] and "稍后出发" not in pushes[0]


async def test_customers_cannot_claim_and_unqualified_engineers_are_told_why(desk):
    await report(desk)
    refused = await desk.sandbox.say(CUSTOMER, "@小鲸 接单 1", chatid=GROUP)
    assert "只有工程师" in refused["reply"]["stream"]["content"]
    wrong_skill = await desk.sandbox.say("wangfang", "@小鲸 接单 1", chatid="wr_east_dispatch")
    assert "空调" in wrong_skill["reply"]["stream"]["content"]
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.assignee is None


async def test_no_candidate_goes_to_the_dispatch_group(start):
    # Nobody does elevators in the east once wangfang is gone.
    from tests.conftest import base_config_data

    people = [p for p in base_config_data()["people"] if p["userid"] != "wangfang"]
    desk = await start(people=people)
    result = await report(desk, "@小鲸 徐汇店电梯坏了 困人了")
    assert "派单群" in result["reply"]["template_card"]["main_title"]["desc"]
    pushes = await desk.sandbox.wait_for(lambda: desk.sandbox.pushes("wr_east_dispatch"))
    assert "#1" in pushes[0]
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.status == "new" and ticket.urgency == "urgent"


async def test_asking_back_fills_the_missing_slot(desk):
    # A group we know nothing about, and a message without a city: the bot asks, the answer completes it.
    first = await desk.sandbox.say("someone", "@小鲸 空调坏了不制冷", chatid="wr_unknown_group")
    assert "城市" in first["reply"]["stream"]["content"]
    assert await rows(desk.cfg, Ticket) == []
    second = await desk.sandbox.say("someone", "@小鲸 杭州", chatid="wr_unknown_group")
    assert second["reply"]["msgtype"] == "template_card"
    [ticket] = await rows(desk.cfg, Ticket)
    assert (ticket.skill, ticket.city, ticket.region) == ("hvac", "杭州", "east")


async def test_status_query_and_help(desk):
    await report(desk)
    status = await desk.sandbox.say(CUSTOMER, "@小鲸 #1 进度怎么样了", chatid=GROUP)
    assert "#1" in status["reply"]["template_card"]["main_title"]["title"]
    helped = await desk.sandbox.say(CUSTOMER, "@小鲸 报修流程是什么", chatid=GROUP)
    assert "报修" in helped["reply"]["stream"]["content"]
    assert len(await rows(desk.cfg, Ticket)) == 1


async def test_chit_chat_opens_nothing(desk):
    result = await desk.sandbox.say(CUSTOMER, "@小鲸 上海今天好热啊", chatid=GROUP)
    assert result["reply"]["msgtype"] == "stream"
    assert await rows(desk.cfg, Ticket) == []
    assert await rows(desk.cfg, OutboxMessage) == []


async def test_every_callback_is_recorded_with_its_intent(desk):
    result = await report(desk)
    [row] = await rows(desk.cfg, InboundCallback)
    assert row.key == f"bot:{result['msgid']}" and row.intent == "create_ticket" and row.outcome == "ok"


async def test_healthz_checks_database_and_cache(desk):
    import aiohttp

    async with aiohttp.ClientSession() as http:
        async with http.get(desk.url + "/healthz") as resp:
            assert resp.status == 200
            assert await resp.json() == {"status": "ok", "database": "ok", "cache": "ok"}


async def test_ticket_page_needs_the_signed_link(desk):
    import aiohttp

    result = await report(desk)
    link = result["reply"]["template_card"]["card_action"]["url"]
    async with aiohttp.ClientSession() as http:
        async with http.get(link.replace("http://127.0.0.1:" + str(desk.cfg.server.port), desk.url)) as resp:
            assert resp.status == 200
            assert "空调" in await resp.text()
        async with http.get(desk.url + "/tickets/1?sig=forged") as resp:
            assert resp.status == 403
