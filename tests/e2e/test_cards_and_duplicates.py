"""Cards that stay true and no duplicate jobs (issue 13, items 5 and 6), through real encrypted
callbacks and the sandbox.

- A job card's send answers a response_code, stored on its offer; when the offer ends (someone
  else claimed it, the ticket was cancelled, the offer timed out) the card is greyed in place with
  that code, once, in its reader's language — or, when the code cannot do it (used up, older
  than 72 h), a short 1:1 text goes instead, once. A card whose offer ended before it went out
  never arrives live.
- A repeat report for the same store and skill is added to the open ticket; a question about it
  is answered with its status; one tap (or "另开新单") opens a separate ticket anyway."""

from __future__ import annotations

import asyncio

from bot.app import WORKER
from storage.models import Offer, OutboxMessage, Ticket, TicketEvent
from tests.conftest import base_config_data, rows

STORE, GROUP, DISPATCH = "storesh", "wr_sh_xuhui", "wr_east_dispatch"
CUSTOMER = "wm_customer_0001"
# A third engineer for Shanghai's air conditioning, who reads English.
MIKE = {"userid": "mike", "name": "Mike", "roles": ["engineer"], "skills": ["hvac"], "regions": ["east"],
        "city": "上海", "languages": ["en"]}
PEOPLE = base_config_data()["people"] + [MIKE]


def text_of(reply):
    if "stream" in reply:
        return reply["stream"]["content"]
    card = reply["template_card"]
    return card["main_title"]["title"] + " " + card["main_title"].get("desc", "") + " " + card.get("sub_title_text", "")


async def coded(desk, n):
    """The offers, once `n` of them have the code their card's send answered."""
    offers = {o.userid: o for o in await rows(desk.cfg, Offer)}
    return offers if sum(1 for o in offers.values() if o.response_code) >= n else None


async def updates(sb, n):
    got = await sb.deliveries("message/update_template_card")
    return got if len(got) >= n else None


async def texts_with(sb, userid, needle):
    return [x for x in await sb.texts(userid) if needle in x]


async def test_after_a_claim_every_other_card_is_greyed_once_with_its_code_in_its_readers_language(start):
    desk = await start(people=PEOPLE)
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    offered = await sb.wait_for(lambda: coded(desk, 3))
    assert set(offered) == {"zhangwei", "liqiang", "mike"}
    sent = {c["touser"][0]: c["response_code"] for c in await sb.deliveries("message/send")
            if c["msgtype"] == "template_card"}
    assert sent == {u: o.response_code for u, o in offered.items()}, "each card's own code is stored"

    [card] = await sb.job_cards("zhangwei")
    click = await sb.click("zhangwei", card["task_id"], "claim:1")
    done = await sb.wait_for(lambda: updates(sb, 3))
    by_user = {tuple(c["touser"]): c for c in done}
    assert set(by_user) == {("zhangwei",), ("liqiang",), ("mike",)}
    assert by_user[("liqiang",)]["response_code"] == offered["liqiang"].response_code
    assert by_user[("mike",)]["response_code"] == offered["mike"].response_code
    assert by_user[("zhangwei",)]["response_code"] == click["response_code"], "the claimer's from the click"
    assert by_user[("liqiang",)]["body"]["button"] == {"replace_name": "已被 张伟 接单"}
    assert by_user[("mike",)]["body"]["button"] == {"replace_name": "Taken by 张伟"}
    assert by_user[("zhangwei",)]["body"]["button"] == {"replace_name": "已接单 ✅"}
    await asyncio.sleep(0.5)
    assert len(await sb.calls("message/update_template_card")) == 3, "once each, nothing more"
    assert await texts_with(sb, "liqiang", "#1") == [] and await texts_with(sb, "mike", "#1") == [], \
        "the card said it: no text besides"
    assert {o.userid: o.status for o in await rows(desk.cfg, Offer)} == {
        "zhangwei": "won", "liqiang": "lost", "mike": "lost"}

    # Who lost the race and clicks anyway still hears it from the click (its own fresh code).
    [late] = await sb.job_cards("liqiang")
    lost = await sb.click("liqiang", late["task_id"], "claim:1")
    [told] = await sb.wait_for(lambda: texts_with(sb, "liqiang", "张伟"))
    assert "#1" in told
    last = (await sb.wait_for(lambda: updates(sb, 4)))[-1]
    assert last["response_code"] == lost["response_code"] and last["touser"] == ["liqiang"]


