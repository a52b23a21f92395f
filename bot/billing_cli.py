"""`wecom-desk settle topup|balance|pay|credit-note|aging`: accounts' money on the command line.

JSON on stdout (amounts are strings in the currency's exponent); bad input is one line on stderr
and exit status 2, like `settle close|report|usage` (bot/ledger_cli.py). Invoices themselves are
written by `settle close`.

    settle topup   --account A --amount 30000.00 --key K   → the entry (a replayed key: the first one, created false)
    settle balance --account A                              → balance, low-balance mark, the last entries
    settle pay     --invoice N --amount A --key K           → the payment and the invoice's open amount
    settle credit-note --invoice N --amount A --reason R    → the note and the invoice's open amount
    settle aging   [--today YYYY-MM-DD]                     → open invoices by days overdue, per currency
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from bot.cli_runner import BadInput, Loader
from bot.ledger_cli import _now, _runner

COMMANDS = ("topup", "balance", "pay", "credit-note", "aging")


def _print(data: Any) -> int:
    print(json.dumps(data, ensure_ascii=False))
    return 0


async def _topup(db: Any, cfg: Any, lcfg: Any, args: argparse.Namespace) -> int:
    from storage import billing

    async with db.transaction() as session:
        entry, created = await billing.top_up(session, lcfg, account=args.account, amount=args.amount, key=args.key,
                                              now=_now())
    return _print({**entry, "created": created})


async def _balance(db: Any, cfg: Any, lcfg: Any, args: argparse.Namespace) -> int:
    from storage import billing

    async with db.sessions() as session:
        return _print(await billing.balance_of(session, lcfg, args.account))


async def _pay(db: Any, cfg: Any, lcfg: Any, args: argparse.Namespace) -> int:
    from storage import billing

    async with db.transaction() as session:
        done, created = await billing.record_payment(session, lcfg, invoice_id=args.invoice, amount=args.amount,
                                                     key=args.key, now=_now())
    return _print({**done, "created": created})


async def _credit_note(db: Any, cfg: Any, lcfg: Any, args: argparse.Namespace) -> int:
    from storage import billing

    async with db.transaction() as session:
        return _print(await billing.credit_note(session, lcfg, invoice_id=args.invoice, amount=args.amount,
                                                reason=args.reason, now=_now()))


def _today(text: str | None, lcfg: Any) -> dt.date:
    from settlement.ledger_config import DEFAULT_TIMEZONE
    from settlement.periods import zone

    if text is None:
        return _now().astimezone(zone(next(iter(lcfg.timezones.values()), DEFAULT_TIMEZONE))).date()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"--today: expected a date like 2026-12-31, got {text!r}") from None


async def _aging(db: Any, cfg: Any, lcfg: Any, args: argparse.Namespace) -> int:
    from storage import billing

    today = _today(args.today, lcfg)
    async with db.sessions() as session:
        return _print(await billing.aging_report(session, today=today))


def register(settle_subparsers: Any, load_config: Loader) -> None:
    """Add the billing commands to `wecom-desk settle` (next to bot/ledger_cli.py's)."""
    sub = settle_subparsers
    known = [c for c in sub.choices]
    sub.metavar = "{" + ",".join([*known, *(c for c in COMMANDS if c not in known)]) + "}"

    def command(name: str, help: str, work: Any) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help)
        p.add_argument("--config", metavar="PATH", default=None,
                       help="config file (default: $WECOM_DESK_CONFIG or config.yaml)")
        p.set_defaults(func=_runner(work, load_config))
        return p

    p = command("topup", "add money to a prepaid account's balance, once per key (JSON out)", _topup)
    p.add_argument("--account", required=True, metavar="CODE", help="accounts[*].code of a prepaid account")
    p.add_argument("--amount", required=True, metavar="A", help='in the balance\'s currency, e.g. "30000.00"')
    p.add_argument("--key", required=True, metavar="K", help="idempotency key: a retry with it adds nothing")

    p = command("balance", "a prepaid account's balance and its last movements (JSON out)", _balance)
    p.add_argument("--account", required=True, metavar="CODE", help="accounts[*].code of a prepaid account")

    p = command("pay", "record a payment against an invoice, once per key (JSON out)", _pay)
    p.add_argument("--invoice", required=True, type=int, metavar="N", help="the invoice's id (settle close lists them)")
    p.add_argument("--amount", required=True, metavar="A", help='in the invoice\'s currency, e.g. "1200.00"')
    p.add_argument("--key", required=True, metavar="K", help="idempotency key: a retry with it records nothing new")

    p = command("credit-note", "correct an issued invoice with a credit note (the invoice never changes)", _credit_note)
    p.add_argument("--invoice", required=True, type=int, metavar="N", help="the invoice's id")
    p.add_argument("--amount", required=True, metavar="A", help="taken off the invoice's open amount")
    p.add_argument("--reason", required=True, metavar="TEXT", help="why, kept with the note")

    p = command("aging", "open invoices by days overdue: current, 1-30, 31-60, 61-90, 90+ (JSON out)", _aging)
    p.add_argument("--today", metavar="YYYY-MM-DD", help="the day to age on (default: today)")
