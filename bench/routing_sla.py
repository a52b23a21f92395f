"""Routing and SLA-scan benchmark, the issue's goals:

    choosing an engineer among 10,000 (indexed query + ranking)   p99 < 5 ms
    one SLA scan over 100,000 open tickets                         < 1 s
    on PostgreSQL and SQLite

    .venv/bin/python bench/routing_sla.py [--backend sqlite|postgres] [--engineers 10000]
                                          [--tickets 100000] [--due 0.01] [--calls 2000] [--explain]

PostgreSQL: database `wecom_desk_bench_routing` on 127.0.0.1 (override with BENCH_DATABASE_URL);
its `public` schema is dropped and recreated. SQLite: a file in a temporary directory.

Everything runs in this one process against the real code: `handlers.routing.rank` (the indexed
`storage.tickets.candidates` query plus the duty-hours filter) and `handlers.timers.check_sla`,
each inside `Database.transaction()` with a Context built by `Desk.context`, as the scheduler and
the callback path do. The desk's clock is frozen at the data's "now", so the load time does not
change what is due. Prints one markdown table (and, with --explain, the two hot queries' plans).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import math
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Sequence

from _db import ROOT, analyze, bulk_insert, fresh_database, pg_url  # also puts the repo on sys.path
from sqlalchemy import BindParameter, func, literal, select, text
from sqlalchemy.sql import visitors

from handlers.desk import Services
from storage.tickets import recount_open_jobs
from handlers.clock import Clock
from handlers.config import Config, load_config
from handlers.desk import Desk
from handlers import sla as policy_math
from handlers import timers
from handlers.notify import current_target
from handlers.routing import rank
from storage import tickets as store
from storage.cache import make_cache
from storage.db import Database
from storage.models import Offer, OutboxMessage, Person, PersonRegion, PersonSkill, Ticket, TicketEvent

SEED = 20261122
DB_NAME = "wecom_desk_bench_routing"

# Engineers' share of in-work statuses, and the age (minutes before "now") a ticket in each
# status typically has: new jobs are minutes old, jobs waiting for parts days old.
WORK_STATUSES = {"assigned": 20, "departed": 10, "on_site": 15, "in_progress": 35, "waiting_parts": 20}
UNASSIGNED_STATUSES = {"new": 55, "offered": 45}
AGE_MIN = {"new": (0, 120), "offered": (0, 120), "assigned": (10, 480), "departed": (30, 600),
           "on_site": (60, 900), "in_progress": (60, 1440), "waiting_parts": (1440, 7 * 1440)}
FULL_SHARE = 0.5        # engineers at capacity; the rest carry 0..capacity-1 open jobs
OFFERS_PER_ROUND = 3    # template_defaults.offer_k
WARMUP_CALLS = 200


class FrozenClock(Clock):
    """The desk's clock pinned at one instant: due-ness is decided by the data, not by how long
    the load took."""

    def __init__(self, at: datetime) -> None:
        super().__init__()
        self.at = at

    def now(self) -> datetime:
        return self.at


@dataclass
class Dataset:
    people: list[dict[str, Any]] = field(default_factory=list)
    skills: list[dict[str, Any]] = field(default_factory=list)
    regions: list[dict[str, Any]] = field(default_factory=list)
    tickets: list[dict[str, Any]] = field(default_factory=list)
    offers: list[dict[str, Any]] = field(default_factory=list)


# -- data ------------------------------------------------------------------------------------------

def weighted_region(cfg: Config, rng: random.Random):  # type: ignore[no-untyped-def]
    # Regions weigh by how many cities they have: 华东 with six cities has far more engineers and
    # jobs than Paris; uniform regions would make the small ones unrealistically crowded.
    return rng.choices(cfg.regions, weights=[len(r.cities) for r in cfg.regions])[0]


def make_engineers(cfg: Config, rng: random.Random, n: int, now: datetime, data: Dataset) -> list[dict[str, Any]]:
    """`people` rows plus their skills and regions; returns each engineer's profile for tickets."""
    skills = [s.code for s in cfg.skills]
    profiles = []
    for i in range(n):
        home = weighted_region(cfg, rng)
        served = [home.code]
        if rng.random() < 0.35:  # 1–2 regions: a second one, preferably a configured neighbour
            near = cfg.routing.neighbours.get(home.code) or [r.code for r in cfg.regions if r.code != home.code]
            served.append(rng.choice(near))
        own = rng.sample(skills, rng.choices((1, 2, 3), weights=(40, 40, 20))[0])
        capacity = rng.randint(3, 6)
        rated = rng.random() < 0.6
        count = rng.randint(1, 200) if rated else 0
        uid = f"eng{i:05d}"
        data.people.append({
            "userid": uid, "name": f"Engineer {i}", "roles": ["engineer"], "city": rng.choice(home.cities).name,
            "languages": [home.language], "capacity": capacity, "active": rng.random() < 0.98,
            "timezone": home.timezone,
            # 30 % keep day shifts in their own zone, the rest follow the desk's 7×24 default.
            "working_hours": "08:00-20:00" if rng.random() < 0.3 else None,
            "last_assigned_at": now - timedelta(minutes=rng.uniform(1, 14 * 1440)) if rng.random() < 0.8 else None,
            "rating_sum": round(count * rng.uniform(3.2, 5.0)), "rating_count": count})
        data.skills += [{"userid": uid, "skill": s} for s in own]
        data.regions += [{"userid": uid, "region": r} for r in served]
        load = capacity if rng.random() < FULL_SHARE else rng.randint(0, capacity - 1)
        profiles.append({"userid": uid, "city": data.people[-1]["city"], "skills": own, "regions": served,
                         "load": load})
    return profiles