async def test_a_claim_typed_in_text_greys_the_claimers_own_card_too(start):
    desk = await start(people=PEOPLE)
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    offered = await sb.wait_for(lambda: coded(desk, 3))
    await sb.say("mike", "@小鲸 接单 1", chatid=DISPATCH)
    done = {tuple(c["touser"]): c for c in await sb.wait_for(lambda: updates(sb, 3))}
    assert done[("mike",)]["response_code"] == offered["mike"].response_code
    assert done[("mike",)]["body"]["button"] == {"replace_name": "Claimed ✅"}
    assert done[("zhangwei",)]["body"]["button"] == {"replace_name": "已被 Mike 接单"}


async def test_a_cancelled_tickets_cards_are_greyed_and_a_used_code_falls_back_to_one_text(start):
    desk = await start(people=PEOPLE)
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    offered = await sb.wait_for(lambda: coded(desk, 3))
    # liqiang's code is used up already (WeCom answers 60140 to it).
    await sb.fault("errcode", api="message/update_template_card", dest="liqiang", errcode=60140)
    await sb.say(STORE, "@小鲸 取消工单 1", chatid=GROUP)
    done = {tuple(c["touser"]): c for c in await sb.wait_for(lambda: updates(sb, 2))}
    assert done[("zhangwei",)]["body"]["button"] == {"replace_name": "已取消"}
    assert done[("mike",)]["body"]["button"] == {"replace_name": "Cancelled"}
    assert done[("mike",)]["response_code"] == offered["mike"].response_code
    [text] = await sb.wait_for(lambda: texts_with(sb, "liqiang", "#1"))
    assert text == "#1 已取消。"
    await asyncio.sleep(0.5)
    assert len(await texts_with(sb, "liqiang", "#1")) == 1, "once"
    assert len(await sb.deliveries("message/update_template_card")) == 2
    assert [f["fired"] for f in await sb.faults()] == [1]
    assert {o.status for o in await rows(desk.cfg, Offer)} == {"withdrawn"}


async def test_a_code_older_than_72_hours_falls_back_to_a_text(start):
    desk = await start(people=PEOPLE)
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    await sb.wait_for(lambda: coded(desk, 3))
    await sb.advance(73 * 3600)   # nobody took it: the offer times out, three days later
    for userid, needle in (("zhangwei", "#1 接单已超时"), ("liqiang", "#1 接单已超时"), ("mike", "#1: the offer expired")):
        assert len(await sb.wait_for(lambda: texts_with(sb, userid, needle))) == 1
    assert await sb.calls("message/update_template_card") == [], "a code past 72 h is not even tried"


async def test_a_card_still_waiting_to_be_sent_when_the_job_is_claimed_never_arrives_live(start):
    desk = await start(people=PEOPLE, worker={"in_process": False})   # the test runs the worker
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    await sb.say("zhangwei", "@小鲸 接单 1", chatid=DISPATCH)        # before any card went out
    for _ in range(40):
        await desk.app[WORKER].run_once()
        left = [r for r in await rows(desk.cfg, OutboxMessage) if r.status in ("pending", "sending")]
        if not left:
            break
        await asyncio.sleep(0.1)
    assert left == []
    for userid in ("zhangwei", "liqiang", "mike"):
        assert await sb.job_cards(userid) == [], f"{userid} got a live card of a claimed job"
    cards = [r for r in await rows(desk.cfg, OutboxMessage) if r.kind in ("app_message", "update_card")
             and r.payload.get("msgtype") == "template_card" or r.kind == "update_card"]
    assert cards and {r.status for r in cards} == {"dropped"}
    assert await sb.calls("message/update_template_card") == []
    assert await texts_with(sb, "liqiang", "#1") == [], "never having seen the card, nothing to correct"


# -- no duplicate jobs ------------------------------------------------------------------------------

