"""`wecom-desk settle quote|split|plan|joint|travel`: the pure settlement computations on the command line.

Output is JSON on stdout, a public contract: amounts are strings in the currency's exponent
("100.01", JPY "1500"). Bad input is one line on stderr and exit status 2 — never a traceback,
including argparse's own usage errors, which would otherwise print a usage block first.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from fractions import Fraction
from typing import Any, Callable, NoReturn

from .branches import BranchWork, branch_split, squad_for
from .config import SettlementConfig
from .errors import SettlementError
from .fx import convert
from .ledger_config import LedgerConfig
from .money import Money, exact_minor, format_minor
from .plans import bill_plan
from .price_lists import price_work
from .pricing import quote_ticket
from .split import SplitRule, effective_weight, rule_list_prices, split_amount, weighted_on
from .travel import allowance

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


def _fraction_text(f: Fraction) -> str:
    """An exact weight as decimal text (weights are products of decimals, so they terminate)."""
    for places in range(61):
        if (10 ** places) % f.denominator == 0:
            return str(Decimal(f.numerator * (10 ** places // f.denominator)).scaleb(-places))
    return str(f)


def _list_prices(cfg: LedgerConfig, rule: SplitRule, args: argparse.Namespace) -> dict[str, int]:
    lists = ", ".join(f"{s.party} from {s.price_list!r}" for s in rule.shares if s.price_list)
    template = args.template or (rule.name if rule.name in cfg.templates else None)
    if args.region is None or template is None:
        needed = "--region" if template else "--region and --template"
        raise _BadInput(f"--rule {rule.name}: pays {lists}; name the job's {needed}")
    region = cfg.region(args.region)
    if region.currency != args.currency:
        raise _BadInput(f"--currency {args.currency}: region {region.code} prices its lists in {region.currency}")
    parts = [_pair(p, "--part") for p in args.part]
    return rule_list_prices(cfg, rule, region=region.code, template=template, hours=args.hours, parts=parts)


def _split(cfg: LedgerConfig, args: argparse.Namespace) -> dict[str, Any]:
    amount = exact_minor(args.amount, args.currency, "--amount")
    fmt = lambda v: format_minor(v, args.currency)  # noqa: E731
    list_prices = None
    if args.rule:
        rule = cfg.split_rule(args.rule)
        if any(s.price_list for s in rule.shares):
            list_prices = _list_prices(cfg, rule, args)
    else:
        pairs = [_pair(p, "--parties") for p in args.parties.split(",") if p.strip()]
        if not pairs:
            raise _BadInput("--parties: expected name=weight,...")
        rule = SplitRule.from_pairs(pairs, name="--parties")
    parts = split_amount(amount, args.currency, rule, hours=args.hours, rating=args.rating, list_prices=list_prices)
    out: dict[str, Any] = {"currency": args.currency, "parts": {k: fmt(v) for k, v in parts.items()}}
    if list_prices is not None:
        out["list_prices"] = {s.party: {"price_list": s.price_list, "amount": fmt(list_prices[s.party])}
                              for s in rule.shares if s.price_list}
    if weighted_on(rule):  # show the weights the rest was split by, after hours and rating
        out["weights"] = {s.party: _fraction_text(effective_weight(s, args.hours, args.rating)) for s in rule.shares}
    return out


def _regions(cfg: LedgerConfig, *options: tuple[str, str]) -> list[str]:
    for option, code in options:
        if code not in cfg.regions:
            raise _BadInput(f"{option} {code!r}: unknown region (known: {', '.join(cfg.regions)})")
    return [code for _, code in options]


def _located_part(text: str, default_region: str) -> tuple[str, str, str]:
    """NAME=AMOUNT[@REGION]: a part and the branch whose warehouse it came from."""
    name, value = _pair(text, "--part")
    amount, _, region = value.partition("@")
    return name, amount.strip(), region.strip() or default_region


def _joint(cfg: LedgerConfig, args: argparse.Namespace) -> dict[str, Any]:
    """A joint job priced at the host (store) branch, split between the two branches.

    Each branch's work, as the desk attributes it (handlers/joint.py): the call-out and labour at
    the ENGINEER's branch's cost list; parts at the cost list of the branch whose warehouse they
    came from (`@REGION`, default the engineer's), after converting the part's job-currency amount
    to that branch's currency; the travel allowance (paid to the engineer in the job's currency) as
    the engineer's branch's cost, converted to its currency. Rates: the latest stored ones."""
    host, other, engineer = _regions(cfg, ("--host-region", args.host_region), ("--other-region", args.other_region),
                                     ("--engineer-region", args.engineer_region))
    if host == other:
        raise _BadInput(f"--other-region {other}: the same as --host-region; a joint job needs two branches")
    if engineer not in (host, other):
        raise _BadInput(f"--engineer-region {engineer}: must be the host ({host}) or the other branch ({other})")
    parts = [_located_part(p, engineer) for p in args.part]
    for name, _, region in parts:
        if region not in (host, other):
            raise _BadInput(f"--part {name}: @{region} is not one of the job's branches ({host}, {other})")
    if args.days < 1:
        raise _BadInput(f"--days {args.days}: at least 1")
    if args.squad:
        squad = cfg.joint_squads.get(args.squad)
        if squad is None or set(squad.regions) != {host, other}:
            raise _BadInput(f"--squad {args.squad!r}: no joint squad of that code joins {host} and {other}")
    else:
        squad = squad_for(cfg.joint_squads, host, other)

    q = quote_ticket(cfg, args.template, host, hours=args.hours, parts=[(n, a) for n, a, _ in parts],
                     surcharges=args.surcharge)
    job = q.currency
    list_code = args.price_list
    # The engineer's branch: the call-out and labour at its own cost list.
    labour = price_work(cfg, list_code, region=engineer, template=q.template, hours=args.hours)
    work = [BranchWork(engineer, code, amount, labour.currency, list_code) for code, amount in labour.lines]
    # Each warehouse's branch: its parts at its cost list, converted to its currency first when
    # the job is priced in another one (the one rounding of that conversion).
    for warehouse in dict.fromkeys(region for _, _, region in parts):
        currency = cfg.region(warehouse).currency
        own = [(n, convert(Money(exact_minor(a, job, f"--part {n}"), job), cfg.fx_rate(job, currency)))
               for n, a, region in parts if region == warehouse]
        stock = price_work(cfg, list_code, region=warehouse, template=q.template, parts=own, include_base=False)
        work += [BranchWork(warehouse, code, amount, stock.currency, list_code) for code, amount in stock.lines]
    # Travel: the engineer is paid the allowance in the job's currency; it is the engineer's
    # branch's cost, booked in that branch's currency at the stored rate (as the desk does).
    paid = allowance(cfg.travel, home=engineer, job_region=host, days=args.days, currency=job)
    if paid is not None:
        eng_currency = cfg.region(engineer).currency
        cost = convert(Money(paid.amount, job), cfg.fx_rate(job, eng_currency))
        work.append(BranchWork(engineer, "travel", cost.amount, cost.currency))

    weights = squad.remainder if squad else None
    shares = branch_split(q.subtotal, job, branches=(host, other), work=work, remainder=weights, rate=cfg.fx_rate,
                          currencies={b: cfg.region(b).currency for b in (host, other)})
    return {
        "template": q.template, "currency": job, "subtotal": format_minor(q.subtotal, job),
        "price_list": list_code, "squad": squad.code if squad else None,
        "remainder_weights": {b: str(w) for b, w in weights.items()} if weights else None,
        "costs": format_minor(sum(s.cost for s in shares), job),
        "remainder": format_minor(sum(s.remainder for s in shares), job),
        "branches": [s.to_json() for s in shares],
        "travel": {"engineer_region": engineer, "job_region": host, **paid.to_json()} if paid else None,
    }


def _travel(cfg: LedgerConfig, args: argparse.Namespace) -> dict[str, Any]:
    _regions(cfg, ("--home", args.home), ("--job-region", args.job_region))
    paid = allowance(cfg.travel, home=args.home, job_region=args.job_region, days=args.days, currency=args.currency)
    return {"home": args.home, "job_region": args.job_region, "days": args.days,
            "allowance": paid.to_json() if paid else None}


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


def _runner(compute: Callable[[LedgerConfig, argparse.Namespace], dict[str, Any]],
            load_config_mapping: Loader) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            mapping = load_config_mapping(args.config)
        except Exception as e:  # noqa: BLE001 — the loader is the caller's; any failure is a bad --config
            return _fail(str(e) or type(e).__name__)
        try:
            # The ledger's config is the settlement config plus price lists, squads and travel.
            out = compute(LedgerConfig.from_mapping(mapping), args)
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
    sub = settle.add_subparsers(dest="settle_command", metavar="{quote,split,plan,joint,travel}", required=True,
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
    s.add_argument("--hours", metavar="H", help="hours worked, for shares weighted per_hour")
    s.add_argument("--rating", type=int, choices=range(1, 6), metavar="STARS",
                   help="the customer's rating 1-5, for shares weighted by rating (omit: not rated yet)")
    s.add_argument("--region", metavar="CODE", help="the job's region, for --rule parties paid from a price list")
    s.add_argument("--template", metavar="CODE", help="the job's template (default: the rule's name, when a template)")
    s.add_argument("--part", action="append", default=[], metavar="NAME=AMOUNT",
                   help="a part reported on the job, for price lists that price parts (repeatable)")
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

    j = sub.add_parser("joint", help="split a joint job between two branches at their cost prices")
    j.add_argument("--template", required=True, metavar="CODE", help="templates[*].code, e.g. hvac_repair")
    j.add_argument("--host-region", required=True, metavar="CODE", help="the store's region: the job is priced there")
    j.add_argument("--other-region", required=True, metavar="CODE", help="the second branch, e.g. the customer's home region")
    j.add_argument("--engineer-region", required=True, metavar="CODE",
                   help="the engineer's home branch (one of the two): call-out, labour and travel are its work")
    j.add_argument("--hours", metavar="H", help='labour hours as a decimal, e.g. "1.5"')
    j.add_argument("--part", action="append", default=[], metavar="NAME=AMOUNT[@REGION]",
                   help="a part used, in the job's currency, from REGION's warehouse (default: the engineer's; repeatable)")
    j.add_argument("--surcharge", action="append", default=[], metavar="CODE", help="urgent, night, height … (repeatable)")
    j.add_argument("--days", type=int, default=1, metavar="N", help="local calendar days on the job (default 1)")
    j.add_argument("--squad", metavar="CODE", help="joint_squads[*].code (default: the squad joining the two regions)")
    j.add_argument("--price-list", default="cost", metavar="CODE", help="the branches' cost list (default: cost)")
    _config_option(j)
    j.set_defaults(func=_runner(_joint, load_config_mapping))

    t = sub.add_parser("travel", help="an engineer's travel allowance for a job outside their home region")
    t.add_argument("--home", required=True, metavar="CODE", help="the engineer's home region")
    t.add_argument("--job-region", required=True, metavar="CODE", help="where the job is")
    t.add_argument("--days", type=int, default=1, metavar="N", help="local calendar days on the job (default 1)")
    t.add_argument("--currency", required=True, metavar="C", help="the job's currency, e.g. CNY")
    _config_option(t)
    t.set_defaults(func=_runner(_travel, load_config_mapping))
    return sub
