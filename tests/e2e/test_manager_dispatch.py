"""Managers dispatch from chat (issue 12, "Acting"), through real encrypted callbacks and the
sandbox: "@小鲸 #1 派给 李强" assigns, "#1 改派 李强" reassigns, "#1 加急" / "#1 取消加急" change the
urgency (and the SLA deadlines), "#1 重新打开" reopens a cancelled ticket and routes it again, and
"华东区还有哪些工单没人接" / "华东区超时工单" list the whole region. Engineers, customers and managers
of other regions are refused and nothing changes. The breach alert says how to act."""

from __future__ import annotations

import json
from datetime import timedelta

from storage.models import Offer, Person, Ticket, TicketEvent
from tests.conftest import base_config_data, rows
from tests.e2e.test_dispatch_and_sla import templates_with

STORE, GROUP, DISPATCH = "storesh", "wr_sh_xuhui", "wr_east_dispatch"
SOUTH_BOSS = {"userid": "southboss", "name": "华南主管", "roles": ["manager"], "regions": ["south"]}
EMMA = {"userid": "emma", "name": "Emma", "roles": ["manager"], "regions": ["east"], "languages": ["en"]}
PEOPLE = base_config_data()["people"] + [SOUTH_BOSS, EMMA]
# One engineer per offer round and offers that never time out: who got a card is who we expect.
ONE_AT_A_TIME = templates_with(hvac_repair={"offer_k": 1, "offer_timeout_s": 86400})


def text_of(result):
    r = result["reply"]
    if r.get("msgtype") == "stream":
        return r["stream"]["content"]
    return json.dumps(r, ensure_ascii=False)


async def ticket_1(desk):
    [ticket] = [t for t in await rows(desk.cfg, Ticket) if t.id == 1]
    return ticket


async def kinds(desk, ticket_id=1):
    return [e.kind for e in await rows(desk.cfg, TicketEvent, ticket_id=ticket_id)]


async def open_jobs(desk, userid):
    [p] = await rows(desk.cfg, Person, userid=userid)
    return p.open_jobs


async def coded(desk, n):
    offers = await rows(desk.cfg, Offer)
    return offers if sum(1 for o in offers if o.response_code) >= n else None


async def texts_with(sb, userid, needle):
    return [x for x in await sb.texts(userid) if needle in x]


async def pushes_with(sb, chatid, needle):
    return [x for x in await sb.pushes(chatid) if needle in x]


async def report(sb, text="@小鲸 上海徐汇店空调不制冷了", chatid=GROUP, userid=STORE):
    return await sb.say(userid, text, chatid=chatid)


async def test_a_manager_assigns_an_offered_ticket_the_engineer_gets_the_job_card_and_the_group_a_push(start):
    desk = await start(people=PEOPLE, templates=ONE_AT_A_TIME)
    sb = desk.sandbox
    await report(sb)
    await sb.wait_for(lambda: coded(desk, 1))   # offered to 张伟 alone, his card's code stored
    assert await sb.job_cards("liqiang") == []

    said = text_of(await sb.say("zhaomin", "@小鲸 #1 派给 李强", chatid=DISPATCH))
    assert "李强" in said and "#1" in said
    # The job card an automatic assignment sends: "派单 #1" with its decline button.
    [card] = await sb.wait_for(lambda: sb.job_cards("liqiang"))
    assert card["main_title"]["title"].startswith("派单 #1")
    assert [b["key"] for b in card["button_list"]] == ["decline:1"]
    # The store's group is told, as with a claim.
    assert await sb.wait_for(lambda: pushes_with(sb, GROUP, "已派给工程师 李强"))
    # 张伟's live offer card is greyed the way a claim greys it.
    [update] = await sb.wait_for(lambda: sb.deliveries("message/update_template_card"))
    assert update["touser"] == ["zhangwei"] and update["body"]["button"] == {"replace_name": "已被 李强 接单"}

    ticket = await ticket_1(desk)
    assert (ticket.status, ticket.assignee, ticket.offer_expires_at) == ("assigned", "liqiang", None)
    assert {o.userid: o.status for o in await rows(desk.cfg, Offer)} == {"zhangwei": "lost"}
    assert await open_jobs(desk, "liqiang") == 1
    [event] = [e for e in await rows(desk.cfg, TicketEvent, ticket_id=1) if e.kind == "assigned"]
    assert event.actor == "zhaomin" and "李强" in event.reason and event.data["to"] == "liqiang"
    [status] = [e for e in await rows(desk.cfg, TicketEvent, ticket_id=1) if e.to_status == "assigned"]
    assert status.actor == "zhaomin"

    # The engineer may still decline, as with any assignment: the next best one gets it.
    await sb.click("liqiang", card["task_id"], "decline:1")
    ticket = await ticket_1(desk)
    assert ticket.assignee == "zhangwei" and ticket.status == "assigned"


