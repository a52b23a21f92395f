"""Scoring a parser against labelled cases; shared by the CLI, the tests and the bench."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Protocol

import yaml

from .intents import INTENTS
from .language import language_of


class _Parser(Protocol):
    def parse(self, text: str, *, now: datetime | None = None) -> Any: ...


@dataclass
class Miss:
    text: str
    expected_intent: str
    intent: str
    missing: dict[str, Any]   # expected key -> expected value, for pairs not found exactly
    got: dict[str, Any]


@dataclass
class Report:
    total: int = 0
    intent_correct: int = 0
    entity_expected: int = 0
    entity_correct: int = 0
    per_intent: dict[str, dict[str, float]] = field(default_factory=dict)
    per_entity: dict[str, dict[str, float]] = field(default_factory=dict)
    per_language: dict[str, dict[str, float]] = field(default_factory=dict)
    asked: int = 0             # reports the desk would confirm before creating (Parse.confirm)
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)
    false_tickets: list[str] = field(default_factory=list)   # non-create_ticket parsed as create_ticket
    unasked_false_tickets: list[str] = field(default_factory=list)   # … and opened without confirming first
    misses: list[Miss] = field(default_factory=list)
    # By what the desk does (handlers/desk.py): any message it asks about is handled as a doubtful
    # report, whatever intent the parser named, so a question counts as create_ticket here.
    action_correct: int = 0
    non_tickets_acted_on: list[str] = field(default_factory=list)   # non-tickets asked about or opened

    @property
    def intent_accuracy(self) -> float:
        return self.intent_correct / self.total if self.total else 0.0

    @property
    def action_accuracy(self) -> float:
        return self.action_correct / self.total if self.total else 0.0

    @property
    def entity_accuracy(self) -> float:
        return self.entity_correct / self.entity_expected if self.entity_expected else 1.0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["intent_accuracy"] = round(self.intent_accuracy, 4)
        d["entity_accuracy"] = round(self.entity_accuracy, 4)
        d["action_accuracy"] = round(self.action_accuracy, 4)
        return d


def parse_now(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def load_cases(path: str | Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data.get("cases", [])
    cases = []
    for i, c in enumerate(data or []):
        if not isinstance(c, dict) or "text" not in c or "intent" not in c:
            raise ValueError(f"case {i}: needs 'text' and 'intent'")
        if c["intent"] not in INTENTS:
            raise ValueError(f"case {i}: unknown intent {c['intent']!r}")
        cases.append({"text": str(c["text"]), "intent": c["intent"], "entities": c.get("entities") or {},
                      "now": parse_now(c.get("now")), "lang": c.get("lang") or language_of(str(c["text"]))})
    return cases


def _month_named(period: str, now: datetime | None) -> str:
    """"this_month" / "last_month" as the month they name ("2026-11"), so that "11月" read as
    2026-11 and labelled last_month on 2026-12-08 agree; anything else unchanged."""
    if now is None or period not in ("this_month", "last_month"):
        return period
    y, m = now.year, now.month
    if period == "last_month":
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return f"{y:04d}-{m:02d}"


def _same(expected: Any, got: Any) -> bool:
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected == got
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        return abs(expected - got) < 1e-9
    return expected == got


def evaluate(parser: _Parser, cases: Iterable[dict[str, Any]]) -> Report:
    rep = Report()
    per_intent: dict[str, Counter[str]] = defaultdict(Counter)
    per_entity: dict[str, Counter[str]] = defaultdict(Counter)
    per_language: dict[str, Counter[str]] = defaultdict(Counter)
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    for case in cases:
        p = parser.parse(case["text"], now=parse_now(case.get("now")))
        want = case["intent"]
        lang = case.get("lang") or language_of(case["text"])
        rep.total += 1
        per_intent[want]["n"] += 1
        per_language[lang]["n"] += 1
        confusion[want][p.intent] += 1
        rep.asked += bool(getattr(p, "confirm", False))
        ok_intent = p.intent == want
        action = "create_ticket" if getattr(p, "confirm", False) else p.intent
        rep.action_correct += action == want
        if action == "create_ticket" and want != "create_ticket":
            rep.non_tickets_acted_on.append(case["text"])
        if ok_intent:
            rep.intent_correct += 1
            per_intent[want]["correct"] += 1
            per_language[lang]["correct"] += 1
        elif p.intent == "create_ticket":
            rep.false_tickets.append(case["text"])
            if not getattr(p, "confirm", False):
                rep.unasked_false_tickets.append(case["text"])
        missing = {}
        for key, value in (case.get("entities") or {}).items():
            rep.entity_expected += 1
            per_entity[key]["n"] += 1
            got = p.entities.get(key)
            if key == "period" and isinstance(value, str) and isinstance(got, str):
                now = parse_now(case.get("now"))
                value, got = _month_named(value, now), _month_named(got, now)
            if key in p.entities and _same(value, got):
                rep.entity_correct += 1
                per_entity[key]["correct"] += 1
            else:
                missing[key] = value
        if not ok_intent or missing:
            rep.misses.append(Miss(case["text"], want, p.intent, missing, dict(p.entities)))
    rep.per_intent = {k: {"n": c["n"], "correct": c["correct"], "accuracy": round(c["correct"] / c["n"], 4)}
                      for k, c in sorted(per_intent.items())}
    rep.per_entity = {k: {"n": c["n"], "correct": c["correct"], "accuracy": round(c["correct"] / c["n"], 4)}
                      for k, c in sorted(per_entity.items())}
    rep.per_language = {k: {"n": c["n"], "correct": c["correct"], "accuracy": round(c["correct"] / c["n"], 4)}
                        for k, c in sorted(per_language.items())}
    rep.confusion = {k: dict(v) for k, v in sorted(confusion.items())}
    return rep


def format_report(rep: Report) -> str:
    lines = [f"cases: {rep.total}",
             f"intent accuracy: {rep.intent_accuracy:.2%} ({rep.intent_correct}/{rep.total})",
             f"entity accuracy: {rep.entity_accuracy:.2%} ({rep.entity_correct}/{rep.entity_expected})",
             f"non-ticket messages parsed as create_ticket: {len(rep.false_tickets)}"
             f" ({len(rep.unasked_false_tickets)} without asking first)",
             f"reports the desk would confirm first: {rep.asked}",
             f"by what the desk does (a question counts as a report): intent {rep.action_accuracy:.2%}"
             f" ({rep.action_correct}/{rep.total}), non-tickets asked about or opened: {len(rep.non_tickets_acted_on)}", "",
             "per intent:"]
    for k, v in rep.per_intent.items():
        lines.append(f"  {k:<20} {v['correct']:>4}/{v['n']:<4} {v['accuracy']:.2%}")
    lines.append("per language (intent):")
    for k, v in rep.per_language.items():
        lines.append(f"  {k:<20} {v['correct']:>4}/{v['n']:<4} {v['accuracy']:.2%}")
    lines.append("per entity:")
    for k, v in rep.per_entity.items():
        lines.append(f"  {k:<20} {v['correct']:>4}/{v['n']:<4} {v['accuracy']:.2%}")
    labels = [i for i in INTENTS if i in rep.confusion or any(i in r for r in rep.confusion.values())]
    short = {i: i[:8] for i in labels}
    lines += ["", "confusion (rows: expected, columns: parsed):",
              " " * 20 + " ".join(f"{short[i]:>8}" for i in labels)]
    for want in labels:
        row = rep.confusion.get(want, {})
        lines.append(f"{want:<20}" + " ".join(f"{row.get(i, 0) or '.':>8}" for i in labels))
    if rep.misses:
        lines += ["", f"misses ({len(rep.misses)}):"]
        for m in rep.misses:
            what = f"intent {m.expected_intent} -> {m.intent}" if m.expected_intent != m.intent else m.intent
            extra = f" missing {m.missing} got {m.got}" if m.missing else ""
            lines.append(f"  {m.text!r}: {what}{extra}")
    return "\n".join(lines)
