"""Understanding in context, through real encrypted AI-bot callbacks: a doubtful report is
confirmed before anything is created, a quoted card names the ticket, "the last one" means the
sender's latest ticket, a Cantonese or misspelt message still lands."""

from __future__ import annotations

from storage.models import Ticket, TicketEvent
from tests.conftest import rows

STORE, GROUP = "storesh", "wr_sh_xuhui"
DISPATCH = "wr_east_dispatch"
# Every report asks first: the flow is what is tested here, not where the model's doubt lies.
ASK_ALWAYS = {"nlu": {"confirm_below": 1.01}}


def text_of(reply):
    if "stream" in reply:
        return reply["stream"]["content"]
    card = reply["template_card"]
    return card["main_title"]["title"] + " " + card["main_title"].get("desc", "")


async def test_a_doubtful_report_is_asked_about_and_created_only_on_yes(start):
    desk = await start(**ASK_ALWAYS)
    sb = desk.sandbox
    asked = await sb.say(STORE, "@小鲸 上海徐汇店空调好像有点不对劲", chatid=GROUP)
    card = asked["reply"]["template_card"]
    assert card["card_type"] == "button_interaction" and "报修" in card["main_title"]["title"]
    assert [b["key"] for b in card["button_list"]] == ["answer:1", "answer:0"]
    assert await rows(desk.cfg, Ticket) == []   # nothing until it is confirmed

    yes = await sb.say(STORE, "@小鲸 是", chatid=GROUP)
    assert "#1" in text_of(yes["reply"])
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.skill == "hvac" and ticket.city == "上海" and "不对劲" in ticket.description


async def test_a_no_creates_nothing_and_says_so_in_the_readers_language(start):
    desk = await start(**ASK_ALWAYS)
    sb = desk.sandbox
    asked = await sb.say("storebkk", "@小鲸 แอร์ร้านสาขาสยามไม่เย็นเลย", chatid="wr_bkk_siam")
    assert "แจ้งซ่อม" in asked["reply"]["template_card"]["main_title"]["title"]
    no = await sb.say("storebkk", "@小鲸 ไม่ต้อง", chatid="wr_bkk_siam")
    assert "ไม่เปิดใบงาน" in text_of(no["reply"])
    assert await rows(desk.cfg, Ticket) == []
    # The question is answered: a later "yes" is not taken as its answer.
    later = await sb.say("storebkk", "@小鲸 ใช่", chatid="wr_bkk_siam")
    assert "#" not in text_of(later["reply"]) and await rows(desk.cfg, Ticket) == []


async def test_a_tap_on_the_question_card_confirms_and_the_answer_comes_by_response_url(start):
    desk = await start(**ASK_ALWAYS)
    sb = desk.sandbox
    asked = await sb.say(STORE, "@小鲸 上海徐汇店冷柜声音有点大", chatid=GROUP)
    card = asked["reply"]["template_card"]
    tapped = await sb.tap(STORE, card["task_id"], "answer:1", chatid=GROUP)
    update = tapped["reply"]
    assert update["response_type"] == "update_template_card"
    assert update["template_card"]["task_id"] == card["task_id"] and "button_list" not in update["template_card"]
    [ticket] = await rows(desk.cfg, Ticket)

    async def answered():
        return [c for c in await sb.calls("aibot/response") if f"#{ticket.id}" in str(c["body"])]
    assert await sb.wait_for(answered), "the full answer never reached the tap's response_url"


async def test_something_else_instead_of_an_answer_is_read_as_a_new_message(start):
    desk = await start(**ASK_ALWAYS)
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调好像有点不对劲", chatid=GROUP)
    other = await sb.say(STORE, "@小鲸 帮助", chatid=GROUP)
    assert "报修" in text_of(other["reply"]) and await rows(desk.cfg, Ticket) == []


async def test_a_message_quoting_a_job_card_is_about_that_job(desk):
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    [card] = await sb.wait_for(lambda: sb.job_cards("zhangwei"))
    quoted = card["main_title"]["title"] + " " + card["main_title"].get("desc", "")
    claimed = await sb.say("zhangwei", "@小鲸 这单我接了", chatid=DISPATCH, quote=quoted)
    assert "#1" in text_of(claimed["reply"])
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.status == "assigned" and ticket.assignee == "zhangwei"


