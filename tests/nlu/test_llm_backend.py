"""LlmParser against a real local server speaking OpenAI's chat-completions wire format."""

from __future__ import annotations

import logging
import time

import pytest

from handlers.config import ConfigError, parse_config
from nlu import Parser
from nlu.intents import INTENTS
from nlu.llm_backend import INTENT_MEANINGS, LlmParser
from tests.conftest import base_config_data, deep_merge
from tests.nlu.llm_standin import LlmStandin

KEY = "sk-test-7Hq2-SECRET-do-not-log"


@pytest.fixture
async def standin():
    async with LlmStandin(api_key=KEY) as s:
        yield s


@pytest.fixture
async def llm(standin, parser):
    async with LlmParser(fallback=parser, url=standin.url, model="qwen2.5-7b-instruct", api_key=KEY,
                         timeout_s=2.0) as p:
        yield p


async def test_the_intent_comes_from_the_llm(standin, llm):
    standin.answer("师傅人呢", "query_status", 0.8765)  # "where is the engineer?"
    p = await llm.parse("师傅人呢")
    assert (p.intent, p.confidence) == ("query_status", 0.8765)
    assert p.intent_ranking[0] == ("query_status", 0.8765)
    assert standin.calls == 1
    # Even against a sure rule: the LLM decides (and the rules' entities for that intent stay).
    standin.answer("接单 1024", "cancel_ticket", 0.61)
    p = await llm.parse("接单 1024")
    assert (p.intent, p.confidence, p.entities) == ("cancel_ticket", 0.61, {"ticket": 1024})


async def test_the_request_carries_model_key_schema_and_prompt(standin, llm):
    await llm.parse("师傅人呢")
    body = standin.last_body
    assert standin.last_auth == f"Bearer {KEY}"
    assert body["model"] == "qwen2.5-7b-instruct" and body["temperature"] == 0
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    schema = fmt["json_schema"]["schema"]
    assert schema["properties"]["intent"]["enum"] == list(INTENTS)
    assert set(schema["required"]) == {"intent", "confidence", "entities"}
    assert schema["additionalProperties"] is False
    skill_enum = schema["properties"]["entities"]["properties"]["skill"]["enum"]
    assert set(skill_enum) == {"hvac", "elevator", "pos", "network", "plumbing", "electrical", "appliance",
                               "cctv", None}
    system, user = body["messages"]
    assert system["role"] == "system" and user == {"role": "user", "content": "师傅人呢"}
    for name in INTENTS:
        assert f"- {name}: {INTENT_MEANINGS[name]}" in system["content"]  # each intent explained
    assert "- hvac: 空调" in system["content"]


async def test_no_key_no_authorization_header(parser):
    async with LlmStandin(api_key=None) as s:
        s.answer("师傅人呢", "query_status", 0.8)
        async with LlmParser(fallback=parser, url=s.url, model="m") as p:
            assert (await p.parse("师傅人呢")).intent == "query_status"
        assert s.last_auth is None


async def test_the_llm_fills_simple_entities_the_rules_missed(standin, llm):
    standin.answer("太棒了 非常满意", "rate_service", 0.9, rating=5)
    p = await llm.parse("太棒了 非常满意")
    assert p.intent == "rate_service" and p.entities == {"rating": 5}

    standin.answer("冷库温度上不去 货要坏了", "create_ticket", 0.9, skill="hvac", urgency="urgent")
    p = await llm.parse("冷库温度上不去 货要坏了")
    assert p.entities == {"skill": "hvac", "urgency": "urgent"}  # the rules had no cue and said normal


async def test_rule_entities_win_and_a_ticket_not_in_the_text_is_dropped(standin, llm, parser):
    # The LLM's entities only fill gaps: a made-up job number would act on someone else's job.
    standin.answer("师傅人呢", "query_status", 0.8, ticket=8888)
    assert "ticket" not in (await llm.parse("师傅人呢")).entities
    assert parser.parse("1024 到了 20分钟").entities == {"ticket": 1024, "status": "arrived", "eta": 20}
    standin.answer("1024 到了 20分钟", "update_progress", 0.9, ticket=1025, rating=5, urgency="urgent")
    p = await llm.parse("1024 到了 20分钟")
    # 1025 loses to the written 1024; a rating and an urgency do not belong to a progress report.
    assert p.entities == {"ticket": 1024, "status": "arrived", "eta": 20}
    assert p.spans["ticket"] == (0, 4)
    standin.answer("冰柜有点问题 麻烦派人来看看", "create_ticket", 0.9, skill="hvac")
    assert (await llm.parse("冰柜有点问题 麻烦派人来看看")).entities == {"skill": "appliance", "urgency": "normal"}
    standin.answer("空调有点异响 不急", "create_ticket", 0.9, urgency="urgent")  # "not urgent" is written
    assert (await llm.parse("空调有点异响 不急")).entities == {"skill": "hvac", "urgency": "normal"}


