"""/insights, /money and the signed settlement report on a phone (375 px, Chromium): no sideways
scrolling, the charts drawn and visible, the money table as cards. Screenshots go to
$WECOM_DESK_SCREENSHOTS (default test-output/screenshots/)."""

from __future__ import annotations

from itsdangerous import URLSafeTimedSerializer

from bot.web.session import COOKIE, session_key
from tests.pages.conftest import screenshot_dir
from tests.web.test_insights import _now, desk  # noqa: F401  (the fixture: tickets and money through the desk)

NO_SIDEWAYS = "document.scrollingElement.scrollWidth"


async def sign_in(phone, desk, userid: str) -> None:
    value = URLSafeTimedSerializer(session_key(desk.cfg), salt="session").dumps({"u": userid, "c": "csrf"})
    await phone.context.add_cookies([{"name": COOKIE, "value": value, "url": desk.url}])


async def shot(phone, name: str) -> None:
    await phone.screenshot(path=str(screenshot_dir() / name), full_page=True)


async def chart_is_visible(phone, section: str) -> None:
    chart = phone.locator(f"#{section} .chart .phone svg")
    assert await chart.is_visible()
    box = await chart.bounding_box()
    assert box and 300 <= box["width"] <= 375 and box["height"] > 150, box
    assert not await phone.locator(f"#{section} .chart .desk svg").is_visible()   # the desktop drawing is hidden


async def test_insights_on_a_phone(desk, phone):  # noqa: F811
    await sign_in(phone, desk, "zhaomin")
    await phone.goto(desk.url + "/insights?period=last_30_days")
    assert (await phone.title()).startswith("运营分析")
    assert await phone.evaluate(NO_SIDEWAYS) <= 375 + 1
    await chart_is_visible(phone, "csat-trend")
    assert await phone.locator("#heat").is_visible()
    breach = phone.locator('#heat tr[data-city="上海"] td[data-k="breaches"]')
    assert await breach.inner_text() == "1"
    colour = await breach.evaluate("td => getComputedStyle(td).backgroundColor")
    assert colour.startswith("rgba(196, 22, 28"), colour
    await shot(phone, "insights.png")
    # the period filter reloads the page for the chosen span
    await phone.select_option('select[name="period"]', "this_month")
    await phone.wait_for_url("**/insights?period=this_month*")
    assert await phone.evaluate(NO_SIDEWAYS) <= 375 + 1


async def test_money_on_a_phone(desk, phone):  # noqa: F811
    await sign_in(phone, desk, "zhaomin")
    await phone.goto(desk.url + "/money")
    assert (await phone.title()).startswith("结算")
    assert await phone.evaluate(NO_SIDEWAYS) <= 375 + 1
    await chart_is_visible(phone, "revenue")
    # rows are cards at this width: each cell says what it is
    region = phone.locator('#money-table tbody tr td[data-key="region"]').first
    label = await region.evaluate("td => getComputedStyle(td, '::before').content")
    assert "区域" in label, label
    assert await phone.locator("#money-table thead").is_hidden()
    assert await phone.locator("#download-csv").is_visible() and await phone.locator("#download-xlsx").is_visible()
    await shot(phone, "money.png")


async def test_the_signed_settlement_report_fits_a_phone(desk, phone):  # noqa: F811
    from handlers.links import report_url

    now = await _now(desk)
    url = report_url(desk.url, desk.cfg.wecom.app.secret, period=now.strftime("%Y-%m"), timezone="Asia/Shanghai",
                     regions=["east"], person=None, now=now)
    await phone.goto(url)
    assert await phone.evaluate(NO_SIDEWAYS) <= 375 + 1
    labels = await phone.eval_on_selector_all(
        "#report tbody tr:first-child td", "tds => tds.map(td => getComputedStyle(td, '::before').content).join(' ')")
    assert "收入" in labels and "销售" in labels and "gross" not in labels, labels
    assert (await phone.inner_text("#sla")).endswith("%")
    await shot(phone, "settlement-report.png")
