"""Customers outside the company, from plain WeChat, through 微信客服: over real HTTP with real
WeCom encryption, against the sandbox's kf API (callback → kf/sync_msg → kf/send_msg)."""

from __future__ import annotations

import asyncio

import aiohttp

from storage.models import InboundCallback, KfCursor, OutboxMessage, Ticket
from tests.conftest import rows

CUSTOMER, STORE_GROUP = "wm_customer_0001", "wr_sh_xuhui"


async def texts(desk, userid=CUSTOMER, at_least=1):
    return await desk.sandbox.wait_for(
        lambda: _texts(desk, userid, at_least), timeout=10)


async def _texts(desk, userid, at_least):
    got = await desk.sandbox.kf_texts(userid)
    return got if len(got) >= at_least else None


async def test_a_customer_who_scanned_a_store_code_reports_and_hears_every_step(desk):
    sb = desk.sandbox
    entered = await sb.kf_enter(CUSTOMER, scene_param="xuhui")
    assert entered["status"] == 200
    [welcome] = await texts(desk)
    assert "上海徐汇店的" in welcome, "the welcome names the store whose code was scanned"

    said = await sb.kf_say(CUSTOMER, "空调不制冷了，一直滴水")
    assert said["status"] == 200
    [ticket] = await rows(desk.cfg, Ticket)
    assert (ticket.chatid, ticket.city, ticket.skill, ticket.reporter, ticket.source) == (
        STORE_GROUP, "上海", "hvac", CUSTOMER, "wechat")
    got = await texts(desk, at_least=2)
    assert f"#{ticket.id}" in got[1] and "\n" in got[1], "the ticket card arrives as readable lines"
    assert "会在这里通知您" in got[1], "told where they will hear more: here, not in a group they cannot see"
    assert "**" not in got[1] and "<" not in got[1]

    # An engineer claims the job from the app card: the customer hears it where they wrote.
    [card] = await sb.wait_for(lambda: sb.job_cards("zhangwei"))
    assert (await sb.click("zhangwei", card["task_id"], f"claim:{ticket.id}"))["status"] == 200
    got = await texts(desk, at_least=3)
    assert "张伟" in got[2]


async def test_a_notice_delivered_twice_handles_each_message_once(desk):
    sb = desk.sandbox
    await sb.kf_enter(CUSTOMER, scene_param="xuhui")
    await sb.kf_say(CUSTOMER, "收银机打不开了")
    results = await asyncio.gather(*(sb.kf_callback() for _ in range(4)))
    assert all(r["status"] == 200 for r in results)
    assert len(await rows(desk.cfg, Ticket)) == 1
    assert len([r for r in await rows(desk.cfg, InboundCallback) if r.channel == "kf"]) == 2   # entry + message
    [cursor] = await rows(desk.cfg, KfCursor)
    assert cursor.cursor, "the read position is kept, so a restart does not read everything again"
    got = await texts(desk, at_least=2)
    await asyncio.sleep(0.3)
    assert len(await sb.kf_texts(CUSTOMER)) == len(got) == 2   # welcome + one answer, never twice


async def test_a_customer_without_a_store_code_is_asked_where(desk):
    sb = desk.sandbox
    await sb.kf_say(CUSTOMER, "空调坏了")
    [answer] = await texts(desk)
    assert "门店" in answer or "城市" in answer or "哪" in answer
    assert await rows(desk.cfg, Ticket) == []


async def test_past_wecoms_window_nothing_is_sent_and_the_ticket_page_says_so(desk):
    sb = desk.sandbox
    await sb.kf_enter(CUSTOMER, scene_param="xuhui")
    # A message read two days late (a long outage): WeCom no longer lets us answer it.
    await sb.kf_say(CUSTOMER, "热水器漏水", age_s=49 * 3600)
    [ticket] = await rows(desk.cfg, Ticket)

    async def failed():
        msgs = [m for m in await rows(desk.cfg, OutboxMessage) if m.kind == "kf_message"]
        return msgs if msgs and all(m.status == "failed" for m in msgs) else None

    [row] = await sb.wait_for(failed, timeout=10)
    assert "48 h" in row.last_error
    assert not [c for c in await sb.calls("kf/send_msg") if not c.get("fault")], "nothing was sent into a closed window"
    page = await _ticket_page(desk, ticket.id)
    assert "未能送达微信客户的消息" in page and "48 h" in page

    # The customer writes again: the window reopens and the answer arrives.
    await sb.kf_say(CUSTOMER, f"#{ticket.id} 什么时候来修")
    got = await texts(desk, at_least=2)   # welcome + the answer to the new message
    assert f"#{ticket.id}" in got[-1]


