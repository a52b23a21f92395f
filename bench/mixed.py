"""Mixed-load benchmark: 1 and 2 `wecom-desk serve` processes on PostgreSQL + Redis under the day's
traffic, the offered rate stepped up until p99 ≥ 200 ms or an error, to find the highest rate each
holds and the ratio 2 : 1.

    .venv/bin/python bench/mixed.py [--step-s 8] [--rates 25,50,100,…] [--serves 1,2] [--with-worker]

The load is open loop: Poisson arrivals at the offered rate, round robin over the serve processes,
latency counted from each request's scheduled time (a late sender shows as latency):

| share | who | says | channel |
|---:|---|---|---|
| 35 % | a store manager, in the store's group | "@小鲸 店里空调不制冷了" (7 kinds): a ticket, 3 job cards | AI bot (JSON) |
| 20 % | the same store | "@小鲸 #N 进度怎么样了" about one of its tickets | AI bot |
| 20 % | one of the 3 engineers offered job N | "接单 N" | app (XML), 1:1 |
| 20 % | the engineer who has job N, in turn | "#N 出发 30分钟到", "#N 到了", "#N 完工 工时2小时 配件180元" | app |
| 5 % | the East region's manager | "@小鲸 本月华东区结算汇总" (SQL aggregates, a card) | AI bot |

The completion is priced and split (the ledger). Directory: the cluster test's
(tests/cluster/harness.py: 231 engineers, 11 cities × 7 skills × 3) with 10 stores and groups per
city. Claims and progress use tickets the run itself created (a warm-up fills the pools); with
nothing to claim yet, a report is sent instead. The run ends by counting the stored deliveries by
intent and outcome, to show the mix was what it says.

The two configurations run side by side, each on a database of its own (created on the server of
BENCH_DATABASE_URL, default postgresql+asyncpg://postgres@127.0.0.1:5432/postgres, migrated with
`wecom-desk db upgrade`, dropped at the end) and its own prefix on BENCH_REDIS_URL (default
redis://127.0.0.1:6379/14), and take each rate in turn, so that whatever else the machine does
falls on both alike. `worker.in_process: false` and no worker: this measures the callback tier
(`--with-worker` adds one `wecom-desk worker` and the standalone sandbox as WeCom). The load
generator, PostgreSQL and Redis share the machine's cores with the servers; each step reports
where the cores went, including processes outside the run. A step holds when p99 < 200 ms, no
request failed and ≥ 97 % of the offered requests were answered. A failed step during which
outside processes used more than 0.25 cores is run once more. After a configuration's first
failed rate, two more steps halve the gap to the last rate it held. Prints markdown tables.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, deque
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.cluster.harness import (CITIES, PER_COMBO, REPORTS, SKILLS, Cluster, WeCom, base_config,  # noqa: E402
                                   directory, engineer)

STORES_PER_CITY = 10
P99_GOAL_MS = 200.0
TIMEOUT_S = 5.0                   # WeCom gives up on a callback after 5 s
MAX_OUTSTANDING = 600             # beyond this the generator counts an error instead of piling on
MANAGER, MANAGER_CHAT = "zhaomin", "wr_east_dispatch"
MIX = [("report", 0.35), ("status", 0.20), ("claim", 0.20), ("progress", 0.20), ("summary", 0.05)]
PROGRESS = ["#{n} 出发 30分钟到", "#{n} 到了", "#{n} 完工 工时2小时 配件180元"]
TICKET = re.compile(r"#(\d+)")
HZ = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[str, float]]:
    """pid → (command name, CPU seconds used so far), for every process on the machine."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                raw = f.read()
            name = raw[raw.index("(") + 1:raw.rindex(")")]
            fields = raw.rsplit(")", 1)[1].split()
            out[int(entry)] = (name, (int(fields[11]) + int(fields[12])) / HZ)
        except (OSError, ValueError, IndexError):
            continue
    return out


def _machine_busy() -> float:
    """CPU seconds the whole machine has been busy so far, all cores (idle and iowait excluded)."""
    with open("/proc/stat") as f:
        vals = [int(v) for v in f.readline().split()[1:]]
    return (sum(vals) - vals[3] - (vals[4] if len(vals) > 4 else 0)) / HZ