async def test_a_manager_reassigns_and_the_previous_engineer_is_told(start):
    desk = await start(people=PEOPLE, templates=ONE_AT_A_TIME)
    sb = desk.sandbox
    await report(sb)
    await sb.say("zhangwei", "@小鲸 接单 1", chatid=DISPATCH)
    await sb.say("zhangwei", "@小鲸 #1 出发了 20分钟到", chatid=DISPATCH)
    assert (await ticket_1(desk)).status == "departed"
    assert await open_jobs(desk, "zhangwei") == 1

    said = text_of(await sb.say("zhaomin", "@小鲸 #1 改派 李强", chatid=DISPATCH))
    assert "改派" in said and "李强" in said
    [told] = await sb.wait_for(lambda: texts_with(sb, "zhangwei", "改派给 李强"))
    assert "#1" in told and "赵敏" in told
    assert await sb.wait_for(lambda: sb.job_cards("liqiang"))
    assert await sb.wait_for(lambda: pushes_with(sb, GROUP, "已改派给工程师 李强"))

    ticket = await ticket_1(desk)
    assert (ticket.status, ticket.assignee, ticket.eta_at) == ("assigned", "liqiang", None)
    assert await open_jobs(desk, "zhangwei") == 0 and await open_jobs(desk, "liqiang") == 1
    [event] = [e for e in await rows(desk.cfg, TicketEvent, ticket_id=1) if e.kind == "reassigned"]
    assert event.actor == "zhaomin" and event.data["from"] == "zhangwei" and event.data["to"] == "liqiang"
    # The same person again is no change.
    assert "已经由 李强 负责" in text_of(await sb.say("zhaomin", "@小鲸 #1 派给 李强", chatid=DISPATCH))


async def test_engineers_customers_and_other_regions_managers_are_refused_and_nothing_changes(start):
    desk = await start(people=PEOPLE, templates=ONE_AT_A_TIME)
    sb = desk.sandbox
    await report(sb)
    await sb.wait_for(lambda: sb.job_cards("zhangwei"))
    before = await ticket_1(desk)

    refused = "只有区域主管"
    assert refused in text_of(await sb.say("zhangwei", "@小鲸 #1 派给 李强", chatid=DISPATCH))
    assert refused in text_of(await sb.say("liqiang", "@小鲸 #1 加急", chatid=DISPATCH))
    assert refused in text_of(await sb.say(STORE, "@小鲸 #1 加急", chatid=GROUP))
    assert refused in text_of(await sb.say(STORE, "@小鲸 #1 派给 李强", chatid=GROUP))
    assert refused in text_of(await sb.say(STORE, "@小鲸 华东区还有哪些工单没人接", chatid=GROUP))
    # A manager of another region does not even see it (as with every other command).
    assert "没有找到工单 #1" in text_of(await sb.say("southboss", "@小鲸 #1 派给 李强", chatid=DISPATCH))
    assert "没有找到工单 #1" in text_of(await sb.say("southboss", "@小鲸 #1 加急", chatid=DISPATCH))
    assert "不在您负责的区域" in text_of(await sb.say("southboss", "@小鲸 华东区待派单", chatid=DISPATCH))
    # In the reader's language (Lucas reads French), in the app's 1:1 chat.
    await sb.direct("lucas", "#1 assign to Li Qiang")
    assert await sb.wait_for(lambda: texts_with(sb, "lucas", "Seul le responsable d'une région"))

    after = await ticket_1(desk)
    assert (after.status, after.assignee, after.urgency, after.response_due) == (
        before.status, before.assignee, before.urgency, before.response_due)
    assert not {"assigned", "reassigned", "urgency", "reopened"} & set(await kinds(desk))
    assert await sb.job_cards("liqiang") == []
    assert await sb.deliveries("message/update_template_card") == []


