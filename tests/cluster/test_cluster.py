"""Nothing lost when things break, nothing sent twice: 2 `serve` + 2 `worker` processes on one
PostgreSQL and one Redis, WeCom played by the standalone sandbox (`python -m bot.sandbox`).

  a. one signed AI-bot callback delivered to both servers at once, repeatedly → one ticket, one reply
  b. 50 concurrent claim clicks on one offered job, through both servers → one winner
  c. 1,002 job cards (334 reports × 3 engineers offered) through 30 % faults on message/send
     → each delivered exactly once; re-sends after a lost answer are WeCom-suppressed duplicates
  d. SIGKILL a worker mid-batch and a server mid-request while callbacks flow, cut Redis for 10 s
     → every callback answered 200 has its ticket and its job cards, exactly once each
  e. a take-over of a dead handler's work outlasts a 12 s Redis outage (the message is handled)

Run with `-s` to see the counts. The harness's own tests (the Redis proxy, the directory and
config, the counting) run on every backend; the cluster scenarios need PostgreSQL and Redis
(tests/cluster/conftest.py).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from typing import Any, Awaitable, Callable

import aiohttp
import pytest

from bot.sandbox.client import SandboxClient
from tests.cluster.conftest import needs_cluster
from tests.cluster.harness import (CITIES, FAULT_MIX, PER_COMBO, POOL, REPORTS, Cluster, Servers, TcpProxy, WeCom,
                                   call_key, cluster_config, deliver_bot, engineer, free_port, group, pool_engineer,
                                   report_of, row_key, set_fault_mix, store, tally, ticket_of_reply)

# WeCom delivers a callback that got no 200 again, up to three more times, seconds apart.
WECOM_RETRIES, WECOM_RETRY_AFTER_S, WECOM_TIMEOUT_S = 3, 5.0, 5.0


# -- helpers -------------------------------------------------------------------------------------------
async def until(probe: Callable[[], Awaitable[Any]], timeout: float, interval: float = 0.5) -> Any:
    """Poll `probe` until it returns something truthy or `timeout` passes; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if value or time.monotonic() >= deadline:
            return value
        await asyncio.sleep(interval)


async def last_ticket(cluster: Cluster) -> int:
    return (await cluster.query("SELECT coalesce(max(id), 0) FROM tickets"))[0][0]


async def handled(cluster: Cluster, msgids: list[str]) -> dict[str, tuple[str, int | None]]:
    """msgid → (outcome, ticket) for the deliveries the desk stored (inbound_callbacks)."""
    rows = await cluster.query("SELECT key, outcome, reply FROM inbound_callbacks WHERE key = ANY(:keys)",
                               keys=[f"bot:{m}" for m in msgids])
    out = {}
    for key, outcome, reply in rows:
        ticket = None
        if reply:
            data = json.loads(reply).get("data") or {}
            ticket = data.get("ticket") or ticket_of_reply(reply)
        out[key.removeprefix("bot:")] = (outcome, ticket)
    return out


async def outbox_rows(cluster: Cluster, ticket_ids: list[int]) -> list[Any]:
    from sqlalchemy import select

    from storage.models import OutboxMessage

    async with cluster.database() as db:
        async with db.sessions() as session:
            return list((await session.scalars(select(OutboxMessage).where(
                OutboxMessage.ticket_id.in_(ticket_ids)))).all())


def app_keys(rows: list[Any]) -> set[tuple[str, ...]]:
    return {row_key(r.kind, r.dest, r.payload) for r in rows if r.kind == "app_message"}


async def all_sent(cluster: Cluster, sandbox: SandboxClient, ticket_ids: list[int], *, timeout: float) -> tuple[
        list[Any], Any]:
    """Wait until every outbox row of these tickets is sent and every app message is delivered;
    returns (rows, tally over the sandbox's calls)."""
    state: dict[str, Any] = {}

    async def done() -> bool:
        rows = await outbox_rows(cluster, ticket_ids)
        t = tally(app_keys(rows), await sandbox.calls())
        state.update(rows=rows, tally=t)
        return bool(rows) and all(r.status == "sent" for r in rows) and not t.missing

    await until(done, timeout, interval=1.0)
    return state["rows"], state["tally"]


