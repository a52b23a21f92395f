"""Everyone's own words reach the other readers of a ticket in their language: a Thai store, a
French store and a Chinese engineer, through real encrypted callbacks, the real outbox worker and
deep-translator's real GoogleTranslator code path against the sandbox's stand-in (which marks a
text with the target language it was asked for: "[fr] …"). Names of places, stores and skills are
the reader's own; glossary terms, ticket numbers and amounts are never sent to the provider."""

from __future__ import annotations

import asyncio
import time

from aiohttp import web

from tests.conftest import base_config_data, free_port

THAI_GROUP, PARIS_GROUP = "wr_bkk_siam", "wr_paris_opera"


def zhangwei_serves_abroad() -> list[dict]:
    """Only 张伟 (reads Chinese) can take air-conditioning jobs in Bangkok and Paris."""
    people = []
    for p in base_config_data()["people"]:
        if p["userid"] in ("somchai", "lucas"):
            continue
        if p["userid"] == "zhangwei":
            p = {**p, "regions": ["east", "th", "fr"], "capacity": 5}
        people.append(p)
    return people


async def _claimed(sb, chatid: str, report: str, store: str) -> int:
    created = await sb.say(store, report, chatid=chatid)
    title = created["reply"]["template_card"]["main_title"]["title"]
    number = int(title.split("#")[1].split()[0])
    async def his_card():
        return [c for c in await sb.job_cards("zhangwei") if f"#{number}" in c["main_title"]["title"]]
    await sb.wait_for(his_card)
    await sb.say("zhangwei", f"@小鲸 接单 {number}", chatid=chatid)
    return number


async def _push_with(sb, chatid: str, needle: str) -> str:
    async def find():
        return [p for p in await sb.pushes(chatid) if needle in p]
    return (await sb.wait_for(find))[-1]


async def test_thai_store_french_store_and_chinese_engineer_read_each_other(start):
    desk = await start(people=zhangwei_serves_abroad())
    sb = desk.sandbox

    # The stores' words reach the engineer in Chinese, the original kept underneath.
    bkk = await _claimed(sb, THAI_GROUP, "@小鲸 แอร์เสีย ไม่เย็นเลย มีน้ำหยด", "storebkk")
    paris = await _claimed(sb, PARIS_GROUP, "@小鲸 la clim ne refroidit plus, ça goutte", "storeparis")
    cards = {c["main_title"]["title"]: c["sub_title_text"] for c in await sb.job_cards("zhangwei")}
    quotes = list(cards.values())
    assert any(q.startswith("[zh-CN] แอร์เสีย") and "原文: แอร์เสีย" in q for q in quotes), quotes
    assert any(q.startswith("[zh-CN] la clim") and "原文: la clim" in q for q in quotes), quotes
    # Place names on his cards are Chinese; on the stores' cards they are the stores' own.
    rows = [r["value"] for c in await sb.job_cards("zhangwei") for r in c.get("horizontal_content_list", [])]
    assert any("暹罗店" in v and "曼谷" in v for v in rows), rows
    assert any("巴黎歌剧院店" in v and "巴黎" in v for v in rows), rows

    # The engineer's delay reason reaches each store in its language; the brand, the part code
    # and the ticket number stay as he wrote them and never reach the provider.
    await sb.say("zhangwei", f"@小鲸 #{bkk} 延误 堵车 晚半小时到 Daikin CP-2201 要带上", chatid=THAI_GROUP)
    pushed = await _push_with(sb, THAI_GROUP, "[th] ")
    assert f"💬 [th] 堵车 晚半小时到 Daikin CP-2201 要带上" in pushed, pushed
    assert "ข้อความต้นฉบับ: 堵车" in pushed          # the original, labelled in Thai
    assert "สาขาสยาม" in pushed and "กรุงเทพฯ" in pushed, pushed   # the store and the city, in Thai
    await sb.say("zhangwei", f"@小鲸 #{paris} 延误 路上堵车 晚一小时到", chatid=PARIS_GROUP)
    pushed = await _push_with(sb, PARIS_GROUP, "[fr] ")
    assert "💬 [fr] 路上堵车 晚一小时到" in pushed and "Texte original: 路上堵车" in pushed, pushed
    assert "Boutique Opéra" in pushed and "Paris" in pushed, pushed

    sent = [c["text"] for c in await sb.calls("translate")]
    assert sent and not any(term in text for text in sent for term in ("Daikin", "CP-2201", f"#{bkk}")), sent
    assert any("ZQ" in text for text in sent)

    # The stores' remarks reach the engineer in Chinese: a rating comment from Bangkok, a
    # cancellation reason from Paris.
    # The part he is waiting for is his word for it, too.
    await sb.say("zhangwei", f"@小鲸 #{bkk} 到了", chatid=THAI_GROUP)
    await sb.say("zhangwei", f"@小鲸 #{bkk} 缺配件 压缩机", chatid=THAI_GROUP)
    pushed = await _push_with(sb, THAI_GROUP, "💬 [th] 压缩机")
    assert "ข้อความต้นฉบับ: 压缩机" in pushed, pushed
    await sb.say("zhangwei", f"@小鲸 #{bkk} 配件到了 开始维修", chatid=THAI_GROUP)
    done = await sb.say("zhangwei", f"@小鲸 #{bkk} 完工 换了排水管 测试正常", chatid=THAI_GROUP)
    # The job is billed in baht; he counts in yuan: both, at the stored rate.
    answer = done["reply"]["stream"]["content"] if done["reply"]["msgtype"] == "stream" else str(done["reply"])
    assert "THB" in answer and "≈" in answer and "CNY" in answer, answer
    await _push_with(sb, THAI_GROUP, "💬 [th] 换了排水管")
    await sb.say("storebkk", f"@小鲸 #{bkk} 5 ดาว ช่างเก่งมาก สุภาพ", chatid=THAI_GROUP)
    await sb.say("storeparis", f"@小鲸 annuler #{paris}, le propriétaire a trouvé quelqu'un d'autre", chatid=PARIS_GROUP)

    async def his_texts():
        texts = await sb.texts("zhangwei")
        thai = [x for x in texts if "[zh-CN] 5 ดาว ช่างเก่งมาก" in x or "[zh-CN] ช่างเก่งมาก" in x]
        french = [x for x in texts if "[zh-CN] annuler" in x or "[zh-CN] le propriétaire" in x]
        return (thai, french) if thai and french else None

    found = await sb.wait_for(his_texts)
    assert found, await sb.texts("zhangwei")
    thai, french = found
    assert "5 星" in thai[0] and "原文:" in thai[0], thai
    assert "已取消" in french[0] and "原文:" in french[0], french