class CpuMeter:
    """Where the cores went during a step: the serve processes, this load generator, PostgreSQL,
    Redis, and anything else on the machine (other people's processes included)."""

    GROUPS = ("serve", "generator", "postgres", "redis", "other")

    def __init__(self, serve_pids: list[int]) -> None:
        self.serve_pids = set(serve_pids)

    def _group(self, pid: int, name: str) -> str:
        if pid in self.serve_pids:
            return "serve"
        if pid == os.getpid():
            return "generator"
        if name.startswith("postgres"):
            return "postgres"
        if name.startswith("redis"):
            return "redis"
        return "other"

    def __enter__(self) -> "CpuMeter":
        self.t0, self.busy0, self.procs0 = time.monotonic(), _machine_busy(), _processes()
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.monotonic() - self.t0
        used = Counter()
        for pid, (name, cpu) in _processes().items():
            used[self._group(pid, name)] += cpu - self.procs0.get(pid, (name, 0.0))[1]
        self.busy = (_machine_busy() - self.busy0) / wall
        self.cores = {g: used[g] / wall for g in self.GROUPS}
        # What exited during the step (and the kernel's own time) is in the machine's total only.
        self.cores["other"] = max(0.0, self.busy - sum(v for g, v in self.cores.items() if g != "other"))

    def line(self) -> str:
        return f"cores busy {self.busy:.2f} of {os.cpu_count()}: " + ", ".join(
            f"{g} {self.cores[g]:.2f}" for g in self.GROUPS)


def bench_directory() -> dict[str, Any]:
    people, groups = directory(base_config())
    for p in people:
        if "engineer" in p["roles"]:
            p["capacity"] = 100000   # routing keeps offering to the same three per city and skill
    for code, city, region in CITIES:
        for j in range(1, STORES_PER_CITY):
            people.append({"userid": f"store_{code}_{j}", "name": f"{city}{j}号店店长", "roles": ["customer"],
                           "regions": [region], "languages": ["zh"]})
            groups.append({"chatid": f"wr_cl_{code}_{j}", "name": f"{city}{j}号店报修群", "kind": "customer",
                           "region": region, "city": city, "language": "zh",
                           "webhook_key": f"sandbox-key-cl-{code}-{j}"})
    return {"people": people, "groups": groups}


def stores() -> list[tuple[str, str, str]]:
    """(city code, store userid, its group)."""
    out = []
    for code, _, _ in CITIES:
        out.append((code, f"store_{code}", f"wr_cl_{code}"))
        out += [(code, f"store_{code}_{j}", f"wr_cl_{code}_{j}") for j in range(1, STORES_PER_CITY)]
    return out


class Traffic:
    """Chooses each request from the mix and what the desk has so far: tickets to ask about, jobs
    offered and not yet claimed, jobs claimed and their next step."""

    def __init__(self, wecom: WeCom, seed: int) -> None:
        self.wecom, self.rng = wecom, random.Random(seed)
        self.stores = stores()
        self.of_chat: dict[str, list[int]] = {}
        self.offered: deque[tuple[int, str, str]] = deque()   # (ticket, city code, skill)
        self.working: deque[tuple[int, str, int]] = deque()   # (ticket, engineer, next step)
        self.n = 0
        self.run = uuid.uuid4().hex[:6]

    def _kind(self) -> str:
        x, acc = self.rng.random(), 0.0
        for kind, share in MIX:
            acc += share
            if x < acc:
                break
        if kind == "claim" and not self.offered or kind == "progress" and not self.working or (
                kind == "status" and not self.of_chat):
            return "report"
        return kind

    def next(self) -> tuple[str, str, dict[str, str], str, dict[str, str], Any]:
        """(kind, path, params, body, headers, what to do with a 200 and its body)."""
        self.n += 1
        kind = self._kind()
        if kind == "report":
            code, userid, chat = self.rng.choice(self.stores)
            skill = self.rng.choice(SKILLS)

            def created(body: str) -> None:
                reply = self.wecom.open_bot_reply(body)
                m = TICKET.search(json.dumps(reply, ensure_ascii=False)) if reply else None
                if m:
                    ticket = int(m.group(1))
                    self.of_chat.setdefault(chat, []).append(ticket)
                    self.offered.append((ticket, code, skill))
            return self._bot(kind, userid, chat, REPORTS[skill], created)
        if kind == "status":
            chat = self.rng.choice(list(self.of_chat))
            userid = next(u for _, u, c in self.stores if c == chat)
            n = self.rng.choice(self.of_chat[chat][-20:])
            return self._bot(kind, userid, chat, f"@小鲸 #{n} 进度怎么样了", None)
        if kind == "summary":
            return self._bot(kind, MANAGER, MANAGER_CHAT, "@小鲸 本月华东区结算汇总", None)
        if kind == "claim":
            ticket, code, skill = self.offered.popleft()
            who = engineer(code, skill, self.rng.randrange(PER_COMBO))
            return self._app(kind, who, f"接单 {ticket}", lambda _: self.working.append((ticket, who, 0)))
        ticket, who, step = self.working.popleft()

        def moved(_: str) -> None:
            if step + 1 < len(PROGRESS):
                self.working.append((ticket, who, step + 1))
        return self._app(kind, who, PROGRESS[step].format(n=ticket), moved)

    def _bot(self, kind: str, userid: str, chat: str, text: str, done: Any) -> Any:
        msgid = f"mx-{self.run}-{self.n}"
        params, body, headers = self.wecom.seal_bot(WeCom.bot_text(msgid, userid, chat, text))
        return kind, "/wecom/bot", params, body, headers, done

    def _app(self, kind: str, userid: str, text: str, done: Any) -> Any:
        params, body, headers = self.wecom.seal_app(self.wecom.app_text(userid, text))
        return kind, "/wecom/app", params, body, headers, done


