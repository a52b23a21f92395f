"""The desk against a misbehaving WeCom: whatever the sandbox does to a call (an HTTP 500, a hang, a
reset connection, an error code, an answer lost after the message went out), every engineer gets
their job card, and gets it once. A fault aimed at one engineer delays only that engineer. With the
cache taken away a report is refused (503, so WeCom delivers it again) and is handled once it is
back. And the same holds with the sandbox in a process of its own, as multi-process runs use it."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections import Counter

import aiohttp
import pytest

from bot.app import WORKER
from bot.sandbox.client import SandboxClient
from storage.models import OutboxMessage, Ticket
from tests.conftest import ROOT, free_port, rows
from tests.e2e.helpers import write_config

STORE, GROUP = "storesh", "wr_sh_xuhui"
REPORT = "@小鲸 徐汇店空调不制冷"
ENGINEERS = {"zhangwei": 1, "liqiang": 1}   # the two engineers offered the job, one card each


async def all_sent(desk):
    msgs = await rows(desk.cfg, OutboxMessage)
    return msgs if msgs and all(m.status == "sent" for m in msgs) else None


async def cards_seen(sb: SandboxClient) -> Counter:
    """Job cards as the engineers see them in WeCom: one per delivery, re-sends swallowed."""
    return Counter({user: len(await sb.job_cards(user)) for user in ENGINEERS})


async def report(sb: SandboxClient, msgid: str | None = None) -> dict:
    return await sb.say(STORE, REPORT, chatid=GROUP, msgid=msgid)


@pytest.mark.parametrize("mode,spec", [
    ("http500", {"count": 2}),
    ("hang", {"seconds": 1.5}),                  # longer than the desk's api_timeout_s (1.0 in tests)
    ("reset", {"count": 2}),
    ("errcode", {"errcode": 45009, "count": 2}),
    ("errcode", {"errcode": 42001}),             # the desk fetches a new token and sends again
    ("errcode", {"errcode": 40014}),
    ("lost_reply", {}),                          # delivered, then a 502: the desk sends again
    ("lost_reply", {"reply": "reset"}),          # delivered, then the connection is reset
], ids=lambda v: v if isinstance(v, str) else "-".join(f"{k}={x}" for k, x in v.items()) or "once")
async def test_every_job_card_arrives_exactly_once_despite_the_fault(desk, mode, spec):
    sb = desk.sandbox
    fault = await sb.fault(mode, api="message/send", **spec)
    assert (await report(sb))["status"] == 200
    assert await sb.wait_for(lambda: all_sent(desk), timeout=4.5), await rows(desk.cfg, OutboxMessage)
    assert await cards_seen(sb) == ENGINEERS
    [after] = await sb.faults()
    assert after["fired"] == fault["count"], "the fault was hit as often as asked"
    duplicates = await sb.calls("message/send:duplicate")
    if mode == "lost_reply":
        # The desk could not know the first send worked and sent it again: WeCom's duplicate check
        # (enable_duplicate_check, set by bot/wecom_api.py) swallowed the second one.
        assert len(duplicates) == 1 and duplicates[0]["body"]["enable_duplicate_check"] == 1
    else:
        assert duplicates == []


async def test_a_fault_aimed_at_one_engineer_delays_only_that_engineer(desk):
    sb = desk.sandbox
    await sb.fault("hang", api="message/send", dest="zhangwei", seconds=1.5)
    started = time.monotonic()
    await report(sb)
    assert await sb.wait_for(lambda: sb.job_cards("liqiang"), timeout=2)
    assert time.monotonic() - started < 0.9, "liqiang's card waited for zhangwei's"
    assert await sb.job_cards("zhangwei") == [], "zhangwei's card is still held up"
    assert await sb.wait_for(lambda: sb.job_cards("zhangwei"), timeout=3)
    assert await cards_seen(sb) == ENGINEERS
    at = {c["touser"][0]: c["at"] for c in await sb.deliveries("message/send")}
    assert at["zhangwei"] - at["liqiang"] >= 0.8
    assert [c["to"] for c in await sb.calls("message/send") if c.get("fault")] == [["zhangwei"]]


async def test_random_faults_on_every_call_still_deliver_each_card_once(start):
    # A flaky WeCom: a third of all calls fail in one way or another, reproducibly (seeded).
    desk = await start(worker={"max_attempts": 20})
    sb = desk.sandbox
    await sb.fault("http500", probability=0.2, seed=1)
    await sb.fault("reset", probability=0.1, seed=2)
    await sb.fault("lost_reply", api="message/send", probability=0.2, seed=3)
    for i in range(3):
        assert (await sb.say(STORE, f"{REPORT} {i}", chatid=GROUP))["status"] == 200
    assert await sb.wait_for(lambda: all_sent(desk), timeout=4.5), await rows(desk.cfg, OutboxMessage)
    delivered = await sb.deliveries("message/send")
    seen = Counter(json.dumps(c["body"], sort_keys=True) for c in delivered)
    queued = [m for m in await rows(desk.cfg, OutboxMessage) if m.kind == "app_message"]
    assert len(delivered) == len(queued) and set(seen.values()) == {1}, seen
    assert sum(f["fired"] for f in await sb.faults()) > 0


# -- the cache switch ----------------------------------------------------------------------------------
async def health(desk) -> int:
    async with aiohttp.ClientSession() as http:
        async with http.get(desk.url + "/healthz") as resp:
            return resp.status


async def test_with_the_cache_away_a_report_is_refused_and_handled_once_it_is_back(desk):
    sb = desk.sandbox
    await sb.cache_away(True)
    refused = await report(sb, msgid="away-1")
    assert refused["status"] == 503 and refused["reply"] is None   # WeCom will deliver it again
    assert await health(desk) == 503
    assert await rows(desk.cfg, Ticket) == []
    switch = await sb.cache_away(False)
    assert switch["away"] is False and switch["refused"] > 0
    again = await report(sb, msgid="away-1")   # WeCom's re-delivery of the same message
    assert again["status"] == 200 and "#1" in again["reply"]["template_card"]["main_title"]["title"]
    assert await health(desk) == 200
    assert await sb.wait_for(lambda: all_sent(desk), timeout=4)
    assert await cards_seen(sb) == ENGINEERS
    assert len(await rows(desk.cfg, Ticket)) == 1


async def test_cards_queued_while_the_cache_is_away_go_out_once_it_is_back(start):
    desk = await start(worker={"in_process": False})   # the test runs the worker, to queue before it sends
    sb = desk.sandbox
    await report(sb)
    await sb.cache_away(True)
    await desk.app[WORKER].run_once()
    assert await sb.deliveries("message/send") == []
    assert {m.status for m in await rows(desk.cfg, OutboxMessage)} == {"pending"}   # kept, not failed
    await sb.cache_away(False)

    async def sent():
        await desk.app[WORKER].run_once()
        return await all_sent(desk)
    assert await sb.wait_for(sent, timeout=4.5)
    assert await cards_seen(sb) == ENGINEERS


# -- the sandbox in its own process ----------------------------------------------------------------------
async def test_a_desk_sends_through_a_sandbox_in_another_process(start):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    desk = await start(sandbox={"enabled": False}, wecom={"api_base": base + "/sandbox"},
                       translation={"provider": "off"})
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.sandbox", "--config", str(write_config(desk.cfg)), "--port", str(port),
        "--desk-url", desk.url, cwd=ROOT, env={**os.environ},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        async with SandboxClient(base) as sb:
            await sb.wait_up()
            await sb.fault("reset", api="message/send")
            await sb.fault("lost_reply", api="message/send")
            reply = await report(sb)
            assert reply["status"] == 200 and "#1" in reply["reply"]["template_card"]["main_title"]["title"]
            assert await sb.wait_for(lambda: all_sent(desk), timeout=4)
            assert await cards_seen(sb) == ENGINEERS
            assert [f["fired"] for f in await sb.faults()] == [1, 1]
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), timeout=10)