def ticket_row(cfg: Config, book: Any, rng: random.Random, now: datetime, *, status: str, skill: str,
               region: str, city: str, assignee: str | None) -> dict[str, Any]:
    """One open ticket with deadlines from the real SLA policies, and the SLA state a scanner
    that kept up would have left: stage, escalation level and the next check time."""
    created = now - timedelta(minutes=rng.uniform(*AGE_MIN[status]))
    urgency = "urgent" if rng.random() < 0.2 else "normal"
    policy = "critical" if skill == "elevator" else "standard"  # as config.yaml's templates say
    d = book.deadlines(policy, urgency, created, region)
    row = {"status": status, "skill": skill, "region": region, "city": city, "urgency": urgency,
           "description": f"{skill} job", "reporter": None, "chatid": f"wr_store_{rng.randint(1, 2000)}",
           "assignee": assignee, "source": "chat", "language": "zh", "template": f"{skill}_repair",
           "template_version": 1, "created_at": created, "updated_at": created, "completed_at": None,
           "sla_breached": False, "rating": None, "escalated": False, "parent_id": None, "eta_at": None,
           "dispatch_mode": "assign" if skill == "elevator" else "offer",
           "offer_round": 0, "offer_expires_at": None, "sla_policy": d.policy, "response_due": d.response,
           "onsite_due": d.onsite, "resolution_due": d.resolution, "sla_paused_at": None, "sla_stage": "ok",
           "escalation_level": 0, "next_check_at": None, "data": {}}
    if status == "waiting_parts":  # the SLA clock is paused while parts are on their way
        row["sla_paused_at"] = created + (now - created) * rng.uniform(0.2, 0.9)
    elif status == "offered":
        # The current round is still open: offer expiry is another timer, not benchmarked here.
        row["offer_round"] = rng.randint(1, 3)
        row["offer_expires_at"] = now + timedelta(seconds=rng.uniform(1, 300))
    settle_sla(cfg, book, row, now)
    return row


def settle_sla(cfg: Config, book: Any, row: dict[str, Any], now: datetime) -> None:
    if row["sla_paused_at"] is not None:
        return
    view = SimpleNamespace(**row)  # what current_target and the calendar read, without ORM cost
    target, due = current_target(view)  # type: ignore[arg-type]
    if due is None:
        return
    cal = book.calendar(view)
    stage = policy_math.stage(now, row["created_at"], due, cal)
    if stage == "ok":
        row["next_check_at"] = policy_math.next_check(now, row["created_at"], due, cal)
    elif stage == "nudge":
        row["sla_stage"], row["next_check_at"] = f"nudged:{target}", due
    else:  # breached: managers told at the deadline, the head of service after repeat_after_min
        repeat = timedelta(minutes=cfg.escalation.repeat_after_min)
        row.update(sla_stage=f"breached:{target}", sla_breached=True, escalated=True)
        if now - due < repeat:
            row.update(escalation_level=1, next_check_at=due + repeat)
        else:
            row.update(escalation_level=2, next_check_at=None)