async def step(http: aiohttp.ClientSession, urls: list[str], traffic: Traffic, rate: float, seconds: float,
               rng: random.Random) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    by_kind: dict[str, list[float]] = {}
    errors: Counter[str] = Counter()
    tasks: set[asyncio.Task[None]] = set()

    async def one(scheduled: float, server: str, req: Any) -> None:
        kind, path, params, body, headers, done = req
        try:
            async with http.post(server + path, params=params, data=body.encode(), headers=headers,
                                 timeout=aiohttp.ClientTimeout(total=TIMEOUT_S)) as resp:
                text = await resp.text()
                status = resp.status
        except (aiohttp.ClientError, asyncio.TimeoutError) as e:
            errors[type(e).__name__] += 1
            return
        ms = (loop.time() - scheduled) * 1000
        if status != 200:
            errors[f"HTTP {status}"] += 1
            return
        latencies.append(ms)
        by_kind.setdefault(kind, []).append(ms)
        if done is not None:
            done(text)

    start = loop.time()
    at, i = start, 0
    lags: list[float] = []
    while True:
        at += rng.expovariate(rate)
        if at - start >= seconds:
            break
        delay = at - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        lags.append((loop.time() - at) * 1000)   # how late the generator itself sends
        if len(tasks) >= MAX_OUTSTANDING:
            errors["overloaded (too many outstanding)"] += 1
            continue
        task = asyncio.create_task(one(at, urls[i % len(urls)], traffic.next()))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        i += 1
    offered = i + errors["overloaded (too many outstanding)"]
    if tasks:
        await asyncio.wait(set(tasks), timeout=TIMEOUT_S + 1)
    answered_in_time = sum(1 for ms in latencies if ms <= seconds * 1000 + TIMEOUT_S * 1000)
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [float("inf")] * 99
    p99 = q[98]
    held = p99 < P99_GOAL_MS and not errors and answered_in_time >= 0.97 * offered
    lags.sort()
    return {"rate": rate, "offered": offered, "answered": len(latencies), "achieved": len(latencies) / seconds,
            "p50": q[49], "p99": p99, "errors": dict(errors), "held": held,
            "lag_p99": statistics.quantiles(lags, n=100)[98] if len(lags) >= 2 else 0.0,
            "kinds": {k: (len(v), statistics.median(v), max(v)) for k, v in by_kind.items()}}


DISTURBED = 0.25   # cores used by processes outside the run: a failed step this disturbed is run again


class Runner:
    """One configuration (n serve processes on their own database) climbing the rates."""

    def __init__(self, cluster: Cluster, seed: int) -> None:
        self.cluster, self.n = cluster, len(cluster.serve_urls)
        self.traffic = Traffic(WeCom(cluster.cfg), seed)
        self.rng = random.Random(seed + 1)
        self.pids = [p.popen.pid for name, p in cluster.procs.items() if name.startswith("serve") and p.popen]
        self.results: list[dict] = []
        self.low, self.high = 0.0, None   # highest rate held so far; lowest rate that failed

    async def run(self, http: aiohttp.ClientSession, rate: float, step_s: float) -> bool:
        for attempt in range(2):
            with CpuMeter(self.pids) as cpu:
                r = await step(http, self.cluster.serve_urls, self.traffic, rate, step_s, self.rng)
            r["cpu"], r["rerun"] = cpu, attempt > 0
            self.results.append(r)
            print(f"  {self.n} serve, {rate:g}/s{' (again)' if attempt else ''}: p50 {r['p50']:.1f} ms, p99 "
                  f"{r['p99']:.1f} ms, achieved {r['achieved']:.0f}/s, errors {r['errors'] or 0} → "
                  f"{'held' if r['held'] else 'NOT held'}; generator's own lag p99 {r['lag_p99']:.1f} ms; "
                  f"{cpu.line()}", flush=True)
            await asyncio.sleep(1.5)   # the step's stragglers finish before the next one starts
            if r["held"] or cpu.cores["other"] <= DISTURBED:
                break
        if r["held"]:
            self.low = max(self.low, rate)
        else:
            self.high = rate if self.high is None else min(self.high, rate)
        return r["held"]