async def test_a_bare_command_carries_no_words(start):
    desk = await start(people=zhangwei_serves_abroad())
    sb = desk.sandbox
    bkk = await _claimed(sb, THAI_GROUP, "@小鲸 แอร์เสีย ไม่เย็นเลย", "storebkk")
    await sb.say("zhangwei", f"@小鲸 #{bkk} 出发", chatid=THAI_GROUP)
    await sb.say("zhangwei", f"@小鲸 #{bkk} 到了", chatid=THAI_GROUP)
    pushes = await sb.wait_for(lambda: _arrival(sb))
    assert not any("💬" in p for p in pushes), pushes
    # Only the store's report went to the provider: the engineer wrote nothing to translate.
    assert {c["target"] for c in await sb.calls("translate")} == {"zh-CN"}


async def _arrival(sb):
    pushes = await sb.pushes(THAI_GROUP)
    return pushes if len(pushes) >= 3 else None


async def _slow_provider(delay_s: float) -> tuple[web.AppRunner, str]:
    """A Google-Translate-shaped server that answers too late."""
    async def page(request: web.Request) -> web.Response:
        await asyncio.sleep(delay_s)
        return web.Response(text='<div class="result-container">too late</div>', content_type="text/html")

    app = web.Application()
    app.router.add_get("/m", page)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/m"


async def test_a_slow_provider_changes_no_ack_and_delivers_the_original_with_a_note(start):
    runner, url = await _slow_provider(3.0)
    try:
        desk = await start(people=zhangwei_serves_abroad(), translation={"base_url": url, "timeout_s": 1})
        sb = desk.sandbox
        began = time.monotonic()
        created = await sb.say("storebkk", "@小鲸 แอร์เสีย ไม่เย็นเลย", chatid=THAI_GROUP)
        acked_in = time.monotonic() - began
        assert created["status"] == 200 and "#1" in created["reply"]["template_card"]["main_title"]["title"]
        assert acked_in < 1.5, acked_in      # the ack never waits for a translation
        [card] = await sb.wait_for(lambda: sb.job_cards("zhangwei"))
        assert card["sub_title_text"] == "แอร์เสีย ไม่เย็นเลย\n（机器翻译暂不可用，以上为原文）", card["sub_title_text"]
    finally:
        await runner.cleanup()


async def test_translation_off_sends_words_as_written_without_a_note(start):
    desk = await start(people=zhangwei_serves_abroad(), translation={"provider": "off"})
    sb = desk.sandbox
    await sb.say("storebkk", "@小鲸 แอร์เสีย ไม่เย็นเลย", chatid=THAI_GROUP)
    [card] = await sb.wait_for(lambda: sb.job_cards("zhangwei"))
    assert card["sub_title_text"] == "แอร์เสีย ไม่เย็นเลย"
    assert await sb.calls("translate") == []


async def test_a_thai_engineer_reads_a_thai_title_and_thai_place_names(desk):
    sb = desk.sandbox
    await sb.say("storebkk", "@小鲸 แอร์เสีย ไม่เย็นเลย", chatid=THAI_GROUP)
    [card] = await sb.wait_for(lambda: sb.job_cards("somchai"))
    title = card["main_title"]["title"]
    assert "แอร์" in title and not any("\u4e00" <= ch <= "\u9fff" for ch in title), title
    values = " ".join(r["value"] for r in card["horizontal_content_list"])
    assert "กรุงเทพฯ" in values and "สาขาสยาม" in values, values
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in values), values
