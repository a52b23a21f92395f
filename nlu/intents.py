"""Intent rules: cue tables per intent plus an explicit precedence list.

A decision list rather than a learned model because the precedence users expect is itself a
list of rules ("a process question is help even though it says 报修", "unknown never opens a
ticket"), and because it must answer in well under a millisecond without a model download.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .cues import (CANCEL, CLAIM_STRONG, CLAIM_WEAK, COMPLETE, COMPLETE_WEAK, ETA_HINT, FIRST_PERSON, GREETING,
                   HELP_GENERIC, HELP_PROCESS, LABOR_WORD, NEGATED_STEP, PAST_REF, RATING, REPORT_WORD,
                   SETTLEMENT, STATUS_QUERY, STATUS_STRONG, THANKS)
from .jobs import STATUS_CUES
from .signals import GENERIC_DEVICE, IMPLIED_REPORT, RELAPSE, RESOLVED, SCHEDULED

INTENTS = ("create_ticket", "query_status", "claim_job", "update_progress", "complete_job",
           "cancel_ticket", "rate_service", "settlement_summary", "help", "unknown")


@dataclass(frozen=True, slots=True)
class Signals:
    """Everything the precedence list looks at, computed once per message."""
    skill: bool
    symptom: bool
    request: bool
    hazard: bool
    ticket_ref: bool
    question: bool
    text: str   # canonical text with device/place/person names blanked (cue matching)
    raw: str    # canonical text (problem words)


def _has(rx: re.Pattern[str], text: str) -> bool:
    return rx.search(text) is not None


def classify(sig: Signals) -> list[tuple[str, float]]:
    """Return the intent ranking, best first."""
    t = sig.text
    # "空调终于不响了" reports a problem that is over, unless it came back ("又坏了").
    resolved = (_has(RESOLVED, sig.raw) and not _has(RELAPSE, sig.raw)) or _has(SCHEDULED, sig.raw)
    device = sig.skill or _has(GENERIC_DEVICE, sig.raw)
    report = not resolved and ((sig.symptom and device) or sig.hazard or _has(IMPLIED_REPORT, sig.raw))
    explicit_report = report or _has(REPORT_WORD, t) and not _has(HELP_PROCESS, t)
    ticket_signal = report or sig.request
    scores: dict[str, float] = {}

    def put(intent: str, score: float) -> None:
        scores[intent] = max(scores.get(intent, 0.0), score)

    # "怎么报修" asks about the process even when it names a broken device.
    if _has(HELP_PROCESS, t):
        put("help", 0.95)
    if _has(SETTLEMENT, t) and not report:
        put("settlement_summary", 0.93)
    if _has(CANCEL, t):
        put("cancel_ticket", 0.92 if sig.ticket_ref or not report else 0.7)
    if _has(RATING, t) and not (report and not sig.ticket_ref):
        put("rate_service", 0.9)
    progress = any(rx.search(t) for rx in STATUS_CUES.values())
    # Weak claim words ("抢", "我去", "+1") need a job number and must not be a step report
    # ("8001 客户不在 晚点再去" is a delay, not a claim).
    if _has(CLAIM_STRONG, t) or (_has(CLAIM_WEAK, t) and sig.ticket_ref and not sig.question and not progress):
        put("claim_job", 0.9)

    past = _has(PAST_REF, t)
    # "出发了吗", "en route ?": a step word asked as a question is a status query.
    query = _has(STATUS_QUERY, t) or ((sig.ticket_ref or past or progress) and sig.question)
    strong_query = _has(STATUS_STRONG, t) or past
    complete = _has(COMPLETE, t) or (sig.ticket_ref and (_has(LABOR_WORD, t) or _has(COMPLETE_WEAK, t)))
    if complete and not sig.ticket_ref:
        # A customer's "现在好了 谢谢" is not a completion report; an engineer's "修好了 工时2小时" is.
        complete = not _has(THANKS, t) and (
            _has(LABOR_WORD, t) or _has(FIRST_PERSON, t) or len(re.sub(r"\W", "", t)) <= 8)

    # A symptom report without a reference to an existing job is a new report, even if the
    # message also mentions a step ("师傅到了但是空调又坏了") or asks when someone comes.
    owns_job = sig.ticket_ref or not ticket_signal
    if complete and not sig.question and owns_job:
        put("complete_job", 0.88)
    # Without a job number a step word must look like a live report: an ETA or a bare short line
    # ("到了", "出发了 20分钟"). "下午开会别迟到", "我下午去一趟南京店" are not progress reports.
    if progress and not sig.ticket_ref:
        progress = not _has(NEGATED_STEP, t) and (_has(ETA_HINT, t) or len(re.sub(r"\W", "", t)) <= 8)
    if progress and not sig.question and owns_job:
        put("update_progress", 0.86 if sig.ticket_ref else 0.75)
    if query and (sig.ticket_ref or strong_query or not explicit_report):
        put("query_status", 0.87 if (sig.ticket_ref or strong_query) else 0.75)
    if ticket_signal:
        put("create_ticket", 0.9 if report and sig.skill else 0.8)
    # "谢谢你的帮助" / "merci pour votre aide" thank; they do not ask for help.
    if _has(HELP_GENERIC, t) and not ticket_signal and not _has(THANKS, t):
        put("help", 0.8)

    order = ("help", "settlement_summary", "cancel_ticket", "rate_service", "claim_job", "complete_job",
             "update_progress", "query_status", "create_ticket")
    winner = next((i for i in order if i in scores), "unknown")
    if winner == "unknown":
        conf = 0.6 if _has(GREETING, t) else 0.5
        ranking = [("unknown", conf)]
    else:
        conf = scores[winner]
        ranking = [(winner, conf)]
    rest = [(i, s) for i, s in sorted(scores.items(), key=lambda kv: -kv[1]) if i != winner]
    left = round(1.0 - conf, 4)
    for i, s in rest:
        share = round(min(left * 0.6, s * (1 - conf)), 4)
        ranking.append((i, share))
        left = round(left - share, 4)
    if winner != "unknown":
        ranking.append(("unknown", max(0.0, round(left, 4))))
    return ranking
