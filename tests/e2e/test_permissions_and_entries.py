"""Permissions (each refusal a clear sentence), the three ways in, approvals, CSAT follow-ups and
template versions."""

from __future__ import annotations

import json

import aiohttp

from storage.models import Ticket, TicketEvent
from tests.conftest import base_config_data, rows
from tests.e2e.helpers import run_cli, write_config
from tests.e2e.test_dispatch_and_sla import templates_with

STORE, GROUP, DISPATCH = "storesh", "wr_sh_xuhui", "wr_east_dispatch"
TOKEN = "api-test-token"


async def reply_text(result):
    r = result["reply"]
    return r["stream"]["content"] if r["msgtype"] == "stream" else json.dumps(r, ensure_ascii=False)


async def claimed_ticket(desk):
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    await sb.say("zhangwei", "@小鲸 接单 1", chatid=DISPATCH)


async def test_permission_refusals(start):
    people = base_config_data()["people"] + [
        {"userid": "southboss", "name": "华南主管", "roles": ["manager"], "regions": ["south"]}]
    desk = await start(people=people)
    sb = desk.sandbox
    await claimed_ticket(desk)
    say = lambda user, text, chat=DISPATCH: sb.say(user, text, chatid=chat)  # noqa: E731
    # Another engineer cannot report progress on a job that is not theirs.
    assert "不是您负责" in await reply_text(await say("liqiang", "@小鲸 #1 到了"))
    # A customer cannot report progress at all.
    assert "工程师或主管" in await reply_text(await say(STORE, "@小鲸 #1 到了", GROUP))
    # An engineer who is not the assignee cannot cancel.
    assert "不能取消" in await reply_text(await say("liqiang", "@小鲸 取消工单 1"))
    # A manager of another region does not even see it.
    assert "没有找到工单 #1" in await reply_text(await say("southboss", "@小鲸 #1 到了"))
    # Engineers cannot rate.
    await say("zhangwei", "@小鲸 #1 到了")
    assert "只有报修门店" in await reply_text(await say("zhangwei", "@小鲸 #1 5星"))
    # Once the engineer is on site the customer can no longer cancel.
    assert "已到场" in await reply_text(await say(STORE, "@小鲸 取消工单 1", GROUP))
    [ticket] = await rows(desk.cfg, Ticket)
    assert (ticket.status, ticket.assignee, ticket.rating) == ("on_site", "zhangwei", None)
    # The region's manager may cancel.
    assert "已取消" in await reply_text(await say("zhaomin", "@小鲸 取消工单 1"))
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.status == "cancelled"


async def test_customer_cancels_before_arrival(desk):
    sb = desk.sandbox
    await claimed_ticket(desk)
    result = await sb.say(STORE, "@小鲸 不用修了 取消工单 1", chatid=GROUP)
    assert "已取消" in await reply_text(result)
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.status == "cancelled" and ticket.next_check_at is None
    again = await sb.say(STORE, "@小鲸 取消工单 1", chatid=GROUP)
    assert "已取消" in await reply_text(again) and "不能" in await reply_text(again)


async def test_staff_open_a_ticket_for_a_store(desk):
    sb = desk.sandbox
    result = await sb.say("zhaomin", "@小鲸 帮上海徐汇店报修 空调不制冷", chatid=DISPATCH)
    assert result["reply"]["msgtype"] == "template_card"
    [ticket] = await rows(desk.cfg, Ticket)
    assert (ticket.reporter, ticket.chatid, ticket.city, ticket.data["store"]) == ("zhaomin", GROUP, "上海", "上海徐汇店")
    created = [e for e in await rows(desk.cfg, TicketEvent, ticket_id=1) if e.kind == "created"][0]
    assert "on behalf of 上海徐汇店" in created.reason
    # The store's group hears about it like any other ticket.
    await sb.say("zhangwei", "@小鲸 接单 1", chatid=DISPATCH)
    assert await sb.wait_for(lambda: sb.pushes(GROUP))


