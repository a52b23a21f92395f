"""Money across branches at scale: 1,000,000 ledger lines across 20 branches, then the month's
cross-branch summary and closing the month with a draft first.

    .venv/bin/python bench/settlement_branches.py --backend postgres|sqlite [--lines 1000000] [--months 12]
        [--pg-url postgresql+asyncpg://postgres@127.0.0.1/wecom_desk_bench_branches]

Goals (issue 15): the month's cross-branch summary < 1 s; the close with drafts (draft, then
finalise after checking the figures did not move) < 30 s on PostgreSQL.

The data is bench/settlement_ledger.py's (tickets, one priced charge each, three split lines per
ticket, generated inside the database through the real migrations), over 20 branches — 16 in CNY,
2 in THB, 1 in SGD, 1 in EUR — and one job in four is joint: two `branch_lines` rows (the store's
branch and the next one), a cost part and a remainder that sum to the job's subtotal. The config
is config.yaml with its regions replaced by those 20 (accounts and squads dropped: they name
regions that are not there). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sqlalchemy import text  # noqa: E402

from settlement_ledger import arguments, case, met, months, ms, q, seeded, series, timed  # noqa: E402

from handlers.config import interpolate  # noqa: E402
from settlement.ledger_config import LedgerConfig  # noqa: E402
from storage import drafts, ledger  # noqa: E402
from storage.db import Database  # noqa: E402

CURRENCIES = ["CNY"] * 16 + ["THB", "THB", "SGD", "EUR"]
PER_MILLE = {"CNY": 1000, "THB": 201, "SGD": 5450, "EUR": 7750}
TAX = {"CNY": "0.06", "THB": "0.07", "SGD": "0.09", "EUR": "0.20"}
ZONE = {"CNY": "Asia/Shanghai", "THB": "Asia/Bangkok", "SGD": "Asia/Singapore", "EUR": "Europe/Paris"}
BRANCHES = [(f"b{i:02d}", c, PER_MILLE[c]) for i, c in enumerate(CURRENCIES, start=1)]


def config() -> LedgerConfig:
    mapping = interpolate(yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8")), env={})
    mapping = copy.deepcopy(mapping)
    mapping["regions"] = [{"code": code, "name": code, "currency": cur, "language": "zh", "tax_rate": TAX[cur],
                           "timezone": ZONE[cur], "cities": [{"name": f"city-{code}"}]} for code, cur, _ in BRANCHES]
    for key in ("accounts", "joint_squads", "price_lists", "travel_allowances", "payment_terms"):
        mapping.pop(key, None)
    # Rules whose price lists are gone would not parse; the split itself is generated in SQL.
    mapping["split_rules"] = {"default": mapping["split_rules"]["default"]}
    return LedgerConfig.from_mapping(mapping)


async def joint_lines(db: Database, dialect: str, n_lines: int, labels: list[str]) -> float:
    """Two branch_lines rows for one ticket in four: the ticket's own branch and the next one."""
    n_tickets = (n_lines + 2) // 3
    r, m = len(BRANCHES), len(labels)
    pre, src = series(dialect, n_tickets * 2)
    # row n: ticket (n - 1) / 2 + 1, side (n - 1) % 2 (0 host, 1 other); one ticket in four is
    # joint, chosen so that every branch hosts joint jobs in every month.
    t = "((n - 1) / 2 + 1)"
    side = "((n - 1) % 2)"
    joint = f"WHERE ({t} + {t} / {r} + {t} / {r * len(labels)}) % 4 = 0"
    sub = f"(10000 + ({t} * 7919) % 90000)"
    host = f"({t} % {r})"
    branch_i = f"(({t} + {side}) % {r})"
    cost = f"({sub} * 30 / 100)"
    # host: its cost + 40 % of the rest; other: its cost + the rest of the rest — they sum to sub.
    rest = f"({sub} - 2 * {cost})"
    amount = f"CASE {side} WHEN 0 THEN {cost} + {rest} * 40 / 100 ELSE {cost} + {rest} - {rest} * 40 / 100 END"
    remainder = f"CASE {side} WHEN 0 THEN {rest} * 40 / 100 ELSE {rest} - {rest} * 40 / 100 END"
    cur_host = case(host, [q(c) for _, c, _ in BRANCHES])
    cur_branch = case(branch_i, [q(c) for _, c, _ in BRANCHES])
    pm_host = case(host, [str(f) for _, _, f in BRANCHES])
    pm_branch = case(branch_i, [str(f) for _, _, f in BRANCHES])
    month = f"(({t} / {r}) % {m})"
    label = case(month, [q(x) for x in labels])
    stamp = case(month, [f"'{x}-15 03:00:00'" for x in labels])
    if dialect == "postgresql":
        stamp = f"CAST({stamp} AS TIMESTAMP)"
    sql = f"""{pre}INSERT INTO branch_lines (ticket_id, branch, region, kind, basis, cost, remainder, amount, currency,
        branch_amount, branch_currency, rate, reporting_currency, reporting_amount, period, booked_at, created_at)
        SELECT {t}, {case(branch_i, [q(b) for b, _, _ in BRANCHES])}, {case(host, [q(b) for b, _, _ in BRANCHES])},
          'split', '{{}}', {cost}, {remainder}, {amount}, {cur_host},
          ({amount}) * {pm_host} / {pm_branch}, {cur_branch}, NULL, 'CNY', ({amount}) * {pm_host} / 1000,
          {label}, {stamp}, {stamp} {src} {joint}"""
    t0 = time.perf_counter()
    async with db.engine.begin() as conn:
        await conn.execute(text(sql))
    return time.perf_counter() - t0


