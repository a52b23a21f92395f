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
    # The original, and a line saying it is not translated.
    assert card["sub_title_text"] == THAI_REPORT.replace("@小鲸 ", "") + "\n（机器翻译暂不可用，以上为原文）"


async def test_a_thai_store_reads_thai_and_its_local_currency(desk):
    sb = desk.sandbox
    created = await sb.say("storebkk", THAI_REPORT, chatid="wr_bkk_siam")
    card = created["reply"]["template_card"]
    assert "ใบงาน" in card["main_title"]["title"] and "#1" in card["main_title"]["title"]
    keys = [row["keyname"] for row in card["horizontal_content_list"]]
    assert "ใบงาน" in keys
    await sb.say("somchai", "@小鲸 接单 1", chatid="wr_bkk_siam")
    await sb.say("somchai", "@小鲸 #1 ถึงแล้ว", chatid="wr_bkk_siam")
    await sb.say("somchai", "@小鲸 #1 เสร็จแล้ว ค่าแรง 2 ชั่วโมง", chatid="wr_bkk_siam")

    async def breakdown():
        return [p for p in await sb.pushes("wr_bkk_siam") if "THB" in p]

    [pushed] = await sb.wait_for(breakdown)
    # hvac_repair has no THB price list: CNY 150 + 2 × 80 through the stored CNY→THB rate 4.9750,
    # VAT 7 % → 746.25 + 796.00 = 1542.25, tax 107.96, total 1650.21 THB.
    assert "1650.21 THB" in pushed and "746.25" in pushed