async def measure(runners: list[Runner], rates: list[float], step_s: float, warmup_s: float) -> None:
    """Every configuration takes each rate in turn (so that whatever else the machine does falls
    on both alike) until it fails one; then two more steps halve the gap, again in turn."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        for r in runners:   # warm-up: fills the pools of tickets to claim and work on
            await step(http, r.cluster.serve_urls, r.traffic, rates[0], warmup_s, r.rng)
        for rate in rates:
            climbing = [r for r in runners if r.high is None]
            if not climbing:
                break
            for r in climbing:
                await r.run(http, rate, step_s)
        for _ in range(2):
            for r in runners:
                if r.high is not None and r.high - r.low > 10:
                    await r.run(http, round((r.low + r.high) / 2 / 5) * 5, step_s)


async def intents(cluster: Cluster) -> dict[str, int]:
    rows = await cluster.query("SELECT coalesce(intent, '-') || ':' || outcome, count(*) FROM inbound_callbacks "
                               "GROUP BY 1 ORDER BY 2 DESC")
    return {k: n for k, n in rows}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--step-s", type=float, default=8.0)
    ap.add_argument("--warmup-s", type=float, default=6.0)
    ap.add_argument("--rates", default="25,50,100,150,200,300,400,600")
    ap.add_argument("--serves", default="1,2", help="serve process counts to measure")
    ap.add_argument("--with-worker", action="store_true", help="also run one worker and the sandbox")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    pg = os.environ.get("BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    started = time.monotonic()
    clusters: list[Cluster] = []
    mixes: dict[int, dict[str, int]] = {}
    try:
        for n in (int(x) for x in args.serves.split(",")):
            tmp = Path(tempfile.mkdtemp(prefix=f"bench-mixed-{n}-"))
            print(f"{n} serve process(es): starting (logs in {tmp})", flush=True)
            clusters.append(Cluster(pg, redis_url, tmp, serves=n, workers=1 if args.with_worker else 0, front=False,
                                    sandbox=args.with_worker, name="bench_mixed", **bench_directory()).start())
        runners = [Runner(c, args.seed) for c in clusters]

        async def go() -> None:
            await measure(runners, rates, args.step_s, args.warmup_s)
            for r in runners:
                mixes[r.n] = await intents(r.cluster)
        asyncio.run(go())
    finally:
        for c in clusters:
            c.stop()
    found = {r.n: r.results for r in runners}
    best = {r.n: next((x for x in reversed(r.results) if x["held"] and x["rate"] == r.low), None) for r in runners}
    print(f"\nMixed load, {os.cpu_count()} cores shared by the load generator, PostgreSQL, Redis and the serve "
          f"processes{' (+ 1 worker + sandbox)' if args.with_worker else ' (no worker: the outbox is not drained)'}; "
          f"{args.step_s:g} s per step, Poisson arrivals; whole run {time.monotonic() - started:.0f} s\n")
    print("| serve processes | offered/s | answered/s | p50 ms | p99 ms | errors | held | cores busy: serve / "
          "generator / PostgreSQL / Redis / other |")
    print("|---:|---:|---:|---:|---:|---:|---|---|")
    for n, results in found.items():
        for r in sorted(results, key=lambda r: r["rate"]):
            c = r["cpu"]
            print(f"| {n} | {r['rate']:g}{' (again)' if r['rerun'] else ''} | {r['achieved']:.0f} | {r['p50']:.1f} | "
                  f"{r['p99']:.1f} | {sum(r['errors'].values())} | {'yes' if r['held'] else 'no'} | {c.busy:.2f}: "
                  + " / ".join(f"{c.cores[g]:.2f}" for g in c.GROUPS) + " |")
    print(f"(a failed step during which other processes on the machine used > {DISTURBED} cores was run once more; "
          "both runs are listed)")
    print("\n| serve processes | highest rate held (p99 < 200 ms, 0 errors) | p50 / p99 ms there |")
    print("|---:|---:|---:|")
    for n, r in best.items():
        print(f"| {n} | {r['rate']:g}/s | {r['p50']:.1f} / {r['p99']:.1f} |" if r else f"| {n} | none | — |")
    if best.get(1) and best.get(2):
        print(f"\nratio 2 serve / 1 serve: {best[2]['rate'] / best[1]['rate']:.2f}")
    for n, r in best.items():
        if r:
            kinds = ", ".join(f"{k} {c} (median {m:.0f} ms, max {x:.0f} ms)"
                              for k, (c, m, x) in sorted(r["kinds"].items()))
            print(f"{n} serve at {r['rate']:g}/s, by kind: {kinds}")
    for n, mix in mixes.items():
        print(f"{n} serve: stored deliveries by intent:outcome {mix}")


if __name__ == "__main__":
    main()