async def test_an_unsure_report_is_confirmed_before_a_ticket_opens(standin, llm, parser):
    if not hasattr(parser.parse("空调漏水"), "confirm"):
        pytest.skip("this Parse has no confirm flag")
    standin.answer("收银那边不太对劲", "create_ticket", 0.45, skill="pos")
    standin.answer("冷库温度上不去 货要坏了", "create_ticket", 0.95)
    standin.answer("空调漏水", "help", 0.9)
    assert (await llm.parse("收银那边不太对劲")).confirm is True
    assert (await llm.parse("冷库温度上不去 货要坏了")).confirm is False
    assert (await llm.parse("空调漏水")).confirm is False  # not a report for the LLM: nothing to confirm


async def test_the_embedded_parsers_doubt_does_not_outlive_the_llms_answer(standin, parser):
    # An embedded parser that doubts every report (confirm_below 1.0), so the doubt is certain
    # whatever the shipped model says of this message.
    doubtful = Parser(parser.lexicon, confirm_below=1.0)
    base = doubtful.parse("冰柜好像不太冷")  # "the freezer doesn't seem very cold"
    assert base.confirm and base.entities == {"skill": "appliance", "urgency": "normal"}  # a report's, to confirm
    async with LlmParser(fallback=doubtful, url=standin.url, model="qwen2.5-7b-instruct", api_key=KEY,
                         timeout_s=2.0) as llm:
        standin.answer("冰柜好像不太冷", "create_ticket", 1.0)   # sure, so nothing left to confirm
        p = await llm.parse("冰柜好像不太冷")
        assert (p.intent, p.confirm, p.entities) == ("create_ticket", False, base.entities)
        llm._cache.clear()
        standin.answer("冰柜好像不太冷", "unknown", 0.9)
        p = await llm.parse("冰柜好像不太冷")
        assert (p.intent, p.confirm, p.entities) == ("unknown", False, {"skill": "appliance"})


async def test_invalid_llm_entities_are_dropped_not_fatal(standin, llm):
    standin.answer("谢谢 修得很好", "rate_service", 0.8, rating=7, skill="teleporter", ticket=-3)
    p = await llm.parse("谢谢 修得很好")
    assert (p.intent, p.entities) == ("rate_service", {})


async def test_entities_follow_the_llms_intent(standin, llm, parser):
    # The rules read nothing here; the LLM reads a report, so a report's entities are extracted.
    standin.answer("收银那边不太对劲", "create_ticket", 0.7, skill="pos", urgency="normal")
    p = await llm.parse("收银那边不太对劲")
    assert p.intent == "create_ticket" and p.entities == {"skill": "pos", "urgency": "normal"}
    # And the other way: the rules read a new report ({"skill": "hvac", "urgency": "urgent"}); for
    # the LLM it is about job 1024, so no report urgency, and the bare number names the job.
    standin.answer("1024 空调又坏了 漏水", "query_status", 0.6)
    p = await llm.parse("1024 空调又坏了 漏水")
    assert p.intent == "query_status" and p.entities == {"skill": "hvac", "ticket": 1024}
    assert p.spans["ticket"] == (0, 4)


async def test_a_repeated_message_costs_no_call(standin, llm):
    standin.answer("师傅人呢", "query_status", 0.88)
    first = await llm.parse("师傅人呢")
    again = await llm.parse("@小鲸  师傅人呢 ")  # same normalised text
    assert standin.calls == 1
    assert (again.intent, again.confidence) == (first.intent, first.confidence)
    assert again.text == "@小鲸  师傅人呢 "
    await llm.parse("师傅人呢?")
    assert standin.calls == 2


async def test_the_cache_is_bounded(standin, parser):
    async with LlmParser(fallback=parser, url=standin.url, model="m", api_key=KEY, cache_size=2) as p:
        for text in ("你好", "在吗", "谢谢", "你好"):
            await p.parse(text)
        assert standin.calls == 4  # "你好" was evicted by the third message
        await p.parse("谢谢")
        assert standin.calls == 4


async def test_timeout_answers_with_the_rules_within_the_budget(standin, parser, caplog):
    standin.delay_s = 3
    standin.answer("接单 1024", "help", 0.99)
    async with LlmParser(fallback=parser, url=standin.url, model="m", api_key=KEY, timeout_s=0.3) as p:
        with caplog.at_level(logging.WARNING, logger="nlu.llm_backend"):
            t0 = time.perf_counter()
            got = await p.parse("接单 1024")
            elapsed = time.perf_counter() - t0
    assert 0.25 < elapsed < 1.0, elapsed
    assert got == parser.parse("接单 1024")
    assert standin.calls == 1
    assert [r.getMessage() for r in caplog.records] == [
        "llm parse failed (timeout after 300 ms); using the embedded parser"]


async def test_a_failed_call_is_not_cached(standin, llm, parser):
    standin.status = 500
    assert await llm.parse("师傅人呢") == parser.parse("师傅人呢")
    standin.status = None
    standin.answer("师傅人呢", "query_status", 0.8765)
    assert (await llm.parse("师傅人呢")).confidence == 0.8765
    assert standin.calls == 2


