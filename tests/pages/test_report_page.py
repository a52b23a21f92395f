"""The store's report page on a phone, in Chromium: filled in and sent as a store manager would, photos
included, and the photos on the ticket page."""

from __future__ import annotations

import os
from pathlib import Path

from handlers.links import store_report_url
from storage.models import Attachment, Ticket
from tests.conftest import rows
from tests.e2e.test_report_form import jpeg, png

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


def picture(width: int = 120, height: int = 90) -> bytes:
    """A real PNG with something to see: a blue-to-orange gradient."""
    return png(width, height, pixel=lambda x, y: (40 + 180 * x // width, 90 + y, 200 - 150 * x // width))


async def test_a_store_manager_adds_photos_from_a_phone_and_the_ticket_page_shows_them(start, tmp_path, phone):
    desk = await start(attachments={"dir": str(tmp_path / "attachments")})
    url = store_report_url(desk.url, desk.cfg.wecom.app.secret, "wr_sh_xuhui")
    await phone.goto(url)
    field = phone.locator("#photos")
    assert await field.get_attribute("accept") == "image/*" and await field.get_attribute("multiple") is not None
    assert await field.get_attribute("capture") is None, "the phone offers camera or gallery itself"
    await phone.fill("#problem", "后厨冰箱不制冷，温度一直往上跳")
    await phone.fill("#phone", "13800001234")
    await field.set_input_files([{"name": "fridge.png", "mimeType": "image/png", "buffer": picture()},
                                 {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}])
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 375
    if SHOTS:
        await phone.screenshot(path=str(Path(SHOTS) / "report-photos.png"), full_page=True)
    await phone.click("button[type=submit]")
    await phone.wait_for_selector("#done")
    assert "已附上 2 张照片" in await phone.inner_text("#done")
    [ticket] = await rows(desk.cfg, Ticket)
    assert len(await rows(desk.cfg, Attachment, ticket_id=ticket.id)) == 2

    await phone.click("#done a")   # 查看工单进度: the ticket page
    await phone.wait_for_selector("#photos img")
    await phone.wait_for_function("[...document.querySelectorAll('#photos img')].every(i => i.complete)")
    widths = await phone.eval_on_selector_all("#photos img", "imgs => imgs.map(i => i.naturalWidth)")
    assert widths == [120, 8], "both photos really loaded (the PNG and the JPEG)"
    shown = await phone.eval_on_selector_all("#photos img", "imgs => imgs.map(i => i.getBoundingClientRect().width)")
    assert all(0 < w <= 160 for w in shown), "thumbnails, not full-size pictures"
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 375
    if SHOTS:
        await phone.screenshot(path=str(Path(SHOTS) / "ticket-photos.png"), full_page=True)


async def test_the_phone_says_too_many_photos_before_sending(start, tmp_path, phone):
    desk = await start(attachments={"dir": str(tmp_path / "attachments")})
    await phone.goto(store_report_url(desk.url, desk.cfg.wecom.app.secret, "wr_sh_xuhui"))
    await phone.fill("#problem", "电梯异响")
    await phone.fill("#phone", "13800001234")
    await phone.locator("#photos").set_input_files(
        [{"name": f"{i}.png", "mimeType": "image/png", "buffer": png()} for i in range(4)])
    await phone.click("button[type=submit]")
    assert await phone.evaluate("document.querySelector('#photos').validationMessage") == "最多只能上传 3 张照片，请重新选择。"
    assert await phone.query_selector("#done") is None
    assert await rows(desk.cfg, Ticket) == []
