"""The sandbox's WeCom chat in Chromium, as a new user meets it: a store reports in its group and
reads the bot's card, the engineers' offer cards arrive in the app's 1:1 chat, one claims and the
other's card greys in place, the bill arrives as WeCom renders its markdown, on a laptop and on a
phone (WeCom's built-in browser, 375 px), in the reader's language."""

from __future__ import annotations

import re
from typing import Any

import aiohttp

from tests.pages.conftest import screenshot_dir

STORE, GROUP = "storesh", "wr_sh_xuhui"
REPORT = "@小鲸 上海徐汇店空调不制冷了"


async def be(page: Any, userid: str, chat: str) -> None:
    """Choose who I am and which chat I read, as a user does in the side panel."""
    await page.select_option("#who", userid)
    await page.click(f"#chat li[data-chat='{chat}']")
    await page.wait_for_selector(f"#chat li.on[data-chat='{chat}']", state="attached")


async def say_in_page(page: Any, text: str) -> None:
    await page.fill("#text", text)
    await page.press("#text", "Enter")


async def test_a_report_a_claim_and_the_bill_read_as_in_wecom(desk, desktop):
    page, shots = desktop, screenshot_dir()
    await page.goto(f"{desk.url}/sandbox")
    await be(page, STORE, GROUP)
    # The group's header: its name and members, by name, the bot among them.
    assert "上海徐汇店报修群" in await page.inner_text("#title")
    members = await page.inner_text("#members")
    assert "上海徐汇店店长" in members and "小鲸" in members and "storesh" not in members

    await say_in_page(page, REPORT)
    reply = page.locator("#log .msg.bot .tc:has-text('已创建工单 #1')")
    await reply.wait_for(timeout=10_000)
    # Senders by name, never by user id; the bot as the bot; a time on every bubble.
    assert await page.locator(f"#log .msg[data-from={STORE}] .who").all_inner_texts() == ["上海徐汇店店长"]
    assert await page.locator(f"#log .msg[data-from={STORE}]").get_attribute("class") == "msg me"
    assert await page.locator("#log .msg.bot .who").first.inner_text() == "小鲸"
    times = await page.locator("#log .msg .meta time").all_inner_texts()
    assert len(times) == await page.locator("#log .msg").count() >= 2
    assert all(re.fullmatch(r"\d\d:\d\d", t) for t in times), times
    # The card as WeCom draws it: its rows, and "查看详情" opening the ticket in a new tab.
    assert "待接单" in await reply.locator(".tc-rows").inner_text()
    details = reply.locator("a.tc-more")
    assert await details.get_attribute("target") == "_blank"
    assert "/tickets/1" in (await details.get_attribute("href") or "")

    for engineer in ("zhangwei", "liqiang"):
        await desk.sandbox.wait_for(lambda e=engineer: desk.sandbox.job_cards(e))
    # 李强 reads his app chat in a browser of his own.
    assert page.context.browser is not None
    other_context = await page.context.browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    other = await other_context.new_page()
    try:
        await other.goto(f"{desk.url}/sandbox")
        await be(other, "liqiang", "@app")
        offer = other.locator("#log .tc[data-task^='job-1-liqiang']")
        await offer.locator("button.btn:has-text('接单')").wait_for(timeout=10_000)
        assert await offer.locator("button.btn").is_enabled()
        assert await other.locator("#log .msg.app .who").first.inner_text() == "工单应用"
        bubbles = await other.locator("#log .msg").count()

        # 张伟 claims from his own identity.
        await be(page, "zhangwei", "@app")
        mine = page.locator("#log .tc[data-task^='job-1-zhangwei']")
        await mine.locator("button.btn:has-text('接单')").click()
        await mine.locator("button.btn.done:has-text('已接单')").wait_for(timeout=10_000)

        # 李强's card greys in place, with the new text, and no bubble is added for it.
        greyed = offer.locator("button.btn.done")
        await greyed.wait_for(timeout=10_000)
        assert await greyed.inner_text() == "已被 张伟 接单"
        assert await greyed.is_disabled()
        assert await offer.locator("button.btn:not(.done)").count() == 0
        assert await other.locator("#log .msg").count() == bubbles
        assert await other.locator("#log .tc").count() == 1
        assert "card updated" not in await other.inner_text("#log")

        # Who I am and what I read survive a reload.
        await other.reload()
        await offer.locator("button.btn.done").wait_for(timeout=10_000)
        assert await other.input_value("#who") == "liqiang"
        assert await other.get_attribute("#chat li.on", "data-chat") == "@app"
        await other.screenshot(path=str(shots / "sandbox-offer-taken.png"))
    finally:
        await other_context.close()

    # The job done: the bill, as markdown, in 张伟's app chat and in the store's group.
    await say_in_page(page, "#1 到了")
    await page.locator("#log .msg.app:has-text('已到场')").wait_for(timeout=10_000)
    await say_in_page(page, "#1 完工 工时2小时 更换压缩机电容")
    await page.locator("#log .msg.app .md strong:has-text('合计')").wait_for(timeout=10_000)
    assert await page.locator("#log .msg.me[data-from=zhangwei]").count() == 2
    await page.set_viewport_size({"width": 1280, "height": 1000})   # the whole 1:1 chat in one picture
    await page.locator("#log").evaluate("e => e.scrollTop = e.scrollHeight")
    await page.screenshot(path=str(shots / "sandbox-desktop-engineer.png"))
    await page.set_viewport_size({"width": 1280, "height": 800})

    await be(page, STORE, GROUP)
    bill = page.locator("#log .msg.push:has(strong:has-text('工单 #1 费用明细'))")
    await bill.wait_for(timeout=10_000)
    assert await bill.locator(".md .q").count() >= 4   # "> 基础服务费 …" as quote lines
    assert await bill.locator(".who").inner_text() == "群机器人"   # a group webhook's push, as such
    shown = await page.evaluate("document.body.innerText")
    assert "**" not in shown and "> 基础服务费" not in shown and "&gt;" not in shown
    await page.locator("#log").evaluate("e => e.scrollTop = e.scrollHeight")
    await page.screenshot(path=str(shots / "sandbox-desktop-group.png"))


