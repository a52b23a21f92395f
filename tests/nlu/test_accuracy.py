"""The labelled corpus gate: the numbers the issue promises."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from nlu.evaluate import evaluate, format_report, load_cases

from .conftest import CASES_PATH


def test_corpus_is_broad():
    cases = load_cases(CASES_PATH)
    assert len(cases) >= 300
    intents = {c["intent"] for c in cases}
    assert intents == {"create_ticket", "query_status", "claim_job", "update_progress", "complete_job",
                       "cancel_ticket", "rate_service", "settlement_summary", "help", "unknown"}


def test_accuracy_gate(parser):
    report = evaluate(parser, load_cases(CASES_PATH))
    detail = format_report(report)
    # A report the model is unsure of is confirmed before anything is created (handlers/confirm.py):
    # no non-ticket message may open a ticket without that question.
    assert not report.unasked_false_tickets, detail
    # Two lines of a device as evidence or in a house rule ("收银机不能离人") are asked about, never opened.
    assert len(report.false_tickets) <= 2, detail
    assert report.intent_accuracy >= 0.97, detail
    assert report.entity_accuracy >= 0.95, detail


class _Says:
    """A parser that answers every message with one reading."""

    def __init__(self, intent, entities, confirm=False):
        self.reading = SimpleNamespace(intent=intent, entities=entities, confirm=confirm)

    def parse(self, text, now=None):
        return self.reading


NOVEMBER_ASKED = {"text": "11月华东结算多少", "intent": "settlement_summary", "now": "2026-12-08T10:00:00+08:00",
                  "entities": {"period": "last_month"}}


@pytest.mark.parametrize("period,counts", [("2026-11", True), ("last_month", True), ("2026-10", False),
                                           ("this_month", False)])
def test_a_named_month_and_last_month_are_the_same_period_when_they_are_the_same_month(period, counts):
    report = evaluate(_Says("settlement_summary", {"period": period}), [NOVEMBER_ASKED])
    assert (report.entity_correct == 1) is counts


def test_a_question_counts_as_a_report_by_what_the_desk_does():
    """Asked about, "my cousin's oven is broken" costs the store a question: the desk-action view counts it."""
    case = {"text": "my cousin's oven is broken", "intent": "unknown"}
    report = evaluate(_Says("unknown", {}, confirm=True), [case])
    assert report.intent_correct == 1 and report.action_correct == 0 and report.non_tickets_acted_on == [case["text"]]
