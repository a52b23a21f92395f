"""`GET /metrics` as an operator's Prometheus reads it: real callbacks through the sandbox (one good,
one with a bad signature), then a scrape whose numbers match what happened and what the database
holds; and who may scrape."""

from __future__ import annotations

import json
from collections import Counter

import aiohttp
import pytest
from aiohttp.test_utils import make_mocked_request
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from bot.crypto import WeComCrypto
from bot.metrics import METRICS, callback_outcome, metrics_page
from storage.db import Database
from storage.models import OutboxMessage, Ticket
from tests.conftest import rows

GROUP = "wr_sh_xuhui"
TOKEN = "metrics-test-token"
REPORT = {"msgid": "m-bad-1", "aibotid": "aib", "chatid": GROUP, "chattype": "group", "from": {"userid": "storesh"},
          "msgtype": "text", "text": {"content": "@小鲸 上海徐汇店空调不制冷了"}}


async def scrape(desk, headers: dict[str, str] | None = None) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http:
        async with http.get(desk.url + "/metrics", headers=headers or {}) as r:
            return r.status, await r.text()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """{(sample name, sorted labels): value} of one exposition."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(found, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


async def bad_signature(desk) -> int:
    crypto = WeComCrypto(desk.cfg.wecom.bot.token, desk.cfg.wecom.bot.encoding_aes_key, "")
    sealed = crypto.seal(json.dumps(REPORT))
    params = {"msg_signature": "0" * 40, "timestamp": sealed["timestamp"], "nonce": sealed["nonce"]}
    async with aiohttp.ClientSession() as http:
        async with http.post(desk.url + "/wecom/bot", params=params, data=json.dumps({"encrypt": sealed["encrypt"]}),
                             headers={"Content-Type": "application/json"}) as r:
            return r.status


async def all_sent(desk):
    msgs = await rows(desk.cfg, OutboxMessage)
    return msgs if msgs and all(m.status == "sent" for m in msgs) else None


async def test_callbacks_sends_and_tickets_are_counted(desk):
    said = await desk.sandbox.say("storesh", "@小鲸 徐汇店空调不制冷", chatid=GROUP)
    assert said["status"] == 200
    assert await bad_signature(desk) == 403
    msgs = await desk.sandbox.wait_for(lambda: all_sent(desk), timeout=15)
    assert msgs

    status, text = await scrape(desk)
    assert status == 200
    found = samples(text)
    assert value(found, "wecom_desk_callbacks_total", channel="bot", outcome="handled") == 1
    assert value(found, "wecom_desk_callbacks_total", channel="bot", outcome="unauthorized") == 1
    assert value(found, "wecom_desk_callback_duration_seconds_count", channel="bot") == 2
    assert value(found, "wecom_desk_callback_duration_seconds_bucket", channel="bot", le="+Inf") == 2

    sent_by_kind = Counter(m.kind for m in msgs)
    for kind, n in sent_by_kind.items():
        assert value(found, "wecom_desk_outbox_sends_total", kind=kind, result="sent") == n
    assert value(found, "wecom_desk_outbox_sends_total", kind="app_message", result="sent") == 2   # two job cards

    tickets = await rows(desk.cfg, Ticket)
    for st, n in Counter(tk.status for tk in tickets).items():
        assert value(found, "wecom_desk_tickets", status=st) == n
    assert value(found, "wecom_desk_metrics_database_up") == 1
    # Nothing waits: every row went out.
    assert value(found, "wecom_desk_outbox_rows", kind="", status="pending") == 0
    assert value(found, "wecom_desk_outbox_oldest_pending_age_seconds") == 0


async def test_outbox_depth_and_breaches_are_read_at_scrape_time(start):
    desk = await start(worker={"in_process": False})   # nobody sends: the rows stay pending
    await desk.sandbox.say("storesh", "@小鲸 徐汇店空调不制冷", chatid=GROUP)
    await desk.sandbox.say("storesh", "@小鲸 徐汇店电梯门关不上", chatid=GROUP)
    pending = [m for m in await rows(desk.cfg, OutboxMessage) if m.status == "pending"]
    assert pending

    db = Database(desk.cfg.database.url)
    try:
        async with db.transaction() as s:
            first = min(tk.id for tk in await rows(desk.cfg, Ticket))
            await s.execute(update(Ticket).where(Ticket.id == first).values(sla_breached=True))
    finally:
        await db.close()

    found = samples((await scrape(desk))[1])
    for kind, n in Counter(m.kind for m in pending).items():
        assert value(found, "wecom_desk_outbox_rows", kind=kind, status="pending") == n
    assert value(found, "wecom_desk_outbox_oldest_pending_age_seconds") > 0
    tickets = await rows(desk.cfg, Ticket)
    assert sum(v for (name, _), v in found.items() if name == "wecom_desk_tickets") == len(tickets) == 2
    region = next(tk.region for tk in tickets if tk.id == first)
    assert value(found, "wecom_desk_tickets_sla_breached", region=region) == 1
    assert value(found, "wecom_desk_open_tickets_sla_breached", region=region) == 1
    # No worker in this process: nothing was tried.
    assert not any(name == "wecom_desk_outbox_sends_total" for name, _ in found)


async def test_a_broken_counter_never_fails_a_callback(desk):
    class Broken:
        def labels(self, *a):
            raise RuntimeError("metrics exploded")

    desk.app[METRICS].callbacks = Broken()
    said = await desk.sandbox.say("storesh", "@小鲸 徐汇店空调不制冷", chatid=GROUP)
    assert said["status"] == 200 and "#1" in json.dumps(said["reply"], ensure_ascii=False)
    assert (await scrape(desk))[0] == 200


async def test_only_loopback_or_the_token_may_scrape(start):
    desk = await start(server={"api_token": TOKEN})
    assert (await scrape(desk))[0] == 200                       # this test talks to 127.0.0.1 directly
    # Through a proxy (nginx on this host also connects from 127.0.0.1): the header is never
    # trusted to let anyone in, only to keep the proxied request from passing as local.
    for header in ({"X-Forwarded-For": "127.0.0.1"}, {"X-Real-IP": "127.0.0.1"}, {"Forwarded": "for=127.0.0.1"}):
        assert (await scrape(desk, header))[0] == 401, header
        assert (await scrape(desk, {**header, "Authorization": "Bearer wrong"}))[0] == 403
        assert (await scrape(desk, {**header, "Authorization": f"Bearer {TOKEN}"}))[0] == 200

    # Another machine, straight to the port.
    far = make_mocked_request("GET", "/metrics", app=desk.app).clone(remote="203.0.113.7")
    with pytest.raises(aiohttp.web.HTTPUnauthorized):
        await metrics_page(far)
    far = make_mocked_request("GET", "/metrics", headers={"Authorization": f"Bearer {TOKEN}"},
                              app=desk.app).clone(remote="203.0.113.7")
    answer = await metrics_page(far)
    assert answer.status == 200 and b"wecom_desk_callbacks" in answer.body
    near = make_mocked_request("GET", "/metrics", app=desk.app).clone(remote="::1")
    assert (await metrics_page(near)).status == 200


async def test_without_a_token_only_loopback(desk):
    assert desk.cfg.server.api_token == ""
    assert (await scrape(desk, {"X-Forwarded-For": "198.51.100.1"}))[0] == 403   # no token can be right


def test_outcome_labels():
    assert callback_outcome("rejected", 403) == "unauthorized"
    assert callback_outcome("rejected", 400) == "bad_request"
    assert callback_outcome("rejected", 413) == "too_large"
    assert callback_outcome("unavailable", 503) == "unavailable"
    assert callback_outcome("ok", 200) == "handled"
    assert callback_outcome("duplicate", 200) == "duplicate"
    assert callback_outcome("kf-read", 200) == "kf_read"
    assert callback_outcome(None, 500) == "crashed"
