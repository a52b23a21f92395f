"""Whatever a browser sends to the pages — odd query values, forged tokens in any script, unknown
actions — gets a page or a 4xx, never a 500 (and, being refused, changes nothing)."""

from __future__ import annotations

import aiohttp
from itsdangerous import URLSafeTimedSerializer

from bot.web.session import session_key
from storage.models import TicketEvent
from tests.conftest import rows

ODD = ["", "x", "%00", "'; drop table tickets;--", "9" * 40, "-1", "2999-13", "../../etc/passwd", "<script>", "东",
       "ไทย", "None"]
PAGES = ["/", "/board/rows", "/insights", "/money", "/money.csv", "/money.xlsx", "/parts", "/fixes", "/outbox",
         "/tickets/1", "/tickets/abc", "/reports/settlement", "/report"]
KEYS = ["period", "region", "city", "store", "skill", "template", "engineer", "status", "days", "sig", "exp", "next"]
FORMS = [{}, {"csrf": "东"}, {"csrf": "tok", "action": "assign", "engineer": "nobody"},
         {"csrf": "tok", "action": "x" * 5000}, {"csrf": "tok", "id": "abc"}, {"csrf": "tok", "fix": "-1", "op": "accept"},
         {"csrf": "tok", "action": "urgency", "urgency": "🔥"}, {"csrf": "ไทย", "action": "cancel"}]


async def test_no_page_answers_500_to_what_a_browser_sends(desk):
    await desk.sandbox.say("storesh", "@小鲸 上海徐汇店空调不制冷了", chatid="wr_sh_xuhui")
    before = len(await rows(desk.cfg, TicketEvent))
    cookie = URLSafeTimedSerializer(session_key(desk.cfg), salt="session").dumps({"u": "admin", "c": "tok"})
    bad = []
    async with aiohttp.ClientSession(cookies={"wd_session": cookie}) as http:
        for path in PAGES:
            for key in KEYS:
                for value in ODD:
                    r = await http.get(desk.url + path, params={key: value}, allow_redirects=False)
                    if r.status >= 500:
                        bad.append(("GET", path, key, value, r.status))
        for path in ["/tickets/1/act", "/outbox/retry", "/fixes", "/report", "/auth/signout"]:
            for form in FORMS:
                r = await http.post(desk.url + path, data=form, allow_redirects=False)
                if r.status >= 500:
                    bad.append(("POST", path, form, r.status))
        for value in ODD:
            r = await http.get(desk.url + "/auth/wecom", params={"code": value, "state": value}, allow_redirects=False)
            if r.status >= 500:
                bad.append(("GET", "/auth/wecom", value, r.status))
    assert bad == []
    # Every refused form changed nothing ("cancel" with a forged token included).
    assert len(await rows(desk.cfg, TicketEvent)) == before
