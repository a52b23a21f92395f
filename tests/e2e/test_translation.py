"""Free text crosses languages machine-translated (deep-translator's real GoogleTranslator code
path, against the sandbox's stand-in for the provider), and a failing provider never loses it."""

from __future__ import annotations

from tests.conftest import base_config_data, free_port

THAI_REPORT = "@小鲸 แอร์เสีย ไม่เย็นเลย สาขาสยาม"


def somchai_reads(lang):
    people = base_config_data()["people"]
    for p in people:
        if p["userid"] == "somchai":
            p["languages"] = [lang]
    return people


async def test_thai_report_reaches_a_chinese_engineer_translated(start):
    desk = await start(people=somchai_reads("zh"))
    sb = desk.sandbox
    await sb.say("storebkk", THAI_REPORT, chatid="wr_bkk_siam")
    [card] = await sb.wait_for(lambda: sb.job_cards("somchai"))
    text = card["sub_title_text"]
    assert text.startswith("[zh-CN] แอร์เสีย"), text
    assert "原文: แอร์เสีย" in text
    [call] = await sb.calls("translate")
    assert (call["source"], call["target"]) == ("th", "zh-CN")


async def test_same_language_is_not_translated(desk):
    sb = desk.sandbox
    await sb.say("storebkk", THAI_REPORT, chatid="wr_bkk_siam")
    [card] = await sb.wait_for(lambda: sb.job_cards("somchai"))
    assert card["sub_title_text"] == THAI_REPORT.replace("@小鲸 ", "")
    assert await sb.calls("translate") == []


async def test_provider_down_sends_the_original(start):
    dead = f"http://127.0.0.1:{free_port()}/m"
    desk = await start(people=somchai_reads("zh"), translation={"base_url": dead, "timeout_s": 1})
    sb = desk.sandbox
    await sb.say("storebkk", THAI_REPORT, chatid="wr_bkk_siam")
    [card] = await sb.wait_for(lambda: sb.job_cards("somchai"))
    assert card["sub_title_text"] == THAI_REPORT.replace("@小鲸 ", "")
