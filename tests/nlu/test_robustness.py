"""Any text parses: no exception, a known intent, a JSON-able result, bounded time."""

from __future__ import annotations

import json
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from nlu.intents import COMMAND_INTENTS, INTENTS

_ALPHABET = st.sampled_from(list("空调坏了漏水急#１２３4567890 星⭐结算本月上个接单完工工时配件元小时取消进度?？!"
                                 "abcdefghijklmnopqrstuvwxyz'éàçแอร์เสียด่วน@小鲸Jing\u2005\u3000\n\t😀")) | st.characters()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=80))
def test_any_text_parses(parser, text):
    p = parser.parse(text)
    assert p.intent in INTENTS or p.intent in COMMAND_INTENTS
    assert 0 <= p.confidence <= 1
    json.dumps(p.to_rasa(), ensure_ascii=False)
    for e in p.to_rasa()["entities"]:
        if e["start"] is not None:
            assert 0 <= e["start"] <= e["end"] <= len(text)


def test_long_message_is_still_fast(parser):
    text = "空调坏了 上海店 急 " * 200
    t = time.perf_counter()
    p = parser.parse(text)
    assert time.perf_counter() - t < 0.5
    assert p.intent == "create_ticket"
