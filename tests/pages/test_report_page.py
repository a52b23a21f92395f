"""The store's report page on a phone, in Chromium: filled in and sent as a store manager would."""

from __future__ import annotations

import os
from pathlib import Path

from handlers.links import store_report_url
from storage.models import Ticket
from tests.conftest import rows

SHOTS = os.environ.get("WECOM_DESK_SCREENSHOTS")   # a folder: save what the reader saw (README pictures)


async def test_a_store_manager_reports_from_a_phone(desk, phone):
    url = store_report_url(desk.url, desk.cfg.wecom.app.secret, "wr_sh_xuhui")
    await phone.goto(url)
    assert await phone.title() == "上海徐汇店 · 报修"
    # Nothing is wider than the phone: no sideways scrolling in WeCom's browser.
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 375
    await phone.fill("#problem", "后厨冰箱不制冷，温度一直往上跳")
    await phone.check("input[name=urgent]")
    await phone.fill("#name", "王经理")
    await phone.fill("#phone", "13800001234")
    if SHOTS:
        await phone.screenshot(path=str(Path(SHOTS) / "report-form.png"), full_page=True)
    await phone.click("button[type=submit]")
    await phone.wait_for_selector("#done")
    done = await phone.inner_text("#done")
    assert "已创建工单 #1" in done and "紧急" in done
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 375
    if SHOTS:
        await phone.screenshot(path=str(Path(SHOTS) / "report-done.png"), full_page=True)
    [ticket] = await rows(desk.cfg, Ticket)
    assert (ticket.source, ticket.urgency, ticket.chatid) == ("web", "urgent", "wr_sh_xuhui")


async def test_a_report_without_a_phone_number_is_stopped_by_the_page_itself(desk, phone):
    url = store_report_url(desk.url, desk.cfg.wecom.app.secret, "wr_sh_xuhui")
    await phone.goto(url)
    await phone.fill("#problem", "电梯异响")
    await phone.click("button[type=submit]")
    # The browser's own check keeps the visitor on the form, pointing at the empty field.
    assert await phone.evaluate("document.querySelector('#phone').validity.valueMissing")
    assert await phone.query_selector("#done") is None
    assert await rows(desk.cfg, Ticket) == []