def statuses(rows: list[Any]) -> dict[str, int]:
    return dict(Counter(r.status for r in rows))


async def faults_fired(sandbox: SandboxClient) -> dict[str, int]:
    fired: Counter[str] = Counter()
    for f in await sandbox.faults():
        label = f["name"] + (f" {f['errcode']}" if f.get("errcode") else "") + (
            f" ({f['reply']})" if f.get("reply") else "") + (f" {f['seconds']:g}s" if f["mode"] == "hang" else "")
        fired[label] += f["fired"]
    return dict(fired)


async def refresh_until_finished(http: aiohttp.ClientSession, wecom: WeCom, url: str, userid: str, chatid: str,
                                 stream_id: str, timeout: float = 20.0) -> dict[str, Any] | None:
    """WeCom's refresh callbacks for an unfinished stream, until it is finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        plaintext = json.dumps({"msgid": uuid.uuid4().hex, "aibotid": "aib_cluster", "chattype": "group",
                                "chatid": chatid, "from": {"userid": userid}, "msgtype": "stream",
                                "stream": {"id": stream_id}}, ensure_ascii=False)
        params, body, headers = wecom.seal_bot(plaintext)
        async with http.post(url + "/wecom/bot", params=params, data=body, headers=headers) as resp:
            reply = wecom.open_bot_reply(await resp.text()) if resp.status == 200 else None
        if reply and reply.get("stream", {}).get("finish"):
            return reply
        await asyncio.sleep(0.5)
    return None


def card_of(reply: dict[str, Any] | None) -> Any:
    """What a reply shows: its card (plain or with a finished stream), else its stream text."""
    if not reply:
        return None
    return reply.get("template_card") or reply.get("stream", {}).get("content")


# -- the harness's own tests (every backend) ---------------------------------------------------------------
async def test_the_redis_proxy_cuts_every_connection_refuses_new_ones_and_comes_back():
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(1024):
            writer.write(data)
            await writer.drain()
        writer.close()

    target = await asyncio.start_server(echo, "127.0.0.1", 0)
    proxy = TcpProxy(free_port(), target.sockets[0].getsockname()[:2])
    await proxy.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
        writer.write(b"ping")
        assert await asyncio.wait_for(reader.read(4), 5) == b"ping"
        assert await proxy.cut() == 2                      # both halves of the one connection
        assert await asyncio.wait_for(reader.read(4), 5) == b""   # the open connection is gone
        with pytest.raises(OSError):
            await asyncio.open_connection("127.0.0.1", proxy.port)   # refused, at once
        await proxy.restore()
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
        writer.write(b"back")
        assert await asyncio.wait_for(reader.read(4), 5) == b"back"
        writer.close()
    finally:
        await proxy.cut()
        target.close()


def test_the_cluster_config_is_valid_and_every_report_opens_a_ticket_without_asking():
    from bot.app import SANDBOX_SECRETS, sandbox_hazards
    from handlers.config import parse_config
    from nlu import Lexicon, Parser

    data = cluster_config(port=8080, database_url="postgresql+asyncpg://u@127.0.0.1/x", redis_url="redis://127.0.0.1/0",
                          prefix="t:", sandbox_url="http://127.0.0.1:9")
    cfg = parse_config(data, env={})
    assert not cfg.sandbox.enabled and not cfg.worker.in_process
    assert cfg.api_base == "http://127.0.0.1:9/sandbox"
    # The standalone sandbox checks the shipped secrets: the only hazard left is the api_base.
    assert [h for h in sandbox_hazards(cfg) if "api_base" not in h] == []
    assert cfg.wecom.corp_id == SANDBOX_SECRETS["wecom.corp_id"]
    # Offers stay in the store's city: PER_COMBO (= offer_k) engineers per city and skill.
    for code, city, region in CITIES:
        for skill in REPORTS:
            people = [p for p in cfg.people if skill in p.skills and p.city == city]
            assert [p.userid for p in people] == [engineer(code, skill, k) for k in range(PER_COMBO)]
        assert cfg.group(group(code)).city == city and cfg.person(store(code)) is not None
    assert len([p for p in cfg.people if p.userid.startswith("e_pool_")]) == POOL
    assert {(d.offer_k, d.offer_timeout_s) for d in cfg.service_templates} == {(PER_COMBO, 3600)}
    parser = Parser(Lexicon.from_config(cfg), confirm_below=cfg.nlu.confirm_below, ask_above=cfg.nlu.ask_above)
    for skill, text in REPORTS.items():
        parsed = parser.parse(text)
        assert (parsed.intent, parsed.entities.get("skill"), parsed.confirm) == ("create_ticket", skill, False), text
    assert {report_of(i)[3] for i in range(len(CITIES) * len(REPORTS))} == set(REPORTS)


def test_tally_counts_true_deliveries_not_faults_nor_suppressed_resends():
    card = lambda task, api="message/send", **kw: {"api": api, "body": {  # noqa: E731
        "touser": "u", "msgtype": "template_card", "template_card": {"task_id": task}}, **kw}
    calls = [card("t1", fault="http500"), card("t1"), card("t1", fault="lost_reply"),
             card("t1", "message/send:duplicate"), card("t2"), card("t2"), card("t9"),
             {"api": "message/send", "body": {"touser": "u", "msgtype": "markdown", "markdown": {"content": "hi"}}}]
    expected = {("card", "t1"), ("card", "t2"), ("card", "t3"), ("text", "app_message", "u", "hi")}
    t = tally(expected, calls)
    assert t.once == 2 and t.missing == [("card", "t3")] and t.twice == {("card", "t2"): 2}
    assert sum(t.suppressed.values()) == 1 and call_key(calls[-1]) == ("text", "app_message", "u", "hi")
    assert row_key("app_message", "u", {"msgtype": "template_card", "card": {"task_id": "t1"}}) == ("card", "t1")


# -- the cluster ---------------------------------------------------------------------------------------------
@needs_cluster
async def test_a_one_callback_delivered_to_both_servers_at_once_is_one_ticket_and_one_reply(cluster: Cluster):
    started = time.monotonic()
    wecom, servers = WeCom(cluster.cfg), Servers(cluster.serve_urls)
    sandbox = SandboxClient(cluster.sandbox_url)
    userid, chatid, text, _ = report_of(0)
    msgid = f"cl-a-{uuid.uuid4().hex}"
    before = await last_ticket(cluster)

    async def post(server: int) -> Any:
        return await deliver_bot(http, wecom, servers, msgid=msgid, userid=userid, chatid=chatid, text=text,
                                 retries=0, pin=server)

    async with aiohttp.ClientSession() as http:
        # Four copies to each server at the same moment, then WeCom's later re-deliveries, twice.
        deliveries = list(await asyncio.gather(*(post(i % 2) for i in range(8))))
        for _ in range(2):
            await asyncio.sleep(1.0)
            deliveries += await asyncio.gather(post(0), post(1))
        codes = Counter(status for d in deliveries for _, status in d.attempts)
        stored = await cluster.query("SELECT stream_id, reply FROM inbound_callbacks WHERE key = :k", k=f"bot:{msgid}")
        # An unfinished stream (a copy that outwaited the reply deadline) is finished by WeCom's refreshes.
        shown = []
        for d in deliveries:
            reply = d.reply
            if reply and reply.get("msgtype") == "stream" and not reply["stream"].get("finish"):
                assert stored and reply["stream"]["id"] == stored[0][0], "an unfinished stream is the stored one"
                reply = await refresh_until_finished(http, wecom, cluster.serve_urls[0], userid, chatid,
                                                     reply["stream"]["id"])
            shown.append(json.dumps(card_of(reply), sort_keys=True, ensure_ascii=False))
    tickets = [r[0] for r in await cluster.query("SELECT id FROM tickets WHERE id > :b", b=before)]
    rows, t = await all_sent(cluster, sandbox, tickets, timeout=30)
    await sandbox.close()
    print(f"\n[a] same msgid ×{len(deliveries)} (8 at once over 2 servers, then 2 × 2 re-deliveries): "
          f"HTTP {dict(codes)}; stored deliveries {len(stored)}; distinct replies shown {len(set(shown))}; "
          f"tickets {len(tickets)}; job cards: {t.line()}; {time.monotonic() - started:.1f} s")
    assert codes == {200: len(deliveries)}
    assert len(stored) == 1 and len(tickets) == 1
    assert len(set(shown)) == 1 and f"#{tickets[0]}" in shown[0]
    assert t.expected == PER_COMBO and t.once == PER_COMBO and not t.twice and not t.missing
    assert statuses(rows) == {"sent": len(rows)}


@needs_cluster
async def test_b_fifty_concurrent_claims_across_both_servers_have_one_winner(cluster: Cluster):
    started = time.monotonic()
    wecom, servers = WeCom(cluster.cfg), Servers(cluster.serve_urls)
    sandbox = SandboxClient(cluster.sandbox_url)
    userid, chatid, text, _ = report_of(0)                # 上海, hvac: offered to the three 上海 hvac engineers
    async with aiohttp.ClientSession() as http:
        d = await deliver_bot(http, wecom, servers, msgid=f"cl-b-{uuid.uuid4().hex}", userid=userid, chatid=chatid,
                              text=text)
    assert d.ok, d
    ticket = (await handled(cluster, [d.msgid]))[d.msgid][1]
    offered = [engineer("sh", "hvac", k) for k in range(PER_COMBO)]

    async def cards() -> dict[str, str] | None:
        got = {c["body"]["touser"]: c["body"]["template_card"]["task_id"]
               for c in await sandbox.deliveries("message/send") if c["msgtype"] == "template_card"
               and c["body"]["template_card"]["task_id"].startswith(f"job-{ticket}-")}
        return got if len(got) == PER_COMBO else None

    tasks = await until(cards, 30)
    assert tasks and set(tasks) == set(offered), tasks
    # The three who were offered it click their cards; 47 more hvac engineers of the region click a
    # forwarded (or stale) card of the same job — all at once, spread over both servers by the
    # balancer the sandbox's driver sends through.
    clickers = [(u, tasks[u]) for u in offered] + [
        (pool_engineer(i), f"job-{ticket}-{pool_engineer(i)}-{uuid.uuid4().hex[:8]}") for i in range(POOL)]
    balancer_before = (await cluster.front_stats())["balancer"]
    results = await asyncio.gather(*(sandbox.click(u, task, f"claim:{ticket}") for u, task in clickers))
    balancer_after = (await cluster.front_stats())["balancer"]
    per_server = [sum(a.values()) - sum(b.values()) for a, b in zip(balancer_after, balancer_before)]
    [[status, assignee]] = await cluster.query("SELECT status, assignee FROM tickets WHERE id = :t", t=ticket)
    claims = await cluster.query("SELECT count(*) FROM ticket_events WHERE ticket_id = :t AND to_status = 'assigned'",
                                 t=ticket)
    offers = dict(await cluster.query("SELECT status, count(*) FROM offers WHERE ticket_id = :t GROUP BY status",
                                      t=ticket))
    rows, t = await all_sent(cluster, sandbox, [ticket], timeout=45)
    task_ids, users = {task for _, task in clickers}, {u for u, _ in clickers}
    seen: dict[str, Any] = {}

    async def answered() -> bool:
        calls = await sandbox.calls()
        seen["updates"] = [c for c in calls if c["api"] == "message/update_template_card" and not c.get("fault")
                           and c.get("task_id") in task_ids]
        seen["answers"] = Counter(c["body"]["touser"] for c in calls if c["api"] == "message/send"
                                  and c["msgtype"] == "markdown" and f"#{ticket}" in c["body"]["markdown"]["content"]
                                  and c["body"]["touser"] in users)
        seen["pushes"] = [c for c in calls if c["api"] == "webhook/send" and not c.get("fault")
                          and c["chatid"] == chatid and f"#{ticket}" in json.dumps(c["body"], ensure_ascii=False)]
        return len(seen["updates"]) >= len(clickers) and len(seen["answers"]) >= len(clickers) and seen["pushes"]

    await until(answered, 45)
    await asyncio.sleep(2.0)     # anything sent twice would be in by now
    await answered()
    updates, answers, pushes = seen["updates"], seen["answers"], seen["pushes"]
    # Each click's card is answered by the click's own code. Besides, each offered card that went
    # out before the claim is greyed once by the code its send returned (an engineer who clicked it
    # too sees the same words twice, never a live button).
    clicked = {r["response_code"] for r in results}
    by_send = [u for u in updates if u["response_code"] not in clicked]
    updates = [u for u in updates if u["response_code"] in clicked]
    winner_name = cluster.cfg.person(assignee).name if assignee else None
    won_buttons = [u for u in updates if u["body"]["button"]["replace_name"] == "已接单 ✅"]
    await sandbox.close()
    print(f"\n[b] ticket #{ticket}: {len(clickers)} claim clicks at once (per server {per_server}), "
          f"HTTP {dict(Counter(r['status'] for r in results))}; winner {assignee} ({winner_name}); "
          f"assigned events {claims[0][0]}; offers {offers}; card updates {len(updates)} (won {len(won_buttons)}); "
          f"1:1 answers {sum(answers.values())} to {len(answers)} people; group pushes {len(pushes)}; "
          f"outbox {statuses(rows)}; {time.monotonic() - started:.1f} s")
    assert all(r["status"] == 200 for r in results)
    assert all(n > 0 for n in per_server), "the clicks reached both servers"
    assert status == "assigned" and assignee in {u for u, _ in clickers}
    # The winner may be one of the three offered, or a pool engineer with a forwarded card: then
    # all three offers are lost.
    won = 1 if assignee in offered else 0
    assert claims[0][0] == 1 and offers.get("won", 0) == won and offers.get("lost", 0) == PER_COMBO - won, offers
    assert len(updates) == len(clickers) and len({u["task_id"] for u in updates}) == len(clickers)
    assert len({u["touser"][0] for u in by_send}) == len(by_send) <= PER_COMBO
    assert {u["touser"][0] for u in by_send} <= set(offered), by_send
    assert len(won_buttons) == 1 and won_buttons[0]["body"]["userids"] == [assignee]
    assert all(winner_name in u["body"]["button"]["replace_name"] for u in updates if u not in won_buttons)
    assert answers == Counter({u: 1 for u, _ in clickers}), "every clicker hears back exactly once"
    assert len(pushes) == 1 and winner_name in json.dumps(pushes[0]["body"], ensure_ascii=False)
    assert not t.twice and not t.missing and statuses(rows) == {"sent": len(rows)}


@needs_cluster
async def test_c_a_thousand_job_cards_through_thirty_percent_faults_arrive_exactly_once(cluster: Cluster):
    """334 reports from stores in 11 cities about 7 kinds of equipment → 334 tickets, each offered to the 3
    engineers of its city and skill → 1,002 job cards (app message/send), while 30 % of
    message/send calls fail: HTTP 500, a 2 s hang, a reset connection, errcode 45009 / 42001, or
    an answer lost after WeCom delivered (502 or reset)."""
    reports = 334
    started = time.monotonic()
    wecom, servers = WeCom(cluster.cfg), Servers(cluster.serve_urls)
    sandbox = SandboxClient(cluster.sandbox_url)
    await sandbox.clear_faults()
    share = await set_fault_mix(sandbox, FAULT_MIX, seed=20240611)
    before = await last_ticket(cluster)
    run = uuid.uuid4().hex[:8]
    sem = asyncio.Semaphore(16)

    async def report(i: int) -> Any:
        userid, chatid, text, _ = report_of(i)
        async with sem:
            return await deliver_bot(http, wecom, servers, msgid=f"cl-c-{run}-{i}", userid=userid, chatid=chatid,
                                     text=text, retries=WECOM_RETRIES, retry_after=WECOM_RETRY_AFTER_S,
                                     timeout=WECOM_TIMEOUT_S)

    async with aiohttp.ClientSession() as http:
        deliveries = await asyncio.gather(*(report(i) for i in range(reports)))
    posted = time.monotonic()
    ok = [d for d in deliveries if d.ok]
    stored = await handled(cluster, [d.msgid for d in deliveries])
    tickets = sorted({tk for _, tk in stored.values() if tk})
    new_tickets = [r[0] for r in await cluster.query("SELECT id FROM tickets WHERE id > :b", b=before)]
    rows, t = await all_sent(cluster, sandbox, tickets, timeout=150)
    drained = time.monotonic()
    fired = await faults_fired(sandbox)
    await sandbox.clear_faults()
    # A call a fault refused before WeCom processed it is recorded without its body; every other
    # call is a delivery, a suppressed duplicate or a drop. Only these messages were sent meanwhile.
    processed = [c for c in await sandbox.calls() if c["api"].startswith("message/send") and not c.get("fault")
                 and call_key(c) in app_keys(rows)]
    lost = sum(n for k, n in fired.items() if k.startswith("lost_reply"))
    calls = len(processed) + sum(fired.values()) - lost
    attempts = Counter(r.attempts for r in rows)
    await sandbox.close()
    print(f"\n[c] {reports} report callbacks → HTTP 200: {len(ok)}, tickets {len(new_tickets)}; "
          f"messages: {t.line()}")
    print(f"[c] message/send HTTP calls {calls} ({share:.0%} set to fail); faults fired {sum(fired.values())} "
          f"({sum(fired.values()) / max(calls, 1):.1%}): {fired}; outbox {statuses(rows)}, attempts per row "
          f"{dict(sorted(attempts.items()))}; callbacks took {posted - started:.1f} s, the last card arrived "
          f"{drained - posted:.1f} s later")
    assert len(ok) == reports and len(stored) == reports
    assert len(new_tickets) == len(tickets) == reports
    assert t.expected == reports * PER_COMBO
    assert t.once == t.expected and not t.missing and not t.twice, t.line()
    assert not t.dropped and statuses(rows) == {"sent": len(rows)}
    assert sum(fired.values()) >= 0.2 * calls and lost > 0
    assert sum(t.suppressed.values()) >= 1, "a re-send after a lost answer is suppressed by WeCom's duplicate check"


@needs_cluster
async def test_d_sigkill_a_worker_and_a_server_and_cut_redis_while_callbacks_flow(cluster: Cluster):
    """Reports flow at 8 a second for 32 s, alternately to both servers, with WeCom's retries. At 3 s
    worker1 is SIGKILLed while it has sends in flight (20 % of message/send calls hang 2 s, so it
    always has); at 5 s serve0 while a callback is in flight on it; their supervisor starts them
    again at 9 s and 13 s. At 18 s Redis is cut (connections dropped, new ones refused) for 10 s —
    after the other server has taken over serve0's unfinished work (test e: a take-over that
    meets a cache outage longer than its window gives up).
    Afterwards every callback that was answered 200 has its ticket and its three job cards,
    delivered exactly once; none twice."""
    rate, flow_s = 8.0, 32.0
    started = time.monotonic()
    wecom, servers = WeCom(cluster.cfg), Servers(cluster.serve_urls)
    sandbox = SandboxClient(cluster.sandbox_url)
    await sandbox.clear_faults()
    await sandbox.fault("hang", api="message/send", probability=0.2, seconds=2.0, seed=7)
    before = await last_ticket(cluster)
    run = uuid.uuid4().hex[:8]
    events: list[str] = []

    def note(what: str) -> None:
        events.append(f"{time.monotonic() - started:5.1f}s {what}")

    async def at(t: float) -> None:
        await asyncio.sleep(max(0.0, started + t - time.monotonic()))

    async def misfortune() -> dict[str, Any]:
        seen: dict[str, Any] = {}
        await at(3)
        sending = await until(lambda: _sending(cluster), 3, interval=0.1)
        cluster.kill("worker1")
        seen["worker_rows_in_flight"] = sending
        note(f"SIGKILL worker1 ({sending} outbox rows in 'sending')")
        await at(5)
        deadline = time.monotonic() + 3
        while servers.inflight[0] == 0 and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        seen["serve0_requests_in_flight"] = servers.inflight[0]
        cluster.kill("serve0")
        note(f"SIGKILL serve0 ({seen['serve0_requests_in_flight']} callback(s) in flight on it)")
        await at(9)
        await cluster.restart("serve0")
        note("serve0 back")
        await at(13)
        await cluster.restart("worker1")
        note("worker1 back")
        await at(18)
        seen["redis_connections_dropped"] = await cluster.cut_cache()
        note(f"Redis cut ({seen['redis_connections_dropped']} connections dropped; new ones refused)")
        await at(28)
        await cluster.restore_cache()
        note("Redis back")
        return seen

    async def flow() -> list[Any]:
        tasks = []
        i = 0
        while time.monotonic() - started < flow_s:
            userid, chatid, text, _ = report_of(i)
            tasks.append(asyncio.create_task(deliver_bot(
                http, wecom, servers, msgid=f"cl-d-{run}-{i}", userid=userid, chatid=chatid, text=text,
                retries=WECOM_RETRIES, retry_after=WECOM_RETRY_AFTER_S, timeout=WECOM_TIMEOUT_S)))
            i += 1
            await at(i / rate)
        return list(await asyncio.gather(*tasks))

    async with aiohttp.ClientSession() as http:
        deliveries, seen = await asyncio.gather(flow(), misfortune())
    note("last callback answered or given up")
    await sandbox.clear_faults()
    ok = [d for d in deliveries if d.ok]
    gave_up = [d for d in deliveries if not d.ok]
    answers = Counter(status for d in deliveries for _, status in d.attempts)
    retried = sum(1 for d in deliveries if len(d.attempts) > 1)

    # Recovery: take-overs of dead handlers' work (lease 10 s), dead worker's rows (lease 10 s), backoff.
    async def effects() -> dict[str, tuple[str, int | None]] | None:
        got = await handled(cluster, [d.msgid for d in deliveries])
        return got if all(d.msgid in got for d in ok) else None

    stored = await until(effects, 60, interval=1.0) or await handled(cluster, [d.msgid for d in deliveries])
    note("every 200 stored" if all(d.msgid in stored for d in ok) else "NOT every 200 stored")
    tickets = sorted({tk for _, tk in stored.values() if tk})
    new_tickets = [r[0] for r in await cluster.query("SELECT id FROM tickets WHERE id > :b", b=before)]
    rows, t = await all_sent(cluster, sandbox, tickets, timeout=90)
    note("outbox drained")
    calls = await sandbox.calls()
    everything = Counter(call_key(c) for c in calls if c["api"] == "message/send" and not c.get("fault"))
    await sandbox.close()
    lost = [d.msgid for d in ok if d.msgid not in stored or stored[d.msgid][1] is None]
    per_ticket = Counter(r.ticket_id for r in rows if r.kind == "app_message")
    print(f"\n[d] {len(deliveries)} report callbacks: 200 for {len(ok)} ({retried} after a retry), "
          f"gave up after {1 + WECOM_RETRIES} tries {len(gave_up)} (handled anyway: "
          f"{sum(1 for d in gave_up if d.msgid in stored)}); answers per attempt {dict(answers)}")
    print(f"[d] stored deliveries {len(stored)}, tickets {len(new_tickets)} (from stored replies {len(tickets)}), "
          f"200s without a ticket {len(lost)}; job cards: {t.line()}; outbox {statuses(rows)}")
    print(f"[d] take-overs of a dead handler's work (serve logs): {cluster.grep('taking over msgid=', 'serve')}; "
          f"callbacks answered 503 because the cache was away (serve logs): "
          f"{cluster.grep('answering 503 so that WeCom retries', 'serve')}")
    print(f"[d] cards delivered twice anywhere in the whole run: "
          f"{sum(1 for k, n in everything.items() if k and k[0] == 'card' and n > 1)}; "
          f"processes alive {cluster.alive()}; {seen}")
    print("[d] " + "\n[d] ".join(events))
    assert not lost, f"answered 200 but never handled: {lost[:10]}"
    assert len(new_tickets) == len(tickets) == len(stored), "one ticket per stored delivery, none twice"
    assert len(ok) >= 0.95 * len(deliveries), "WeCom's retries outlast the outages"
    assert answers[503] > 0, "the cache outage was answered 503 (so WeCom retried)"
    assert set(per_ticket.values()) == {PER_COMBO}
    assert not t.missing and not t.twice and not t.dropped, t.line()
    assert statuses(rows) == {"sent": len(rows)}
    assert not [k for k, n in everything.items() if k and k[0] == "card" and n > 1]
    assert all(cluster.alive().values())


async def _sending(cluster: Cluster) -> int:
    return (await cluster.query("SELECT count(*) FROM outbox WHERE status = 'sending'"))[0][0]


@needs_cluster
async def test_e_a_take_over_outlasts_a_cache_outage(cluster: Cluster):
    """A handler took a message's lease and died; WeCom's re-delivery reaches the other server, is
    answered 200 with an unfinished stream and leaves a take-over waiting for the lease to lapse —
    and Redis goes away for 12 s right then. WeCom has its 200: the message must still be handled
    once Redis is back."""
    import redis

    wecom, servers = WeCom(cluster.cfg), Servers(cluster.serve_urls)
    userid, chatid, text, _ = report_of(1)
    msgid = f"cl-e-{uuid.uuid4().hex}"
    r = redis.Redis.from_url(cluster.redis_real)
    try:   # the dead handler's lease, as it was left: it lapses in 3 s
        r.set(f"{cluster.prefix}dedup:bot:{msgid}", "1", px=3000)
    finally:
        r.close()
    async with aiohttp.ClientSession() as http:
        d = await deliver_bot(http, wecom, servers, msgid=msgid, userid=userid, chatid=chatid, text=text, retries=0)
    stream = (d.reply or {}).get("stream", {})
    dropped = await cluster.cut_cache()
    await asyncio.sleep(12.0)
    await cluster.restore_cache()
    stored = await until(lambda: handled(cluster, [msgid]), 10, interval=0.5)
    print(f"\n[e] re-delivery answered {d.attempts} with stream finish={stream.get('finish')}; Redis cut for 12 s "
          f"({dropped} connections); stored afterwards: {stored or 'nothing'}; take-overs logged "
          f"{cluster.grep('taking over msgid=' + msgid, 'serve')}")
    assert d.ok and stream.get("finish") is False
    assert stored and stored[msgid][1] is not None, "a callback answered 200 was never handled"
