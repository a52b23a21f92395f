"""At-least-once in, exactly-once effects: re-deliveries and races."""

from __future__ import annotations

import asyncio

from storage.models import Ticket
from tests.conftest import base_config_data, rows


async def test_same_callback_three_times_concurrently_makes_one_ticket(desk):
    text = "@小鲸 上海徐汇店空调漏水了"
    results = await asyncio.gather(*(desk.sandbox.say("storesh", text, chatid="wr_sh_xuhui", msgid="dup-msg-1")
                                     for _ in range(3)))
    assert [r["status"] for r in results] == [200, 200, 200]
    replies = [r["reply"] for r in results]
    assert replies[0]["msgtype"] == "template_card"
    assert replies[0] == replies[1] == replies[2]
    assert len(await rows(desk.cfg, Ticket)) == 1


async def test_redelivery_later_gets_the_stored_reply_and_no_new_offers(desk):
    first = await desk.sandbox.say("storesh", "@小鲸 徐汇店收银机打不开", chatid="wr_sh_xuhui", msgid="m-again")
    cards_before = await desk.sandbox.wait_for(lambda: desk.sandbox.job_cards("chenjie"))
    again = await desk.sandbox.say("storesh", "@小鲸 徐汇店收银机打不开", chatid="wr_sh_xuhui", msgid="m-again")
    assert again["reply"] == first["reply"]
    await asyncio.sleep(0.3)
    assert len(await desk.sandbox.job_cards("chenjie")) == len(cards_before) == 1
    assert len(await rows(desk.cfg, Ticket)) == 1


async def test_distinct_messages_with_the_same_text_are_each_handled(desk):
    from storage.models import TicketEvent

    for _ in range(2):
        await desk.sandbox.say("storesh", "@小鲸 徐汇店收银机打不开", chatid="wr_sh_xuhui")
    # Not taken for a re-delivery: the second is handled too — added to the first's open ticket
    # (the same store and device), not dropped as a duplicate delivery.
    assert len(await rows(desk.cfg, Ticket)) == 1
    assert len(await rows(desk.cfg, TicketEvent, kind="duplicate_report")) == 1


async def test_twenty_concurrent_claim_clicks_one_winner(start):
    engineers = [{"userid": f"eng{i:02d}", "name": f"工程师{i:02d}", "roles": ["engineer"], "skills": ["hvac"],
                  "regions": ["east"], "city": "上海", "capacity": 5} for i in range(20)]
    people = [p for p in base_config_data()["people"] if "engineer" not in p["roles"]] + engineers
    desk = await start(people=people, joint_squads=[])   # the shipped squad's engineers are not here
    await desk.sandbox.say("storesh", "@小鲸 徐汇店空调不制冷", chatid="wr_sh_xuhui")
    # Routing offers the top five; everyone else clicks through a card too (forwarded, or stale).
    clicks = [desk.sandbox.click(e["userid"], f"job-1-{e['userid']}", "claim:1") for e in engineers]
    results = await asyncio.gather(*clicks)
    assert all(r["status"] == 200 for r in results)
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.status == "assigned" and ticket.assignee.startswith("eng")
    winner = next(e for e in engineers if e["userid"] == ticket.assignee)

    async def everyone_told():
        calls = await desk.sandbox.calls("message/send")
        texts = {c["touser"][0]: c["body"].get("markdown", {}).get("content", "") for c in calls
                 if c["msgtype"] == "markdown"}
        return texts if len(texts) == 20 else None

    texts = await desk.sandbox.wait_for(everyone_told, timeout=15)
    assert texts, "every clicker gets an answer"
    for userid, text in texts.items():
        if userid == winner["userid"]:
            assert "您已接单" in text
        else:
            assert winner["name"] in text, (userid, text)
    updates = await desk.sandbox.wait_for(lambda: desk.sandbox.calls("message/update_template_card"))
    await asyncio.sleep(0.3)
    updates = await desk.sandbox.calls("message/update_template_card")
    # Each click's card, by the click's code. Besides, each offered card that went out before the
    # claim is updated once by its send's code: these clicks name made-up task ids, not those cards.
    clicked = {r["response_code"] for r in results}
    by_click = [u for u in updates if u["response_code"] in clicked]
    assert len(by_click) == 20
    names = [u["body"]["button"]["replace_name"] for u in by_click]
    assert names.count("已接单 ✅") == 1
    assert sum(winner["name"] in n for n in names) == 19
    by_send = [u for u in updates if u["response_code"] not in clicked]
    assert len({u["touser"][0] for u in by_send}) == len(by_send) <= 3
    assert all(u["body"]["button"]["replace_name"] == ("已接单 ✅" if u["touser"] == [winner["userid"]]
                                                       else f"已被 {winner['name']} 接单") for u in by_send)


async def test_redelivery_after_the_handling_lease_expired_is_still_exactly_once(desk):
    from bot.app import CACHE

    first = await desk.sandbox.say("storesh", "@小鲸 徐汇店收银机打不开", chatid="wr_sh_xuhui", msgid="m-late")
    await desk.sandbox.wait_for(lambda: desk.sandbox.job_cards("chenjie"))
    # As if the lease had run out (or the cache had been restarted) before WeCom tried again.
    await desk.app[CACHE].delete("dedup:bot:m-late")
    again = await desk.sandbox.say("storesh", "@小鲸 徐汇店收银机打不开", chatid="wr_sh_xuhui", msgid="m-late")
    assert again["reply"] == first["reply"]
    await asyncio.sleep(0.3)
    assert len(await desk.sandbox.job_cards("chenjie")) == 1
    assert len(await rows(desk.cfg, Ticket)) == 1


async def test_a_redelivery_takes_over_when_the_first_handler_died(desk):
    """A process took the lease, WeCom heard nothing and delivered again, and the process is gone:
    the re-delivery answers with an unfinished stream, takes the work over once the dead
    handler's lease lapses, and WeCom's refreshes of that stream get the finished reply."""
    from bot.app import CACHE

    sb = desk.sandbox
    await desk.app[CACHE].set("dedup:bot:crashed-1", "1", ex=1.5)   # the dead handler's lease
    first = await sb.say("storesh", "@小鲸 上海徐汇店空调不制冷了", chatid="wr_sh_xuhui", msgid="crashed-1")
    stream = first["reply"]["stream"]
    assert first["status"] == 200 and stream["finish"] is False

    async def finished():
        got = await sb.refresh("storesh", stream["id"], chatid="wr_sh_xuhui")
        reply = got["reply"] or {}
        return reply if reply.get("stream", {}).get("finish") else None
    done = await sb.wait_for(finished, timeout=15, interval=0.3)
    assert done and "#1" in done["stream"]["content"] + str(done.get("template_card", ""))
    assert len(await rows(desk.cfg, Ticket)) == 1
    again = await sb.say("storesh", "@小鲸 上海徐汇店空调不制冷了", chatid="wr_sh_xuhui", msgid="crashed-1")
    assert len(await rows(desk.cfg, Ticket)) == 1 and again["status"] == 200
