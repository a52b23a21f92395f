"""`wecom-desk settle close|report|usage`: the ledger on the command line.

JSON on stdout is a public contract (amounts are strings in the currency's exponent). `report`
also writes CSV or XLSX (`--format`), to stdout or `--out FILE`; with `--out` stdout gets one
JSON line saying what was written. Bad input is one line on stderr and exit status 2.

    settle close  --period 2026-10                  → the statements (a second run writes none, says so)
    settle close  --period 2026-10 --draft          → a draft: what the close would write, stored for review
    settle finalise --period 2026-10 [--draft N]    → the close, kept only if it matches draft N (default: latest)
    settle report --period last_month [--region east] [--person U] [--by party|person|region|template]
                  [--format json|csv|xlsx] [--out FILE]
    settle usage  --account A --item api_calls --quantity 1200 [--period 2026-11] [--idempotency-key K]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any, Awaitable, Callable

from bot.cli_runner import BadInput, Loader, runner
from settlement.errors import SettlementError

COMMANDS = ("close", "finalise", "report", "earnings", "usage")
BY = "cli"   # who drafted or finalised, in the drafts' audit


def _runner(work: Callable[[Any, Any, Any, argparse.Namespace], Awaitable[int]],
            load_config: Loader) -> Callable[[argparse.Namespace], int]:
    from storage.ledger_models import LedgerError

    return runner(lambda db, cfg, args: work(db, cfg, cfg.ledger, args), load_config,
                  errors=(LedgerError, SettlementError))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


# -- close -----------------------------------------------------------------------------------------

async def _close(db: Any, cfg: Any, lcfg: Any, args: argparse.Namespace) -> int:
    from storage import drafts, ledger

    async with db.transaction() as session:
        if args.draft:
            result: Any = await drafts.draft_close(session, lcfg, args.period, now=_now(), by=BY)
        else:
            result = await ledger.close_period(session, lcfg, args.period, now=_now())
    print(json.dumps(result.to_json(), ensure_ascii=False))
    return 0


async def _finalise(db: Any, cfg: Any, lcfg: Any, args: argparse.Namespace) -> int:
    from storage import drafts

    async with db.transaction() as session:
        draft_id = None
        if args.draft is not None:
            draft = await drafts.version(session, args.period, args.draft)
            if draft is None:
                raise BadInput(f"period {args.period} has no draft {args.draft}")
            draft_id = draft.id
        outcome = await drafts.finalise(session, lcfg, args.period, now=_now(), by=BY, draft_id=draft_id)
    print(json.dumps(outcome.to_json(), ensure_ascii=False))
    return 0


# -- earnings --------------------------------------------------------------------------------------

async def _earnings(db: Any, cfg: Any, lcfg: Any, args: argparse.Namespace) -> int:
    """One engineer's jobs of a period, as they read them in chat ("我这个月分成多少")."""
    from settlement import format_minor
    from settlement.periods import resolve
    from storage import earnings

    if cfg.person(args.person) is None:
        raise BadInput(f"unknown person {args.person!r} (people[*].userid)")
    span = resolve(args.period, now=_now(), timezone=cfg.timezone_of(args.person))
    rc = lcfg.reporting_currency
    async with db.sessions() as session:
        rows = await earnings.jobs(session, args.person, periods=list(span.months),
                                   start=None if span.whole_months else span.utc_start,
                                   end=None if span.whole_months else span.utc_end, reporting_currency=rc)
    totals: dict[str, int] = {}
    for j in rows:
        totals[j.currency] = totals.get(j.currency, 0) + j.total
    print(json.dumps({
        "person": args.person, "period": span.to_json(),
        "jobs": [{"ticket": j.ticket_id, "template": j.template, "hours": None if j.hours is None else str(j.hours),
                  "parts": format_minor(j.parts, j.currency), "rating": j.rating, "currency": j.currency,
                  "share": format_minor(j.share, j.currency), "travel": format_minor(j.travel, j.currency),
                  "corrections": format_minor(j.corrections, j.currency), "total": format_minor(j.total, j.currency)}
                 for j in rows],
        "totals": {c: format_minor(v, c) for c, v in totals.items()}}, ensure_ascii=False))
    return 0


# -- report ----------------------------------------------------------------------------------------

def _regions(values: list[str], lcfg: Any) -> list[str] | None:
    codes = [c.strip() for v in values for c in v.split(",") if c.strip()]
    for c in codes:
        lcfg.region(c)  # unknown region: one line naming the known ones
    return codes or None


