"""The labelled corpus gate: the numbers the issue promises."""

from __future__ import annotations

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
