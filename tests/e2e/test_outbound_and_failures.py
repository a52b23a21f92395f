"""The outbox delivers every message once the fault clears, and never twice; slow and failing
handlers still answer WeCom in time."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from storage.models import OutboxMessage, Ticket, TicketEvent
from tests.conftest import rows

GROUP = "wr_sh_xuhui"


async def delivered(desk):
    ok = [c for c in await desk.sandbox.calls() if not c.get("fault") and c["api"] != "gettoken"]
    return ok


async def all_sent(desk):
    msgs = await rows(desk.cfg, OutboxMessage)
    return msgs if msgs and all(m.status == "sent" for m in msgs) else None


@pytest.mark.parametrize("mode,count", [("http500", 4), ("timeout", 2), ("errcode45009", 4), ("errcode42001", 3),
                                        ("lost_reply", 2)])
async def test_every_message_is_delivered_once_after_faults(desk, mode, count):
    await desk.sandbox.fault(mode, count=count, seconds=1.5)
    await desk.sandbox.say("storesh", "@小鲸 徐汇店空调不制冷", chatid=GROUP)
    msgs = await desk.sandbox.wait_for(lambda: all_sent(desk), timeout=20)
    assert msgs, "all outbox rows end up sent"
    sends = await delivered(desk)
    per_user = Counter(c["touser"][0] for c in sends if c["api"] == "message/send")
    assert per_user == {"zhangwei": 1, "liqiang": 1}
    assert any(m.attempts > 1 for m in msgs), "the fault was actually hit and retried"
    faults = [c for c in await desk.sandbox.calls() if c.get("fault") == mode]
    assert len(faults) == count


async def test_permanent_failure_is_kept_and_listed(start, capsys):
    desk = await start(worker={"max_attempts": 2})
    await desk.sandbox.fault("http500", count=100)
    await desk.sandbox.say("storesh", "@小鲸 徐汇店空调不制冷", chatid=GROUP)

    async def failed():
        msgs = await rows(desk.cfg, OutboxMessage)
        return msgs if msgs and all(m.status == "failed" for m in msgs) else None

    msgs = await desk.sandbox.wait_for(failed, timeout=15)
    assert msgs and all("500" in m.last_error for m in msgs)
    # The operator sees them, through the CLI on the same database.
    import json

    from tests.e2e.helpers import run_cli, write_config

    code, out, err = await run_cli("outbox", "list", "--failed", "--config", str(write_config(desk.cfg)))
    assert code == 0, err
    listed = [json.loads(line) for line in out.splitlines()]
    assert {r["id"] for r in listed} == {m.id for m in msgs}
    assert all(r["status"] == "failed" for r in listed)


async def test_token_is_fetched_once_and_shared(desk):
    for i in range(3):
        await desk.sandbox.say("storesh", f"@小鲸 徐汇店空调不制冷 {i}", chatid=GROUP)
    await desk.sandbox.wait_for(lambda: all_sent(desk), timeout=10)
    assert len(await desk.sandbox.calls("gettoken")) == 1


async def test_slow_handling_answers_with_a_stream_and_finishes_on_refresh(desk):
    from bot.callbacks import DESK

    real = desk.app[DESK].parser

    class Slow:
        async def parse(self, text, now=None):
            await asyncio.sleep(0.6)
            return real.parse(text)

    desk.app[DESK].parser = Slow()
    object.__setattr__(desk.cfg.server, "reply_deadline_ms", 100)
    first = await desk.sandbox.say("storesh", "@小鲸 徐汇店空调不制冷", chatid=GROUP)
    stream = first["reply"]["stream"]
    assert first["reply"]["msgtype"] == "stream" and stream["finish"] is False
    early = await desk.sandbox.refresh("storesh", stream["id"], chatid=GROUP)
    assert early["reply"]["stream"]["finish"] is False
    await asyncio.sleep(0.8)
    done = await desk.sandbox.refresh("storesh", stream["id"], chatid=GROUP)
    assert done["reply"]["msgtype"] == "stream_with_template_card"
    assert done["reply"]["stream"]["finish"] is True and "#1" in done["reply"]["stream"]["content"]
    assert "#1" in done["reply"]["template_card"]["main_title"]["title"]
    assert len(await rows(desk.cfg, Ticket)) == 1


async def test_handler_crash_apologises_and_leaves_no_half_ticket(desk, monkeypatch):
    import handlers.tickets

    async def broken_route(ctx, ticket, routed, *a):
        raise RuntimeError("routing exploded")

    monkeypatch.setattr(handlers.tickets, "deliver", broken_route)
    result = await desk.sandbox.say("storesh", "@小鲸 徐汇店空调不制冷", chatid=GROUP)
    assert result["status"] == 200
    assert "抱歉" in result["reply"]["stream"]["content"]
    assert await rows(desk.cfg, Ticket) == []
    assert await rows(desk.cfg, TicketEvent) == []
    assert await rows(desk.cfg, OutboxMessage) == []


async def test_a_separate_worker_process_delivers_the_outbox(start):
    """Production shape: serve with worker.in_process false, `wecom-desk worker` elsewhere."""
    import asyncio

    from tests.e2e.helpers import run_cli, write_config

    desk = await start(worker={"in_process": False})
    await desk.sandbox.say("storesh", "@小鲸 徐汇店空调不制冷", chatid=GROUP)
    await asyncio.sleep(0.3)
    assert await desk.sandbox.job_cards("zhangwei") == []
    assert {m.status for m in await rows(desk.cfg, OutboxMessage)} == {"pending"}
    code, _, err = await run_cli("worker", "--once", "--config", str(write_config(desk.cfg)))
    assert code == 0, err
    assert len(await desk.sandbox.job_cards("zhangwei")) == 1
    assert {m.status for m in await rows(desk.cfg, OutboxMessage)} == {"sent"}


async def test_a_hung_call_holds_only_its_own_row(start):
    # WeCom takes 6 s to answer one call; the client waits for it (timeout 8 s). Rows queued
    # meanwhile — the next store's job cards — must not wait behind it.
    desk = await start(wecom={"api_timeout_s": 8.0})
    sb = desk.sandbox
    await sb.say("storesh", "@小鲸 徐汇店空调不制冷", chatid=GROUP)
    await sb.wait_for(lambda: all_sent(desk), timeout=10)   # the token is cached; only sends hang now
    await sb.fault("timeout", count=1, seconds=6.0)
    await sb.say("storesh", "@小鲸 徐汇店电梯门关不上", chatid=GROUP)   # its card to the elevator engineer hangs
    await asyncio.sleep(0.3)
    started = asyncio.get_running_loop().time()
    await sb.say("storesh", "@小鲸 徐汇店收银机开不了机", chatid=GROUP)

    async def pos_card_sent():
        return [c for c in await delivered(desk) if c["api"] == "message/send" and "chenjie" in c["touser"]]
    assert await sb.wait_for(pos_card_sent, timeout=10)
    assert asyncio.get_running_loop().time() - started < 4.0, "a later row waited behind the hung call"
    assert await sb.wait_for(lambda: all_sent(desk), timeout=15)
