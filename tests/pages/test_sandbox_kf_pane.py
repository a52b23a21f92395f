"""The sandbox chat page's WeChat customer (微信客户) pane, in Chromium: a customer scans a store's
QR code, reads the welcome, reports a fault and gets the ticket, as they would see it in WeChat."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, AsyncIterator

import aiohttp
import pytest

from storage.models import Ticket
from tests.conftest import rows
from tests.pages.conftest import chromium_path

SHOTS = os.environ.get("WECOM_DESK_SCREENSHOTS")   # a folder: save what the reader saw (README pictures)
CUSTOMER = "wm_customer_demo"


@pytest.fixture
async def desktop() -> AsyncIterator[Any]:
    """A page in a laptop-sized window, where the sandbox is mostly used."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        context = await browser.new_context(viewport={"width": 1100, "height": 760}, locale="zh-CN")
        try:
            yield await context.new_page()
        finally:
            await context.close()
            await browser.close()


async def bubbles(page: Any, side: str) -> list[str]:
    return await page.locator(f"#wxlog .wx[data-from={side}] .b").all_inner_texts()


async def test_a_wechat_customer_scans_a_store_code_and_reports_from_the_sandbox_page(desk, desktop):
    page = desktop
    await page.goto(f"{desk.url}/sandbox")
    await page.click("#tab-wx")
    assert await page.is_visible("#wxpane") and not await page.is_visible("#deskpane")
    assert await page.input_value("#wxuser") == CUSTOMER
    # The store codes come from wecom.kf.scenes, named by their store.
    labels = await page.locator("#wxscene option").all_inner_texts()
    assert {"上海徐汇店", "杭州西湖店"} <= set(labels)

    await page.select_option("#wxscene", label="上海徐汇店")
    await page.click("#wxscan")
    await page.wait_for_selector("#wxlog .note:has-text('上海徐汇店')")
    welcome = page.locator("#wxlog .wx[data-from=service] .b").first
    await welcome.wait_for()
    assert "上海徐汇店" in await welcome.inner_text()
    assert await page.inner_text("#wxstore") == "上海徐汇店"

    await page.fill("#wxtext", "空调不制冷了")
    await page.press("#wxtext", "Enter")
    await page.wait_for_selector("#wxlog .wx[data-from=service] .b:has-text('#1')", timeout=10_000)
    assert await bubbles(page, "customer") == ["空调不制冷了"]
    assert await page.input_value("#wxtext") == ""
    [ticket] = await rows(desk.cfg, Ticket)
    assert (ticket.id, ticket.chatid, ticket.reporter, ticket.source) == (1, "wr_sh_xuhui", CUSTOMER, "wechat")
    # The conversation reads top to bottom: the scan, the welcome, the report, the answer.
    order = await page.locator("#wxlog > div").evaluate_all(
        "els => els.map(e => e.classList.contains('note') ? 'scan' : e.dataset.from)")
    assert order[:4] == ["scan", "service", "customer", "service"]
    if SHOTS:
        await page.screenshot(path=str(Path(SHOTS) / "sandbox-wechat-customer.png"))

    # The other pane still works: back to WeCom, a store manager reports in the store's group.
    await page.click("#tab-desk")
    assert await page.is_visible("#log") and not await page.is_visible("#wxpane")
    await page.select_option("#who", "storesh")
    await page.fill("#text", "@小鲸 上海徐汇店收银机打不开了")
    await page.press("#text", "Enter")
    await page.wait_for_selector("#log .msg.bot:has-text('#2')", timeout=10_000)


async def test_a_menu_tap_is_sent_back_with_its_menu_id(desk, desktop):
    """A msgmenu shows its head and tappable items; a tap posts the item's text with its id, as WeChat does."""
    page = desktop
    await desk.sandbox.kf_say(CUSTOMER, "你好")   # opens WeCom's window for the menu below
    menu = {"head_content": "请为本次维修评分", "tail_content": "谢谢",
            "list": [{"type": "click", "click": {"id": "rate:1:5", "content": "5 星 非常满意"}},
                     {"type": "text", "text": {"content": "或直接回复文字"}}]}
    await _send_menu(desk, menu)
    await page.goto(f"{desk.url}/sandbox")
    await page.click("#tab-wx")
    await page.wait_for_selector("#wxlog .menu .head:has-text('请为本次维修评分')")
    assert await page.locator("#wxlog .menu button.mi").all_inner_texts() == ["5 星 非常满意"]
    await page.click("#wxlog .menu button.mi")
    await page.wait_for_selector("#wxlog .wx[data-from=customer] .b:has-text('5 星 非常满意')")
    taps = [m for m in await _chat(desk) if m.get("menu_id")]
    assert [(t["from"], t["text"], t["menu_id"]) for t in taps] == [("customer", "5 星 非常满意", "rate:1:5")]


async def test_the_pane_fits_a_phone(desk, phone):
    await phone.goto(f"{desk.url}/sandbox")
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 375
    await phone.click("#tab-wx")
    await phone.select_option("#wxscene", "xuhui")
    await phone.click("#wxscan")
    await phone.locator("#wxlog .wx[data-from=service]").first.wait_for()
    await phone.fill("#wxtext", "收银机打不开了")
    await phone.press("#wxtext", "Enter")
    await phone.wait_for_selector("#wxlog .wx[data-from=service] .b:has-text('#1')", timeout=10_000)
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 375
    box = await phone.locator("#wxform button").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 375, "the send button is on screen"
    await phone.click("#tab-desk")
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 375


async def _chat(desk: Any) -> list[dict[str, Any]]:
    """The customer's conversation as the page reads it (what sync_msg serves, and what they got)."""
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{desk.url}/sandbox/api/kf/chat", params={"external_userid": CUSTOMER}) as resp:
            return (await resp.json())["messages"]


async def _send_menu(desk: Any, menu: dict[str, Any]) -> None:
    """Send a msgmenu as the desk would: kf/send_msg with the app's token."""
    base = f"{desk.url}/sandbox/cgi-bin"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/gettoken", params={"corpid": desk.cfg.wecom.corp_id,
                                                        "corpsecret": desk.cfg.wecom.app.secret}) as resp:
            token = (await resp.json())["access_token"]
        async with http.post(f"{base}/kf/send_msg", params={"access_token": token},
                             json={"touser": CUSTOMER, "open_kfid": desk.cfg.wecom.kf.accounts[0].open_kfid,
                                   "msgtype": "msgmenu", "msgmenu": menu}) as resp:
            assert (await resp.json())["errcode"] == 0
