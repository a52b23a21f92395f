"""The manager's desk in Chromium, as a manager in WeCom's browser on a phone and at a desk would
use it: sign in through WeCom's authorisation (the sandbox plays WeCom), watch a report arrive on
the board without reloading, dispatch it from the ticket page, watch an engineer's claim from
chat change the board, and read it all at 375 px."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, AsyncIterator

import pytest

from storage.models import Ticket
from tests.conftest import make_config, rows
from tests.e2e.test_chat_photos import png
from tests.pages.conftest import chromium_path, screenshot_dir

ROOT = Path(__file__).resolve().parents[2]
STORE, GROUP = "storesh", "wr_sh_xuhui"
# WeCom's built-in browser says so in its User-Agent: sign-in takes web authorisation, not the QR login.
WECOM_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Mobile/15E148 wxwork/4.1.20 MicroMessenger/7.0.1 Language/zh")


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        try:
            yield b
        finally:
            await b.close()


async def in_wecom_on_a_phone(browser: Any) -> Any:
    context = await browser.new_context(viewport={"width": 375, "height": 760}, device_scale_factor=2,
                                        is_mobile=True, has_touch=True, locale="zh-CN", user_agent=WECOM_UA)
    return await context.new_page()


async def at_a_desk(browser: Any) -> Any:
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    return await context.new_page()


async def shot(page: Any, name: str, readme: str | None = None) -> None:
    path = screenshot_dir() / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    if readme:   # the README's pictures come from this run
        (ROOT / "docs" / "screenshots").mkdir(parents=True, exist_ok=True)
        shutil.copy(path, ROOT / "docs" / "screenshots" / readme)


async def sign_in(page: Any, base: str, who: str) -> str:
    """Through the start page's sign-in; returns the WeCom page the browser was sent to."""
    await page.goto(base + "/")
    await page.click("#to-signin")
    await page.wait_for_selector(f"a[data-userid={who}]")
    wecom = page.url
    await page.click(f"a[data-userid={who}]")   # the sandbox's stand-in for WeCom knowing who you are
    await page.wait_for_selector("#board")
    return wecom


async def no_sideways_scroll(page: Any) -> None:
    width = await page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 376, f"the page is {width}px wide at 375px"


async def test_a_manager_dispatches_from_the_board_in_wecom(start, tmp_path, browser):
    desk = await start(make_config(tmp_path, web={"refresh_s": 0.3}))
    page = await in_wecom_on_a_phone(browser)
    wecom = await sign_in(page, desk.url, "zhaomin")
    assert "/sandbox/connect/oauth2/authorize?" in wecom and "scope=snsapi_base" in wecom
    assert await page.inner_text("header.top .me span") == "赵敏"
    await page.wait_for_selector("#rows tr.empty")

    # A store reports in its group: the board shows it without a reload, unassigned, with a countdown.
    await desk.sandbox.say(STORE, "@小鲸 上海徐汇店空调不制冷了，一直滴水", chatid=GROUP)
    row = page.locator("#rows tr[data-id]").first
    await row.wait_for(timeout=10_000)
    [ticket] = await rows(desk.cfg, Ticket)
    assert await row.get_attribute("data-id") == str(ticket.id)
    text = await row.inner_text()
    assert "上海徐汇店" in text and "空调" in text
    await page.wait_for_function("document.querySelector('#rows .due') && /剩|超时/.test(document.querySelector('#rows .due').textContent)")
    await no_sideways_scroll(page)
    await shot(page, "board-phone", "board-phone.png")

    # Dispatch from the ticket page: the router's candidates by name; the engineer gets the card.
    await row.locator("a").first.click()
    await page.wait_for_selector("#actions")
    await no_sideways_scroll(page)
    await page.select_option("#assign select", "liqiang")
    await page.click("#assign button")
    await page.wait_for_selector("#flash")
    assert "李强" in await page.inner_text("#engineer")
    cards = await desk.sandbox.wait_for(lambda: desk.sandbox.job_cards("liqiang"))
    assert cards, "the engineer got no job card"

    async def group_told() -> list[str]:
        return [p for p in await desk.sandbox.pushes(GROUP) if "李强" in p]

    assert await desk.sandbox.wait_for(group_told), "the store's group was not told who is coming"
    await shot(page, "ticket-phone", "ticket-phone.png")

    # A second report, claimed from chat: the board changes by itself.
    await page.goto(desk.url + "/")
    await desk.sandbox.say(STORE, "@小鲸 上海徐汇店收银机开不了机", chatid=GROUP)
    second = await desk.sandbox.wait_for(lambda: _newest(desk, ticket.id))
    await page.wait_for_selector(f"#rows tr[data-id='{second.id}'].new, #rows tr[data-id='{second.id}'].offered",
                                 timeout=10_000)
    engineer = "chenjie"   # the POS engineer in east
    await desk.sandbox.say(engineer, f"#{second.id} 接单", chatid="wr_east_dispatch")
    await page.wait_for_selector(f"#rows tr[data-id='{second.id}'].assigned", timeout=10_000)
    assert "陈杰" in await page.inner_text(f"#rows tr[data-id='{second.id}']")


