"""Visit slots end to end through the sandbox: proposed by the engineer, confirmed by the store,
on the next card, reminded once with the desk's clock moved, blocking the engineer's calendar and
taking one job's room in routing."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from storage.appointments import Appointment
from storage.models import TicketEvent
from tests.conftest import rows

STORE, GROUP, XIHU, DISPATCH = "storesh", "wr_sh_xuhui", "wr_hz_xihu", "wr_east_dispatch"
SH = ZoneInfo("Asia/Shanghai")


def text_of(result: dict) -> str:
    reply = result["reply"]
    if reply.get("msgtype") == "template_card":
        card = reply["template_card"]
        return " ".join([card["main_title"].get("title", ""), card.get("sub_title_text", "")])
    return reply["stream"]["content"]


async def desk_now(sb) -> datetime:
    """The desk's clock (naive UTC), read without moving it."""
    return datetime.fromisoformat((await sb.advance(0))["now"].rstrip("Z"))


def local(utc: datetime) -> datetime:
    return utc.replace(tzinfo=timezone.utc).astimezone(SH)


async def containing(probe, needle: str) -> list[str]:
    return [x for x in await probe() if needle in x]


async def test_proposed_confirmed_reminded_blocking_and_counted_in_routing(start):
    desk = await start(routing={"attach_repeat_reports": False})
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    assert "您已接单" in text_of(await sb.say("zhangwei", "@小鲸 接单 1", chatid=DISPATCH))

    # The engineer proposes a time: stored as proposed, the store's group is asked.
    now = await desk_now(sb)
    tomorrow = (local(now) + timedelta(days=1)).date()
    span = f"{tomorrow:%m-%d} 10:00–12:00"
    proposed = text_of(await sb.say("zhangwei", "@小鲸 #1 明天上午10点到", chatid=DISPATCH))
    assert "已向门店提议" in proposed and span in proposed, proposed
    [appt] = await rows(desk.cfg, Appointment)
    start_utc = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 10, tzinfo=SH).astimezone(timezone.utc)
    assert (appt.status, appt.engineer, appt.ticket_id) == ("proposed", "zhangwei", 1)
    assert appt.start_at == start_utc.replace(tzinfo=None) and appt.end_at - appt.start_at == timedelta(hours=2)
    [asked] = await sb.wait_for(lambda: containing(lambda: sb.pushes(GROUP), "提议上门时间"))
    assert span in asked and "张伟" in asked and "确认" in asked
    # The reporter, a company member, also gets the app's 1:1 card with one button.
    [card] = await sb.wait_for(lambda: sb.job_cards(STORE))
    assert [b["key"] for b in card["button_list"]] == ["confirm_slot:1"]

    # "确认" in the group answers the pending question: confirmed, on the card pushed next.
    confirmed = text_of(await sb.say(STORE, "@小鲸 确认", chatid=GROUP))
    assert "已确认 #1" in confirmed and span in confirmed, confirmed
    [appt] = await rows(desk.cfg, Appointment)
    assert (appt.status, appt.confirmed_by) == ("confirmed", STORE)
    assert appt.remind_at == appt.start_at - timedelta(hours=1)
    assert await sb.wait_for(lambda: containing(lambda: sb.pushes(GROUP), f"预约: {span}"))
    assert await sb.wait_for(lambda: containing(lambda: sb.texts("zhangwei"), "门店已确认 #1"))
    # The card's button, tapped afterwards, answers that it is already confirmed (no second confirmation).
    await sb.click(STORE, card["task_id"], "confirm_slot:1")
    assert await sb.wait_for(lambda: containing(lambda: sb.texts(STORE), "已确认"))
    assert len([e for e in await rows(desk.cfg, TicketEvent, kind="appointment") if "confirmed" in e.reason]) == 1

    # The clock moves to 09:01 the next day: the reminder goes to the engineer and the store, once.
    target = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 9, 1, tzinfo=SH).astimezone(timezone.utc)
    await sb.advance((target.replace(tzinfo=None) - await desk_now(sb)).total_seconds())
    assert await sb.wait_for(lambda: containing(lambda: sb.texts("zhangwei"), "⏰ 提醒：#1"))
    assert await sb.wait_for(lambda: containing(lambda: sb.pushes(GROUP), "⏰ 提醒"))
    await sb.advance(30)
    await asyncio.sleep(0.5)   # several scheduler passes
    assert len(await containing(lambda: sb.texts("zhangwei"), "⏰ 提醒：#1")) == 1
    assert len(await containing(lambda: sb.pushes(GROUP), "⏰ 提醒")) == 1
    [appt] = await rows(desk.cfg, Appointment)
    assert appt.reminded and appt.remind_at is None

    # The next progress card still carries the slot.
    before = len(await sb.pushes(GROUP))
    await sb.say("zhangwei", "@小鲸 #1 出发", chatid=DISPATCH)
    newest = await sb.wait_for(lambda: _newer(sb, GROUP, before))
    assert any(f"预约: {span}" in p for p in newest), newest

    # A second ticket: the engineer's calendar refuses a slot overlapping the confirmed one.
    await sb.say(STORE, "@小鲸 杭州西湖店空调不制冷了", chatid=XIHU)
    assert "您已接单" in text_of(await sb.say("zhangwei", "@小鲸 接单 2", chatid=DISPATCH))
    refused = text_of(await sb.say("zhangwei", "@小鲸 #2 今天上午11点到", chatid=DISPATCH))
    assert "冲突" in refused and "#1" in refused, refused
    assert [a.ticket_id for a in await rows(desk.cfg, Appointment)] == [1]

    # Routing: 张伟 holds two jobs and a booked slot within the window (3 of 3): a new job goes to
    # 李强, not to him.
    await sb.say(STORE, "@小鲸 上海徐汇店冷柜不制冷了", chatid=GROUP)
    offered = [e for e in await rows(desk.cfg, TicketEvent, ticket_id=3) if e.to_status == "offered"]
    assert offered and "李强" in offered[0].reason and "张伟" not in offered[0].reason, offered
    assert await sb.wait_for(lambda: _cards_for(sb, "liqiang"))
    assert not [c for c in await sb.job_cards("zhangwei") if c["task_id"].startswith("job-3-")]