async def post_ticket(desk, body, *, key=None, token=TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if key:
        headers["Idempotency-Key"] = key
    async with aiohttp.ClientSession() as http:
        async with http.post(desk.url + "/api/tickets", json=body, headers=headers) as resp:
            return resp.status, await resp.json(), resp.headers


async def test_rest_entry_with_idempotency(start):
    desk = await start(server={"api_token": TOKEN})
    body = {"skill": "hvac", "city": "上海", "description": "IoT alarm: compressor temperature high",
            "urgency": "urgent", "chatid": GROUP, "external_ref": "iot-7731"}
    status, first, _ = await post_ticket(desk, body, key="iot-7731-1")
    assert status == 201 and first["id"] == 1 and first["status"] == "offered" and first["template"] == "hvac_repair"
    status, again, headers = await post_ticket(desk, body, key="iot-7731-1")
    assert status == 201 and again == first and headers.get("Idempotent-Replayed") == "true"
    status, err, _ = await post_ticket(desk, {**body, "urgency": "normal"}, key="iot-7731-1")
    assert status == 422 and "different body" in err["error"]
    assert len(await rows(desk.cfg, Ticket)) == 1
    assert (await rows(desk.cfg, Ticket))[0].source == "api"
    for bad, reason in (({"city": "上海"}, "skill or template"), ({"skill": "teleport", "city": "上海"}, "skill"),
                        ({"skill": "hvac", "city": "火星"}, "city"), ({"skill": "hvac", "urgency": "meh"}, "urgency"),
                        ({"skill": "hvac", "city": "上海", "extra": 1}, "extra")):
        status, err, _ = await post_ticket(desk, bad)
        assert status == 400 and reason in err["error"], (bad, err)
    assert (await post_ticket(desk, body, token=None))[0] == 401
    assert (await post_ticket(desk, body, token="nope"))[0] == 403
    assert len(await rows(desk.cfg, Ticket)) == 1
    # A ticket opened for a Thai store speaks Thai to that store.
    status, bkk, _ = await post_ticket(desk, {"skill": "hvac", "city": "曼谷", "chatid": "wr_bkk_siam",
                                              "description": "Chiller alarm"})
    assert status == 201
    [thai] = await rows(desk.cfg, Ticket, id=bkk["id"])
    assert (thai.language, thai.region) == ("th", "th")


async def test_rest_and_chat_open_tickets_by_the_same_rules(start):
    # A template that needs the store: chat asks for it, REST is told which field is missing.
    desk = await start(server={"api_token": TOKEN},
                       template_defaults={"fields": [{"key": "city", "required": True},
                                                     {"key": "store", "required": True}]})
    asked = await desk.sandbox.say("zhaomin", "@小鲸 上海 空调不制冷", chatid=DISPATCH)
    assert "门店" in await reply_text(asked)
    status, err, _ = await post_ticket(desk, {"skill": "hvac", "city": "上海"})
    assert status == 400 and err["error"] == "store: required by template 'hvac_repair'"
    status, err, _ = await post_ticket(desk, {"skill": "hvac", "city": "上海", "store": "徐汇店", "chatid": "wr_nope"})
    assert status == 400 and err["error"] == "chatid: unknown group 'wr_nope'"
    assert await rows(desk.cfg, Ticket) == []
    status, made, _ = await post_ticket(desk, {"skill": "hvac", "city": "上海", "store": "徐汇店"})
    assert status == 201 and made["template"] == "hvac_repair" and made["offered_to"]
    [ticket] = await rows(desk.cfg, Ticket)
    assert (ticket.source, ticket.data["store"], ticket.region) == ("api", "徐汇店", "east")


async def test_completion_above_the_limit_waits_for_approval(desk):
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 徐汇店电梯异响", chatid=GROUP)  # elevator_repair: assign mode, approval above 1000
    await sb.say("wangfang", "@小鲸 #1 到了", chatid=DISPATCH)
    result = await sb.say("wangfang", "@小鲸 #1 完工 工时5小时", chatid=DISPATCH)  # 300 + 5 × 150 = 1050
    assert "审批" in await reply_text(result)
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.status == "awaiting_approval"
    # Another region's engineer cannot approve; the east manager can, by the card's button.
    [card] = await sb.wait_for(lambda: sb.job_cards("zhaomin"))
    assert [b["key"] for b in card["button_list"]] == ["approve:1", "reject:1"]
    await sb.click("zhaomin", card["task_id"], "approve:1")
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.status == "completed" and ticket.data["approved"] == "zhaomin"
    async def breakdown():
        return [p for p in await sb.pushes(GROUP) if "费用明细" in p]

    [pushed] = await sb.wait_for(breakdown)
    assert "1050.00" in pushed  # 300.00 + 5 h × 150.00, before tax


async def test_rejected_completion_goes_back_to_work(desk):
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 徐汇店电梯异响", chatid=GROUP)
    await sb.say("wangfang", "@小鲸 #1 到了", chatid=DISPATCH)
    await sb.say("wangfang", "@小鲸 #1 完工 工时5小时", chatid=DISPATCH)
    refused = await sb.say("zhangwei", "@小鲸 批准", chatid=DISPATCH)  # not a button: no approval by text
    [card] = await sb.wait_for(lambda: sb.job_cards("zhaomin"))
    await sb.click("zhaomin", card["task_id"], "reject:1")
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.status == "in_progress" and refused["status"] == 200


async def test_low_rating_alerts_the_manager_and_opens_a_follow_up(desk):
    sb = desk.sandbox
    await claimed_ticket(desk)
    await sb.say("zhangwei", "@小鲸 #1 到了", chatid=DISPATCH)
    await sb.say("zhangwei", "@小鲸 #1 完工 工时1小时", chatid=DISPATCH)
    result = await sb.say(STORE, "@小鲸 2星 太慢了", chatid=GROUP)
    assert "#2" in await reply_text(result)
    first, follow = sorted(await rows(desk.cfg, Ticket), key=lambda t: t.id)
    assert (first.rating, first.status) == (2, "confirmed")
    assert (follow.parent_id, follow.urgency, follow.chatid) == (1, "urgent", GROUP)
    alerts = await sb.wait_for(lambda: texts_of(sb, "zhaomin", "2 星"))
    assert alerts and "#2" in alerts[0]
    again = await sb.say(STORE, "@小鲸 #1 5星", chatid=GROUP)
    assert "已经评过" in await reply_text(again)


async def texts_of(sb, userid, needle):
    return [x for x in await sb.texts(userid) if needle in x]


async def test_template_rollback_changes_new_tickets_not_old(start, tmp_path):
    sb_first = await start()
    await sb_first.sandbox.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    # The template changes in config (one engineer per offer), and the desk restarts on the same database.
    desk = await start(reset=False, templates=templates_with(hvac_repair={"offer_k": 1}))
    await desk.sandbox.say(STORE, "@小鲸 上海徐汇店空调又坏了 不制冷", chatid=GROUP)   # added to the open #1 …
    await desk.sandbox.say(STORE, "@小鲸 另开新单", chatid=GROUP)                    # … then opened as #2 anyway
    path = write_config(desk.cfg)

    async def run(*a):
        return await run_cli("templates", *a, "--config", str(path))

    code, out, err = await run("history", "hvac_repair")
    history = [json.loads(line) for line in out.splitlines()]
    assert [(h["version"], h["active"]) for h in history] == [(1, False), (2, True)], err
    assert history[1]["content"]["offer_k"] == 1 and history[0]["content"]["offer_k"] == 3
    code, out, err = await run("rollback", "hvac_repair", "1")
    assert code == 0, err
    assert json.loads(out) == {"code": "hvac_repair", "active_version": 3, "content_of": 1}
    assert (await run("rollback", "hvac_repair", "9"))[0] == 2
    from bot.app import SERVICES

    desk.app[SERVICES].templates.invalidate()  # serve processes re-read heads within 5 s
    await desk.sandbox.say(STORE, "@小鲸 上海徐汇店收银机坏了", chatid=GROUP)  # pos: unaffected
    await desk.sandbox.say(STORE, "@小鲸 徐汇店空调漏水", chatid=GROUP)
    await desk.sandbox.say(STORE, "@小鲸 另开新单", chatid=GROUP)   # #4, not added to the open #2
    tickets = {t.id: t for t in await rows(desk.cfg, Ticket)}
    assert [tickets[i].template_version for i in (1, 2, 4)] == [1, 2, 3]
    offered = {i: len([e for e in await rows(desk.cfg, TicketEvent, ticket_id=i) if e.to_status == "offered"][0]
                       .reason.split(";")) for i in (1, 2, 4)}
    assert offered == {1: 2, 2: 1, 4: 2}, offered  # two hvac engineers in the east; version 2 offered one
