"""The cache going away loses nothing: a callback that cannot be handled is answered 503 (WeCom
retries) instead of 200, nothing half-done is stored, the worker keeps its rows for later instead
of failing them, /healthz names the cache, and everything recovers by itself when it returns."""

from __future__ import annotations

import aiohttp

from bot.app import CACHE, WORKER
from bot.callbacks import DESK
from storage.cache import CacheUnavailable
from storage.models import InboundCallback, OutboxMessage, Ticket
from tests.conftest import rows

STORE, GROUP = "storesh", "wr_sh_xuhui"


class Flaky:
    """The real cache, unreachable while `down`."""

    def __init__(self, real) -> None:
        self.real, self.down = real, False

    def __getattr__(self, name):  # type: ignore[no-untyped-def]
        attr = getattr(self.real, name)
        if not callable(attr):
            return attr

        async def call(*args, **kwargs):  # type: ignore[no-untyped-def]
            if self.down:
                raise CacheUnavailable("ConnectionError: Error 111 connecting (test)")
            return await attr(*args, **kwargs)
        return call


def unplug(desk) -> Flaky:
    flaky = Flaky(desk.app[CACHE])
    desk.app[DESK].cache = flaky
    desk.app[WORKER].cache = flaky
    desk.app[WORKER].client.cache = flaky
    desk.app[CACHE] = flaky
    return flaky


async def health(desk) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as http:
        async with http.get(desk.url + "/healthz") as resp:
            return resp.status, await resp.json()


async def test_a_callback_during_an_outage_is_refused_then_handled_once_on_redelivery(desk):
    sb = desk.sandbox
    flaky = unplug(desk)
    flaky.down = True
    first = await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP, msgid="outage-1")
    assert first["status"] == 503 and first["reply"] is None
    assert await rows(desk.cfg, Ticket) == [] and await rows(desk.cfg, InboundCallback) == []
    status, body = await health(desk)
    assert status == 503 and body["cache"].startswith("error") and body["database"] == "ok"

    flaky.down = False   # it comes back; WeCom delivers the same message again
    again = await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP, msgid="outage-1")
    assert again["status"] == 200 and "#1" in again["reply"]["template_card"]["main_title"]["title"]
    twice = await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP, msgid="outage-1")
    assert twice["reply"] == again["reply"]
    assert len(await rows(desk.cfg, Ticket)) == 1
    assert (await health(desk))[0] == 200


async def test_a_card_click_during_an_outage_is_refused_so_it_is_not_lost(desk):
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    [card] = await sb.wait_for(lambda: sb.job_cards("zhangwei"))
    flaky = unplug(desk)
    flaky.down = True
    refused = await sb.click("zhangwei", card["task_id"], "claim:1")
    assert refused["status"] == 503
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.assignee is None
    flaky.down = False
    accepted = await sb.click("zhangwei", card["task_id"], "claim:1")
    assert accepted["status"] == 200
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.assignee == "zhangwei"


async def test_the_worker_keeps_rows_through_an_outage_and_sends_them_after(start):
    desk = await start(worker={"in_process": False})   # this test drives the worker itself
    sb = desk.sandbox
    flaky = unplug(desk)
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    queued = await rows(desk.cfg, OutboxMessage)
    assert queued and all(r.status == "pending" for r in queued)
    flaky.down = True
    await desk.app[WORKER].run_once()
    during = await rows(desk.cfg, OutboxMessage)
    assert [r.status for r in during] == ["pending"] * len(queued)   # kept, not failed
    assert all(r.attempts == 0 for r in during)                      # and no attempt spent
    assert await sb.calls("message/send") == []
    flaky.down = False

    async def all_sent():
        await desk.app[WORKER].run_once()
        out = await rows(desk.cfg, OutboxMessage)
        return all(r.status == "sent" for r in out) and out
    assert await sb.wait_for(all_sent, timeout=15), await rows(desk.cfg, OutboxMessage)
    assert len(await sb.calls("message/send")) == len([r for r in queued if r.kind == "app_message"])


def test_an_unreachable_redis_at_start_is_one_line_and_exit_2(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.conftest import ROOT, free_port

    env = {**os.environ, "WECOM_DESK_SANDBOX": "true", "WECOM_DESK_PORT": str(free_port()),
           "WECOM_DESK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/desk.db",
           "WECOM_DESK_REDIS_URL": "redis://127.0.0.1:1/0"}   # nothing listens on port 1
    done = subprocess.run([str(Path(sys.executable).with_name("wecom-desk")), "serve", "--config",
                           str(ROOT / "config.yaml")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    # The start-up log line may precede it; then one line that says what to fix, no traceback.
    assert "Traceback" not in done.stderr, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("wecom-desk:")]
    assert len(errors) == 1 and errors[0].startswith("wecom-desk: redis.url: cannot reach Redis"), done.stderr
