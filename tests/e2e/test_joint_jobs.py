"""A Shanghai customer's report at a Chengdu store, end to end through real encrypted callbacks and
the sandbox (issue 15, "Joint jobs"): the ticket involves two branches (east: the customer's home,
southwest: the store's), its offer goes to the joint squad 沪蓉飞虎队 (its dispatch group and its
engineers, one of them based in Shanghai), the Shanghai engineer claims and completes it, the
split shows both branches — the branch lines sum to the job's subtotal and the managers' summary
shows each branch — and the engineer away from home gets a travel line. A manager adds a branch
to another job from chat.

Money sections pinned as in tests/handlers/test_joint_jobs.py: 3 h and a 500.00 compressor on
hvac_repair in Chengdu = 150.00 + 240.00 + 500.00 = 890.00; Zhang Wei's branch (east) has done
base 70.00 + labour 150.00 + parts 400.00 + travel 200.00 × days at cost; the rest 40 : 60.
"""

from __future__ import annotations

from settlement.travel import days_on_job
from storage.branches import BranchLine
from storage.ledger_models import LedgerLine, TicketCharge
from storage.models import InboundCallback, Ticket, TicketEvent
from tests.conftest import base_config_data, rows
from tests.handlers.test_joint_jobs import money_sections
from tests.ledger.test_chat import stored_markdown, text_of

CUSTOMER, STORE, SQUAD_GROUP = "storesh", "wr_cd_chunxi", "wr_feihu_dispatch"
EMMA = {"userid": "emma", "name": "Emma", "roles": ["manager"], "regions": ["east"], "languages": ["en"]}


