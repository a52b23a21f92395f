"""Callback benchmark: N ticket-creating AI-bot callbacks from 50 concurrent senders against a
running `wecom-desk serve` on loopback, side by side with the floor server (bench/floor.py).

    .venv/bin/python bench/callbacks.py [--requests 3000] [--concurrency 50] [--backend sqlite|postgres]

The desk runs in the layout a user gets: one process, the outbox worker in it (`worker.in_process`),
sending every job card to WeCom — here the sandbox's WeCom stand-in in a process of its own
(`python -m bot.sandbox`), as the real one would be. The load generator is another process on the
same 2 cores, so all numbers are lower bounds. Bodies are encrypted before the clock starts.
After the run it counts what was done: one ticket per callback and every job card delivered.
Prints a markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from handlers.config import interpolate, load_config  # noqa: E402
from bot.crypto import WeComCrypto  # noqa: E402

TEXTS = ["@小鲸 上海徐汇店空调不制冷了", "@小鲸 徐汇店收银机打不开 急", "@小鲸 上海徐汇店电梯异响",
         "@小鲸 徐汇店网络断了", "@小鲸 徐汇店热水器漏水"]
WARM_UP = 200   # callbacks sent before the measured ones, after the first one


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _parsing(cfg_path: Path) -> str:
    n = yaml.safe_load(cfg_path.read_text(encoding="utf-8"))["nlu"].get("processes", 0)
    return f"{n} parser process{'es' if n > 1 else ''}" if n else "parser on the loop"


def write_config(tmp: Path, port: int, backend: str, wecom_port: int, nlu_processes: int | None = None) -> Path:
    data = interpolate(yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8")), env={})
    if nlu_processes is not None:   # to compare with the parser on the loop; config.yaml's value otherwise
        data["nlu"]["processes"] = nlu_processes
    data["server"]["port"] = port
    data["worker"]["in_process"] = True   # the default layout: serve also drains the outbox
    # Every report here opens a ticket (what is measured); a store's repeats would otherwise be
    # added to its open ticket of the same skill, a cheaper path.
    data["routing"]["attach_repeat_reports"] = False
    data["wecom"]["api_base"] = f"http://127.0.0.1:{wecom_port}/sandbox"
    if backend == "postgres":
        data["database"]["url"] = os.environ.get("BENCH_DATABASE_URL",
                                                 "postgresql+asyncpg://postgres@127.0.0.1/wecom_desk_bench_callbacks")
        data["redis"]["url"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
        data["redis"]["prefix"] = f"bench-{uuid.uuid4().hex[:8]}:"
    else:
        data["database"]["url"] = f"sqlite+aiosqlite:///{tmp}/bench.db"
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


async def wait_up(url: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(200):
            try:
                async with http.post(url + "/wecom/bot") as resp:
                    if resp.status in (400, 403, 200, 500):
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit(f"server at {url} did not come up")


def bodies(crypto: WeComCrypto, n: int) -> list[tuple[dict[str, str], str]]:
    out = []
    for i in range(n):
        msg = {"msgid": uuid.uuid4().hex, "aibotid": "aib", "chatid": "wr_sh_xuhui", "chattype": "group",
               "from": {"userid": "storesh"}, "msgtype": "text", "text": {"content": TEXTS[i % len(TEXTS)]}}
        sealed = crypto.seal(json.dumps(msg, ensure_ascii=False))
        out.append(({"msg_signature": sealed["msgsignature"], "timestamp": sealed["timestamp"],
                     "nonce": sealed["nonce"]}, json.dumps({"encrypt": sealed["encrypt"]})))
    return out


async def load(url: str, work: list[tuple[dict[str, str], str]], concurrency: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    it = iter(work)
    conn = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=conn) as http:
        async def sender() -> None:
            nonlocal errors
            for params, body in it:
                t0 = time.perf_counter()
                async with http.post(url + "/wecom/bot", params=params, data=body,
                                     headers={"Content-Type": "application/json"}) as resp:
                    await resp.read()
                    if resp.status != 200:
                        errors += 1
                latencies.append((time.perf_counter() - t0) * 1000)

        start = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {"n": len(latencies), "rps": len(latencies) / elapsed, "p50": q[49], "p99": q[98], "errors": errors}


def start(cmd: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


async def done_work(cfg_path: Path, expected: int) -> dict[str, int]:
    """What the run left behind: tickets, and the outbox by state — waited for up to 60 s while
    the worker still has rows it can send now. Job cards beyond WeCom's 30 a minute to one
    engineer are held ("pending") by design: every report here goes to the same two engineers."""
    from sqlalchemy import func, select

    from storage.db import Database
    from storage.models import OutboxMessage, Ticket, utcnow

    db = Database(load_config(cfg_path).database.url)
    try:
        for _ in range(600):
            async with db.sessions() as s:
                tickets = await s.scalar(select(func.count()).select_from(Ticket))
                states = dict((await s.execute(select(OutboxMessage.status, func.count())
                                               .group_by(OutboxMessage.status))).all())
                due = await s.scalar(select(func.count()).select_from(OutboxMessage).where(
                    OutboxMessage.status.in_(("pending", "sending")), OutboxMessage.next_attempt_at <= utcnow()))
            if tickets >= expected and not due:
                break
            await asyncio.sleep(0.1)
    finally:
        await db.close()
    return {"tickets": tickets, **states}


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--nlu-processes", type=int, default=None,
                    help="the desk's nlu.processes (default: config.yaml's, the layout a user gets)")
    args = ap.parse_args()
    sent = 1 + WARM_UP + args.requests   # to the desk server, each a report that opens a ticket
    tmp = Path(tempfile.mkdtemp())
    desk_port, floor_port, wecom_port = free_port(), free_port(), free_port()
    cfg_path = write_config(tmp, desk_port, args.backend, wecom_port, args.nlu_processes)
    cfg = load_config(cfg_path)
    crypto = WeComCrypto(cfg.wecom.bot.token, cfg.wecom.bot.encoding_aes_key, "")
    if args.backend == "postgres":  # an empty schema at head, like a new deployment
        from _db import fresh_database

        await (await fresh_database("postgres", tmp, cfg.database.url)).close()
    wecom = start([sys.executable, "-m", "bot.sandbox", "--config", str(cfg_path), "--port", str(wecom_port),
                   "--log-level", "WARNING"])
    results: dict[str, dict[str, float]] = {}
    first: dict[str, float] = {}
    work: dict[str, int] = {}
    try:
        for name, cmd, port in (
                ("floor (verify + decrypt + ack)", [sys.executable, "bench/floor.py", str(cfg_path), str(floor_port)],
                 floor_port),
                (f"wecom-desk ({args.backend}, ticket created, worker in process, "
                 f"{_parsing(cfg_path)})",
                 [sys.executable, "-m", "bot", "serve", "--config", str(cfg_path), "--log-level", "WARNING"], desk_port)):
            proc = start(cmd)
            try:
                url = f"http://127.0.0.1:{port}"
                await wait_up(url)
                # the first reader after a start waits for whatever is loaded lazily
                first[name] = (await load(url, bodies(crypto, 1), 1))["p50"]
                await load(url, bodies(crypto, WARM_UP), args.concurrency)
                results[name] = await load(url, bodies(crypto, args.requests), args.concurrency)
                if port == desk_port:
                    work = await done_work(cfg_path, sent)
            finally:
                proc.terminate()
                proc.wait(timeout=10)
    finally:
        wecom.terminate()
        wecom.wait(timeout=10)
    floor = next(iter(results.values()))["rps"]
    print(f"\n{args.requests} callbacks, {args.concurrency} concurrent senders, one server process, "
          f"{os.cpu_count()} cores shared with the load generator and the WeCom stand-in\n")
    print("| server | callbacks/s | p50 ack ms | p99 ack ms | non-200 | % of floor |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['errors']} | "
              f"{100 * r['rps'] / floor:.0f} % |")
    print("\nfirst callback after start: " + ", ".join(f"{name} {ms:.0f} ms" for name, ms in first.items()))
    print(f"\nwork done: {work.get('tickets', 0)} tickets for {sent} callbacks (the first and the warm-up included); "
          f"outbox: {work.get('sent', 0)} sent, {work.get('pending', 0) + work.get('sending', 0)} held by WeCom's "
          f"per-member limit, {work.get('failed', 0)} failed")


if __name__ == "__main__":
    asyncio.run(main())
