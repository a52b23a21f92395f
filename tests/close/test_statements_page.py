"""/statements?period=YYYY-MM: the draft a manager made in chat, finalised from the page (CSRF-
checked, through the chat's handler), then the final statements; linked from /money."""

from __future__ import annotations

from html import unescape

import aiohttp
import pytest

from tests.close.test_chat_close import DISPATCH, ask_close, draft_rows, october_job, statements
from tests.ledger.conftest import pinned
from tests.web.test_insights import get, page, signed_in


@pytest.fixture
async def desk(start):
    desk = await start(**pinned())
    await october_job(desk)
    return desk


async def post(desk, path, userid, data):
    async with aiohttp.ClientSession() as http:
        async with http.post(desk.url + path, data=data, headers=signed_in(desk.cfg, userid),
                             allow_redirects=False) as resp:
            return resp.status, await resp.text(), resp.headers.get("Location", ""), resp.cookies


async def test_the_draft_is_finalised_from_the_page(desk):
    html = unescape(await page(desk, "/statements", "zhaomin", period="2026-10"))
    assert "这个月还没有关账草稿" in html and "2026年10月尚未关账" in html
    await ask_close(desk)
    html = unescape(await page(desk, "/statements", "zhaomin", period="2026-10"))
    assert "草稿 第 1 版" in html and "待确认" in html and "赵敏 于" in html
    assert "张伟" in html and "120.00 CNY" in html and "278.25 CNY" in html and "3,025.88 CNY" in html
    assert 'action="/statements/finalise"' in html and 'name="draft" value="1"' in html

    status, _, _, _ = await post(desk, "/statements/finalise", "zhaomin", {"draft": "1", "csrf": "forged"})
    assert status == 403 and await statements(desk) == 0
    status, _, location, cookies = await post(desk, "/statements/finalise", "zhaomin",
                                              {"draft": "1", "csrf": "csrf-zhaomin"})
    assert (status, location) == (303, "/statements?period=2026-10")
    assert await draft_rows(desk) == [(1, "final")] and await statements(desk) > 0
    async with aiohttp.ClientSession() as http:
        headers = {**signed_in(desk.cfg, "zhaomin")}
        headers["Cookie"] += "; " + "; ".join(f"{k}={v.value}" for k, v in cookies.items())
        async with http.get(desk.url + location, headers=headers) as resp:
            html = unescape(await resp.text())
    assert "2026年10月已关账" in html and "第 1 版草稿已由赵敏确认生效" in html   # the flash: the chat's answer
    assert "已生效" in html and 'id="final-statements"' in html and 'action="/statements/finalise"' not in html

    # Finalising again from the page is the chat's no-op.
    status, _, _, cookies = await post(desk, "/statements/finalise", "zhaomin", {"draft": "1", "csrf": "csrf-zhaomin"})
    assert status == 303 and await draft_rows(desk) == [(1, "final")]


async def test_who_may_see_it_and_bad_input(desk):
    status, _, body, _ = await get(desk, "/statements", "zhangwei", period="2026-10")
    assert status == 403
    status, _, _, location = await get(desk, "/statements", None, period="2026-10")
    assert status == 302 and location.startswith("/auth/start")
    status, _, body, _ = await get(desk, "/statements", "zhaomin", period="october")
    assert status == 400 and "YYYY-MM" in body.decode()
    status, _, _, _ = await post(desk, "/statements/finalise", "zhaomin", {"draft": "99", "csrf": "csrf-zhaomin"})
    assert status == 404
    status, _, _, _ = await post(desk, "/statements/finalise", "zhangwei", {"draft": "1", "csrf": "csrf-zhangwei"})
    assert status == 403


async def test_money_links_to_the_statements(desk):
    html = await page(desk, "/money", "zhaomin", period="2026-10")
    assert 'href="/statements?period=2026-10"' in html
    html = await page(desk, "/money", "zhaomin", period="this_year")   # many months: the page picks last month
    assert 'id="statements-link" href="/statements"' in html
