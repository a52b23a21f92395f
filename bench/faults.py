"""Faults benchmark: N job cards through the real outbox worker (`wecom-desk worker`, its own
process) against the standalone WeCom sandbox (`python -m bot.sandbox`, its own process) while
30 % of message/send calls fail, and how late and how often each one arrives.

    .venv/bin/python bench/faults.py [--messages 200] [--rate 40] [--backend sqlite|postgres] [--workers 1]

The messages are job cards to 231 engineers (the cluster test's directory: 11 cities × 7 skills ×
3 engineers), queued as the desk queues them — `storage.outbox.write` in a transaction — at
`--rate` a second while the worker runs. The sandbox fails message/send with the cluster test's mix
(tests/cluster/harness.py FAULT_MIX): HTTP 500 5 %, a 2 s hang 4 %, a reset connection 4 %, errcode
45009 3.5 %, errcode 42001 3.5 % before WeCom processes the call, and an answer lost after WeCom
delivered it 10 % (a 502 or a reset). The worker runs with the shipped `worker:` settings (backoff
0.5 s doubling, up to 8 attempts, 30 s lease; api_timeout_s 5).

Delay = the sandbox's clock when WeCom really delivered the card − the outbox row's created_at.
A re-send after a lost answer must show up as a duplicate WeCom suppressed, never as a second
delivery. Backends: SQLite (default; the worker and the sandbox, no Redis) or PostgreSQL + Redis
(BENCH_DATABASE_URL, default postgresql+asyncpg://postgres@127.0.0.1:5432/wecom_desk_bench_faults,
created if missing and emptied; BENCH_REDIS_URL, default redis://127.0.0.1:6379/14, own prefix).
Prints a markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import timezone
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tests.cluster.harness import (CITIES, FAULT_MIX, PER_COMBO, SKILLS, Proc, base_config,  # noqa: E402
                                   call_key, cluster_config, engineer, free_port, set_fault_mix, tally, write_config)

PY = sys.executable


def destinations() -> list[str]:
    return [engineer(code, skill, k) for skill in SKILLS for code, _, _ in CITIES for k in range(PER_COMBO)]


def job_row(i: int, userid: str, run: str) -> dict:
    """A job card as routing queues it (handlers/routing.py _send_job_card)."""
    from handlers.cards import job_card
    from storage import outbox

    task = f"job-{i}-{userid}-{run}"
    card = job_card("zh", ticket_id=100000 + i, skill="空调", location="上海 · 华东", urgency="normal",
                    description="店里空调不制冷了", description_lang="zh", task=task,
                    buttons=[("claim", "job.claim_button", 1)])
    return outbox.row("app_message", userid, {"msgtype": "template_card", "card": card.to_dict()})


async def ensure_pg_database(url: str) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    admin = u.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    conn = await asyncpg.connect(admin)
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", u.database):
            await conn.execute(f'CREATE DATABASE "{u.database}"')
    finally:
        await conn.close()


async def wait_http(url: str, procs: list[Proc], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            dead = [p.name for p in procs if not p.alive]
            if dead:
                raise SystemExit(f"{', '.join(dead)} exited:\n" + "\n".join(p.tail() for p in procs))
            try:
                async with http.get(url) as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


async def run(args: argparse.Namespace) -> dict:
    from sqlalchemy import select

    from _db import fresh_database, pg_url
    from bot.sandbox.client import SandboxClient
    from storage import outbox
    from storage.models import OutboxMessage

    tmp = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    sandbox_port = free_port()
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    if args.backend == "postgres":
        db_url = pg_url("wecom_desk_bench_faults")
        await ensure_pg_database(db_url)
        redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    else:
        db_url, redis_url = f"sqlite+aiosqlite:///{tmp}/bench.db", ""
    prefix = f"bench-faults-{uuid.uuid4().hex[:8]}:"
    data = cluster_config(port=free_port(), database_url=db_url, redis_url=redis_url, prefix=prefix,
                          sandbox_url=sandbox_url)
    data["worker"] = {**base_config()["worker"], "in_process": False}   # the shipped worker settings
    data["wecom"]["api_timeout_s"] = base_config()["wecom"]["api_timeout_s"]
    cfg_path = write_config(tmp / "config.yaml", data)
    db = await fresh_database(args.backend, tmp, db_url)   # an empty schema at head
    procs = [Proc("sandbox", [PY, "-m", "bot.sandbox", "--config", str(cfg_path), "--port", str(sandbox_port),
                              "--log-level", "WARNING"], tmp / "sandbox.log")]
    procs += [Proc(f"worker{i}", [PY, "-m", "bot", "worker", "--config", str(cfg_path), "--log-level", "WARNING"],
                   tmp / f"worker{i}.log") for i in range(1, args.workers + 1)]
    sandbox = SandboxClient(sandbox_url)
    run_id = uuid.uuid4().hex[:6]
    try:
        procs[0].spawn()
        await wait_http(sandbox_url + "/sandbox/api/faults", procs[:1])
        for p in procs[1:]:   # one at a time: each mirrors the directory into the database at start
            p.spawn()
            await asyncio.sleep(4.0)
        # Warm-up: one card through each worker's path (token fetched, parser loaded), no faults.
        async with db.transaction() as session:
            await outbox.write(session, [job_row(0, destinations()[0], run_id + "w")])
        async def warm() -> bool:
            return bool(await sandbox.deliveries("message/send"))
        deadline = time.monotonic() + 60
        while not await warm():
            if time.monotonic() > deadline or not all(p.alive for p in procs):
                raise SystemExit("the worker did not deliver the warm-up card:\n" + "\n".join(p.tail() for p in procs))
            await asyncio.sleep(0.2)
        share = await set_fault_mix(sandbox, FAULT_MIX, seed=args.seed)
        dests = destinations()
        started = time.monotonic()
        for i in range(args.messages):
            async with db.transaction() as session:
                await outbox.write(session, [job_row(i + 1, dests[i % len(dests)], run_id)])
            await asyncio.sleep(max(0.0, started + (i + 1) / args.rate - time.monotonic()))
        queued = time.monotonic() - started

        async def rows() -> list[OutboxMessage]:   # this run's cards, not the warm-up
            async with db.sessions() as session:
                return [r for r in (await session.scalars(select(OutboxMessage))).all()
                        if r.payload["card"]["task_id"].endswith("-" + run_id)]

        deadline = time.monotonic() + args.timeout
        while True:
            got = await rows()
            if all(r.status in ("sent", "failed") for r in got) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(2.0)   # a second delivery, were there one, would show by now
        got = await rows()
        calls = await sandbox.calls()
        faults = await sandbox.faults()
    finally:
        await sandbox.close()
        for p in reversed(procs):
            p.stop()
        await db.close()
        if redis_url:
            from tests.cluster.harness import clear_redis_prefix

            clear_redis_prefix(redis_url, prefix)
    keys = {call_key({"api": "message/send", "body": {"touser": r.dest, "msgtype": "template_card",
                                                      "template_card": {"task_id": r.payload["card"]["task_id"]}}}): r
            for r in got}
    t = tally(keys, calls)
    first_delivery: dict = {}
    for c in calls:
        if c["api"] == "message/send" and not c.get("fault"):
            first_delivery.setdefault(call_key(c), c["at"])
    delays = sorted(first_delivery[k] - r.created_at.replace(tzinfo=timezone.utc).timestamp()
                    for k, r in keys.items() if k in first_delivery)
    fired = Counter()
    for f in faults:
        label = f["name"] + (f" {f['errcode']}" if f.get("errcode") else "") + (
            f" ({f['reply']})" if f.get("reply") else "") + (f" {f['seconds']:g}s" if f["mode"] == "hang" else "")
        fired[label] += f["fired"]
    lost = sum(n for k, n in fired.items() if k.startswith("lost_reply"))
    processed = sum(1 for c in calls if c["api"].startswith("message/send") and not c.get("fault")
                    and call_key(c) in keys)
    return {"backend": args.backend, "workers": args.workers, "messages": args.messages, "tally": t,
            "statuses": Counter(r.status for r in got), "delays": delays, "fired": fired, "share": share,
            "http_calls": processed + sum(fired.values()) - lost, "queued_s": queued,
            "attempts": Counter(r.attempts for r in got)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=200)
    ap.add_argument("--rate", type=float, default=40.0, help="messages queued per second")
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("--timeout", type=float, default=180.0, help="give up waiting for the outbox after this")
    args = ap.parse_args()
    r = asyncio.run(run(args))
    t, d = r["tally"], r["delays"]
    fired_total = sum(r["fired"].values())
    q = statistics.quantiles(d, n=100) if len(d) >= 2 else [float("nan")] * 99
    print(f"\n{r['messages']} job cards queued at {args.rate:g}/s ({r['queued_s']:.1f} s) to 231 engineers; "
          f"{r['workers']} worker process(es) + the standalone sandbox, {args.backend}"
          f"{' + Redis' if args.backend == 'postgres' else ', in-process cache'}; "
          f"{os.cpu_count()} cores shared with this script\n")
    print("| backend | sent / expected | delivered twice | re-sends suppressed by WeCom | failed rows | "
          "faults fired / message/send calls | median delay s | p95 delay s | worst delay s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {r['backend']} ({r['workers']} worker{'s' if r['workers'] > 1 else ''}) | {t.once} / {t.expected} | {len(t.twice)} | "
          f"{sum(t.suppressed.values())} | {r['statuses'].get('failed', 0)} | {fired_total} / {r['http_calls']} "
          f"({fired_total / max(r['http_calls'], 1):.0%}) | {statistics.median(d):.2f} | {q[94]:.2f} | {d[-1]:.2f} |")
    print(f"\nfaults fired: {dict(r['fired'])}; missing {len(t.missing)}; dropped by WeCom's per-member limit "
          f"{sum(t.dropped.values())}; attempts per row {dict(sorted(r['attempts'].items()))}; "
          f"outbox {dict(r['statuses'])}")
    print("Goal: 0 duplicates, median delay < 5 s.")


if __name__ == "__main__":
    main()
