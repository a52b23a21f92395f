"""The whole story through HTTP and the sandbox: report → offer → claim → depart → arrive →
parts → resume → complete (priced) → rate."""

from __future__ import annotations

from storage.models import Ticket, TicketEvent
from tests.conftest import rows

STORE, GROUP = "storesh", "wr_sh_xuhui"


async def last_text(desk, userid, containing):
    async def probe():
        return [x for x in await desk.sandbox.texts(userid) if containing in x]
    found = await desk.sandbox.wait_for(probe)
    assert found, f"{userid} never got a message containing {containing!r}"
    return found[-1]


async def push_containing(desk, text):
    async def probe():
        return [p for p in await desk.sandbox.pushes(GROUP) if text in p]
    found = await desk.sandbox.wait_for(probe)
    assert found, f"no push into {GROUP} containing {text!r}: {await desk.sandbox.pushes(GROUP)}"
    return found[-1]


async def test_report_to_rating(desk):
    sb = desk.sandbox
    created = await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    assert "#1" in created["reply"]["template_card"]["main_title"]["title"]

    [card] = await sb.wait_for(lambda: sb.job_cards("zhangwei"))
    await sb.click("zhangwei", card["task_id"], "claim:1")
    assert "张伟" in await push_containing(desk, "已接单")

    await sb.direct("zhangwei", "#1 出发了 大概30分钟到")
    departed = await push_containing(desk, "已出发")
    assert "预计" in departed
    await last_text(desk, "zhangwei", "已出发")

    await sb.direct("zhangwei", "#1 到了")
    await push_containing(desk, "已到场")

    await sb.direct("zhangwei", "#1 缺配件 压缩机 明天到")
    assert "压缩机" in await push_containing(desk, "需要配件")
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.status == "waiting_parts" and ticket.sla_paused_at is not None

    await sb.direct("zhangwei", "#1 配件到了 开始维修")
    await push_containing(desk, "开始维修")
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.status == "in_progress" and ticket.sla_paused_at is None

    await sb.direct("zhangwei", "#1 完工 工时2小时 配件180元")
    await push_containing(desk, "已完工")
    completed = await push_containing(desk, "费用明细")
    # hvac_repair in east: 150.00 + 2 h × 80.00 + parts 180.00 = 490.00, tax 6 % = 29.40 → 519.40
    for figure in ("150.00", "160.00", "180.00", "29.40", "519.40"):
        assert figure in completed, (figure, completed)
    ask = await push_containing(desk, "打分")
    assert "#1" in ask

    rated = await sb.say(STORE, "@小鲸 5星 师傅很专业", chatid=GROUP)
    assert "5" in rated["reply"]["stream"]["content"]
    [ticket] = await rows(desk.cfg, Ticket)
    assert (ticket.status, ticket.rating, ticket.assignee) == ("confirmed", 5, "zhangwei")
    statuses = [e.to_status for e in await rows(desk.cfg, TicketEvent, ticket_id=1) if e.to_status]
    assert statuses == ["new", "offered", "assigned", "departed", "on_site", "waiting_parts", "in_progress",
                        "completed", "confirmed"]


async def test_completion_right_after_a_claim_implies_the_arrival(desk):
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    await sb.say("zhangwei", "@小鲸 接单 1", chatid="wr_east_dispatch")
    done = await sb.say("zhangwei", "@小鲸 #1 完工 工时1小时", chatid="wr_east_dispatch")
    assert "已完工" in done["reply"]["stream"]["content"]
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.status == "completed"
    # The audit trail says the arrival was not reported but implied, and by whom.
    arrivals = [e for e in await rows(desk.cfg, TicketEvent) if e.to_status == "on_site"]
    assert len(arrivals) == 1 and "推定" in (arrivals[0].reason or "") and arrivals[0].actor == "zhangwei"