async def test_the_last_one_is_the_senders_latest_open_ticket_in_this_chat(desk):
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    await sb.say(STORE, "@小鲸 上海徐汇店收银机开不了机", chatid=GROUP)
    cancelled = await sb.say(STORE, "@小鲸 刚才那个单取消吧 已经好了", chatid=GROUP)
    assert "#2" in text_of(cancelled["reply"])
    by_id = {t.id: t.status for t in await rows(desk.cfg, Ticket)}
    assert by_id == {1: by_id[1], 2: "cancelled"} and by_id[1] != "cancelled"


async def _reported_and_claimed(desk, report: str, claim: str) -> Ticket:
    """The store reports; zhangwei claims in his own words; the claim must land on job 1."""
    sb = desk.sandbox
    await sb.say(STORE, report, chatid=GROUP)
    claimed = await sb.say("zhangwei", claim, chatid=DISPATCH)
    assert "#1" in text_of(claimed["reply"])
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.status == "assigned" and ticket.assignee == "zhangwei"
    return ticket


async def test_cantonese_and_a_pinyin_slip_still_reach_the_right_step(desk):
    ticket = await _reported_and_claimed(desk, "@小鲸 上海徐汇店部冷气机坏咗", "@小鲸 介单 1")
    assert ticket.skill == "hvac"


async def test_a_reply_that_pastes_the_question_it_answers_is_read_as_the_answer(desk):
    """Read whole, "回复「#1 修好了没？」：修完了" is the store's question; it is the engineer's
    completion of job 1. A bare "4" under a pasted request for a mark is the store's mark."""
    sb = desk.sandbox
    await _reported_and_claimed(desk, "@小鲸 上海徐汇店空调不制冷了", "@小鲸 回复 小鲸：「新单 #1 上海徐汇店 空调不制冷」 我去")
    done = await sb.say("zhangwei", "@小鲸 回复「#1 修好了没？」：修完了 工时1 无配件", chatid=DISPATCH)
    assert "已完工" in text_of(done["reply"])
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.status == "completed"

    rated = await sb.say(STORE, "@小鲸 回复「请为 #1 打分（1-5）」：4", chatid=GROUP)
    assert "4" in text_of(rated["reply"])
    [ticket] = await rows(desk.cfg, Ticket)
    assert (ticket.status, ticket.rating) == ("confirmed", 4)


async def test_thanks_under_a_pasted_completion_changes_nothing(desk):
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    thanks = await sb.say(STORE, "@小鲸 「#1 已完工」- - - - - - 收到 谢谢师傅", chatid=GROUP)
    assert "#1" not in text_of(thanks["reply"])   # a friendly word back, no job step
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.status == "offered" and ticket.rating is None


async def test_a_fault_reported_under_a_finished_jobs_pasted_card_follows_that_job(desk):
    """"「小鲸：#1 已完工」 同一台空调又不制冷了": a new ticket, linked to the job whose fix did not
    hold, and the old job's history says it came back."""
    sb = desk.sandbox
    await _reported_and_claimed(desk, "@小鲸 上海徐汇店空调不制冷了", "@小鲸 #1 我来")
    await sb.say("zhangwei", "@小鲸 #1 完工 工时1 无配件", chatid=DISPATCH)
    again = await sb.say(STORE, "@小鲸 「小鲸：#1 已完工」 同一台空调又不制冷了！！才修了两天", chatid=GROUP)
    said = text_of(again["reply"])
    assert "#2" in said and "#1" in said and "复发" in said
    first, second = sorted(await rows(desk.cfg, Ticket), key=lambda t: t.id)
    assert first.status == "completed" and second.status != "completed"
    assert (second.skill, second.parent_id) == ("hvac", 1)
    back = [e for e in await rows(desk.cfg, TicketEvent) if e.kind == "came_back"]
    assert [(e.ticket_id, e.data) for e in back] == [(1, {"ticket": 2})]


async def test_a_fault_under_an_open_jobs_card_links_nothing(desk):
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    other = await sb.say(STORE, "@小鲸 「小鲸：#1 已创建」 另外收银机也开不了机了", chatid=GROUP)
    assert "#2" in text_of(other["reply"])
    second = max(await rows(desk.cfg, Ticket), key=lambda t: t.id)
    assert (second.skill, second.parent_id) == ("pos", None)
