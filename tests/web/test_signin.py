"""Sign-in to the desk's pages through WeCom (played by the sandbox: the same code path), the
session cookie, roles and regions, and CSRF — over real HTTP, without a browser.

The browser walk-through (board live, dispatch from the page, 375 px) is in
tests/pages/test_desk_pages.py."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import aiohttp
from itsdangerous import URLSafeTimedSerializer

from storage.models import Ticket, TicketEvent
from tests.conftest import make_config, rows

STORE, GROUP = "storesh", "wr_sh_xuhui"
SOUTH_MANAGER = {"userid": "huangli", "name": "黄丽", "roles": ["manager"], "regions": ["south"], "languages": ["zh"]}


def with_south_manager(tmp_path):
    cfg = make_config(tmp_path)
    data = cfg.model_dump(mode="json")
    data["people"].append(SOUTH_MANAGER)
    return type(cfg).model_validate(data)


async def sign_in(http: aiohttp.ClientSession, base: str, userid: str, *, ua: str = "Mozilla/5.0",
                  next_path: str = "/") -> aiohttp.ClientResponse:
    """What a browser does: our /auth/start → WeCom's page (the sandbox's) → choose → back to us."""
    r = await http.get(f"{base}/auth/start", params={"next": next_path}, headers={"User-Agent": ua},
                       allow_redirects=False)
    assert r.status == 302, await r.text()
    wecom = r.headers["Location"]
    page = await http.get(wecom.split("#")[0], allow_redirects=False)
    assert page.status == 200
    assert f'data-userid="{userid}"' in await page.text()
    q = parse_qs(urlsplit(wecom).query)
    choose = wecom.split("?")[0].rsplit("/", 1)[0] + "/choose"
    back = await http.get(choose, params={"userid": userid, "redirect_uri": q["redirect_uri"][0],
                                          "state": q["state"][0]}, allow_redirects=False)
    assert back.status == 302
    return await http.get(back.headers["Location"], allow_redirects=False)


def browser() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def test_a_visitor_is_sent_through_wecom_and_lands_on_the_board(desk):
    async with browser() as http:
        landing = await http.get(desk.url + "/")
        assert landing.status == 200 and 'href="/sandbox/"' in await landing.text()   # sandbox on: a start page
        # Outside WeCom: the web login (QR); inside WeCom's browser: web authorisation.
        r = await http.get(desk.url + "/auth/start", allow_redirects=False)
        target = urlsplit(r.headers["Location"])
        assert target.path.endswith("/wwlogin/sso/login")
        q = parse_qs(target.query)
        assert q["login_type"] == ["CorpApp"] and q["appid"] == [desk.cfg.wecom.corp_id]
        assert q["agentid"] == [str(desk.cfg.wecom.app.agent_id)]
        assert q["redirect_uri"] == [desk.url + "/auth/wecom"]
        assert "redirect_uri=http%3A%2F%2F" in r.headers["Location"]   # url-encoded, as WeCom asks
        r = await http.get(desk.url + "/auth/start", headers={"User-Agent": "Mozilla/5.0 wxwork/4.1"},
                           allow_redirects=False)
        assert "/connect/oauth2/authorize?" in r.headers["Location"]
        assert r.headers["Location"].endswith("#wechat_redirect")
        assert "scope=snsapi_base" in r.headers["Location"]

        done = await sign_in(http, desk.url, "zhaomin", next_path="/?region=east")
        assert done.status == 302 and done.headers["Location"] == "/?region=east"
        cookie = done.cookies["wd_session"]
        assert cookie["httponly"] and cookie["samesite"] == "Lax"
        board = await http.get(desk.url + "/?region=east")
        text = await board.text()
        assert board.status == 200 and "赵敏" in text and "未完成工单" in text
        # The sandbox saw the code turned into a userid: the production path.
        assert [c["userid"] for c in await desk.sandbox.calls("auth/getuserinfo")] == ["zhaomin"]


async def test_engineers_customers_and_strangers_are_refused(desk):
    for userid in ("zhangwei", "storesh"):
        async with browser() as http:
            await sign_in(http, desk.url, userid)
            r = await http.get(desk.url + "/", allow_redirects=False)
            assert r.status == 403 and "只对经理和管理员开放" in await r.text()
    async with browser() as http:   # a forged cookie is nobody
        http.cookie_jar.update_cookies({"wd_session": "eyJ1IjoiYWRtaW4ifQ.forged.sig"})
        r = await http.get(desk.url + "/board/rows", allow_redirects=False)
        assert r.status == 302 and r.headers["Location"].startswith("/auth/start")
    async with browser() as http:   # signed with someone else's key: nobody either
        fake = URLSafeTimedSerializer(b"not-our-key", salt="session").dumps({"u": "admin", "c": "x"})
        http.cookie_jar.update_cookies({"wd_session": fake})
        r = await http.get(desk.url + "/board/rows", allow_redirects=False)
        assert r.status == 302


async def test_a_code_works_once_and_the_state_must_be_ours(desk):
    async with browser() as http:
        r = await http.get(desk.url + "/auth/start", allow_redirects=False)
        q = parse_qs(urlsplit(r.headers["Location"]).query)
        choose = r.headers["Location"].split("?")[0].rsplit("/", 1)[0] + "/choose"
        back = await http.get(choose, params={"userid": "zhaomin", "redirect_uri": q["redirect_uri"][0],
                                              "state": "not-the-state"}, allow_redirects=False)
        r = await http.get(back.headers["Location"], allow_redirects=False)
        assert r.status == 400 and "wd_session" not in r.cookies
        # A code replayed after a good sign-in: WeCom says 40029 and nobody is signed in.
        done = await sign_in(http, desk.url, "zhaomin")
        assert done.status == 302
    used = (await desk.sandbox.calls("auth/authorize"))[-1]
    assert used["userid"] == "zhaomin"
    async with browser() as http:
        r = await http.get(desk.url + "/auth/wecom", params={"code": "made-up", "state": "x"}, allow_redirects=False)
        assert r.status == 400


async def test_sign_in_never_sends_anyone_off_site(desk):
    async with browser() as http:
        done = await sign_in(http, desk.url, "zhaomin", next_path="//evil.example/steal")
        assert done.headers["Location"] == "/"


async def report(desk, text="@小鲸 上海徐汇店空调不制冷了") -> Ticket:
    await desk.sandbox.say(STORE, text, chatid=GROUP)
    [ticket] = await desk.sandbox.wait_for(lambda: rows(desk.cfg, Ticket))
    return ticket


async def form_csrf(http, url) -> str:
    text = await (await http.get(url)).text()
    marker = 'name="csrf" value="'
    return text[text.index(marker) + len(marker):].split('"', 1)[0]


async def test_a_manager_of_another_region_does_not_see_the_ticket(start, tmp_path):
    desk = await start(with_south_manager(tmp_path))
    ticket = await report(desk)
    async with browser() as http:
        await sign_in(http, desk.url, "huangli")
        rows_html = await (await http.get(desk.url + "/board/rows")).text()
        assert f"#{ticket.id}" not in rows_html
        assert (await http.get(desk.url + f"/tickets/{ticket.id}")).status == 404
        bad = await http.get(desk.url + "/?region=east")   # a region not theirs: said, not an empty board
        assert bad.status == 400
    async with browser() as http:
        await sign_in(http, desk.url, "zhaomin")
        assert f"#{ticket.id}" in await (await http.get(desk.url + "/board/rows")).text()


async def test_every_form_needs_its_csrf_token_and_a_refusal_changes_nothing(desk):
    ticket = await report(desk)
    async with browser() as http:
        await sign_in(http, desk.url, "zhaomin")
        before = [e.id for e in await rows(desk.cfg, TicketEvent, ticket_id=ticket.id)]
        r = await http.post(desk.url + f"/tickets/{ticket.id}/act", data={"action": "cancel"}, allow_redirects=False)
        assert r.status == 403
        r = await http.post(desk.url + f"/tickets/{ticket.id}/act", data={"action": "cancel", "csrf": "guess"},
                            allow_redirects=False)
        assert r.status == 403
        assert [e.id for e in await rows(desk.cfg, TicketEvent, ticket_id=ticket.id)] == before
        [still] = await rows(desk.cfg, Ticket, id=ticket.id)
        assert still.status == ticket.status
        csrf = await form_csrf(http, desk.url + f"/tickets/{ticket.id}")
        r = await http.post(desk.url + f"/tickets/{ticket.id}/act", data={"action": "explode", "csrf": csrf},
                            allow_redirects=False)
        assert r.status == 400
        r = await http.post(desk.url + f"/tickets/{ticket.id}/act",
                            data={"action": "cancel", "csrf": csrf, "reason": "门店已自行处理"}, allow_redirects=False)
        assert r.status == 303
        page = await (await http.get(desk.url + f"/tickets/{ticket.id}")).text()
        assert 'id="flash"' in page and "已取消" in page
        [done] = await rows(desk.cfg, Ticket, id=ticket.id)
        assert done.status == "cancelled"
        [event] = [e for e in await rows(desk.cfg, TicketEvent, ticket_id=ticket.id) if e.to_status == "cancelled"]
        assert event.actor == "zhaomin" and event.reason == "门店已自行处理"

    async def told_the_group() -> list[str]:
        return [p for p in await desk.sandbox.pushes(GROUP) if "取消" in p]

    assert await desk.sandbox.wait_for(told_the_group)


async def test_assign_from_the_page_reaches_the_engineer_and_the_group(desk):
    ticket = await report(desk)
    async with browser() as http:
        await sign_in(http, desk.url, "zhaomin")
        page = await (await http.get(desk.url + f"/tickets/{ticket.id}")).text()
        assert 'id="assign"' in page and "李强" in page      # the router's candidates, by name
        csrf = await form_csrf(http, desk.url + f"/tickets/{ticket.id}")
        r = await http.post(desk.url + f"/tickets/{ticket.id}/act",
                            data={"action": "assign", "engineer": "liqiang", "csrf": csrf}, allow_redirects=False)
        assert r.status == 303
    [assigned] = await rows(desk.cfg, Ticket, id=ticket.id)
    assert assigned.assignee == "liqiang" and assigned.status == "assigned"
    cards = await desk.sandbox.wait_for(lambda: desk.sandbox.job_cards("liqiang"))
    assert cards
    events = await rows(desk.cfg, TicketEvent, ticket_id=ticket.id)
    assert any(e.actor == "zhaomin" for e in events)


async def test_urgency_reopen_and_approval_from_the_page(desk):
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 徐汇店电梯异响", chatid=GROUP)   # elevator_repair: assign mode, approval above 1000
    [ticket] = await sb.wait_for(lambda: rows(desk.cfg, Ticket))
    async with browser() as http:
        await sign_in(http, desk.url, "zhaomin")
        page = desk.url + f"/tickets/{ticket.id}"
        act = page + "/act"
        r = await http.post(act, data={"action": "urgency", "urgency": "urgent", "csrf": await form_csrf(http, page)},
                            allow_redirects=False)
        assert r.status == 303
        [now] = await rows(desk.cfg, Ticket, id=ticket.id)
        assert now.urgency == "urgent" and now.response_due <= ticket.response_due   # a tighter promise
        await sb.say(STORE, "@小鲸 #1 取消", chatid=GROUP)
        r = await http.post(act, data={"action": "reopen", "csrf": await form_csrf(http, page)}, allow_redirects=False)
        assert r.status == 303
        [reopened] = await rows(desk.cfg, Ticket, id=ticket.id)
        assert reopened.status in ("new", "offered", "assigned")
        engineer = reopened.assignee or "wangfang"
        await sb.say(engineer, f"@小鲸 #{ticket.id} 到了", chatid="wr_east_dispatch")
        await sb.say(engineer, f"@小鲸 #{ticket.id} 完工 工时5小时", chatid="wr_east_dispatch")   # above the limit
        [waiting] = await rows(desk.cfg, Ticket, id=ticket.id)
        assert waiting.status == "awaiting_approval"
        assert 'id="approve"' in await (await http.get(page)).text()
        r = await http.post(act, data={"action": "approve", "csrf": await form_csrf(http, page)}, allow_redirects=False)
        assert r.status == 303
        [done] = await rows(desk.cfg, Ticket, id=ticket.id)
        assert done.status == "completed" and done.data["approved"] == "zhaomin"