async def test_the_chat_follows_the_newest_message_unless_the_reader_scrolled_up(desk, desktop):
    page = desktop
    for i in range(15):
        await _webhook(desk, {"msgtype": "markdown", "markdown": {"content": f"**通知 {i}**\n第 {i} 条"}})
    await page.goto(f"{desk.url}/sandbox")
    await be(page, STORE, GROUP)
    await page.locator("#log strong:has-text('通知 14')").wait_for()
    assert await _at_end(page)
    await _webhook(desk, {"msgtype": "markdown", "markdown": {"content": "**通知 15**"}})
    await page.locator("#log strong:has-text('通知 15')").wait_for(timeout=5_000)
    assert await _at_end(page), "a new message scrolls into view"
    await page.locator("#log").evaluate("e => e.scrollTop = 0")
    await _webhook(desk, {"msgtype": "markdown", "markdown": {"content": "**通知 16**"}})
    await page.locator("#log strong:has-text('通知 16')").wait_for(timeout=5_000)
    assert await page.locator("#log").evaluate("e => e.scrollTop") == 0, "the reader's place is kept"
    assert await page.is_visible("#newer")
    await page.click("#newer")
    assert await _at_end(page)


async def test_markdown_is_wecoms_subset_and_everything_else_is_text(desk, desktop):
    page = desktop
    content = ("# 大标题\n###### 小标题\n**粗体** 与 `代码` 与 [工单](https://example.com/t/1?a=1&b=2)\n"
               "> 引用一行\n<font color=\"warning\">超时</font> <font color=\"info\">正常</font> "
               "<font color=\"comment\">备注</font>\n"
               "<img src=x onerror=\"window.pwned=1\"><script>window.pwned=2</script> [坏链接](javascript:alert(1))")
    await _webhook(desk, {"msgtype": "markdown", "markdown": {"content": content}})
    said = await desk.sandbox.say(STORE, "<b onmouseover=\"window.pwned=3\">**不是加粗**</b>", chatid=GROUP)
    assert said["status"] == 200
    await page.goto(f"{desk.url}/sandbox")
    await be(page, STORE, GROUP)
    md = page.locator("#log .msg.push .md").first
    await md.wait_for()
    assert await md.locator(".h1").inner_text() == "大标题"
    assert await md.locator(".h6").inner_text() == "小标题"
    assert await md.locator("strong").inner_text() == "粗体"
    assert await md.locator("code").inner_text() == "代码"
    link = md.locator("a:has-text('工单')")
    assert await link.get_attribute("href") == "https://example.com/t/1?a=1&b=2"
    assert await link.get_attribute("target") == "_blank"
    assert await md.locator(".q").inner_text() == "引用一行"
    assert [await md.locator(f".fc-{c}").inner_text() for c in ("warning", "info", "comment")] == ["超时", "正常", "备注"]
    # Anything else is shown as the text it is: no element, no script, no javascript: link.
    assert await page.locator("#log img, #log script, #log [onerror], #log [onmouseover]").count() == 0
    assert await md.locator("a:has-text('坏链接')").count() == 0
    assert "<img src=x" in await md.inner_text()
    # A person's own words are never markdown: WeCom shows them as typed.
    mine = page.locator(f"#log .msg[data-from={STORE}] .bubble")
    assert "<b onmouseover" in await mine.inner_text() and "**不是加粗**" in await mine.inner_text()
    assert await page.evaluate("window.pwned") is None