async def _report(db: Any, cfg: Any, lcfg: Any, args: argparse.Namespace) -> int:
    from bot.reports import report_csv, report_xlsx
    from settlement.ledger_config import DEFAULT_TIMEZONE
    from settlement.periods import resolve
    from storage import ledger

    regions = _regions(args.region, lcfg)
    tz = args.timezone or (lcfg.timezone_of(regions[0]) if regions else
                           next(iter(lcfg.timezones.values()), DEFAULT_TIMEZONE))
    span = resolve(args.period, now=_now(), timezone=tz)
    if args.format == "xlsx" and not args.out and sys.stdout.isatty():
        raise BadInput("xlsx is binary: give --out FILE (or redirect stdout)")
    async with db.sessions() as session:
        s = await ledger.summary(session, period=list(span.months), start=None if span.whole_months else span.utc_start,
                                 end=None if span.whole_months else span.utc_end, regions=regions,
                                 person=args.person, by=args.by, reporting_currency=lcfg.reporting_currency,
                                 top=args.top)
    if args.format == "json":
        data: bytes = json.dumps({"period": span.to_json(), **ledger.summary_json(s)}, ensure_ascii=False).encode()
    elif args.format == "csv":
        data = report_csv(s).encode("utf-8")
    else:
        data = report_xlsx(s)
    if args.out:
        Path(args.out).write_bytes(data)
        print(json.dumps({"out": args.out, "format": args.format, "bytes": len(data), "period": span.canonical}))
    elif args.format == "xlsx":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        print(data.decode("utf-8"), end="" if args.format == "csv" else "\n")
    return 0


# -- usage -----------------------------------------------------------------------------------------

async def _usage(db: Any, cfg: Any, lcfg: Any, args: argparse.Namespace) -> int:
    from storage import ledger

    async with db.transaction() as session:
        record, created = await ledger.record_usage(
            session, lcfg, account=args.account, item=args.item, quantity=args.quantity, period=args.period,
            idempotency_key=args.idempotency_key, now=_now(), source="cli")
    print(json.dumps({**record, "created": created}, ensure_ascii=False))
    return 0


# -- parser ----------------------------------------------------------------------------------------

def register(settle_subparsers: Any, load_config: Loader) -> None:
    """Add `close`, `finalise`, `report`, `usage` to `wecom-desk settle` (the subparsers settlement.cli returns)."""
    sub = settle_subparsers
    known = list(sub.choices)
    sub.metavar = "{" + ",".join([*known, *(c for c in COMMANDS if c not in known)]) + "}"

    def config_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--config", metavar="PATH", default=None,
                       help="config file (default: $WECOM_DESK_CONFIG or config.yaml)")

    c = sub.add_parser("close", help="close an ended month: write its statements, settle its lines (JSON out); "
                                     "--draft: only a draft to review first")
    c.add_argument("--period", required=True, metavar="YYYY-MM", help="the month to close, e.g. 2026-10")
    c.add_argument("--draft", action="store_true",
                   help="write nothing final: store and print what the close would write (finalise it later)")
    config_option(c)
    c.set_defaults(func=_runner(_close, load_config))

    f = sub.add_parser("finalise", help="close a month as its reviewed draft says; refused if the figures moved")
    f.add_argument("--period", required=True, metavar="YYYY-MM", help="the month to close, e.g. 2026-10")
    f.add_argument("--draft", type=int, metavar="N", help="the draft version confirmed (default: the latest)")
    config_option(f)
    f.set_defaults(func=_runner(_finalise, load_config))

    r = sub.add_parser("report", help="settlement figures for a period (JSON, CSV or XLSX)")
    r.add_argument("--period", required=True, metavar="P",
                   help="YYYY-MM, YYYY-Qn, YYYY, YYYY-MM-DD[..YYYY-MM-DD], this_month, last_month, today, "
                        "yesterday, this_week, last_week, this_quarter, last_quarter, this_year")
    r.add_argument("--region", action="append", default=[], metavar="R", help="region code (repeatable or a,b)")
    r.add_argument("--person", metavar="USERID", help="only this engineer's earnings and jobs")
    r.add_argument("--by", choices=("party", "person", "region", "template"), default="party",
                   help="how shares are broken down (default: party)")
    r.add_argument("--format", choices=("json", "csv", "xlsx"), default="json")
    r.add_argument("--out", metavar="FILE", help="write the report here (stdout then gets a JSON line)")
    r.add_argument("--timezone", metavar="TZ", help="zone for relative periods (default: the region's)")
    r.add_argument("--top", type=int, default=10, metavar="N", help="top engineers listed (default 10)")
    config_option(r)
    r.set_defaults(func=_runner(_report, load_config))

    e = sub.add_parser("earnings", help="one engineer's jobs and shares for a period, job by job (JSON out)")
    e.add_argument("--person", required=True, metavar="USERID", help="people[*].userid")
    e.add_argument("--period", default="this_month", metavar="P", help="as for report (default: this_month, "
                   "in the person's time zone)")
    config_option(e)
    e.set_defaults(func=_runner(_earnings, load_config))

    u = sub.add_parser("usage", help="record usage of a custom plan item for an account (JSON out)")
    u.add_argument("--account", required=True, metavar="CODE", help="accounts[*].code")
    u.add_argument("--item", required=True, metavar="CODE", help="a usage item of the account's plan, e.g. api_calls")
    u.add_argument("--quantity", required=True, metavar="Q", help='a decimal, e.g. "1200" or "2.5"')
    u.add_argument("--period", metavar="YYYY-MM", help="default: the current month in the account's time zone")
    u.add_argument("--idempotency-key", metavar="KEY", help="a retry with the same key records nothing new")
    config_option(u)
    u.set_defaults(func=_runner(_usage, load_config))