async def _newest(desk: Any, after: int) -> Any:
    return next((t for t in await rows(desk.cfg, Ticket) if t.id != after), None)


async def test_the_board_at_a_desk(start, tmp_path, browser):
    desk = await start(make_config(tmp_path, web={"refresh_s": 0.3}))
    for text in ("@小鲸 上海徐汇店空调不制冷了", "@小鲸 上海徐汇店门口的灯不亮了，电路跳闸"):
        await desk.sandbox.say(STORE, text, chatid=GROUP)
    await desk.sandbox.wait_for(lambda: _count(desk, 2))
    # The store sends a photo of the first problem: the board shows it has one.
    await desk.sandbox.show(STORE, [png()], chatid=GROUP)
    page = await at_a_desk(browser)
    await sign_in(page, desk.url, "admin")
    await page.wait_for_selector("#rows tr[data-id]")
    assert await page.locator("#rows tr[data-id]").count() == 2
    await page.wait_for_selector("#rows a.files:has-text('📷 1')", timeout=10_000)
    await page.select_option("#filters select[name=skill]", "electrical")
    await page.click("#filters button")
    await page.wait_for_selector("#board")
    assert await page.locator("#rows tr[data-id]").count() == 1
    await page.goto(desk.url + "/")
    await shot(page, "board-desktop", "board-desktop.png")


async def _count(desk: Any, n: int) -> bool:
    return len(await rows(desk.cfg, Ticket)) >= n


async def test_money_downloads_exactly_what_the_page_shows(start, tmp_path, browser):
    import csv
    import io

    desk = await start(make_config(tmp_path))
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    [ticket] = await sb.wait_for(lambda: rows(desk.cfg, Ticket))
    await sb.direct("zhangwei", f"#{ticket.id} 接单")
    await sb.direct("zhangwei", f"#{ticket.id} 完工 工时2小时")

    async def completed() -> bool:
        return (await rows(desk.cfg, Ticket, id=ticket.id))[0].status == "completed"

    assert await sb.wait_for(completed)
    page = await at_a_desk(browser)
    await sign_in(page, desk.url, "zhaomin")
    await page.goto(desk.url + "/money")
    shown = await page.locator("#money-table tbody tr").count()
    async with page.expect_download() as info:
        await page.click("#download-csv")
    download = await info.value
    got = list(csv.DictReader(io.StringIO(Path(await download.path()).read_text(encoding="utf-8"))))
    assert len(got) == shown                       # one line per row on the page
    total = got[-1]
    assert total["region"] == "TOTAL" and total["tickets"] == "1"
    assert total["total"] in await page.inner_text("#money-table")   # the same amount the manager reads


async def test_parts_and_known_fixes_on_a_phone(desk, browser, tmp_path):
    from bot.callbacks import DESK
    from bot.fixes_cli import import_file
    from tests.e2e.helpers import run_cli, write_config

    await import_file(desk.app[DESK].db, desk.cfg, ROOT / "fixes.example.yaml")
    stock = tmp_path / "stock.csv"
    stock.write_text("warehouse,part,quantity\nsh,CMP-01,1\nsh,CAP-35,6\nhz,CMP-01,2\n", encoding="utf-8")
    code, _, err = await run_cli("parts", "import", str(stock), "--config", str(write_config(desk.cfg)))
    assert code == 0, err
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调显示E5 不制冷", chatid=GROUP)
    [ticket] = await sb.wait_for(lambda: rows(desk.cfg, Ticket))
    await sb.direct("zhangwei", f"#{ticket.id} 接单")
    await sb.direct("zhangwei", f"#{ticket.id} 到了")
    await sb.direct("zhangwei", f"#{ticket.id} 缺配件 压缩机")   # the last one in 上海: below the reorder point

    page = await in_wecom_on_a_phone(browser)
    await sign_in(page, desk.url, "zhaomin")
    await page.goto(desk.url + "/parts")
    text = await page.inner_text("main")
    assert "压缩机" in text and "CMP-01" in text
    await no_sideways_scroll(page)
    await shot(page, "parts-phone", "parts-phone.png")
    await page.goto(desk.url + "/fixes")
    assert "E5" in await page.inner_text("main")
    await no_sideways_scroll(page)
    await shot(page, "fixes-phone", "fixes-phone.png")