async def test_a_shanghai_customer_at_the_chengdu_store(start):
    desk = await start(**money_sections())
    sb = desk.sandbox
    created = await sb.say(CUSTOMER, "@小鲸 成都春熙路店空调不制冷了", chatid=STORE)
    card = created["reply"]["template_card"]
    assert "#1" in card["main_title"]["title"]
    assert "西南 ⇄ 华东" in card["sub_title_text"]   # both branches, the store's first
    [ticket] = await rows(desk.cfg, Ticket)
    assert (ticket.region, ticket.joint_region, ticket.status) == ("southwest", "east", "offered")

    # The squad's engineers get the job cards — the Shanghai one too — and its group hears of it.
    for engineer in ("zhangwei", "wangjun"):
        assert await sb.wait_for(lambda e=engineer: sb.job_cards(e)), f"{engineer} got no job card"
    assert not await sb.job_cards("liqiang")   # an east engineer outside the squad is not asked
    [push] = await sb.wait_for(lambda: sb.pushes(SQUAD_GROUP))
    assert "沪蓉飞虎队" in push and "#1" in push and "西南 ⇄ 华东" in push

    [job] = await sb.job_cards("zhangwei")
    await sb.click("zhangwei", job["task_id"], "claim:1")
    await sb.wait_for(lambda: _assigned(desk))
    done = await sb.direct("zhangwei", "#1 完工 工时3小时 配件500元")
    assert done["status"] == 200
    await sb.wait_for(lambda: _completed(desk))

    [charge] = await rows(desk.cfg, TicketCharge)
    assert (charge.subtotal, charge.currency) == (89000, "CNY")
    claimed = next(e.at for e in await rows(desk.cfg, TicketEvent, ticket_id=1) if e.kind == "claimed")
    days = days_on_job(claimed, charge.completed_at, "Asia/Shanghai")
    # The engineer from the other region is paid a travel allowance, beside his split share.
    travel = [ln for ln in await rows(desk.cfg, LedgerLine) if ln.kind == "travel"]
    assert [(ln.person, ln.amount) for ln in travel] == [("zhangwei", 20000 * days)]
    # The split shows both branches, and they add up to the job's subtotal exactly.
    lines = sorted(await rows(desk.cfg, BranchLine), key=lambda r: r.id)
    east_cost = 62000 + 20000 * days
    rest = 89000 - east_cost
    assert [(r.branch, r.cost, r.remainder) for r in lines] == [
        ("southwest", 0, rest * 60 // 100), ("east", east_cost, rest * 40 // 100)]
    assert sum(r.amount for r in lines) == charge.subtotal

    # The Chengdu manager's month shows each branch's share.
    summary = await sb.say("sunli", "@小鲸 本月西南区结算汇总", chatid=SQUAD_GROUP)
    assert summary["status"] == 200
    markdown = await stored_markdown(desk.cfg, "sunli")
    assert "分公司分摊" in markdown
    assert f"华东：{_money(east_cost + rest * 40 // 100)} CNY" in markdown
    assert f"西南：{_money(rest * 60 // 100)} CNY" in markdown
    assert f"差旅补贴 {_money(20000 * days)}" in markdown


async def test_a_manager_adds_a_branch_from_chat(start):
    desk = await start(**money_sections(), people=base_config_data()["people"] + [EMMA])
    sb = desk.sandbox
    await sb.say(CUSTOMER, "@小鲸 上海徐汇店空调不制冷了", chatid="wr_sh_xuhui")
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.joint_region is None   # a Shanghai customer at a Shanghai store
    refused = await sb.say("zhangwei", "@小鲸 #1 加分公司 西南", chatid="wr_east_dispatch")
    assert "只有区域主管可以给工单加分公司" in text_of(refused)
    unknown = await sb.say("zhaomin", "@小鲸 #1 加分公司 火星", chatid="wr_east_dispatch")
    assert "火星" in text_of(unknown) and "西南" in text_of(unknown)
    added = await sb.say("zhaomin", "@小鲸 #1 加分公司 西南", chatid="wr_east_dispatch")
    assert "华东 ⇄ 西南" in text_of(added) and "沪蓉飞虎队" in text_of(added)
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.joint_region == "southwest"
    assert "joint" in [e.kind for e in await rows(desk.cfg, TicketEvent, ticket_id=1)]
    # A manager who reads English is answered in English, 1:1.
    await sb.direct("emma", "#1 add branch Southwest China")
    [again] = await sb.wait_for(lambda: _texts_with(sb, "emma", "already a joint job"))
    assert "East China ⇄ Southwest China" in again


def _money(minor: int) -> str:
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    return f"{sign}{whole:,}.{cents:02d}"


async def _assigned(desk):
    return [t for t in await rows(desk.cfg, Ticket) if t.assignee == "zhangwei"]


async def _completed(desk):
    return [t for t in await rows(desk.cfg, Ticket) if t.status == "completed"]


async def _texts_with(sb, userid, needle):
    return [x for x in await sb.texts(userid) if needle in x]


async def test_a_manager_adds_a_branch_on_the_ticket_page(start):
    from tests.web.test_signin import browser, form_csrf, sign_in

    desk = await start(**money_sections())
    await desk.sandbox.say(CUSTOMER, "@小鲸 上海徐汇店空调不制冷了", chatid="wr_sh_xuhui")
    async with browser() as http:
        await sign_in(http, desk.url, "zhaomin")
        page = desk.url + "/tickets/1"
        html = await (await http.get(page)).text()
        assert 'id="add-branch"' in html and 'id="branches"' not in html
        r = await http.post(page + "/act", data={"action": "branch", "region": "southwest",
                                                 "csrf": await form_csrf(http, page)}, allow_redirects=False)
        assert r.status == 303
        html = await (await http.get(page)).text()
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.joint_region == "southwest"
    assert "华东 ⇄ 西南" in html and "沪蓉飞虎队" in html   # the fact row, and the handler's answer as the flash


async def test_a_job_whose_branches_cannot_be_priced_is_not_completed(start):
    """No CNY→EUR rate: the Paris branch's share cannot be stated, so nothing of the completion
    stays — no price, no split, no "done" in the store's group — and the engineer is told why."""
    desk = await start(**money_sections())
    sb = desk.sandbox
    await sb.say(CUSTOMER, "@小鲸 上海徐汇店空调不制冷了", chatid="wr_sh_xuhui")
    await sb.say("zhaomin", "@小鲸 #1 加分公司 法国", chatid="wr_east_dispatch")
    await sb.say("zhangwei", "@小鲸 接单 1", chatid="wr_east_dispatch")
    done = await sb.say("zhangwei", "@小鲸 #1 完工 工时1小时", chatid="wr_east_dispatch")
    assert "没有完工" in text_of(done) and "CNY->EUR" in text_of(done)
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.status != "completed" and ticket.completed_at is None
    assert await rows(desk.cfg, TicketCharge) == [] and await rows(desk.cfg, LedgerLine) == []
    assert await rows(desk.cfg, BranchLine) == []
    assert not [p for p in await sb.pushes("wr_sh_xuhui") if "已完工" in p]