async def test_a_reply_the_bot_had_not_finished_is_asked_for_again_and_finished_in_place(start, desktop):
    """Past the reply deadline the bot answers with an unfinished stream; WeCom's client asks again
    (stream refresh) and shows the finished answer in the same bubble, as the page does."""
    desk = await start(server={"reply_deadline_ms": 10})
    page = desktop
    await page.goto(f"{desk.url}/sandbox")
    await be(page, STORE, GROUP)
    await say_in_page(page, REPORT)
    await page.locator("#log .msg.bot .tc:has-text('已创建工单 #1')").wait_for(timeout=15_000)
    assert await page.locator("#log .msg.bot").count() == 1
    assert "⏳" not in await page.inner_text("#log")
    refreshes = [m for m in await desk.sandbox.inbox(chatid=GROUP) if m.get("from") == "bot"]
    assert len(refreshes) >= 2 and refreshes[0]["reply"]["stream"]["finish"] is False


async def test_the_job_card_reads_normally_on_a_phone(desk, phone):
    shots = screenshot_dir()
    await desk.sandbox.say(STORE, REPORT, chatid=GROUP)
    await desk.sandbox.wait_for(lambda: desk.sandbox.job_cards("zhangwei"))
    await phone.goto(f"{desk.url}/sandbox")
    # The chat has the width; the side panel waits behind the menu button.
    assert not await phone.is_visible("#who")
    log = await phone.locator("#log").bounding_box()
    assert log is not None and log["width"] >= 370
    await phone.locator("#log .msg.bot .tc").wait_for()
    await phone.screenshot(path=str(shots / "sandbox-phone-group.png"))
    await phone.click("#menu")
    await phone.wait_for_selector("#who", state="visible")
    assert await phone.is_visible("#tools")
    await be(phone, "zhangwei", "@app")
    await phone.wait_for_selector("#who", state="hidden")   # choosing a chat closes the drawer
    card = phone.locator("#log .tc[data-task^='job-1-zhangwei']")
    await card.wait_for()
    box = await card.bounding_box()
    assert box is not None and box["width"] >= 300 and box["x"] + box["width"] <= 375
    sub = card.locator(".tc-sub")
    sub_box = await sub.bounding_box()
    line = await sub.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
    assert sub_box is not None and sub_box["width"] >= 270
    assert sub_box["height"] < 1.6 * line, "the report's words fit on one line, not two characters a line"
    button = await card.locator("button.btn").bounding_box()
    assert button is not None and button["width"] >= 250
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 375
    await phone.screenshot(path=str(shots / "sandbox-phone.png"))


async def test_labels_in_the_persons_language_and_the_sandbox_switches(desk, desktop):
    page = desktop
    await page.goto(f"{desk.url}/sandbox")
    for userid, lang, send in (("lucas", "fr", "Envoyer"), ("somchai", "th", "ส่ง"), ("wangfang", "zh", "发送")):
        await page.select_option("#who", userid)
        assert await page.inner_text("#send") == send
        assert await page.evaluate("document.documentElement.lang") == lang
    await page.select_option("#who", "lucas")
    assert await page.inner_text("#tools summary") == "Outils du bac à sable"
    assert "technicien" in await page.eval_on_selector("#who", "s => s.selectedOptions[0].textContent")

    await page.click("#tools summary")
    await page.select_option("#fmode", "errcode")
    await page.select_option("#fapi", "message/send")
    await page.fill("#fcount", "2")
    await page.fill("#ferrcode", "45009")
    await page.click("#faultform button")
    await page.wait_for_selector("#faultlist li:has-text('45009')")
    [fault] = await desk.sandbox.faults()
    assert (fault["api"], fault["errcode"], fault["count"]) == ("message/send", 45009, 2)
    await page.click("#faultclr button")
    await page.wait_for_selector("#faultlist li:has-text('Aucune panne')")
    assert await desk.sandbox.faults() == []

    await page.check("#cacheaway")
    await page.wait_for_selector("#cachestate:has-text('coupé')")
    assert (await _get(desk, "/sandbox/api/cache"))["away"] is True
    await page.uncheck("#cacheaway")
    await page.wait_for_selector("#cachestate:has-text('disponible')")

    await desk.sandbox.say(STORE, REPORT, chatid=GROUP)
    await be(page, STORE, GROUP)
    await page.locator("#log .msg.bot").wait_for()
    await page.click("#reset")   # once to arm, twice to reset
    assert await desk.sandbox.inbox(chatid=GROUP) != []
    await page.click("#reset")
    await page.wait_for_selector("#log .empty")
    assert await desk.sandbox.inbox(chatid=GROUP) == []


async def _webhook(desk: Any, body: dict[str, Any]) -> None:
    """A push into the store's group through its group robot, as the desk's worker sends one."""
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{desk.url}/sandbox/cgi-bin/webhook/send", params={"key": "sandbox-key-sh-xuhui"},
                             json=body) as resp:
            assert (await resp.json())["errcode"] == 0


async def _get(desk: Any, path: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{desk.url}{path}") as resp:
            return await resp.json()


async def _at_end(page: Any) -> bool:
    return await page.locator("#log").evaluate("e => e.scrollHeight - e.scrollTop - e.clientHeight < 60")