@pytest.mark.parametrize("setup,kind", [
    (lambda s: setattr(s, "status", 500), "HTTP 500"),
    (lambda s: setattr(s, "api_key", "sk-the-right-one"), "HTTP 401"),
    (lambda s: setattr(s, "malformed", True), "message content is not JSON"),
    (lambda s: s.answer("接单 1024", "greet", 0.99), "schema mismatch (unknown intent)"),
    (lambda s: s.answer("接单 1024", "help", 7), "schema mismatch (confidence)"),
    (lambda s: s.answers.__setitem__("接单 1024", "Sure! The intent is help."), "message content is not JSON"),
])
async def test_failures_answer_with_the_rules(standin, llm, parser, caplog, setup, kind):
    setup(standin)
    with caplog.at_level(logging.WARNING, logger="nlu.llm_backend"):
        got = await llm.parse("接单 1024")
    assert got == parser.parse("接单 1024")  # claim_job, ticket 1024
    assert standin.calls == 1
    assert [r.getMessage() for r in caplog.records] == [f"llm parse failed ({kind}); using the embedded parser"]
    assert llm.stats == {"llm": 0, "cached": 0, "fallback": 1}


async def test_refused_connection_answers_with_the_rules(parser, unused_tcp_port, caplog):
    async with LlmParser(fallback=parser, url=f"http://127.0.0.1:{unused_tcp_port}/v1", model="m",
                         timeout_s=0.5) as p:
        with caplog.at_level(logging.WARNING, logger="nlu.llm_backend"):
            assert (await p.parse("取消工单12")).entities == {"ticket": 12}
    assert "connection error" in caplog.text


async def test_the_key_and_the_message_are_never_logged(standin, parser, caplog):
    text = "上海徐汇店 冷气一直滴水 电话13800000000"
    caplog.set_level(logging.DEBUG)
    async with LlmParser(fallback=parser, url=standin.url, model="m", api_key=KEY, timeout_s=0.3) as p:
        assert KEY not in repr(p) and KEY not in str(p) and "api_key=<set>" in repr(p)
        for setup in (lambda: setattr(standin, "status", 500), lambda: setattr(standin, "delay_s", 3),
                      lambda: setattr(standin, "api_key", "other"), lambda: setattr(standin, "malformed", True)):
            standin.status, standin.delay_s, standin.api_key, standin.malformed = None, 0, KEY, False
            setup()
            await p.parse(text)
    assert standin.calls == 4
    assert len([r for r in caplog.records if r.name == "nlu.llm_backend"]) == 4
    assert KEY not in caplog.text and "13800000000" not in caplog.text and "滴水" not in caplog.text


# -- configuration and wiring ----------------------------------------------------------------------

def _config(nlu: dict):
    return parse_config(deep_merge(base_config_data(), {"nlu": nlu}), env={})


@pytest.mark.parametrize("nlu,message", [
    ({"backend": "llm"}, "nlu: backend llm needs llm_url"),
    ({"backend": "llm", "llm_url": "http://127.0.0.1:8000/v1"}, "nlu: backend llm needs llm_model"),
    ({"backend": "llm", "llm_url": "127.0.0.1:8000", "llm_model": "m"}, "nlu: llm_url must start with http"),
    ({"llm_api_key_env": KEY}, "nlu.llm_api_key_env: must name an environment variable"),
    ({"llm_timeout_ms": 9000}, "nlu.llm_timeout_ms:"),
    ({"llm_key": "x"}, "nlu.llm_key: unknown key"),
])
def test_config_refuses_an_incomplete_llm_backend(nlu, message):
    with pytest.raises(ConfigError) as err:
        _config(nlu)
    assert str(err.value).startswith(message), str(err.value)
    assert "\n" not in str(err.value) and KEY not in str(err.value)


def test_config_defaults():
    n = _config({}).nlu
    assert (n.backend, n.llm_api_key_env, n.llm_timeout_ms, n.llm_cache_size) == (
        "embedded", "WECOM_DESK_LLM_API_KEY", 1000, 1024)


async def test_build_parser_wires_the_llm_backend(standin, monkeypatch):
    from bot.app import build_parser

    monkeypatch.setenv("WECOM_DESK_TEST_LLM_KEY", KEY)
    cfg = _config({"backend": "llm", "llm_url": standin.url + "/", "llm_model": "local-model",
                   "llm_api_key_env": "WECOM_DESK_TEST_LLM_KEY", "llm_timeout_ms": 700, "llm_cache_size": 5})
    p = build_parser(cfg)
    try:
        assert isinstance(p, LlmParser)
        assert (p.timeout_s, p.cache_size, p.model) == (0.7, 5, "local-model")
        standin.answer("师傅人呢", "query_status", 0.8)
        assert (await p.parse("师傅人呢")).intent == "query_status"  # the key from the environment works
        assert standin.last_body["model"] == "local-model"
    finally:
        await p.close()
    assert type(build_parser(_config({}))).__name__ == "Parser"
    pooled = build_parser(_config({"processes": 2}))   # the embedded parser in processes of its own
    assert type(pooled).__name__ == "PooledParser" and pooled.processes == 2
    await pooled.close()