async def test_a_repeat_report_is_added_to_the_open_ticket_and_one_tap_opens_a_separate_one(desk):
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    [card] = await sb.wait_for(lambda: sb.job_cards("zhangwei"))
    await sb.click("zhangwei", card["task_id"], "claim:1")
    await sb.wait_for(lambda: texts_with(sb, "zhangwei", "#1"))

    again = await sb.say(STORE, "@小鲸 空调又开始滴水了，地上都湿了", chatid=GROUP)
    said = again["reply"]
    assert "已有进行中的工单 #1" in text_of(said)
    dup = said["template_card"]
    assert [b["key"] for b in dup["button_list"]] == ["separate:1"]
    assert len(await rows(desk.cfg, Ticket)) == 1
    [event] = await rows(desk.cfg, TicketEvent, kind="duplicate_report")
    assert (event.ticket_id, event.actor, event.reason) == (1, STORE, "空调又开始滴水了，地上都湿了")
    [told] = await sb.wait_for(lambda: texts_with(sb, "zhangwei", "门店补充"))
    assert "#1" in told and "💬 空调又开始滴水了，地上都湿了" in told

    # A question about it is answered with its status; nothing is opened.
    asked = await sb.say(STORE, "@小鲸 空调还是不制冷，师傅什么时候到？", chatid=GROUP)
    assert "工单 #1：已接单" in text_of(asked["reply"])
    assert len(await rows(desk.cfg, Ticket)) == 1

    # Another device is another job.
    await sb.say(STORE, "@小鲸 徐汇店电梯异响", chatid=GROUP)
    assert [t.skill for t in await rows(desk.cfg, Ticket)] == ["hvac", "elevator"]

    # One tap opens the addition as its own ticket; a second tap does not open another.
    tapped = await sb.tap(STORE, dup["task_id"], "separate:1", chatid=GROUP)
    assert tapped["reply"]["response_type"] == "update_template_card" and "#3" in text_of(tapped["reply"])
    third = (await rows(desk.cfg, Ticket, id=3))[0]
    assert (third.skill, third.chatid, third.description) == ("hvac", GROUP, "空调又开始滴水了，地上都湿了")
    await sb.tap(STORE, dup["task_id"], "separate:1", chatid=GROUP)
    assert len(await rows(desk.cfg, Ticket)) == 3


async def test_new_ticket_anyway_in_words_and_a_question_in_english(start):
    desk = await start()
    sb = desk.sandbox
    await sb.say("storebkk", "@小鲸 the fridge is not cooling", chatid="wr_bkk_siam")
    # "the fridge is still leaking, when will the engineer arrive?" asks; it never opens a ticket.
    asked = await sb.say("storebkk", "@小鲸 the fridge is still leaking, when will the engineer arrive?",
                         chatid="wr_bkk_siam")
    assert "#1" in text_of(asked["reply"]) and len(await rows(desk.cfg, Ticket)) == 1
    await sb.say("storebkk", "@小鲸 the freezer is not cooling either", chatid="wr_bkk_siam")
    assert len(await rows(desk.cfg, Ticket)) == 1
    opened = await sb.say("storebkk", "@小鲸 new ticket anyway", chatid="wr_bkk_siam")
    assert "#2" in text_of(opened["reply"])
    assert [t.description for t in await rows(desk.cfg, Ticket)][-1] == "the freezer is not cooling either"


async def test_a_wechat_customers_repeat_report_gets_a_menu_whose_tap_opens_a_separate_one(desk):
    sb = desk.sandbox
    await sb.kf_enter(CUSTOMER, scene_param="xuhui")
    await sb.kf_say(CUSTOMER, "空调不制冷了")
    await sb.kf_say(CUSTOMER, "空调一直在滴水")
    assert len(await rows(desk.cfg, Ticket)) == 1

    async def menu():
        menus = [m for m in await sb.kf_inbox(CUSTOMER) if m.get("msgtype") == "msgmenu"]
        return menus or None

    [sent] = await sb.wait_for(menu, timeout=10)
    assert "已有进行中的工单 #1" in sent["msgmenu"]["head_content"]
    [item] = [i["click"] for i in sent["msgmenu"]["list"]]
    assert item == {"id": "separate:1", "content": "另开新单"}
    await sb.kf_say(CUSTOMER, item["content"], menu_id=item["id"])
    tickets = await sb.wait_for(lambda: _at_least(rows(desk.cfg, Ticket), 2))
    assert tickets[1].description == "空调一直在滴水" and tickets[1].chatid == GROUP
    assert tickets[1].data.get("kf"), "the customer hears its progress too"


async def test_rest_adds_a_repeat_to_the_open_ticket_unless_asked_for_a_separate_one(start):
    import aiohttp

    desk = await start(server={"api_token": "t" * 32})
    headers = {"Authorization": f"Bearer {desk.cfg.server.api_token}"}
    body = {"skill": "hvac", "city": "上海", "chatid": GROUP, "description": "IoT alarm: compressor temperature high"}
    async with aiohttp.ClientSession() as http:
        async def post(payload):
            async with http.post(f"{desk.url}/api/tickets", json=payload, headers=headers) as resp:
                return resp.status, await resp.json()

        first = await post(body)
        second = await post(body)
        third = await post({**body, "separate": True})
    assert first[0] == 201 and first[1]["id"] == 1
    assert second[0] == 200 and second[1]["id"] == 1 and second[1]["attached"] is True
    assert third[0] == 201 and third[1]["id"] == 2


async def _at_least(coro, n):
    got = await coro
    return got if len(got) >= n else None