async def _newer(sb, chatid: str, before: int) -> list[str] | None:
    pushes = await sb.pushes(chatid)
    return pushes[before:] if len(pushes) > before else None


async def _cards_for(sb, userid: str) -> list[dict]:
    return [c for c in await sb.job_cards(userid) if c.get("task_id", "").startswith("job-3-")]


async def test_the_store_declines_and_times_out_of_range_are_refused(start):
    desk = await start(appointments={"max_days_ahead": 1})
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    await sb.say("zhangwei", "@小鲸 接单 1", chatid=DISPATCH)
    # A time that has passed, and one beyond appointments.max_days_ahead, are refused clearly.
    past = text_of(await sb.say("zhangwei", "@小鲸 #1 今天凌晨0点到", chatid=DISPATCH))
    assert "已经过去" in past, past
    far = text_of(await sb.say("zhangwei", "@小鲸 #1 大后天上午10点到", chatid=DISPATCH))
    assert "1 天以内" in far, far
    # A duration stays an ETA: no appointment.
    assert "出发" in text_of(await sb.say("zhangwei", "@小鲸 #1 出发 30分钟到", chatid=DISPATCH))
    assert await rows(desk.cfg, Appointment) == []
    proposed = text_of(await sb.say("zhangwei", "@小鲸 #1 明天下午3点半到", chatid=DISPATCH))
    assert "15:30–17:30" in proposed, proposed
    declined = text_of(await sb.say(STORE, "@小鲸 不", chatid=GROUP))
    assert "另约时间" in declined, declined
    [appt] = await rows(desk.cfg, Appointment)
    assert appt.status == "cancelled"
    assert await sb.wait_for(lambda: containing(lambda: sb.texts("zhangwei"), "门店没有接受 #1"))
