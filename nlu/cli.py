"""`wecom-desk nlu parse|eval|train`: try the parser from a shell, score it on labelled cases, and
fit its intent model on the corpus.

The JSON line written by `nlu parse` ({"text", "intent", "confidence", "entities"}) is a public
contract: scripts and the Rasa comparison tooling read it.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from .evaluate import evaluate, format_report, load_cases
from .lexicon import Lexicon
from .model import DEFAULT_PATH
from .parse import Parse, Parser


def _parser_from(load_config: Callable[[Any], Any], path: str | None, *, rules_only: bool = False) -> Parser:
    lexicon = Lexicon.from_config(load_config(path))
    return Parser(lexicon, model=None) if rules_only else Parser(lexicon)


def _record(p: Parse) -> dict[str, Any]:
    out = {"text": p.text, "intent": p.intent, "confidence": p.confidence, "entities": p.entities}
    if getattr(p, "confirm", False):
        out["confirm"] = True
    if getattr(p, "repairs", ()):
        out["repairs"] = [r.to_dict() for r in p.repairs]
    return out


def _now(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def register(subparsers: Any, load_config: Callable[[Any], Any]) -> None:
    nlu = subparsers.add_parser("nlu", help="parse chat messages / evaluate the parser")
    sub = nlu.add_subparsers(dest="nlu_command", metavar="{parse,eval,train}")
    sub.required = True

    p = sub.add_parser("parse", help="parse messages and print one JSON object per message")
    p.add_argument("text", nargs="*", metavar="TEXT")
    p.add_argument("--now", help="reference time for relative periods (ISO 8601)")
    p.add_argument("--jsonl", action="store_true",
                   help="read stdin: one JSON object with a 'text' key (or plain text) per line")
    p.add_argument("--config", help="config file (default: $WECOM_DESK_CONFIG or config.yaml)")

    def run_parse(args: argparse.Namespace) -> int:
        if not args.jsonl and not args.text:
            print("nlu parse: give TEXT arguments or --jsonl with lines on stdin", file=sys.stderr)
            return 2
        try:
            now = _now(args.now)
        except ValueError:
            print(f"nlu parse: --now is not ISO 8601: {args.now!r}", file=sys.stderr)
            return 2
        parser = _parser_from(load_config, args.config)
        out = sys.stdout
        if args.jsonl:
            for line in sys.stdin:
                line = line.rstrip("\r\n")
                if not line.strip():
                    continue
                text, line_now = line, now
                try:
                    obj = json.loads(line)
                except ValueError:
                    obj = None
                if isinstance(obj, dict) and "text" in obj:
                    text = str(obj["text"])
                    if obj.get("now"):
                        line_now = _now(str(obj["now"]))
                out.write(json.dumps(_record(parser.parse(text, now=line_now)), ensure_ascii=False) + "\n")
                out.flush()
        for text in args.text:
            out.write(json.dumps(_record(parser.parse(text, now=now)), ensure_ascii=False) + "\n")
        return 0

    p.set_defaults(func=run_parse)

    e = sub.add_parser("eval", help="score the parser on a YAML file of labelled cases")
    e.add_argument("file", metavar="FILE")
    e.add_argument("--config", help="config file (default: $WECOM_DESK_CONFIG or config.yaml)")
    e.add_argument("--json", action="store_true", help="machine-readable report")
    e.add_argument("--rules-only", action="store_true", help="score the rules without the learned model")

    def run_eval(args: argparse.Namespace) -> int:
        parser = _parser_from(load_config, args.config, rules_only=args.rules_only)
        report = evaluate(parser, load_cases(args.file))
        if args.json:
            print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str))
        else:
            print(format_report(report))
        return 0

    e.set_defaults(func=run_eval)

    tr = sub.add_parser("train", help="fit the intent and status models on nlu/corpus/*.yaml (deterministic)")
    tr.add_argument("--out", default=str(DEFAULT_PATH), help=f"where to write the model (default: {DEFAULT_PATH})")
    tr.add_argument("--config", help="config file (default: $WECOM_DESK_CONFIG or config.yaml)")

    def run_train(args: argparse.Namespace) -> int:
        from .train import train

        report = train(_parser_from(load_config, args.config, rules_only=True), Path(args.out))
        print(report.format())
        print(f"wrote {args.out} and {Path(args.out).with_name('status.npz')}")
        return 0

    tr.set_defaults(func=run_train)