async def test_a_job_nobody_can_take_is_assigned_across_regions_but_never_without_the_skill(start):
    desk = await start(people=PEOPLE)
    sb = desk.sandbox
    # Nobody in the east (or central China) does plumbing: the dispatch group is asked.
    await report(sb, "@小鲸 上海徐汇店后厨下水道堵塞 水漫出来了")
    assert await sb.wait_for(lambda: sb.pushes(DISPATCH))
    assert (await ticket_1(desk)).status == "new"

    listed = text_of(await sb.say("zhaomin", "@小鲸 华东区待派单", chatid=DISPATCH))
    assert "#1" in listed and "/tickets/1?sig=" in listed
    # Skills are qualifications: no override for them.
    no_skill = text_of(await sb.say("zhaomin", "@小鲸 #1 派给 张伟", chatid=DISPATCH))
    assert "没有「水管」技能" in no_skill
    assert "找不到「王五」" in text_of(await sb.say("zhaomin", "@小鲸 #1 派给 王五", chatid=DISPATCH))
    assert "不是工程师" in text_of(await sb.say("zhaomin", "@小鲸 #1 派给 赵敏", chatid=DISPATCH))
    assert (await ticket_1(desk)).status == "new"
    # The region is the router's preference, a manager's to overrule: 刘洋 (south) gets it, and the
    # reply says what was overruled.
    said = text_of(await sb.say("zhaomin", "@小鲸 #1 派给 刘洋", chatid=DISPATCH))
    assert "刘洋" in said and "不负责华东" in said
    [card] = await sb.wait_for(lambda: sb.job_cards("liuyang"))
    assert card["main_title"]["title"].startswith("派单 #1")
    ticket = await ticket_1(desk)
    assert (ticket.status, ticket.assignee) == ("assigned", "liuyang")
    [event] = [e for e in await rows(desk.cfg, TicketEvent, ticket_id=1) if e.kind == "assigned"]
    assert event.data["overrides"] == ["region"]
    assert "没有待派单" in text_of(await sb.say("zhaomin", "@小鲸 华东区待派单", chatid=DISPATCH))


async def test_urgency_moves_the_sla_deadlines_and_everyone_is_told(start):
    # critical: 7×24, so the deadlines are plain minutes from the report (normal 30/240, urgent 10/60).
    desk = await start(people=PEOPLE, templates=templates_with(hvac_repair={"sla": "critical",
                                                                             "offer_timeout_s": 86400}))
    sb = desk.sandbox
    await report(sb)
    await sb.say("zhangwei", "@小鲸 接单 1", chatid=DISPATCH)
    ticket = await ticket_1(desk)
    assert ticket.onsite_due == ticket.created_at + timedelta(minutes=240)

    said = text_of(await sb.say("zhaomin", "@小鲸 #1 加急", chatid=DISPATCH))
    assert "紧急" in said
    ticket = await ticket_1(desk)
    assert ticket.urgency == "urgent"
    assert ticket.response_due == ticket.created_at + timedelta(minutes=10)
    assert ticket.onsite_due == ticket.created_at + timedelta(minutes=60)
    assert ticket.resolution_due == ticket.created_at + timedelta(minutes=240)
    assert ticket.next_check_at is not None and ticket.next_check_at <= ticket.onsite_due
    assert await sb.wait_for(lambda: pushes_with(sb, GROUP, "设为紧急"))
    assert await sb.wait_for(lambda: texts_with(sb, "zhangwei", "设为紧急"))
    [event] = [e for e in await rows(desk.cfg, TicketEvent, ticket_id=1) if e.kind == "urgency"]
    assert event.actor == "zhaomin" and event.data["from"] == "normal" and event.data["to"] == "urgent"

    assert "已经是紧急" in text_of(await sb.say("zhaomin", "@小鲸 #1 urgent", chatid=DISPATCH))
    assert "普通" in text_of(await sb.say("zhaomin", "@小鲸 #1 取消加急", chatid=DISPATCH))
    ticket = await ticket_1(desk)
    assert ticket.urgency == "normal" and ticket.onsite_due == ticket.created_at + timedelta(minutes=240)
    assert (await kinds(desk)).count("urgency") == 2


