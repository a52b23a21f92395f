"""The parser in a process of its own answers exactly as on the loop."""

from __future__ import annotations

from datetime import datetime, timezone

from nlu.evaluate import load_cases
from nlu.pooled import PooledParser
from tests.nlu.conftest import CASES_PATH


async def test_a_parser_process_gives_the_same_parse_as_the_loop(parser, lexicon):
    now = datetime(2026, 12, 7, 10, tzinfo=timezone.utc)
    texts = [c["text"] for c in load_cases(CASES_PATH)][::7] + [
        "转发 吧台小美：制冰机不出冰了", "回复「22145 好了没」：修完了 工时1", ""]
    pooled = PooledParser(lexicon, 2)
    try:
        for text in texts:
            assert await pooled.parse(text, now=now) == parser.parse(text, now=now), text
    finally:
        await pooled.close()
