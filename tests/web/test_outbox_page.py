"""The admins' outbox page over real HTTP: a store group's progress pushes fail for good (a sandbox
fault), /outbox lists them by the group's name, "retry" and "retry all failed" make the worker
deliver them; a manager is refused, and a post without the CSRF token changes nothing."""

from __future__ import annotations

import re
import secrets

import aiohttp
from itsdangerous import URLSafeTimedSerializer

from bot.web.session import COOKIE, session_key
from handlers.messages import t
from storage.models import OutboxMessage, Ticket
from tests.conftest import rows

GROUP = "wr_sh_xuhui"


def cookie(cfg, userid: str, csrf: str) -> dict[str, str]:
    """The session cookie sign-in would set (bot/web/session.py `finish`)."""
    return {COOKIE: URLSafeTimedSerializer(session_key(cfg), salt="session").dumps({"u": userid, "c": csrf})}


async def failed_pushes(desk):
    msgs = [m for m in await rows(desk.cfg, OutboxMessage) if m.kind == "webhook"]
    return msgs if len(msgs) == 2 and all(m.status == "failed" for m in msgs) else None


async def status_of(desk, row_id: int) -> str:
    [m] = await rows(desk.cfg, OutboxMessage, id=row_id)
    return m.status


async def two_failed_pushes(desk) -> list[OutboxMessage]:
    """Two tickets' progress pushes into the store group (a claim, a departure) fail for good."""
    sb = desk.sandbox
    await sb.fault("http500", count=1000, api="webhook/send", dest=GROUP)
    await sb.say("storesh", "@小鲸 徐汇店空调不制冷", chatid=GROUP)
    await sb.say("storesh", "@小鲸 徐汇店电梯门关不上", chatid=GROUP)
    tickets = {tk.skill: tk.id for tk in await rows(desk.cfg, Ticket)}
    [card] = await sb.wait_for(lambda: sb.job_cards("zhangwei"))      # offered to the HVAC engineers
    assert (await sb.click("zhangwei", card["task_id"], f"claim:{tickets['hvac']}"))["status"] == 200
    # The elevator job went straight to its only engineer, who sets out.
    assert (await sb.direct("wangfang", f"#{tickets['elevator']} 出发了 大概30分钟到"))["status"] == 200
    msgs = await sb.wait_for(lambda: failed_pushes(desk), timeout=15)
    assert msgs, "both pushes failed for good"
    return sorted(msgs, key=lambda m: m.id)


async def test_failed_pushes_are_listed_by_name_and_retried(start):
    desk = await start(worker={"max_attempts": 2})
    cfg, sb = desk.cfg, desk.sandbox
    first, second = await two_failed_pushes(desk)
    group_name = cfg.group(GROUP).name
    csrf = secrets.token_urlsafe(16)
    async with aiohttp.ClientSession(cookies=cookie(cfg, "admin", csrf)) as http:
        async with http.get(desk.url + "/outbox") as r:
            assert r.status == 200
            page = await r.text()
        # Each failed row: by the group's name (never its webhook key), its ticket, attempts, error.
        for m in (first, second):
            row = re.search(rf'<tr data-id="{m.id}" data-status="failed">(.*?)</tr>', page, re.S)
            assert row, f"row {m.id} is listed as failed"
            assert group_name in row.group(1)
            assert f'href="/tickets/{m.ticket_id}"' in row.group(1)
            assert ">2<" in row.group(1) and "500" in row.group(1)
        assert "sandbox-key-sh-xuhui" not in page
        assert re.search(r'data-status="failed">[^<]*<b class="num">2</b>', page)
        assert "发件箱" in page   # the admin reads Chinese (their first language)

        await sb.clear_faults()
        # One row: only it goes back, and the worker delivers it.
        async with http.post(desk.url + "/outbox/retry", data={"csrf": csrf, "id": str(first.id)},
                             allow_redirects=False) as r:
            assert r.status == 303 and r.headers["Location"] == "/outbox?retried=1"
        assert await sb.wait_for(lambda: _is(desk, first.id, "sent"), timeout=10)
        assert await status_of(desk, second.id) == "failed"
        [retried] = await rows(cfg, OutboxMessage, id=first.id)
        assert retried.attempts == 1   # reset, then one good attempt
        pushes = await sb.wait_for(lambda: sb.pushes(GROUP))
        assert len(pushes) == 1

        # Retry all failed.
        async with http.post(desk.url + "/outbox/retry", data={"csrf": csrf, "all": "1"}) as r:
            assert r.status == 200 and t("zh", "ops.retried", n=1) in await r.text()   # followed to /outbox?retried=1
        assert await sb.wait_for(lambda: _is(desk, second.id, "sent"), timeout=10)
        assert len(await sb.pushes(GROUP)) == 2
        async with http.get(desk.url + "/outbox") as r:
            assert 'data-status="failed"><' not in await r.text()


async def _is(desk, row_id: int, status: str) -> bool:
    return await status_of(desk, row_id) == status


async def test_a_manager_is_refused_and_a_post_without_csrf_changes_nothing(start):
    desk = await start(worker={"max_attempts": 2})
    cfg = desk.cfg
    first, _ = await two_failed_pushes(desk)
    await desk.sandbox.clear_faults()

    manager_csrf = secrets.token_urlsafe(16)
    async with aiohttp.ClientSession(cookies=cookie(cfg, "zhaomin", manager_csrf)) as http:
        async with http.get(desk.url + "/outbox", allow_redirects=False) as r:
            assert r.status == 403
        async with http.post(desk.url + "/outbox/retry", data={"csrf": manager_csrf, "all": "1"},
                             allow_redirects=False) as r:
            assert r.status == 403

    csrf = secrets.token_urlsafe(16)
    async with aiohttp.ClientSession(cookies=cookie(cfg, "admin", csrf)) as http:
        for data in ({"id": str(first.id)}, {"all": "1"}, {"csrf": "forged", "all": "1"}):
            async with http.post(desk.url + "/outbox/retry", data=data, allow_redirects=False) as r:
                assert r.status == 403, data

    async with aiohttp.ClientSession() as http:   # nobody signed in: a post is 401, a page goes to sign-in
        async with http.post(desk.url + "/outbox/retry", data={"all": "1"}, allow_redirects=False) as r:
            assert r.status == 401
        async with http.get(desk.url + "/outbox", allow_redirects=False) as r:
            assert r.status == 302 and r.headers["Location"].startswith("/auth/start")

    msgs = [m for m in await rows(cfg, OutboxMessage) if m.kind == "webhook"]
    assert [(m.status, m.attempts) for m in msgs] == [("failed", 2), ("failed", 2)]
    assert await desk.sandbox.pushes(GROUP) == []
    assert len(await rows(cfg, Ticket)) == 2