async def main_async(args: argparse.Namespace) -> int:
    lcfg = config()
    labels = months(args.months)
    month = labels[len(labels) // 2]
    async with seeded(args, labels, regions=BRANCHES) as (db, dialect, gen):
        gen["branch_lines"] = await joint_lines(db, dialect, args.lines, labels)
        if dialect == "postgresql":
            async with db.engine.connect() as conn:
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text("VACUUM ANALYZE branch_lines"))
        async with db.engine.connect() as conn:
            n_lines = (await conn.execute(text("SELECT count(*) FROM ledger_lines"))).scalar_one()
            n_month = (await conn.execute(text("SELECT count(*) FROM ledger_lines WHERE period = :p"),
                                          {"p": month})).scalar_one()
            n_branch = (await conn.execute(text("SELECT count(*) FROM branch_lines WHERE period = :p"),
                                           {"p": month})).scalar_one()

        async def summary_all() -> dict[str, Any]:
            async with db.sessions() as s:
                return await ledger.summary(s, period=month, reporting_currency="CNY")

        async def summary_two() -> dict[str, Any]:
            async with db.sessions() as s:
                return await ledger.summary(s, period=month, regions=["b01", "b17"], reporting_currency="CNY")

        first = (await timed(summary_all, 1))[0]
        all_runs = await timed(summary_all, args.repeat)
        two_runs = await timed(summary_two, args.repeat)
        s = await summary_all()
        branches = s.get("branches") or []
        n_seen = len({b["branch"] for b in branches})
        assert n_seen == len(BRANCHES), f"the summary's by-branch block has {n_seen} branches"

        now = dt.datetime(2026, 11, 22)
        t0 = time.perf_counter()
        async with db.transaction() as session:
            drafted = await drafts.draft_close(session, lcfg, month, now=now, by="bench")
            assert drafted.draft is not None, "the month was closed already"
        draft_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        async with db.transaction() as session:
            final = await drafts.finalise(session, lcfg, month, now=now, by="bench", draft_id=drafted.draft.id)
        final_s = time.perf_counter() - t0
        async with db.engine.connect() as conn:
            unsettled = (await conn.execute(text("SELECT count(*) FROM ledger_lines WHERE period = :p AND NOT settled"),
                                            {"p": month})).scalar_one()
            n_statements = (await conn.execute(text("SELECT count(*) FROM statements WHERE period = :p"),
                                               {"p": month})).scalar_one()
        assert unsettled == 0 and n_statements > 0, (unsettled, n_statements, final)

    med = statistics.median
    print(f"backend: {args.backend} · {n_lines:,} ledger lines across {len(BRANCHES)} branches over {args.months} "
          f"month(s) ({n_month:,} in {month}, {n_branch:,} branch lines of {n_seen} branches) · Python {sys.version.split()[0]} · "
          f"{os.cpu_count()} CPUs")
    print(f"generated in {sum(gen.values()):.1f} s (" + ", ".join(f"{k} {v:.1f} s" for k, v in gen.items()) + ")\n")
    print("| operation | result | goal | met |")
    print("| --- | ---: | ---: | :---: |")
    print(f"| month's cross-branch summary, all branches: first run | {ms(first)} | < 1 s | {met(first, 1)} |")
    print(f"| same, warm: median / max of {args.repeat} | {ms(med(all_runs))} / {ms(max(all_runs))} | < 1 s "
          f"| {met(max(all_runs), 1)} |")
    print(f"| two branches (b01 CNY, b17 THB): median / max | {ms(med(two_runs))} / {ms(max(two_runs))} | < 1 s "
          f"| {met(max(two_runs), 1)} |")
    print(f"| draft the close ({n_month:,} lines, run and rolled back) | {draft_s:.2f} s | | |")
    print(f"| finalise it ({n_statements} statements) | {final_s:.2f} s | | |")
    print(f"| close with drafts: draft + finalise | {draft_s + final_s:.2f} s | < 30 s | {met(draft_s + final_s, 30)} |")
    return 0


def main() -> int:
    args = arguments(__doc__.splitlines()[0], backend="postgres", pg_database="wecom_desk_bench_branches")
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