async def test_a_cancelled_ticket_is_reopened_and_routed_again_as_a_new_report(start):
    desk = await start(people=PEOPLE)
    sb = desk.sandbox
    await report(sb)
    assert await sb.wait_for(lambda: sb.job_cards("liqiang"))
    assert "并没有取消" in text_of(await sb.say("zhaomin", "@小鲸 #1 重新打开", chatid=DISPATCH))
    await sb.say("zhaomin", "@小鲸 取消工单 1", chatid=DISPATCH)
    assert (await ticket_1(desk)).status == "cancelled"

    said = text_of(await sb.say("zhaomin", "@小鲸 #1 重新打开", chatid=DISPATCH))
    assert "重新打开" in said
    ticket = await ticket_1(desk)
    assert ticket.status == "offered" and ticket.assignee is None and ticket.offer_round == 1
    assert ticket.offer_expires_at is not None and ticket.next_check_at is not None
    # Offered again, as a new report is: a fresh card each.
    assert len(await sb.wait_for(lambda: _at_least(sb.job_cards("zhangwei"), 2))) == 2
    assert len(await sb.wait_for(lambda: _at_least(sb.job_cards("liqiang"), 2))) == 2
    assert await sb.wait_for(lambda: pushes_with(sb, GROUP, "重新打开"))
    events = await rows(desk.cfg, TicketEvent, ticket_id=1)
    [reopened] = [e for e in events if e.kind == "reopened"]
    assert reopened.actor == "zhaomin"
    assert [e.to_status for e in events if e.to_status][-2:] == ["new", "offered"]
    # The new offer can be claimed as any other.
    assert "您已接单" in text_of(await sb.say("zhangwei", "@小鲸 接单 1", chatid=DISPATCH))


async def _at_least(awaitable, n):
    got = await awaitable
    return got if len(got) >= n else None


async def test_region_lists_cover_the_whole_region_not_just_this_group(start):
    desk = await start(people=PEOPLE)
    sb = desk.sandbox
    await report(sb)                                                            # #1 Shanghai (east)
    await report(sb, "@小鲸 杭州西湖店空调不制冷了", chatid="wr_hz_xihu", userid="storehz")   # #2 Hangzhou (east)
    await report(sb, "@小鲸 广州店空调不制冷了", chatid="wr_gz", userid="storegz")            # #3 Guangzhou (south)
    assert len(await rows(desk.cfg, Ticket)) == 3

    listed = text_of(await sb.say("zhaomin", "@小鲸 华东区还有哪些工单没人接", chatid=DISPATCH))
    assert "#1" in listed and "#2" in listed and "#3" not in listed
    assert "上海徐汇店" in listed and "杭州西湖店" in listed and "/tickets/2?sig=" in listed
    # Without a region: the manager's own regions; an admin's: all of them.
    mine = text_of(await sb.say("zhaomin", "@小鲸 待派单工单", chatid=DISPATCH))
    assert "#1" in mine and "#2" in mine and "#3" not in mine
    everyone = text_of(await sb.say("admin", "@小鲸 待派单工单", chatid=DISPATCH))
    assert "#1" in everyone and "#2" in everyone and "#3" in everyone
    # An English-reading manager, in the app's 1:1 chat.
    await sb.direct("emma", "unassigned in east")
    [en] = await sb.wait_for(lambda: texts_with(sb, "emma", "Unassigned tickets in East China"))
    assert "#1" in en and "#2" in en and "#3" not in en

    await sb.say("zhangwei", "@小鲸 接单 1", chatid=DISPATCH)
    listed = text_of(await sb.say("zhaomin", "@小鲸 华东区待派单", chatid=DISPATCH))
    assert "#1" not in listed and "#2" in listed


async def test_the_breach_alert_says_how_to_act_and_the_overdue_list_shows_it(start):
    desk = await start(people=PEOPLE, templates=templates_with(hvac_repair={"sla": "critical",
                                                                             "offer_timeout_s": 86400}))
    sb = desk.sandbox
    await report(sb)
    assert "没有超时" in text_of(await sb.say("zhaomin", "@小鲸 华东区超时工单", chatid=DISPATCH))
    await sb.advance(31 * 60)   # past the 30-minute response deadline
    [alert] = await sb.wait_for(lambda: texts_with(sb, "zhaomin", "超时"))
    assert "#1 派给 姓名" in alert, alert
    [en] = await sb.wait_for(lambda: texts_with(sb, "emma", "missed"))
    assert "#1 assign to NAME" in en

    listed = text_of(await sb.say("zhaomin", "@小鲸 华东区超时工单", chatid=DISPATCH))
    assert "#1" in listed and "超时的工单" in listed
    # Acting on it, exactly as the alert says.
    said = text_of(await sb.say("zhaomin", "@小鲸 #1 派给 张伟", chatid=DISPATCH))
    assert "张伟" in said
    ticket = await ticket_1(desk)
    assert (ticket.status, ticket.assignee) == ("assigned", "zhangwei")