async def test_a_notice_while_the_cache_is_away_is_refused_then_handled_once(desk):
    sb = desk.sandbox
    await sb.kf_enter(CUSTOMER, scene_param="xuhui")
    await sb.cache_away(True)
    refused = await sb.kf_say(CUSTOMER, "网络断了")
    assert refused["status"] == 503, "WeCom must deliver the notice again"
    await sb.cache_away(False)
    assert (await sb.kf_callback())["status"] == 200
    assert len(await rows(desk.cfg, Ticket)) == 1


async def _ticket_page(desk, ticket_id: int) -> str:
    from handlers.links import ticket_signature

    sig = ticket_signature(desk.cfg.wecom.app.secret, ticket_id)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{desk.url}/tickets/{ticket_id}", params={"sig": sig}) as resp:
            assert resp.status == 200
            return await resp.text()


async def test_a_photo_gets_a_helpful_answer_not_silence(desk):
    sb = desk.sandbox
    await sb.kf_enter(CUSTOMER, scene_param="xuhui")
    await sb.kf_say(CUSTOMER, "(a photo)", msgtype="image")
    got = await texts(desk, at_least=2)
    assert "文字" in got[1]
    assert await rows(desk.cfg, Ticket) == []


async def test_a_customer_rates_the_finished_job_with_one_tap(desk):
    sb = desk.sandbox
    await sb.kf_enter(CUSTOMER, scene_param="xuhui")
    await sb.kf_say(CUSTOMER, "空调不制冷了")
    [ticket] = await rows(desk.cfg, Ticket)
    [card] = await sb.wait_for(lambda: sb.job_cards("zhangwei"))
    await sb.click("zhangwei", card["task_id"], f"claim:{ticket.id}")
    await sb.direct("zhangwei", f"#{ticket.id} 完工 工时1小时")

    async def menu():
        menus = [m for m in await sb.kf_inbox(CUSTOMER) if m.get("msgtype") == "msgmenu"]
        return menus or None

    [sent] = await sb.wait_for(menu, timeout=10)
    items = sent["msgmenu"]["list"]
    assert len(items) == 5 and f"#{ticket.id}" in sent["msgmenu"]["head_content"]
    five = items[0]["click"]
    await sb.kf_say(CUSTOMER, five["content"], menu_id=five["id"])   # the tap, as WeChat sends it back
    [rated] = await rows(desk.cfg, Ticket)
    assert (rated.rating, rated.status) == (5, "confirmed")
    got = await texts(desk, at_least=1)
    assert any("5 星" in x or "5星" in x for x in got[-2:])


async def _question_menu(sb):
    async def menu():
        menus = [m for m in await sb.kf_inbox(CUSTOMER) if m.get("msgtype") == "msgmenu"]
        return menus or None
    [sent] = await sb.wait_for(menu, timeout=10)
    return {item["click"]["id"]: item["click"]["content"] for item in sent["msgmenu"]["list"]}, sent


async def test_a_doubtful_report_is_asked_with_a_menu_and_one_tap_opens_it(start):
    desk = await start(nlu={"confirm_below": 1.01})   # every report is asked about
    sb = desk.sandbox
    await sb.kf_enter(CUSTOMER, scene_param="xuhui")
    await sb.kf_say(CUSTOMER, "空调好像有点不制冷")
    items, sent = await _question_menu(sb)
    assert items == {"answer:1": "是，报修", "answer:0": "不用"}
    assert "空调好像有点不制冷" in sent["msgmenu"]["head_content"]
    assert await rows(desk.cfg, Ticket) == []          # nothing until the customer says so
    await sb.kf_say(CUSTOMER, items["answer:1"], menu_id="answer:1")
    [ticket] = await sb.wait_for(lambda: rows(desk.cfg, Ticket))
    assert ticket.skill == "hvac" and ticket.chatid == "wr_sh_xuhui"


async def test_no_on_the_menu_opens_nothing(start):
    desk = await start(nlu={"confirm_below": 1.01})
    sb = desk.sandbox
    await sb.kf_enter(CUSTOMER, scene_param="xuhui")
    await sb.kf_say(CUSTOMER, "空调好像有点不制冷")
    items, _ = await _question_menu(sb)
    await sb.kf_say(CUSTOMER, items["answer:0"], menu_id="answer:0")
    got = await texts(desk, at_least=3)
    assert "不开单" in got[2], got
    assert await rows(desk.cfg, Ticket) == []
