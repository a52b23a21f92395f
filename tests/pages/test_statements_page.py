"""/statements on a phone (375 px, Chromium): a manager reviews the draft made in chat and makes
it final with one tap; no sideways scrolling. Screenshot: statements-phone.png."""

from __future__ import annotations

import pytest

from tests.close.test_chat_close import ask_close, october_job
from tests.ledger.conftest import pinned
from tests.pages.test_insights_page import NO_SIDEWAYS, shot, sign_in


@pytest.fixture
async def desk(start):
    desk = await start(**pinned())
    await october_job(desk)
    await ask_close(desk)   # 赵敏 asked in chat: draft 1 of October
    return desk


async def test_a_draft_reviewed_and_finalised_on_a_phone(desk, phone):
    await sign_in(phone, desk, "zhaomin")
    await phone.goto(desk.url + "/statements?period=2026-10")
    assert await phone.evaluate(NO_SIDEWAYS) <= 375 + 1
    body = await phone.inner_text("body")
    assert "草稿 第 1 版" in body and "张伟" in body and "120.00" in body
    button = phone.locator('form[action="/statements/finalise"] button')
    assert await button.is_visible()
    await shot(phone, "statements-phone.png")
    await button.click()
    await phone.wait_for_url("**/statements?period=2026-10")
    body = await phone.inner_text("body")
    assert "2026年10月已关账" in body and "第 1 版草稿已由赵敏确认生效" in body
    assert await phone.locator('form[action="/statements/finalise"]').count() == 0
