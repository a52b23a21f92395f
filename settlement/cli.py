"""`wecom-desk settle quote|split|plan`: the pure settlement computations on the command line.

Output is JSON on stdout, a public contract: amounts are strings in the currency's exponent
("100.01", JPY "1500"). Bad input is one line on stderr and exit status 2 — never a traceback,
including argparse's own usage errors, which would otherwise print a usage block first.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from typing import Any, Callable, NoReturn

from .config import SettlementConfig
from .errors import SettlementError
from .money import exact_minor, format_minor
from .plans import bill_plan
from .pricing import quote_ticket
from .split import SplitRule, split_amount

Loader = Callable[[str | None], dict[str, Any]]


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _one_line_errors(parser: argparse.ArgumentParser) -> None:
    # `settle` itself is built by the caller's subparsers (their parser class), so patch the instance.
    parser.error = lambda message: parser.exit(2, f"{parser.prog}: error: {message}\n")  # type: ignore[method-assign]


class _BadInput(SettlementError):
    pass


def _pair(text: str, option: str) -> tuple[str, str]:
    name, sep, value = text.rpartition("=")
    if not sep or not name.strip() or not value.strip():
        raise _BadInput(f"{option} {text!r}: expected NAME=VALUE")
    return name.strip(), value.strip()


def _quote(cfg: SettlementConfig, args: argparse.Namespace) -> dict[str, Any]:
    parts = [_pair(p, "--part") for p in args.part]
    q = quote_ticket(cfg, template=args.template, region=args.region, hours=args.hours, parts=parts,
                     surcharges=args.surcharge, language=args.language)
    return q.to_json()


def _split(cfg: SettlementConfig, args: argparse.Namespace) -> dict[str, Any]:
    amount = exact_minor(args.amount, args.currency, "--amount")
    if args.rule:
        rule = cfg.split_rule(args.rule)
    else:
        pairs = [_pair(p, "--parties") for p in args.parties.split(",") if p.strip()]
        if not pairs:
            raise _BadInput("--parties: expected name=weight,...")
        rule = SplitRule.from_pairs(pairs, name="--parties")
    parts = split_amount(amount, args.currency, rule)
    return {"currency": args.currency, "parts": {k: format_minor(v, args.currency) for k, v in parts.items()}}


def _plan(cfg: SettlementConfig, args: argparse.Namespace) -> dict[str, Any]:
    text = args.plan.strip()
    if text.startswith("{"):
        try:
            # parse_float=Decimal: JSON numbers stay exact text, never pass through a float.
            data = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as e:
            raise _BadInput(f"--plan: invalid JSON ({e.msg} at column {e.colno})") from None
        plan = cfg.parse_plan(data, path="plan")
    else:
        plan = cfg.plan(text)
    revenues = [exact_minor(r, plan.currency, "--revenue") for r in args.revenue]
    usage = dict(_pair(u, "--usage") for u in args.usage)
    tickets = args.tickets if args.tickets is not None else (len(revenues) if revenues else 0)
    return bill_plan(plan, tickets=tickets, revenues=revenues, usage=usage, language=args.language).to_json()


def _runner(compute: Callable[[SettlementConfig, argparse.Namespace], dict[str, Any]],
            load_config_mapping: Loader) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            mapping = load_config_mapping(args.config)
        except Exception as e:  # noqa: BLE001 — the loader is the caller's; any failure is a bad --config
            return _fail(str(e) or type(e).__name__)
        try:
            out = compute(SettlementConfig.from_mapping(mapping), args)
        except (ValueError, TypeError) as e:  # SettlementError is a ValueError
            return _fail(str(e))
        print(json.dumps(out, ensure_ascii=False))
        return 0

    return run


def _fail(message: str) -> int:
    print(f"error: {' '.join(message.split())}", file=sys.stderr)
    return 2


def _config_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="PATH", default=None,
                   help="config file (default: $WECOM_DESK_CONFIG or config.yaml)")


def register(subparsers: Any, load_config_mapping: Loader) -> Any:
    """Add `settle quote|split|plan` to the top-level CLI's subparsers; returns the `settle`
    subparsers so other modules (the ledger's close|report|usage) can add theirs."""
    settle = subparsers.add_parser("settle", help="price a job, split an amount, bill a plan (JSON out)")
    _one_line_errors(settle)
    sub = settle.add_subparsers(dest="settle_command", metavar="{quote,split,plan}", required=True,
                                parser_class=_OneLineParser)

    q = sub.add_parser("quote", help="price one job from a service template in a region")
    q.add_argument("--template", required=True, metavar="CODE", help="templates[*].code, e.g. hvac_repair")
    q.add_argument("--region", required=True, metavar="CODE", help="regions[*].code, e.g. east")
    q.add_argument("--hours", metavar="H", help='labour hours as a decimal, e.g. "1.5"')
    q.add_argument("--part", action="append", default=[], metavar="NAME=AMOUNT", help="a part used (repeatable)")
    q.add_argument("--surcharge", action="append", default=[], metavar="CODE", help="urgent, night, height … (repeatable)")
    q.add_argument("--language", metavar="LANG", help="line labels: zh, en, fr, th (default: the region's)")
    _config_option(q)
    q.set_defaults(func=_runner(_quote, load_config_mapping))

    s = sub.add_parser("split", help="split an amount among parties (largest remainder)")
    s.add_argument("--amount", required=True, metavar="A", help='e.g. "100.01"; negative for a refund')
    s.add_argument("--currency", required=True, metavar="C", help="ISO 4217 code, e.g. CNY")
    who = s.add_mutually_exclusive_group(required=True)
    who.add_argument("--parties", metavar="NAME=WEIGHT,...", help="e.g. sales=60,engineer=30,after_sales_fund=10")
    who.add_argument("--rule", metavar="NAME", help="a split_rules entry (template code or default)")
    _config_option(s)
    s.set_defaults(func=_runner(_split, load_config_mapping))

    p = sub.add_parser("plan", help="bill one period of a plan")
    p.add_argument("--plan", required=True, metavar="CODE|JSON", help="plans[*] name, or a plan as a JSON object")
    p.add_argument("--tickets", type=int, metavar="N", help="tickets in the period (graduated/volume)")
    p.add_argument("--revenue", action="append", default=[], metavar="A", help="one ticket's revenue (repeatable)")
    p.add_argument("--usage", action="append", default=[], metavar="ITEM=QTY", help="usage of a custom item (repeatable)")
    p.add_argument("--language", default="zh", metavar="LANG", help="line labels: zh, en, fr, th")
    _config_option(p)
    p.set_defaults(func=_runner(_plan, load_config_mapping))
    return sub
