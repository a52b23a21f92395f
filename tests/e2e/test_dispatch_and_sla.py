"""Routing modes, timeouts, SLA and quiet hours, with the desk's clock moved by the sandbox."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from storage.models import OutboxMessage, Ticket, TicketEvent
from tests.conftest import base_config_data, rows

STORE, GROUP = "storesh", "wr_sh_xuhui"


def templates_with(**changes):
    """The shipped templates with some keys changed on one of them: {"hvac_repair": {...}}."""
    out = []
    for t in base_config_data()["templates"]:
        out.append({**t, **changes.get(t["code"], {})})
    return out


async def events(desk, kind):
    return [e for e in await rows(desk.cfg, TicketEvent) if e.kind == kind]


async def texts_containing(desk, userid, needle):
    return [x for x in await desk.sandbox.texts(userid) if needle in x]


async def test_offer_timeout_offers_the_next_engineers_then_the_dispatch_group(start):
    desk = await start(templates=templates_with(hvac_repair={"offer_k": 1, "offer_timeout_s": 60}))
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    # Round 1: one engineer, the one in the same city.
    assert len(await sb.wait_for(lambda: sb.job_cards("zhangwei"))) == 1
    assert await sb.job_cards("liqiang") == []
    await sb.advance(61)
    assert len(await sb.wait_for(lambda: sb.job_cards("liqiang"))) == 1
    [timeout] = await sb.wait_for(lambda: events(desk, "offer_timeout"))
    assert "zhangwei" in timeout.reason
    assert len(await sb.job_cards("zhangwei")) == 1, "nobody is offered the same job twice"
    # Round 2 expires too: nobody is left, the dispatch group is asked.
    await sb.advance(61)
    pushes = await sb.wait_for(lambda: sb.pushes("wr_east_dispatch"))
    assert "#1" in pushes[0]
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.status == "offered" and ticket.offer_expires_at is None and ticket.offer_round == 2
    # A late claim still works: the ticket was never withdrawn from the desk.
    late = await sb.say("zhangwei", "@小鲸 接单 1", chatid="wr_east_dispatch")
    assert "您已接单" in late["reply"]["stream"]["content"]


async def test_assign_mode_and_decline(start):
    people = base_config_data()["people"] + [
        {"userid": "zhaolei", "name": "赵磊", "roles": ["engineer"], "skills": ["elevator"], "regions": ["east"],
         "city": "杭州", "capacity": 2}]
    desk = await start(people=people)
    sb = desk.sandbox
    created = await sb.say(STORE, "@小鲸 徐汇店电梯异响", chatid=GROUP)
    assert "王芳" in created["reply"]["template_card"]["main_title"]["desc"]
    [ticket] = await rows(desk.cfg, Ticket)
    assert (ticket.status, ticket.assignee, ticket.dispatch_mode) == ("assigned", "wangfang", "assign")
    [card] = await sb.wait_for(lambda: sb.job_cards("wangfang"))
    assert [b["key"] for b in card["button_list"]] == ["decline:1"]
    await sb.click("wangfang", card["task_id"], "decline:1")
    [ticket] = await rows(desk.cfg, Ticket)
    assert (ticket.status, ticket.assignee) == ("assigned", "zhaolei")
    assert ticket.data["declined"] == ["wangfang"]
    assert await sb.wait_for(lambda: sb.job_cards("zhaolei"))
    routing = [e.reason for e in await rows(desk.cfg, TicketEvent, ticket_id=1) if e.to_status == "assigned"]
    assert any("赵磊" in r and "elevator" in r for r in routing), routing


async def test_routing_prefers_same_city_then_load_and_says_why(desk):
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    [offered] = [e for e in await rows(desk.cfg, TicketEvent, ticket_id=1) if e.to_status == "offered"]
    assert offered.reason.index("张伟") < offered.reason.index("李强"), "the Shanghai engineer is ranked first"
    assert "same city" in offered.reason and "load 0/3" in offered.reason


async def test_off_duty_engineers_are_not_offered(start):
    people = base_config_data()["people"]
    for p in people:
        if p["userid"] == "zhangwei":
            p["working_hours"] = "09:00-09:01"  # practically never on duty
    desk = await start(people=people)
    await desk.sandbox.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    assert await desk.sandbox.wait_for(lambda: desk.sandbox.job_cards("liqiang"))
    assert await desk.sandbox.job_cards("zhangwei") == []


async def test_neighbouring_region_when_the_own_has_nobody(start):
    # Nobody does POS in central China; the east (a neighbour) has 陈杰.
    desk = await start()
    sb = desk.sandbox
    await sb.say("someone", "@小鲸 武汉店收银机打不开", chatid="wr_any")
    assert await sb.wait_for(lambda: sb.job_cards("chenjie"))
    [offered] = [e for e in await rows(desk.cfg, TicketEvent, ticket_id=1) if e.to_status == "offered"]
    assert "widened to region east" in offered.reason
    # The engineer offered the job across the border can take it (their region is not central).
    await sb.say("chenjie", "@小鲸 #1 接单", chatid="wr_east_dispatch")
    [ticket] = await rows(desk.cfg, Ticket, id=1)
    assert ticket.assignee == "chenjie" and ticket.status == "assigned"


async def test_sla_nudge_breach_and_escalation(start):
    # critical policy (7×24): response 30 min for normal urgency; offers never time out here.
    desk = await start(templates=templates_with(hvac_repair={"sla": "critical", "offer_timeout_s": 86400}))
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    await sb.advance(25 * 60)  # past 80 % of 30 minutes
    nudges = await sb.wait_for(lambda: texts_containing(desk, "zhangwei", "时限快到了"))
    assert nudges and "#1" in nudges[0]
    assert await texts_containing(desk, "zhaomin", "超时") == []
    await sb.advance(6 * 60)  # past the deadline
    breach = await sb.wait_for(lambda: texts_containing(desk, "zhaomin", "超时"))
    assert breach and "#1" in breach[0] and "响应" in breach[0]
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.sla_breached and ticket.escalated and ticket.escalation_level == 1
    assert await texts_containing(desk, "admin", "升级") == []
    await sb.advance(31 * 60)  # nothing moved for escalation.repeat_after_min
    escalated = await sb.wait_for(lambda: texts_containing(desk, "admin", "升级"))
    assert escalated and "第 2 级" in escalated[0]
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.escalation_level == 2 and ticket.next_check_at is None
    kinds = [e.kind for e in await rows(desk.cfg, TicketEvent, ticket_id=1)]
    assert kinds.count("sla_nudge") == 1 and kinds.count("sla_breach") == 1 and kinds.count("escalation") == 1


async def test_claiming_in_time_means_no_breach(start):
    desk = await start(templates=templates_with(hvac_repair={"sla": "critical", "offer_timeout_s": 86400}))
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    await sb.advance(10 * 60)
    await sb.say("zhangwei", "@小鲸 接单 1", chatid="wr_east_dispatch")
    await sb.advance(25 * 60)  # the response deadline passes, but it was met
    await sb.wait_for(lambda: events(desk, "sla_nudge"), timeout=1)
    [ticket] = await rows(desk.cfg, Ticket)
    assert not ticket.sla_breached
    assert await events(desk, "sla_breach") == []


def _night_offset() -> float:
    """Seconds from now to the next 23:00 in Shanghai."""
    tz = ZoneInfo("Asia/Shanghai")
    now = datetime.now(timezone.utc).astimezone(tz)
    target = now.replace(hour=23, minute=0, second=0, microsecond=0)
    if target <= now:
        target += timedelta(days=1)
    return (target - now).total_seconds()


async def test_quiet_hours_hold_staff_notices_until_morning(start):
    desk = await start(quiet_hours={"enabled": True, "start": "22:00", "end": "08:00"})
    sb = desk.sandbox
    await sb.advance(_night_offset())  # 23:00 in Shanghai
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    # The offer is actionable and only goes to engineers on duty: it is not held.
    assert await sb.wait_for(lambda: sb.job_cards("zhangwei"))
    await sb.say("zhangwei", "@小鲸 接单 1", chatid="wr_east_dispatch")
    # The customer cancels: answered at once; the engineer's notice waits for the morning.
    cancelled = await sb.say(STORE, "@小鲸 取消工单 1 不用修了", chatid=GROUP)
    assert "取消" in cancelled["reply"]["stream"]["content"]
    held = [m for m in await rows(desk.cfg, OutboxMessage)
            if m.dest == "zhangwei" and m.status == "pending" and m.kind == "app_message"]   # not his card's update
    assert len(held) == 1
    wake = held[0].next_attempt_at.replace(tzinfo=timezone.utc).astimezone(ZoneInfo("Asia/Shanghai"))
    assert (wake.hour, wake.minute) == (8, 0)
    assert await texts_containing(desk, "zhangwei", "取消") == []
    await sb.advance(9 * 3600 + 60)  # 08:01
    assert await sb.wait_for(lambda: texts_containing(desk, "zhangwei", "取消"))


async def test_urgent_notices_are_never_held(start):
    desk = await start(quiet_hours={"enabled": True, "start": "22:00", "end": "08:00"},
                       templates=templates_with(hvac_repair={"sla": "critical", "offer_timeout_s": 86400}))
    sb = desk.sandbox
    await sb.advance(_night_offset())
    await sb.say(STORE, "@小鲸 上海徐汇店空调漏水了", chatid=GROUP)
    await sb.advance(9 * 60)  # urgent response target is 10 minutes: nudge at 8
    assert await sb.wait_for(lambda: texts_containing(desk, "zhangwei", "时限快到了"))


async def test_open_job_counts_stay_true_through_claims_declines_cancels_and_completions(start):
    from storage.models import Person
    from storage.tickets import OPEN_STATUSES

    people = base_config_data()["people"] + [
        {"userid": "zhaolei", "name": "赵磊", "roles": ["engineer"], "skills": ["elevator"], "regions": ["east"],
         "city": "杭州", "capacity": 2}]
    desk = await start(people=people)
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)          # 1: claimed, completed
    await sb.say(STORE, "@小鲸 徐汇店收银机打不开", chatid=GROUP)              # 2: claimed, cancelled
    await sb.say(STORE, "@小鲸 徐汇店电梯异响", chatid=GROUP)                  # 3: assigned, declined → zhaolei
    await sb.say(STORE, "@小鲸 上海徐汇店空调又不制冷了", chatid=GROUP)        # added to #1 (same store, skill) …
    await sb.say(STORE, "@小鲸 另开新单", chatid=GROUP)                        # 4: … opened anyway; claimed, stays open
    await sb.say("zhangwei", "@小鲸 接单 1", chatid=DISPATCH_ROOM)
    await sb.say("chenjie", "@小鲸 接单 2", chatid=DISPATCH_ROOM)
    await sb.say("liqiang", "@小鲸 接单 4", chatid=DISPATCH_ROOM)
    [card] = await sb.wait_for(lambda: sb.job_cards("wangfang"))
    await sb.click("wangfang", card["task_id"], "decline:3")
    await sb.say("zhangwei", "@小鲸 #1 到了", chatid=DISPATCH_ROOM)
    await sb.say("zhangwei", "@小鲸 #1 完工 工时1小时", chatid=DISPATCH_ROOM)
    await sb.say(STORE, "@小鲸 取消工单 2", chatid=GROUP)
    tickets = await rows(desk.cfg, Ticket)
    truth = {}
    for t in tickets:
        if t.assignee and t.status in OPEN_STATUSES:
            truth[t.assignee] = truth.get(t.assignee, 0) + 1
    counted = {p.userid: p.open_jobs for p in await rows(desk.cfg, Person) if p.open_jobs}
    assert counted == truth == {"liqiang": 1, "zhaolei": 1}


DISPATCH_ROOM = "wr_east_dispatch"
