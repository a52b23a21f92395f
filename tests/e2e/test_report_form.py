"""The store's own report page: a signed link per store, a form that opens a ticket the way a chat
report does (the store's group gets the card), CSRF, one ticket per form, a rate limit."""

from __future__ import annotations

import re

import aiohttp

from handlers.links import store_report_url
from storage.models import Ticket
from tests.conftest import rows

GROUP = "wr_sh_xuhui"


def link(desk, chatid=GROUP) -> str:
    return store_report_url(desk.url, desk.cfg.wecom.app.secret, chatid)


def browser() -> aiohttp.ClientSession:
    # A browser keeps cookies from 127.0.0.1 too (aiohttp's jar does not unless told to).
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


def hidden(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))


async def open_form(http, url) -> dict[str, str]:
    async with http.get(url) as resp:
        assert resp.status == 200
        return hidden(await resp.text())


async def post(http, url, form, **fields):
    async with http.post(url, data={**form, **fields}) as resp:
        return resp.status, await resp.text()


async def test_a_report_from_the_page_opens_a_ticket_and_the_store_group_sees_it(desk):
    async with browser() as http:
        async with http.get(link(desk)) as resp:
            page = await resp.text()
            assert resp.status == 200 and "上海徐汇店 · 报修" in page and 'name="viewport"' in page
        status, page = await post(http, link(desk), hidden(page), problem="后厨冰箱不制冷，温度一直往上跳",
                                  name="王经理", phone="13800001234", urgent="1")
    assert status == 200 and "已创建工单 #1" in page and "接单后会在门店群通知" in page
    [ticket] = await rows(desk.cfg, Ticket)
    assert (ticket.chatid, ticket.skill, ticket.urgency, ticket.source, ticket.city) == (
        GROUP, "appliance", "urgent", "web", "上海")
    assert ticket.data["contact"] == {"name": "王经理", "phone": "13800001234"}
    assert "13800001234" not in ticket.reporter, "the phone number is not an id"
    pushes = await desk.sandbox.wait_for(lambda: desk.sandbox.pushes(GROUP))
    assert any("#1" in p for p in pushes), "the store's group gets the card"
    cards = await desk.sandbox.wait_for(lambda: desk.sandbox.job_cards("zhangwei"))
    assert cards, "and the job is offered like any other"


async def test_a_form_sent_twice_opens_one_ticket(desk):
    async with browser() as http:
        form = await open_form(http, link(desk))
        first = await post(http, link(desk), form, problem="收银机打不开", phone="13800001234")
        again = await post(http, link(desk), form, problem="收银机打不开", phone="13800001234")
    assert first[0] == again[0] == 200
    assert "已创建工单 #1" in again[1] and "工单 #2" not in again[1]
    assert len(await rows(desk.cfg, Ticket)) == 1


async def test_a_link_for_another_store_or_a_forged_one_is_refused(desk):
    async with browser() as http:
        forged = link(desk).replace("wr_sh_xuhui", "wr_hz_xihu")
        async with http.get(forged) as resp:
            assert resp.status == 403 and "not valid" in await resp.text()
        async with http.get(link(desk, "wr_east_dispatch")) as resp:
            assert resp.status == 403, "a dispatch room is not a store"
    assert await rows(desk.cfg, Ticket) == []


async def test_without_the_forms_cookie_or_token_nothing_is_opened(desk):
    async with browser() as http:
        form = await open_form(http, link(desk))
    async with browser() as other:   # a cross-site post: no cookie
        status, page = await post(other, link(desk), form, problem="电梯异响", phone="1")
        assert status == 403 and "过期" in page
    async with browser() as http:
        form = await open_form(http, link(desk))
        status, _ = await post(http, link(desk), {**form, "csrf": "0" * 32}, problem="电梯异响", phone="1")
        assert status == 403
    assert await rows(desk.cfg, Ticket) == []


async def test_what_is_missing_is_said_and_nothing_is_opened(desk):
    async with browser() as http:
        form = await open_form(http, link(desk))
        status, page = await post(http, link(desk), form, problem="坏了", phone="13800001234")
        assert status == 400 and "设备" in page and "坏了" in page, "the visitor's words are kept"
        status, page = await post(http, link(desk), hidden(page), problem="空调漏水", phone="")
        assert status == 400 and "联系电话" in page
        status, _ = await post(http, link(desk), hidden(page), problem="空调漏水" * 300, phone="1")
        assert status == 400
    assert await rows(desk.cfg, Ticket) == []


async def test_the_page_speaks_the_stores_language_and_limits_the_rate(desk):
    bkk = link(desk, "wr_bkk_siam")
    async with browser() as http:
        async with http.get(bkk) as resp:
            page = await resp.text()
        assert 'lang="th"' in page and "แจ้งซ่อม" in page
        statuses = []
        for i in range(12):
            form = await open_form(http, bkk + "&lang=en")
            statuses.append((await post(http, bkk + "&lang=en", form, problem=f"the fridge is not cooling {i}",
                                        phone="0812345678"))[0])
    assert statuses[:10] == [200] * 10 and statuses[10:] == [429, 429]
    assert len(await rows(desk.cfg, Ticket)) == 10
