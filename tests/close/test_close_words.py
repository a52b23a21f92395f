"""How people ask to close a month, and engineers for their own earnings (nlu/ledger_commands.py):
read by rule before the model, only when the whole message is that request."""

from __future__ import annotations

import pytest

from nlu import Lexicon, Parser
from nlu.commands import read_command
from nlu.evaluate import load_cases
from nlu.intents import COMMAND_INTENTS, INTENTS
from nlu.normalize import normalize
from nlu.periods import default_now
from tests.nlu.conftest import CASES_PATH
from tests.nlu.test_heldout import HELDOUT


@pytest.fixture(scope="module")
def parser():
    from handlers.config import load_config
    from tests.nlu.conftest import CONFIG_PATH

    return Parser(Lexicon.from_config(load_config(CONFIG_PATH)))


def _month(n: int) -> str:
    """The latest month n not after today: what a named month without a year means."""
    now = default_now()
    return f"{now.year - (n > now.month)}-{n:02d}"


@pytest.mark.parametrize("text, period", [
    ("@小鲸 关账 11月", _month(11)), ("结算 上月 关账", "last_month"), ("关账上个月", "last_month"),
    ("11月关账", _month(11)), ("请帮我关账 2026-10", "2026-10"), ("关账", None), ("月结关账 上月", "last_month"),
    ("close november", _month(11)), ("Close the books for last month", "last_month"), ("close the month", None),
    ("close 2026-10", "2026-10"), ("clôturer novembre", _month(11)), ("clôturer le mois dernier", "last_month"),
    ("clôturer les comptes de octobre", _month(10)), ("ปิดบัญชีเดือนพฤศจิกายน", _month(11)),
    ("ปิดบัญชีเดือนที่แล้ว", "last_month"), ("ปิดงวด ตุลาคม", _month(10)),
])
def test_a_months_close(parser, text, period):
    p = parser.parse(text)
    assert (p.intent, p.entities, p.confidence) == ("close_month", {"period": period}, 1.0)
    assert "close_month" in COMMAND_INTENTS and "close_month" not in INTENTS


@pytest.mark.parametrize("text", [
    "close", "close ticket 4", "close the door please", "11月关账了吗", "关账是什么意思", "上个月结算", "结算 上月",
    "clôturer le ticket 12", "#12 关账", "关账 11月 和 12月 的 发票 怎么 开",
])
def test_not_a_close(parser, text):
    assert parser.parse(text).intent != "close_month"


@pytest.mark.parametrize("text, period", [
    ("mes gains ce mois", "this_month"), ("mes gains du mois dernier", "last_month"), ("ma part ce mois-ci", "this_month"),
    ("my share this month", "this_month"), ("how much is my share this month?", "this_month"),
    ("my earnings", None), ("ส่วนแบ่งของฉันเดือนนี้", "this_month"), ("รายได้ของผมเดือนที่แล้วเท่าไหร่", "last_month"),
])
def test_an_engineers_own_earnings(parser, text, period):
    p = parser.parse(text)
    assert (p.intent, p.entities) == ("settlement_summary", {"period": period} if period else {})


@pytest.mark.parametrize("text", ["@小鲸 我这个月分成多少", "my earnings this month", "how much did I earn this month",
                                  "combien j'ai gagné ce mois", "รายได้ของฉันเดือนนี้เท่าไหร่", "@小鲸 我上个月分成多少"])
def test_the_model_still_reads_the_phrasings_it_knew(parser, text):
    assert parser.parse(text).intent == "settlement_summary"


@pytest.mark.parametrize("text", ["my share of the bill is too high", "ma part de pizza", "my pay phone is broken",
                                  "mes gains de temps"])
def test_not_earnings(parser, text):
    assert read_command(parser.lexicon, normalize(text, parser.lexicon.mention_re).text) is None


def test_no_labelled_case_is_read_by_these_rules(parser):
    """The model's figures stay as they are: no evaluation line is a close or an earnings rule."""
    for path in [CASES_PATH, *HELDOUT]:
        for case in load_cases(path):
            s = normalize(case["text"], parser.lexicon.mention_re).text
            assert read_command(parser.lexicon, s) is None, (path.name, case["text"])
