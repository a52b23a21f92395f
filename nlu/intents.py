"""Intent rules: cue tables per intent plus an explicit precedence list.

A decision list rather than a learned model because the precedence users expect is itself a
list of rules ("a process question is help even though it says 报修", "unknown never opens a
ticket"), and because it must answer in well under a millisecond without a model download.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .cues import (AMOUNT_QUESTION, CANCEL, CANCEL_ASKED, CLAIM_STRONG, CLAIM_WEAK, COMPLETE, COMPLETE_WEAK, DELAY_STRONG, DELIVERY, EARLY_CLOSE, ENGINEER_DONE, ETA_HINT,
                   EXPENSE_CLAIM, NOT_A_RATING,
                   FIRST_PERSON, GREETING, HELP_GENERIC, HELP_PROCESS, JOB_CONTEXT, LABOR_WORD, NEGATED_STEP, OFF_DUTY,
                   PARTS_STRONG, PAST_REF, PRICE_QUESTION, RATING, REPORT_WORD, SETTLEMENT, STATUS_QUERY,
                   STATUS_ASKED, STATUS_STRONG, TESTED, THANKS, TIME_QUESTION)
from .jobs import NO_PARTS, STATUS_CUES
from .shape import short_line
from .signals import COMFORT, GENERIC_DEVICE, HYPOTHETICAL, IMPLIED_REPORT, NOTICE, RELAPSE, RESOLVED, SCHEDULED

INTENTS = ("create_ticket", "query_status", "claim_job", "update_progress", "complete_job",
           "cancel_ticket", "rate_service", "settlement_summary", "help", "unknown")
# Managers' structured commands ("#4 派给 张伟", "#4 加急", "#4 reopen", "华东区待派单"): read by
# rule in nlu/commands.py before the learned model, which never sees them (it ranks INTENTS only).
COMMAND_INTENTS = ("assign_job", "set_urgency", "reopen_ticket", "list_tickets", "how_to_fix", "close_month", "add_branch")


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
    problem: str = ""    # raw with negated problems ("没坏", "no problem") blanked
    period: bool = False      # a settlement period is named ("上个月", "Q3", "ytd")
    names_only: bool = False  # nothing but a period and place/person names ("last month east")
    elsewhere: bool = False   # not this store's fault now: a neighbour's, at home, a case study (ELSEWHERE)


def _has(rx: re.Pattern[str], text: str) -> bool:
    return rx.search(text) is not None


def classify(sig: Signals) -> list[tuple[str, float]]:
    """Return the intent ranking, best first."""
    t = sig.text
    # "空调终于不响了" reports a problem that is over, unless it came back ("又坏了").
    # Forwarded notices ("【通知】…") and planned work announce; they never report a fault.
    notice = _has(NOTICE, sig.raw)
    resolved = ((_has(RESOLVED, sig.raw) and not _has(RELAPSE, sig.raw)) or _has(SCHEDULED, sig.raw) or notice
                or _has(HYPOTHETICAL, sig.raw) or _has(COMFORT, sig.raw))
    device = sig.skill or _has(GENERIC_DEVICE, sig.raw)
    report = not resolved and ((sig.symptom and device) or sig.hazard or _has(IMPLIED_REPORT, sig.problem or sig.raw))
    explicit_report = report or _has(REPORT_WORD, t) and not _has(HELP_PROCESS, t)
    ticket_signal = report or (sig.request and not notice)
    scores: dict[str, float] = {}

    def put(intent: str, score: float) -> None:
        scores[intent] = max(scores.get(intent, 0.0), score)

    # "怎么报修" asks about the process even when it names a broken device.
    expenses = _has(EXPENSE_CLAIM, t)   # "报销单怎么填": staff's own money, not the desk's
    # A forwarded warning ("转发：有人冒充维修人员上门收费") tells; it asks nothing.
    if _has(HELP_PROCESS, t) and not expenses and not notice:
        put("help", 0.95)
    if not expenses:
        if _has(SETTLEMENT, t) and not report:
            put("settlement_summary", 0.93)
        elif (sig.period and not report and not sig.ticket_ref and not _has(STATUS_QUERY, t)
              and (_has(AMOUNT_QUESTION, t) or sig.names_only)):
            # A manager's question in other words: "这礼拜花了多少钱", "YTD spend", "last month east";
            # not "今天到目前为止还没人来", which asks about a job.
            put("settlement_summary", 0.85)
        elif _has(PRICE_QUESTION, t) and not report and not sig.ticket_ref and not sig.period and not notice:
            # "修空调多少钱", "上门费怎么收": about the service's prices, not a report nor a summary.
            put("help", 0.85)
    # "Completed 30715. Kindly close the ticket. Labour 3 hours": closing a job done, with its
    # hours, is the completion report, not calling the job off.
    if _has(CANCEL, t) and not _has(CANCEL_ASKED, t) and not notice and not (_has(COMPLETE, t) and _has(LABOR_WORD, t)):
        put("cancel_ticket", 0.92 if sig.ticket_ref or not report else 0.7)
    if _has(RATING, t) and not (report and not sig.ticket_ref) and not _has(NOT_A_RATING, t):
        put("rate_service", 0.9)
    steps = sum(1 for rx in STATUS_CUES.values() if rx.search(t))
    progress = steps > 0
    # Weak claim words ("抢", "我去", "+1") need a job number and must not be a step report
    # ("8001 客户不在 晚点再去" is a delay, not a claim), nor ask after one ("status of 15227, the
    # manager is chasing me"); an expense claim claims no job.
    if not expenses and (_has(CLAIM_STRONG, t) or (_has(CLAIM_WEAK, t) and sig.ticket_ref and not sig.question
                                                    and not progress and not _has(STATUS_ASKED, t))):
        put("claim_job", 0.9)

    # a courier's arrival is no engineer's step: "le livreur arrive vers 14h, quelqu'un peut réceptionner ?"
    if progress and not sig.ticket_ref and _has(DELIVERY, t):
        progress = False
    past = _has(PAST_REF, t)
    # "出发了吗", "en route ?": a step word asked as a question is a status query. "When" asks about
    # a job only when the message is about one ("师傅几点到", not "今天的会几点开").
    timed = _has(TIME_QUESTION, t) and (sig.ticket_ref or past or device or _has(JOB_CONTEXT, t))
    query = _has(STATUS_QUERY, t) or timed or ((sig.ticket_ref or past or progress) and sig.question)
    strong_query = _has(STATUS_STRONG, t) or past
    complete = _has(COMPLETE, t) or (sig.ticket_ref and (_has(LABOR_WORD, t) or _has(COMPLETE_WEAK, t)))
    tested = _has(TESTED, t)
    if complete and not sig.ticket_ref:
        # A customer's "现在好了 谢谢" is not a completion report; an engineer's "修好了 工时2小时",
        # "搞好了 试了几次都正常" is.
        complete = not _has(THANKS, t) and (
            _has(LABOR_WORD, t) or _has(FIRST_PERSON, t) or tested or short_line(t) or _has(ENGINEER_DONE, t))
    # "no parts needed" / "没换件" says the opposite of waiting for parts.
    parts = _has(PARTS_STRONG, NO_PARTS.sub(" ", t))
    # Waiting for parts is never a completion ("1235 รออะไหล่ 2 วัน"), nor is the shop closing early.
    complete = complete and not parts and not (_has(EARLY_CLOSE, t) and not sig.ticket_ref)
    # A forwarded notice ("Dear customers, the showroom will be closed on 25 Dec") tells; no job's
    # step is in it.
    complete = complete and not notice

    # A symptom report without a reference to an existing job is a new report, even if the
    # message also mentions a step ("师傅到了但是空调又坏了") or asks when someone comes.
    owns_job = sig.ticket_ref or not ticket_signal
    if complete and not sig.question and owns_job:
        put("complete_job", 0.88)
    # Without a job number a step word must look like a live report: an ETA, a bare short line
    # ("到了", "出发了 20分钟"), or a step that only someone on the job says (parts on order, a delay
    # with its cause). "下午开会别迟到", "我下午去一趟南京店" are not progress reports.
    if progress and not sig.ticket_ref:
        # Two different steps in one line ("到了 正在看", "on site now, checking …") is a narration
        # only someone on the job gives.
        progress = not _has(NEGATED_STEP, t) and not _has(OFF_DUTY, t) and (
            parts or steps > 1 or _has(DELAY_STRONG, t) or _has(ETA_HINT, t) or short_line(t))
    # Parts on order are an engineer's step even next to the broken part ("压缩机坏了要换 得订配件").
    if progress and not sig.question and (owns_job or parts):
        put("update_progress", 0.86 if sig.ticket_ref else 0.75)
    if query and not expenses and (sig.ticket_ref or strong_query or not explicit_report):
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