async def test_an_impossible_step_says_what_can_be_done_next(desk):
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    await sb.say("zhangwei", "@小鲸 接单 1", chatid="wr_east_dispatch")
    early = await sb.say("zhangwei", "@小鲸 #1 开始维修了", chatid="wr_east_dispatch")
    text = early["reply"]["stream"]["content"]
    assert "不能" in text and "已接单" in text
    # The steps possible from 已接单, as the engineer would write them.
    assert "「#1 出发」" in text and "「#1 到了」" in text and "完工" in text
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.status == "assigned"


async def test_status_query_shows_engineer_and_eta(desk):
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    await sb.say("zhangwei", "@小鲸 接单 1", chatid="wr_east_dispatch")
    await sb.say("zhangwei", "@小鲸 #1 出发 20分钟到", chatid="wr_east_dispatch")
    status = await sb.say(STORE, "@小鲸 师傅什么时候到", chatid=GROUP)
    text = status["reply"]["template_card"]["main_title"]["title"]
    assert "#1" in text and "张伟" in text and "预计" in text


async def test_customer_sees_only_own_group_tickets(desk):
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    other = await sb.say("storehz", "@小鲸 #1 进度", chatid="wr_hz_xihu")
    assert "没有找到工单 #1" in other["reply"]["stream"]["content"]


async def test_several_open_tickets_latest_first(desk):
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    await sb.say(STORE, "@小鲸 徐汇店收银机打不开", chatid=GROUP)
    status = await sb.say(STORE, "@小鲸 工单进度怎么样了", chatid=GROUP)
    body = status["reply"]["template_card"]
    assert body["main_title"]["title"].startswith("工单 #2")
    assert "#1" in body["main_title"]["desc"] or "#1" in str(body)


async def test_the_story_ends_in_the_managers_summary(desk):
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    await sb.say("zhangwei", "@小鲸 接单 1", chatid="wr_east_dispatch")
    await sb.say("zhangwei", "@小鲸 #1 到了", chatid="wr_east_dispatch")
    await sb.say("zhangwei", "@小鲸 #1 完工 工时2小时 配件180元", chatid="wr_east_dispatch")
    await sb.say(STORE, "@小鲸 4星", chatid=GROUP)
    summary = await sb.say("zhaomin", "@小鲸 本月华东区结算汇总", chatid="wr_east_dispatch")
    card = summary["reply"]["template_card"]
    values = {row["keyname"]: row["value"] for row in card["horizontal_content_list"]}
    # 490.00 before tax (+29.40 tax); hvac_repair's rule pays the engineer 120.00 per job and
    # splits the remaining 370.00 70/30 between sales and the after-sales fund.
    assert values["工单数"] == "1"
    assert values["收入 CNY"] == "490.00 (+29.40)"
    assert (values["销售"], values["工程师"], values["售后基金"]) == ("259.00", "120.00", "111.00")
    assert "4.00" in values["SLA · 满意度"]
    assert "张伟 120.00" in card["sub_title_text"]
    # The engineer asking gets only their own earnings; the store gets a polite no.
    own = await sb.say("zhangwei", "@小鲸 本月结算", chatid="wr_east_dispatch")
    assert "259.00" not in str(own["reply"])
    refused = await sb.say(STORE, "@小鲸 本月结算汇总", chatid=GROUP)
    assert "490.00" not in str(refused["reply"])


async def test_the_ticket_page_explains_the_price_and_the_timeline(desk):
    import aiohttp

    sb = desk.sandbox
    created = await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    link = created["reply"]["template_card"]["card_action"]["url"]
    await sb.say("zhangwei", "@小鲸 接单 1", chatid="wr_east_dispatch")
    await sb.say("zhangwei", "@小鲸 #1 到了", chatid="wr_east_dispatch")
    await sb.say("zhangwei", "@小鲸 #1 完工 工时2小时 配件180元", chatid="wr_east_dispatch")
    async with aiohttp.ClientSession() as http:
        async with http.get(link.replace(f"http://127.0.0.1:{desk.cfg.server.port}", desk.url)) as resp:
            page = await resp.text()
    for text in ("基础服务费", "150.00", "工时费", "160.00", "180.00", "29.40", "519.40 CNY", "已完工", "张伟"):
        assert text in page, text
