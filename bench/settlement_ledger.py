"""Settlement ledger at scale: 1,000,000 ledger lines, then a month's summary, a month's close,
and one job's pricing + split (pure, and written to the database).

    .venv/bin/python bench/settlement_ledger.py --backend sqlite|postgres [--lines 1000000] [--months 12]
        [--pg-url postgresql+asyncpg://postgres@127.0.0.1/wecom_desk_bench] [--explain]

Goals (issue 5): summary by region and party < 1 s, closing a month < 30 s, pricing + splitting one
job < 1 ms, memory flat while summarising (the summary never loads rows into Python).

Data is generated inside the database (INSERT … SELECT over a number series), through the real
migrations (indexes and immutability triggers included): tickets, one priced charge per ticket and
three split lines per ticket (sales 60 / engineer 30 / fund 10) over 8 regions, 6 currencies,
200 engineers and `--months` months. SQLite uses a file in a temporary directory; PostgreSQL a
database of its own (created if missing, emptied first). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, AsyncIterator

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from handlers.config import interpolate  # noqa: E402
from settlement import quote_ticket, split_amount  # noqa: E402
from settlement.ledger_config import LedgerConfig  # noqa: E402
from storage import ledger  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.ledger_models import LedgerLine, TicketCharge  # noqa: E402
from storage.models import Base, Ticket  # noqa: E402

REGIONS = [("east", "CNY", 1000), ("south", "CNY", 1000), ("north", "CNY", 1000), ("central", "CNY", 1000),
           ("southwest", "CNY", 1000), ("th", "THB", 201), ("sg", "SGD", 5450), ("fr", "EUR", 7750)]
TEMPLATES = ["hvac_repair", "elevator_repair", "pos_repair", "network_repair", "plumbing_repair",
             "electrical_repair", "appliance_repair", "cctv_repair"]
ENGINEERS = 200
GOALS = {"summary": 1.0, "close": 30.0, "job": 0.001}


def rss_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def reset_peak() -> bool:
    try:  # Linux ≥ 4.0: "5" resets the peak RSS (VmHWM) to the current RSS
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def months(n: int) -> list[str]:
    out, (y, m) = [], (2025, 12 - n + 1)
    while m < 1:
        y, m = y - 1, m + 12
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def case(expr: str, values: list[str]) -> str:
    return "CASE " + expr + " " + " ".join(f"WHEN {i} THEN {v}" for i, v in enumerate(values)) + " END"


def q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def series(dialect: str, n: int) -> tuple[str, str]:
    """(prefix, FROM clause) producing column n = 1..N."""
    if dialect == "postgresql":
        return "", f"FROM generate_series(CAST(1 AS BIGINT), {n}) AS s(n)"  # n * 7919 needs 64 bits
    return f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {n}) ", "FROM s"


def ticket_columns(dialect: str, month_expr: str, offset: int = 0,
                   regions: list[tuple[str, str, int]] = REGIONS) -> tuple[list[str], list[str]]:
    """Every NOT NULL column of `tickets` gets a value, whatever columns the schema has grown."""
    known = {
        "id": f"n + {offset}", "status": "'completed'", "skill": "'hvac'",
        "region": case(f"n % {len(regions)}", [q(r) for r, _, _ in regions]),
        "assignee": f"'eng' || (n % {ENGINEERS})", "template": case("(n / 8) % 8", [q(t) for t in TEMPLATES]),
        "sla_breached": "(n % 10 = 0)", "rating": "CASE WHEN n % 3 = 0 THEN NULL ELSE n % 5 + 1 END",
        "created_at": month_expr, "updated_at": month_expr, "completed_at": month_expr,
    }
    cols, exprs = [], []
    for c in Ticket.__table__.columns:
        if c.name in known:
            cols.append(c.name)
            exprs.append(known[c.name])
        elif not c.nullable:
            default = c.default.arg if c.default is not None and c.default.is_scalar else None
            if default is None and c.default is not None and c.default.is_callable:
                default = {} if "dict" in repr(c.default.arg) else None
            py = c.type.python_type
            value = default if default is not None else {str: "", int: 0, bool: False, dict: {}}.get(py, "")
            if isinstance(value, bool):
                sql = "true" if value else "false"
                sql = sql if dialect == "postgresql" else str(int(value))
            elif isinstance(value, (int, float)):
                sql = str(value)
            elif isinstance(value, dict):
                sql = "'{}'"
            elif py is dt.datetime:
                sql = month_expr
            else:
                sql = q(str(value))
            cols.append(c.name)
            exprs.append(sql)
    return cols, exprs


async def generate(db: Database, dialect: str, n_lines: int, labels: list[str],
                   regions: list[tuple[str, str, int]] = REGIONS) -> dict[str, float]:
    """Tickets, charges and three split lines per ticket; `regions` are (code, currency, per mille
    to CNY). Ticket t is in region t % R and month (t / R) % M: every month holds every region."""
    n_tickets = (n_lines + 2) // 3
    m, r = len(labels), len(regions)
    month_of = f"((n / {r}) % {m})"
    stamp = case(month_of, [f"'{lab}-15 03:00:00'" for lab in labels])
    if dialect == "postgresql":
        stamp = f"CAST({stamp} AS TIMESTAMP)"
    label = case(month_of, [q(lab) for lab in labels])
    region = case(f"n % {r}", [q(x) for x, _, _ in regions])
    currency = case(f"n % {r}", [q(c) for _, c, _ in regions])
    per_mille = case(f"n % {r}", [str(f) for _, _, f in regions])  # → reporting CNY
    subtotal = "(10000 + (n * 7919) % 90000)"
    timings: dict[str, float] = {}
    pre, src = series(dialect, n_tickets)
    cols, exprs = ticket_columns(dialect, stamp, regions=regions)
    statements = [
        ("tickets", f"{pre}INSERT INTO tickets ({', '.join(cols)}) SELECT {', '.join(exprs)} {src}"),
        ("ticket_charges", f"""{pre}INSERT INTO ticket_charges (ticket_id, template, region, currency, subtotal, tax, total,
            reporting_currency, reporting_subtotal, reporting_tax, reporting_total, engineer, period, completed_at,
            priced_at, audit)
            SELECT n, {case("(n / 8) % 8", [q(t) for t in TEMPLATES])}, {region}, {currency}, {subtotal},
              {subtotal} * 6 / 100, {subtotal} + {subtotal} * 6 / 100, 'CNY', {subtotal} * {per_mille} / 1000,
              {subtotal} * 6 / 100 * {per_mille} / 1000,
              {subtotal} * {per_mille} / 1000 + {subtotal} * 6 / 100 * {per_mille} / 1000,
              'eng' || (n % {ENGINEERS}), {label}, {stamp}, {stamp}, '{{}}' {src}"""),
    ]
    # Three lines per ticket: n = 3t + k (k = 0 sales, 1 engineer, 2 fund), in one statement.
    pre_l, src_l = series(dialect, n_tickets * 3)
    t = "((n - 1) / 3 + 1)"
    k = "((n - 1) % 3)"
    sub_t = f"(10000 + ({t} * 7919) % 90000)"
    amount = f"CASE {k} WHEN 0 THEN {sub_t} * 60 / 100 WHEN 1 THEN {sub_t} * 30 / 100 " \
             f"ELSE {sub_t} - {sub_t} * 60 / 100 - {sub_t} * 30 / 100 END"
    region_t = case(f"{t} % {r}", [q(x) for x, _, _ in regions])
    currency_t = case(f"{t} % {r}", [q(c) for _, c, _ in regions])
    per_mille_t = case(f"{t} % {r}", [str(f) for _, _, f in regions])
    month_t = f"(({t} / {r}) % {m})"
    label_t = case(month_t, [q(lab) for lab in labels])
    stamp_t = case(month_t, [f"'{lab}-15 03:00:00'" for lab in labels])
    if dialect == "postgresql":
        stamp_t = f"CAST({stamp_t} AS TIMESTAMP)"
    false = "false" if dialect == "postgresql" else "0"
    statements.append(("ledger_lines", f"""{pre_l}INSERT INTO ledger_lines (ticket_id, party, person, amount, currency,
        reporting_currency, reporting_amount, period, region, template, kind, reason, settled, booked_at, created_at)
        SELECT {t}, CASE {k} WHEN 0 THEN 'sales' WHEN 1 THEN 'engineer' ELSE 'after_sales_fund' END,
          CASE WHEN {k} = 1 THEN 'eng' || ({t} % {ENGINEERS}) END, {amount}, {currency_t}, 'CNY',
          ({amount}) * {per_mille_t} / 1000, {label_t}, {region_t},
          {case(f"({t} / 8) % 8", [q(x) for x in TEMPLATES])}, 'split', '', {false}, {stamp_t}, {stamp_t}
        {src_l} WHERE n <= {n_lines}"""))
    for name, sql in statements:
        t0 = time.perf_counter()
        async with db.engine.begin() as conn:
            await conn.execute(text(sql))
        timings[name] = time.perf_counter() - t0
    t0 = time.perf_counter()
    if dialect == "postgresql":
        async with db.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))
    else:
        async with db.engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
    timings["analyze"] = time.perf_counter() - t0
    return timings


async def fresh_database(backend: str, pg_url: str, tmp: str) -> Database:
    if backend == "sqlite":
        return Database(f"sqlite+aiosqlite:///{tmp}/bench.db")
    import asyncpg

    name = pg_url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(pg_url.replace("postgresql+asyncpg", "postgresql").rsplit("/", 1)[0] + "/postgres")
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    db = Database(pg_url)
    async with db.engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    return db


@contextlib.asynccontextmanager
async def seeded(args: argparse.Namespace, labels: list[str],
                 regions: list[tuple[str, str, int]] = REGIONS) -> AsyncIterator[tuple[Database, str, dict[str, float]]]:
    """A fresh database of the chosen backend, migrated and filled by generate(): what every
    ledger bench measures against (this one and bench/settlement_branches.py)."""
    with tempfile.TemporaryDirectory() as tmp:
        db = await fresh_database(args.backend, args.pg_url, tmp)
        dialect = "postgresql" if args.backend == "postgres" else "sqlite"
        try:
            await db.upgrade()
            yield db, dialect, await generate(db, dialect, args.lines, labels, regions=regions)
        finally:
            await db.close()


async def timed(fn: Any, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        await fn()
        out.append(time.perf_counter() - t0)
    return out


async def explain(db: Database, dialect: str, month: str) -> str:
    from sqlalchemy import func, select

    q1 = (select(LedgerLine.region, LedgerLine.party, LedgerLine.currency, func.sum(LedgerLine.amount))
          .where(LedgerLine.period == month).group_by(LedgerLine.region, LedgerLine.party, LedgerLine.currency))
    q4 = (select(TicketCharge.region, TicketCharge.currency, func.count(), func.sum(Ticket.rating))
          .join(Ticket, Ticket.id == TicketCharge.ticket_id).where(TicketCharge.period == month)
          .group_by(TicketCharge.region, TicketCharge.currency))
    out = []
    async with db.engine.connect() as conn:
        for name, query in (("shares", q1), ("charges", q4)):
            sql = str(query.compile(conn.sync_engine if hasattr(conn, "sync_engine") else db.engine.sync_engine,
                                    compile_kwargs={"literal_binds": True}))
            prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
            rows = (await conn.execute(text(prefix + sql))).all()
            plan = [r[-1] for r in rows]
            out.append(f"{name}: " + " | ".join(str(p).strip() for p in plan))
    return "\n".join(out)


async def main_async(args: argparse.Namespace) -> int:
    mapping = interpolate(yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8")), env={})
    lcfg = LedgerConfig.from_mapping(mapping)
    labels = months(args.months)
    month = labels[len(labels) // 2]
    async with seeded(args, labels) as (db, dialect, gen):
        async with db.engine.connect() as conn:
            n_lines = (await conn.execute(text("SELECT count(*) FROM ledger_lines"))).scalar_one()
            n_month = (await conn.execute(text("SELECT count(*) FROM ledger_lines WHERE period = :p"),
                                          {"p": month})).scalar_one()
        plans = await explain(db, dialect, month) if args.explain else ""

        async def summary_all() -> dict[str, Any]:
            async with db.sessions() as s:
                return await ledger.summary(s, period=month, reporting_currency="CNY")

        async def summary_east() -> dict[str, Any]:
            async with db.sessions() as s:
                return await ledger.summary(s, period=month, regions=["east"], reporting_currency="CNY")

        async def summary_person() -> dict[str, Any]:
            async with db.sessions() as s:
                return await ledger.summary(s, period=month, person="eng7", reporting_currency="CNY")

        first = (await timed(summary_all, 1))[0]
        rss_before = rss_kib("VmRSS")
        peak_reset = reset_peak()
        all_runs = await timed(summary_all, args.repeat)
        rss_peak = rss_kib("VmHWM")
        east_runs = await timed(summary_east, args.repeat)
        person_runs = await timed(summary_person, args.repeat)
        s = await summary_all()
        assert s["tickets"] > 0 and sum(b["net"] for b in s["currencies"]) > 0

        async def close() -> None:
            async with db.transaction() as session:
                result = await ledger.close_period(session, lcfg, month, now=dt.datetime(2026, 11, 22))
                assert result.written > 0, "nothing was closed"
        close_s = (await timed(close, 1))[0]

        async def close_again() -> None:
            async with db.transaction() as session:
                result = await ledger.close_period(session, lcfg, month, now=dt.datetime(2026, 11, 22))
                assert result.already_closed and result.written == 0
        again_s = (await timed(close_again, 1))[0]
        async with db.engine.connect() as conn:
            unsettled = (await conn.execute(text("SELECT count(*) FROM ledger_lines WHERE period = :p AND NOT settled"),
                                            {"p": month})).scalar_one()
            n_statements = (await conn.execute(text("SELECT count(*) FROM statements"))).scalar_one()
        assert unsettled == 0

        # One job: pure quote + split (the completion handler's CPU), then written to the database.
        parts = [("压缩机", "180.00")]

        def job() -> None:
            qt = quote_ticket(lcfg, "hvac_repair", "east", hours="1.5", parts=parts, surcharges=["urgent"])
            split_amount(qt.subtotal, qt.currency, lcfg.split_rule(qt.template))
        for _ in range(500):
            job()
        pure = []
        for _ in range(5000):
            t0 = time.perf_counter()
            job()
            pure.append(time.perf_counter() - t0)
        async with db.engine.connect() as conn:
            next_id = (await conn.execute(text("SELECT max(id) FROM tickets"))).scalar_one() + 1
            cols, exprs = ticket_columns(dialect, "CAST('2026-11-20 03:00:00' AS TIMESTAMP)"
                                         if dialect == "postgresql" else "'2026-11-20 03:00:00'", next_id - 1)
        pre, src = series(dialect, 200)
        async with db.engine.begin() as conn:
            await conn.execute(text(f"{pre}INSERT INTO tickets ({', '.join(cols)}) SELECT {', '.join(exprs)} {src}"))
        written = []
        for i in range(200):
            t0 = time.perf_counter()
            async with db.transaction() as session:
                await ledger.record_completion(session, lcfg, ticket_id=next_id + i, template="hvac_repair",
                                               region="east", engineer="eng1", hours="1.5", parts=parts,
                                               surcharges=["urgent"], language="zh",
                                               completed_at=dt.datetime(2026, 11, 20, 3))
            written.append(time.perf_counter() - t0)

    med = statistics.median
    p99 = lambda xs: statistics.quantiles(xs, n=100, method="inclusive")[98]  # noqa: E731
    print(f"backend: {args.backend} · {n_lines:,} ledger lines over {args.months} month(s) "
          f"({n_month:,} in {month}) · Python {sys.version.split()[0]} · {os.cpu_count()} CPUs")
    print(f"generated in {sum(gen.values()):.1f} s ("
          + ", ".join(f"{k} {v:.1f} s" for k, v in gen.items()) + ")\n")
    print("| operation | result | goal | met |")
    print("| --- | ---: | ---: | :---: |")
    print(f"| month summary, all regions (by region × party, + charges, SLA, CSAT, top engineers): first run "
          f"| {ms(first)} | < 1 s | {met(first, 1)} |")
    print(f"| same, warm: median / max of {args.repeat} | {ms(med(all_runs))} / {ms(max(all_runs))} | < 1 s "
          f"| {met(max(all_runs), 1)} |")
    print(f"| month summary, one region (east): median | {ms(med(east_runs))} | < 1 s | {met(max(east_runs), 1)} |")
    print(f"| month summary, one engineer: median | {ms(med(person_runs))} | < 1 s | {met(max(person_runs), 1)} |")
    print(f"| peak RSS growth during {args.repeat} summaries | "
          f"{(rss_peak - rss_before) / 1024:.1f} MiB{'' if peak_reset else ' (peak not resettable)'} | flat | "
          f"{met((rss_peak - rss_before) / 1024, 5)} |")
    print(f"| close the month ({n_month:,} lines → {n_statements} statements) | {close_s:.2f} s | < 30 s "
          f"| {met(close_s, 30)} |")
    print(f"| close it again (no-op) | {ms(again_s)} | writes none | yes |")
    print(f"| price + split one job, pure: median / p99 | {med(pure) * 1e6:.0f} µs / {p99(pure) * 1e6:.0f} µs "
          f"| < 1 ms | {met(p99(pure), 0.001)} |")
    print(f"| record_completion + commit (charge, 5 lines, 3 ledger lines): median / p99 "
          f"| {ms(med(written))} / {ms(p99(written))} | (info) | |")
    if plans:
        print("\nquery plans (" + args.backend + "):\n" + plans)
    return 0


def arguments(description: str, *, backend: str, pg_database: str, explain: bool = False) -> argparse.Namespace:
    """The options both ledger benchmarks take."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--backend", choices=("sqlite", "postgres"), default=backend)
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--months", type=int, default=12, help="months the lines are spread over (default 12)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--pg-url", default=os.environ.get("WECOM_DESK_BENCH_DATABASE_URL",
                                                        f"postgresql+asyncpg://postgres@127.0.0.1/{pg_database}"))
    if explain:
        ap.add_argument("--explain", action="store_true", help="print the summary's query plans")
    return ap.parse_args()


def ms(x: float) -> str:
    return f"{x * 1000:.0f} ms" if x >= 0.01 else f"{x * 1000:.2f} ms"


def met(x: float, goal: float) -> str:
    return "yes" if x < goal else "NO"


def main() -> int:
    args = arguments(__doc__.splitlines()[0], backend="sqlite", pg_database="wecom_desk_bench", explain=True)
    _ = Base  # the ledger tables are registered on Base by importing storage.ledger
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