def make_due(rows: list[dict[str, Any]], rng: random.Random, share: float, now: datetime) -> int:
    """Make `share` of all tickets due now: their timer fell due in the last minute and the
    recorded stage is one step behind the real one, so the scan does real work. Half are drawn
    from tickets really past their 80 % point (→ nudge) and half from tickets past their
    deadline (→ breach, or escalation for a fifth of them): in steady state every promise falls
    due once at each of the two points, and a timer never falls due for nothing."""
    want = round(len(rows) * share)
    nudged = [r for r in rows if r["sla_stage"].startswith("nudged:")]
    breached = [r for r in rows if r["sla_stage"].startswith("breached:")]
    chosen = rng.sample(nudged, min(len(nudged), want // 2))
    chosen += rng.sample(breached, min(len(breached), want - len(chosen)))
    for r in chosen:
        r["next_check_at"] = now - timedelta(seconds=rng.uniform(0, 60))
        target = r["sla_stage"].split(":")[-1]
        if r["sla_stage"].startswith("nudged:"):
            r["sla_stage"] = "ok"
        elif r["sla_stage"].startswith("breached:"):
            escalate = rng.random() < 0.2
            r.update(sla_stage=f"breached:{target}" if escalate else f"nudged:{target}",
                     sla_breached=escalate, escalated=escalate, escalation_level=1 if escalate else 0)
    return len(chosen)


def make_tickets(cfg: Config, book: Any, rng: random.Random, engineers: list[dict[str, Any]], n: int,
                 now: datetime, data: Dataset) -> None:
    rows = []
    # In-work tickets fill each engineer up to the load drawn for them, in a region they serve.
    for e in engineers:
        for _ in range(e["load"]):
            region = rng.choice(e["regions"])
            cities = [c.name for c in cfg.region(region).cities]  # type: ignore[union-attr]
            city = e["city"] if e["city"] in cities else rng.choice(cities)
            status = rng.choices(list(WORK_STATUSES), weights=list(WORK_STATUSES.values()))[0]
            rows.append(ticket_row(cfg, book, rng, now, status=status, skill=rng.choice(e["skills"]),
                                   region=region, city=city, assignee=e["userid"]))
    rows = rows[:n]
    # The rest wait for an engineer: 10,000 people with capacity 3–6 hold at most ~45,000 jobs.
    skills = [s.code for s in cfg.skills]
    while len(rows) < n:
        r = weighted_region(cfg, rng)
        status = rng.choices(list(UNASSIGNED_STATUSES), weights=list(UNASSIGNED_STATUSES.values()))[0]
        rows.append(ticket_row(cfg, book, rng, now, status=status, skill=rng.choice(skills), region=r.code,
                               city=rng.choice(r.cities).name, assignee=None))
    rng.shuffle(rows)  # heap order must not follow the assignee
    for i, r in enumerate(rows, 1):
        r["id"] = i
    data.tickets = rows
    make_offers(rng, engineers, data)


def make_offers(rng: random.Random, engineers: list[dict[str, Any]], data: Dataset) -> None:
    """The open round's job cards, so an unassigned ticket's nudge finds who to tell."""
    pool: dict[tuple[str, str], list[str]] = {}
    for e in engineers:
        for s in e["skills"]:
            for r in e["regions"]:
                pool.setdefault((s, r), []).append(e["userid"])
    for t in data.tickets:
        if t["status"] != "offered":
            continue
        people = pool.get((t["skill"], t["region"]), [])
        for u in rng.sample(people, min(OFFERS_PER_ROUND, len(people))):
            data.offers.append({"task_id": f"job-{t['id']}-{u}-{t['offer_round']}", "ticket_id": t["id"],
                                "userid": u, "status": "offered", "created_at": t["created_at"]})


async def load(db: Database, data: Dataset) -> dict[str, tuple[int, float]]:
    """Bulk-load the dataset; returns rows and seconds per table."""
    took = {}
    for name, table, rows in (("people", Person.__table__, data.people),
                              ("person_skills", PersonSkill.__table__, data.skills),
                              ("person_regions", PersonRegion.__table__, data.regions),
                              ("tickets", Ticket.__table__, data.tickets),
                              ("offers", Offer.__table__, data.offers)):
        took[name] = (len(rows), await bulk_insert(db, table, rows))
    if not db.is_sqlite:  # explicit ids: move the sequence past them like the app's inserts would
        async with db.engine.begin() as conn:
            await conn.execute(text("SELECT setval(pg_get_serial_sequence('tickets', 'id'), :n)"),
                               {"n": len(data.tickets)})
    async with db.transaction() as session:  # as serve does at start: people.open_jobs from the tickets
        await recount_open_jobs(session)
    await analyze(db)
    return took


# -- measurements ------------------------------------------------------------------------------------

def pct(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile, no interpolation: p99 of 2,000 calls is the 1,980th fastest."""
    s = sorted(values)
    return s[max(0, min(len(s), math.ceil(p / 100 * len(s))) - 1)]


async def bench_routing(desk: Desk, cfg: Config, rng: random.Random, calls: int) -> dict[str, Any]:
    """`rank` for random (skill, region, city), one transaction each, as a callback routes a job:
    k=3 (an offer round), nobody excluded, so the query's LIMIT is 3 + candidates_per_query."""
    skills = [s.code for s in cfg.skills]
    asks = []
    for _ in range(WARMUP_CALLS + calls):
        r = weighted_region(cfg, rng)
        asks.append((rng.choice(skills), r.code, rng.choice(r.cities).name))
    times, empty = [], 0
    for i, (skill, region, city) in enumerate(asks):
        started = time.perf_counter()
        async with desk.work(userid="desk") as ctx:
            chosen = await rank(ctx, skill=skill, region=region, city=city, exclude=set(), k=3)
        took = time.perf_counter() - started
        if i >= WARMUP_CALLS:
            times.append(took)
            empty += not chosen
    return {"times": times, "empty": empty}


def due_query(now: datetime, limit: int | None):  # type: ignore[no-untyped-def]
    # Exactly check_sla's selection; limit=None reads every due row instead of one batch.
    q = select(Ticket).where(Ticket.next_check_at <= now).order_by(Ticket.next_check_at)
    return q.limit(limit) if limit else q


async def time_select(db: Database, now: datetime, limit: int | None, repeat: int) -> tuple[list[float], int]:
    times, rows = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        async with db.transaction() as session:
            rows = len((await session.scalars(due_query(now, limit))).all())
        times.append(time.perf_counter() - started)
    return times, rows


async def scan_pass(desk: Desk) -> tuple[float, int]:
    """One scheduler pass of check_sla: select due tickets, claim and evaluate each, commit the
    events and outbox rows — one transaction, timed through the commit."""
    started = time.perf_counter()
    async with desk.work(userid="desk", channel="timer") as ctx:
        handled = await timers.check_sla(ctx)
    return time.perf_counter() - started, handled


async def count_due(db: Database, now: datetime) -> int:
    async with db.sessions() as session:
        return (await session.scalar(select(func.count()).select_from(Ticket).where(Ticket.next_check_at <= now))) or 0


async def bench_sla(desk: Desk, now: datetime, repeat: int = 30) -> dict[str, Any]:
    db, out = desk.db, {}
    out["due"] = await count_due(db, now)
    # The bare selects first: they do not change anything, so they can be repeated.
    out["select_batch"] = await time_select(db, now, timers.BATCH, repeat)
    out["select_all"] = await time_select(db, now, None, repeat)
    # Then the scan itself: the first pass is the one the goal is about; the following passes
    # drain the backlog a batch at a time, as the scheduler does once a second.
    passes = [await scan_pass(desk)]
    while passes[-1][1] > 0 and len(passes) < 1000:
        passes.append(await scan_pass(desk))
    out["passes"] = passes
    out["left_due"] = await count_due(db, now)
    # Nothing due any more: what every ordinary pass costs.
    out["idle"] = [(await scan_pass(desk))[0] for _ in range(repeat)]
    async with db.sessions() as session:
        out["events"] = dict((await session.execute(
            select(TicketEvent.kind, func.count()).group_by(TicketEvent.kind))).all())
        out["outbox"] = await session.scalar(select(func.count()).select_from(OutboxMessage))
    return out


# -- query plans -----------------------------------------------------------------------------------

def literal_sql(db: Database, stmt: Any, values: dict[str, Any]) -> str:
    """The statement with its named parameters inlined (the candidates query's bindparams are
    untyped, so they are swapped for typed literals first), ready to prefix with EXPLAIN."""
    def inline(el: Any) -> Any:
        return literal(values[el.key]) if isinstance(el, BindParameter) and el.key in values else None

    stmt = visitors.replacement_traverse(stmt, {}, inline)
    return str(stmt.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))


async def explain(db: Database, now: datetime, cfg: Config) -> None:
    """EXPLAIN (ANALYZE on PostgreSQL, QUERY PLAN on SQLite) for the two hot queries."""
    limit = 3 + cfg.routing.candidates_per_query
    queries = {
        "routing: candidates(skill=hvac, region=east, city=上海)":
            (store._CANDIDATES[True], {"skill": "hvac", "region": "east", "city": "上海", "limit": limit}),
        f"SLA: due tickets (LIMIT {timers.BATCH})": (due_query(now, timers.BATCH), {}),
    }
    prefix = "EXPLAIN QUERY PLAN " if db.is_sqlite else "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
    async with db.engine.connect() as conn:
        for title, (stmt, values) in queries.items():
            sql = literal_sql(db, stmt, values)
            rows = (await conn.exec_driver_sql(prefix + sql)).all()
            print(f"\n#### {title}\n```sql\n{sql}\n```\n```")
            for row in rows:
                print(("  " * _depth(rows, row) + str(row[-1])) if db.is_sqlite else row[0])
            print("```")


def _depth(rows: list[Any], row: Any) -> int:
    # SQLite's plan rows are (id, parent, notused, detail); indent by walking the parents.
    parents = {r[0]: r[1] for r in rows}
    depth, p = 0, row[1]
    while p:
        depth, p = depth + 1, parents.get(p, 0)
    return depth


# -- report ------------------------------------------------------------------------------------------

def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def describe(data: Dataset) -> str:
    """The shape of what was loaded, for the report (the rows themselves are dropped before timing)."""
    statuses = Counter(t["status"] for t in data.tickets)
    load = Counter(t["assignee"] for t in data.tickets if t["assignee"])
    full = sum(1 for p in data.people if load[p["userid"]] >= p["capacity"])
    timed = sum(1 for t in data.tickets if t["next_check_at"] is not None)
    return (f"Tickets by status: {', '.join(f'{k} {v:,}' for k, v in statuses.most_common())}; "
            f"{sum(load.values()):,} assigned, {full:,} of {len(data.people):,} engineers at capacity; "
            f"{timed:,} with an SLA timer set; {len(data.offers):,} open offers.")


def machine() -> str:
    load1, _, _ = os.getloadavg()
    return (f"{os.cpu_count()} CPUs, load average {load1:.2f} at start, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}")


def report(backend: str, args: argparse.Namespace, due_made: int, loaded: dict[str, tuple[int, float]],
           routing: dict[str, Any], sla: dict[str, Any], shape: str, machine: str) -> None:
    rt, passes = routing["times"], sla["passes"]
    first_t, first_n = passes[0]
    drained = [p for p in passes if p[1] > 0]
    drain_t, drain_n = sum(p[0] for p in drained), sum(p[1] for p in drained)
    sb, sb_rows = sla["select_batch"]
    sa, sa_rows = sla["select_all"]
    yes = lambda ok: "✅" if ok else "❌"  # noqa: E731
    print(f"\n### {backend}: {args.engineers:,} engineers, {loaded['tickets'][0]:,} open tickets, "
          f"{sla['due']:,} due at scan time\n")
    print("| operation | n | p50 | p99 / total | goal | met |")
    print("|---|---:|---:|---:|---|---|")
    print(f"| choose an engineer: `rank()` = candidates query + duty filter, own transaction "
          f"| {len(rt):,} | {ms(pct(rt, 50))} | p99 {ms(pct(rt, 99))} (max {ms(max(rt))}) "
          f"| p99 < 5 ms | {yes(pct(rt, 99) < 0.005)} |")
    print(f"| SLA scan, one `check_sla` pass, {sla['due']:,} due (handles ≤ {timers.BATCH}) "
          f"| {first_n:,} handled | – | total {ms(first_t)} | < 1 s | {yes(first_t < 1)} |")
    print(f"| SLA scan, passes until nothing is due ({len(drained)} pass{'es' * (len(drained) != 1)}) "
          f"| {drain_n:,} handled | {ms(drain_t / max(1, len(drained)))} / pass | total {ms(drain_t)} "
          f"| < 1 s (strict reading) | {yes(drain_t < 1)} |")
    print(f"| SLA scan, one `check_sla` pass, none due | {len(sla['idle'])} | {ms(pct(sla['idle'], 50))} "
          f"| p99 {ms(pct(sla['idle'], 99))} | < 1 s | {yes(pct(sla['idle'], 99) < 1)} |")
    print(f"| bare due SELECT, LIMIT {timers.BATCH} (as `check_sla`) | {len(sb)} × {sb_rows} rows "
          f"| {ms(pct(sb, 50))} | p99 {ms(pct(sb, 99))} | – | – |")
    print(f"| bare due SELECT, all due rows | {len(sa)} × {sa_rows} rows | {ms(pct(sa, 50))} "
          f"| p99 {ms(pct(sa, 99))} | – | – |")
    print(f"\n{shape}\nMachine: {machine}; load average {os.getloadavg()[0]:.2f} at the end.")
    print(f"\nRouting calls that found nobody on duty below capacity: {routing['empty']} of {len(rt):,}. "
          f"SLA outcomes: {dict(sorted(sla['events'].items()))}, {sla['outbox']:,} outbox messages; "
          f"still due after draining: {sla['left_due']}. Made due: {due_made:,}. "
          f"Load: " + ", ".join(f"{k} {n:,} rows {t:.1f} s" for k, (n, t) in loaded.items()) + ".\n")


async def server_version(db: Database) -> str:
    if db.is_sqlite:
        return ""
    async with db.engine.connect() as conn:
        return ", PostgreSQL " + str(await conn.scalar(text("SHOW server_version")))


# -- main ------------------------------------------------------------------------------------------

async def run(args: argparse.Namespace) -> None:
    cfg = load_config(ROOT / "config.yaml", env={})
    now = (datetime.fromisoformat(args.at) if args.at else Clock().now()).replace(microsecond=0)
    services = Services.from_config(cfg, FrozenClock(now))
    rng = random.Random(args.seed)
    data = Dataset()
    started = time.perf_counter()
    engineers = make_engineers(cfg, rng, args.engineers, now, data)
    make_tickets(cfg, services.sla, rng, engineers, args.tickets, now, data)
    due_made = make_due(data.tickets, rng, args.due, now)
    print(f"generated in {time.perf_counter() - started:.1f} s; scan instant {now:%Y-%m-%d %H:%M:%S} UTC",
          file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="bench-routing-") as tmp:
        db = await fresh_database(args.backend, Path(tmp), pg_url(DB_NAME))
        try:
            shape, context = describe(data), machine() + await server_version(db)
            loaded = await load(db, data)
            print(f"loaded in {sum(t for _, t in loaded.values()):.1f} s", file=sys.stderr)
            # The generated rows (~300,000 dicts) would otherwise stay on the heap, and every
            # full GC pass walking them showed up as 100-200 ms spikes in the timings.
            del data, engineers
            gc.collect()
            desk = Desk(cfg, db, make_cache(""), parser=None, services=services)  # type: ignore[arg-type]
            routing = await bench_routing(desk, cfg, rng, args.calls)
            if args.explain:  # before the scan moves the due timers on
                await explain(db, now, cfg)
            sla = await bench_sla(desk, now)
            report(args.backend, args, due_made, loaded, routing, sla, shape, context)
        finally:
            await db.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    ap.add_argument("--engineers", type=int, default=10_000)
    ap.add_argument("--tickets", type=int, default=100_000)
    ap.add_argument("--due", type=float, default=0.01, help="share of tickets due at scan time (default 1 %%)")
    ap.add_argument("--calls", type=int, default=2000, help="timed routing calls, after 200 warm-up calls")
    ap.add_argument("--at", help="scan instant, naive UTC ISO (default: now); SLA calendars depend on it")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--explain", action="store_true", help="print the hot queries' plans")
    asyncio.run(run(ap.parse_args()))


if __name__ == "__main__":
    main()
