"""Focused checks: one entity or precedence rule per test, so a regression names its rule."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest

from nlu import Lexicon, Parse, Parser
from nlu.numbers import to_number


@pytest.fixture(scope="module")
def model_parser(cfg):
    """The model deciding, for the families the rules alone do not read as anything."""
    return Parser(Lexicon.from_config(cfg))


@pytest.fixture(scope="module")
def parser(rules):
    """The rules, which the learned model reads as features and which extract every entity: these
    tests pin their families. What the model decides is scored on the labelled files instead
    (test_accuracy.py, test_heldout.py)."""
    return rules


NOW = datetime(2024, 5, 10, 10, 0)


def ents(parser, text, **kw):
    return parser.parse(text, now=kw.get("now", NOW)).entities


# -- API shape -----------------------------------------------------------------------------------

def test_parse_object(parser):
    p = parser.parse("@小鲸 上海徐汇店空调不制冷了")
    assert isinstance(p, Parse)
    assert p.text == "@小鲸 上海徐汇店空调不制冷了"
    assert p.intent == "create_ticket" and 0 < p.confidence <= 1
    assert p.entities == {"skill": "hvac", "city": "上海", "region": "east", "urgency": "normal", "store": "上海徐汇店"}
    assert p.intent_ranking[0] == (p.intent, p.confidence)
    assert sum(c for _, c in p.intent_ranking) <= 1.0001
    with pytest.raises(AttributeError):
        p.intent = "help"  # frozen


def test_to_rasa_shape_and_offsets(parser):
    text = "＠小鲸　上海店冷氣漏水！#１０２４"
    r = parser.parse(text).to_rasa()
    assert set(r) == {"text", "intent", "entities", "intent_ranking"}
    assert r["text"] == text
    assert set(r["intent"]) == {"name", "confidence"}
    assert all(set(i) == {"name", "confidence"} for i in r["intent_ranking"])
    by = {e["entity"]: e for e in r["entities"]}
    for e in r["entities"]:
        assert set(e) == {"entity", "value", "start", "end", "extractor"}
    assert text[by["city"]["start"]:by["city"]["end"]] == "上海"
    assert text[by["skill"]["start"]:by["skill"]["end"]] == "冷氣"
    assert by["urgency"]["value"] == "urgent"
    assert text[by["urgency"]["start"]:by["urgency"]["end"]] == "漏水"
    assert text[by["ticket"]["start"]:by["ticket"]["end"]] == "１０２４"
    assert by["ticket"]["value"] == 1024


def test_lexicon_is_duck_typed_and_config_driven():
    cfg = SimpleNamespace(
        regions=[SimpleNamespace(code="mars", name="火星", aliases=["Red Planet"],
                                 cities=[SimpleNamespace(name="奥林帕斯", aliases=["Olympus"])])],
        skills=[SimpleNamespace(code="rocket", name="火箭", synonyms=["rocket", "推进器"])],
        people=[SimpleNamespace(userid="musk", name="伊隆")],
        wecom=SimpleNamespace(bot=SimpleNamespace(names=["Robo"])),
    )
    p = Parser(Lexicon.from_config(cfg))
    assert p.parse("@Robo Olympus 推进器坏了 急").entities == {
        "skill": "rocket", "city": "奥林帕斯", "region": "mars", "urgency": "urgent"}
    assert p.parse("Red Planet settlement last month", now=NOW).entities == {
        "region": "mars", "period": "last_month"}
    # The default config's cities are not baked in.
    assert "city" not in p.parse("上海空调坏了").entities


# -- mention and normalisation ---------------------------------------------------------------------

@pytest.mark.parametrize("text", ["@小鲸上海店空调坏了", "@小鲸 上海店空调坏了", "上海店空调坏了 @小鲸",
                                  "@Jing 上海店空调坏了", "上海店 @jing 空调坏了"])
def test_mention_stripped_anywhere(parser, text):
    p = parser.parse(text)
    assert p.intent == "create_ticket"
    assert p.entities["city"] == "上海" and "person" not in p.entities


def test_traditional_and_fullwidth(parser):
    assert ents(parser, "熱水器漏水 很緊急") == {"skill": "appliance", "urgency": "urgent"}
    assert ents(parser, "接單 ＃１０２４") == {"ticket": 1024}


@pytest.mark.parametrize("token,value", [("两", 2), ("十五", 15), ("一百八", 180), ("一百八十", 180),
                                         ("二点五", 2.5), ("三百", 300), ("2.50", 2.5), ("一千二", 1200),
                                         ("一零二四", 1024), ("十", 10)])
def test_chinese_numerals(token, value):
    assert to_number(token) == value
    assert type(to_number(token)) is type(value)


# -- entities ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,ticket", [("#1024 到了", 1024), ("1024号工单进度", 1024), ("工单1024进度", 1024),
                                         ("ticket 1024 status?", 1024), ("取消工单 #12", 12),
                                         ("接单 1024", 1024), ("ticket no. 77 done", 77)])
def test_ticket(parser, text, ticket):
    assert ents(parser, text)["ticket"] == ticket


@pytest.mark.parametrize("text", ["3楼空调坏了", "空调坏了 2台", "30分钟前空调坏了", "空调坏了 电话13812345678"])
def test_quantities_are_not_tickets(parser, text):
    assert "ticket" not in ents(parser, text)


@pytest.mark.parametrize("text,rating", [("5星", 5), ("两星", 2), ("⭐⭐⭐", 3), ("4/5 服务不错", 4),
                                         ("给个好评 五星", 5), ("rate 4 stars", 4), ("3 étoiles", 3),
                                         ("ให้ 4 ดาว", 4)])
def test_rating(parser, text, rating):
    p = parser.parse(text)
    assert p.intent == "rate_service" and p.entities["rating"] == rating


@pytest.mark.parametrize("text,period", [
    ("本月结算", "this_month"), ("上个月结算", "last_month"), ("这周流水", "this_week"), ("上周结算", "last_week"),
    ("今天流水", "today"), ("昨天结算", "yesterday"), ("本季度结算", "this_quarter"), ("上季度结算", "last_quarter"),
    ("今年结算", "this_year"), ("3月份结算", "2024-03"), ("5月结算", "2024-05"), ("6月结算", "2023-06"),
    ("十二月结算", "2023-12"), ("2023年8月结算", "2023-08"), ("settlement for March", "2024-03"),
    ("bilan de juin", "2023-06"), ("去年5月结算", "2023-05")])
def test_period(parser, text, period):
    p = parser.parse(text, now=NOW)
    assert p.intent == "settlement_summary" and p.entities["period"] == period


def test_month_without_year_is_latest_not_after_now(parser):
    jan = datetime(2025, 1, 3)
    assert ents(parser, "12月结算", now=jan)["period"] == "2024-12"
    assert ents(parser, "1月结算", now=jan)["period"] == "2025-01"


@pytest.mark.parametrize("text,status", [
    ("#1024 到了", "arrived"), ("1024 出发了", "departed"), ("1024 开始维修", "started"),
    ("1024 缺配件 压缩机", "parts_needed"), ("1024 堵车 晚点到", "delayed"), ("#7 on my way", "departed"),
    ("#7 arrived", "arrived"), ("#7 waiting for parts", "parts_needed"), ("#7 running late", "delayed"),
    ("1024 到了 开始修", "started"), ("1024 快到了", "departed")])
def test_status(parser, text, status):
    p = parser.parse(text)
    assert p.intent == "update_progress" and p.entities["status"] == status


def test_eta_and_parts_extras(parser):
    assert ents(parser, "1024 出发了 大概30分钟到")["eta"] == 30
    assert ents(parser, "1024 出发了 半小时到")["eta"] == 30
    assert ents(parser, "1024 缺配件 压缩机 明天到")["parts"] == "压缩机"


def test_completion_numbers(parser):
    e = ents(parser, "1024 完工 工时2.5小时 配件180元")
    assert e == {"ticket": 1024, "labor_hours": 2.5, "parts_amount": 180}
    assert type(e["parts_amount"]) is int and type(e["labor_hours"]) is float
    assert ents(parser, "1024 完工 工时两个半小时 配件费八十")["labor_hours"] == 2.5
    assert ents(parser, "1024 完工 工时45分钟")["labor_hours"] == 0.75
    assert ents(parser, "1024 完工 1小时 无配件")["parts_amount"] == 0


def test_person(parser):
    assert ents(parser, "张伟接单 1024")["person"] == "zhangwei"
    assert ents(parser, "1024 派给 wangfang")["person"] == "wangfang"


@pytest.mark.parametrize("text,region", [("华东区本月结算", "east"), ("East China settlement", "east"),
                                         ("泰国上个月结算", "th"), ("Thailand settlement", "th"),
                                         ("杭州本月结算", "east"), ("Bangkok settlement", "th")])
def test_region(parser, text, region):
    assert ents(parser, text)["region"] == region


# -- urgency -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,urgency", [
    ("空调坏了", "normal"), ("空调坏了 急", "urgent"), ("空调坏了 加急", "urgent"), ("收银机坏了 马上来", "urgent"),
    ("fridge broken ASAP", "urgent"), ("lift broken, emergency", "urgent"), ("frigo en panne, urgence", "urgent"),
    ("แอร์เสีย ด่วน", "urgent"), ("插座冒烟", "urgent"), ("配电箱着火了", "urgent"), ("电梯困人", "urgent"),
    ("水管爆管了", "urgent"), ("插座漏电", "urgent"), ("空调坏了 不急", "normal"), ("AC broken, no rush", "normal")])
def test_urgency_always_present_for_tickets(parser, text, urgency):
    p = parser.parse(text)
    assert p.intent == "create_ticket"
    assert p.entities["urgency"] == urgency


# -- precedence ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text,skill", [("热水器漏水", "appliance"), ("空调漏水", "hvac"), ("冰箱漏水", "appliance"),
                                        ("水管漏水", "plumbing"), ("收银机断网了", "pos"), ("路由器跳闸", "network")])
def test_leaking_equipment_is_its_own_skill_and_urgent(parser, text, skill):
    p = parser.parse(text)
    assert p.intent == "create_ticket" and p.entities["skill"] == skill
    if "漏" in text:
        assert p.entities["urgency"] == "urgent"


@pytest.mark.parametrize("text", ["报修流程是什么", "怎么报修", "空调坏了应该怎么报修", "how do I report a broken AC?"])
def test_process_questions_are_help(parser, text):
    assert parser.parse(text).intent == "help"


@pytest.mark.parametrize("text", ["昨天报的电梯修得怎么样了", "之前报的冰箱有结果了吗", "#1024 修好了吗", "1024 到了没"])
def test_questions_about_existing_jobs_are_status(parser, text):
    assert parser.parse(text).intent == "query_status"


@pytest.mark.parametrize("text", ["上海今天好热啊", "我家空调是格力的", "新买的冰箱真好用", "谢谢师傅", "你好",
                                  "Bangkok is so hot today", "merci", "ขอบคุณครับ", "", "   ", "👍"])
def test_chit_chat_is_unknown_and_never_a_ticket(parser, text):
    p = parser.parse(text)
    assert p.intent == "unknown"
    assert "urgency" not in p.entities


def test_report_needs_problem_and_equipment_or_request(parser):
    assert parser.parse("空调").intent == "unknown"
    assert parser.parse("坏了").intent == "unknown"
    assert parser.parse("我要报修").intent == "create_ticket"
    assert parser.parse("派个师傅来看看 谢谢").intent == "create_ticket"


def test_symptom_report_beats_steps_without_ticket(parser):
    # A customer saying the engineer came but it broke again is a new report.
    assert parser.parse("师傅昨天来过了 空调又坏了").intent == "create_ticket"
    assert parser.parse("空调坏了师傅什么时候能来").intent == "create_ticket"


# -- rules added while widening coverage -----------------------------------------------------------

@pytest.mark.parametrize("text", [
    "哈哈 空调终于不响了", "空调漏水的问题上次已经修好了 谢谢", "wifi is back, working again",
    "今天不开空调了 天气凉快", "冰箱放不下了 再买一个吧", "don't forget to turn off the AC tonight",
    "I can't find the wifi password", "no AC needed today, it's cool", "n'oubliez pas d'éteindre la clim",
    "ไม่ต้องเปิดแอร์นะ", "the fridge is not bad actually", "收银机没问题"])
def test_devices_named_without_a_fault_are_not_tickets(parser, text):
    assert parser.parse(text).intent != "create_ticket"


@pytest.mark.parametrize("text", ["空调修好了又坏了", "上次修的空调又坏了", "the AC is still not cooling"])
def test_relapse_is_a_new_report(parser, text):
    assert parser.parse(text).intent == "create_ticket"


@pytest.mark.parametrize("text,skill", [
    ("the AC isn't cooling at all", "hvac"), ("the fridge doesn't close properly", "appliance"),
    ("la caméra de l'entrée ne s'allume plus", "cctv"), ("Plus de chauffage dans le magasin", "hvac"),
    ("กล้องวงจรปิดไม่บันทึก", "cctv"), ("网络断断续续的", "network"), ("WIFI 断", "network"),
    ("outlets are dead", "electrical")])
def test_negated_device_functions_are_faults(parser, text, skill):
    p = parser.parse(text)
    assert p.intent == "create_ticket" and p.entities["skill"] == skill


def test_names_are_not_cue_words(parser):
    # บันไดเลื่อน (escalator) contains เลื่อน (postpone), a delay cue.
    p = parser.parse("บันไดเลื่อนหยุดทำงาน")
    assert p.intent == "create_ticket" and p.entities["skill"] == "elevator"


def test_weak_claim_words_need_a_job_and_no_step(parser):
    assert parser.parse("8001 +1").intent == "claim_job"
    assert parser.parse("我去").intent == "unknown"
    p = parser.parse("8001 客户不在 晚点再去")
    assert p.intent == "update_progress" and p.entities["status"] == "delayed"


def test_step_words_without_a_job_need_someone_on_the_job(parser):
    assert parser.parse("下午三点开会 别迟到").intent == "unknown"
    assert parser.parse("我出发了 大概20分钟").intent == "update_progress"
    assert parser.parse("出发了吗").intent == "query_status"


def test_thanks_for_help_is_not_a_help_request(parser):
    assert parser.parse("Merci pour votre aide !").intent == "unknown"
    assert parser.parse("help").intent == "help"
    assert parser.parse("help! toilet overflowing").intent == "create_ticket"


def test_confidence_and_ranking_are_consistent(parser):
    from nlu.evaluate import load_cases

    from .conftest import CASES_PATH

    for case in load_cases(CASES_PATH)[:200]:
        p = parser.parse(case["text"], now=case["now"])
        assert 0 < p.confidence <= 1
        names = [n for n, _ in p.intent_ranking]
        assert names[0] == p.intent and len(names) == len(set(names))
        assert all(0 <= c <= p.confidence for _, c in p.intent_ranking)
        if p.intent == "create_ticket" or p.confirm:   # a report to confirm carries a report's slots
            assert p.entities["urgency"] in ("urgent", "normal")
        else:
            assert "urgency" not in p.entities


@pytest.mark.parametrize("text,store", [
    ("@小鲸 帮上海浦东店报修 电梯异响", "上海浦东店"),
    ("@小鲸 杭州西湖店收银机打不开", "杭州西湖店"),
    ("The AC in the Siam store is broken", "siam"),
    ("la clim du magasin Opéra ne marche pas", "opera"),
    ("แอร์เสีย สาขาสยาม", "สยาม"),
])
def test_store_names(parser, text, store):
    assert parser.parse(text).entities.get("store") == store


@pytest.mark.parametrize("text", ["@小鲸 我们店空调坏了", "our store AC broken", "本店冰箱不制冷"])
def test_no_store_from_generic_words(parser, text):
    assert "store" not in parser.parse(text).entities


# -- session 26: families of batch 12 ------------------------------------------------------------

@pytest.mark.parametrize("text, person, ticket", [
    ("Jing, give 9736 to Somchai, he's two BTS stops away", "somchai", 9736),
    ("put Zhang Wei on 4410", "zhangwei", 4410),
    ("Mettez Lucas sur la 9670, il connaît cette clim", "lucas", 9670),
    ("@Somchai can you grab 11460? it's the aircon at Siam", "somchai", 11460),
    ("สมชาย ฝากงาน 11562 ด้วยนะ", "somchai", 11562),
])
def test_a_dispatcher_handing_a_job_to_a_configured_engineer_is_a_claim(parser, text, person, ticket):
    # The engineer's name reaches the cue words blanked; the handover must still be read.
    p = parser.parse(text)
    assert p.intent == "claim_job"
    assert p.entities["person"] == person and p.entities["ticket"] == ticket


@pytest.mark.parametrize("text", ["例：#11XXX 完工 工时2 配件100 ——师傅们请按这个格式回复",
                                  "format: #1234xx done 2h parts 60"])
def test_a_format_shown_as_an_example_is_not_a_job_report(parser, text):
    p = parser.parse(text)
    assert p.intent == "unknown" and "ticket" not in p.entities


def test_a_discount_is_not_a_job_number(parser):
    assert "ticket" not in parser.parse("有人要拼单买奶茶吗 满30减10").entities


def test_a_region_named_in_any_of_its_languages(parser):
    p = parser.parse("ยอดค่าใช้จ่ายซ่อมจีนตะวันออกไตรมาสนี้รวมเท่าไร", now=NOW)
    assert p.intent == "settlement_summary" and p.entities["region"] == "east"


@pytest.mark.parametrize("text", ["Freezer in the stockroom died overnight, everything's thawing",
                                  "喂 部雪柜唔凍啦 啲雪糕開始軟晒",
                                  "ตู้แช่ไอศกรีมดับ ของละลายหมดแน่ๆ"])
def test_stock_thawing_makes_a_report_urgent(parser, text):
    p = parser.parse(text)
    assert p.intent == "create_ticket" and p.entities["urgency"] == "urgent"


def test_an_espresso_shot_is_not_an_electric_shock(parser):
    p = parser.parse("เครื่องชงกาแฟไม่มีแรงดัน ช็อตออกมาน้ำใสๆ ช่วยส่งช่างมาดูหน่อยครับ")
    assert p.intent == "create_ticket" and p.entities["urgency"] == "normal"


@pytest.mark.parametrize("text", ["空调温度调高两度吧 客人说冷", "Can someone turn the AC down a notch? Front counter is freezing",
                                  "Tu peux monter la clim de deux degrés ? Les clientes ont froid",
                                  "ลูกค้าบ่นว่าแอร์หนาวไป ปรับขึ้นอีกองศานะ"])
def test_asking_for_another_setting_is_not_a_fault(parser, text):
    assert parser.parse(text).intent == "unknown"


@pytest.mark.parametrize("text", ["万一电梯困人了 先按警铃再打电话",
                                  "Si jamais il y a une coupure de courant, on ferme la caisse"])
def test_a_what_if_reports_nothing(parser, text):
    assert parser.parse(text).intent == "unknown"


def test_staff_expenses_are_neither_help_nor_a_summary(parser):
    assert parser.parse("报销单怎么填，出差的打车费能报吗").intent == "unknown"
    assert parser.parse("Reminder: expense claims for November close this Friday", now=NOW).intent == "unknown"


def test_a_colleagues_words_forwarded_to_the_bot_are_a_report(parser):
    p = parser.parse("@小鲸 转发店员的话：「后厨下水道堵了 水漫出来了」")
    assert p.intent == "create_ticket" and p.entities["urgency"] == "urgent" and "store" not in p.entities


@pytest.mark.parametrize("text", ["救命 客梯里困了两个顾客！！", "升降機門開唔到，有個同事困咗喺入面",
                                  "lift is stuck between floors with a delivery guy inside, he can't get out"])
def test_people_trapped_in_any_words_are_urgent(parser, text):
    p = parser.parse(text)
    assert p.intent == "create_ticket" and p.entities["urgency"] == "urgent"


@pytest.mark.parametrize("text, hours", [("Job 13611 complete — two and a half hours, parts came to 60", 2.5),
                                         ("C'est réparé pour le 12543 : pièce 35, 1 h 30 de travail", 1.5)])
def test_hours_written_out(parser, text, hours):
    assert parser.parse(text).entities["labor_hours"] == hours


def test_a_power_cut_told_first_is_the_fault_not_the_fridge(parser):
    p = parser.parse("店里突然全部停电了，冰柜冷库都停了，几百斤海鲜在里面")
    assert p.entities["skill"] == "electrical" and p.entities["urgency"] == "urgent"


@pytest.mark.parametrize("text, hours", [("14729 地暖漏点补好了，打压半小时不掉，工时三个半小时，管件加阀门一共215", 3.5),
                                         ("14306 c'est bon, disjoncteur changé 25 €, trois quarts d'heure", 0.75)])
def test_the_hours_after_their_label_are_the_labour(parser, text, hours):
    assert parser.parse(text).entities["labor_hours"] == hours


@pytest.mark.parametrize("text", ["#14224 修好了，冷库已经降到零下2度，工时3小时，配件没用",
                                  "14405 好了，路由器重新配置了一遍，用了四十五分钟，不收材料费"])
def test_no_parts_in_other_words(parser, text):
    assert parser.parse(text).entities["parts_amount"] == 0


def test_a_mystery_shoppers_score_is_not_a_rating(parser):
    assert parser.parse("这季度神秘顾客评分出来了，我们店92分，卫生间扣了2分").intent != "rate_service"


def test_taking_back_a_chat_message_is_not_a_cancel(parser):
    assert parser.parse("刚才那个视频谁发的？撤回了我没看到").intent != "cancel_ticket"
    assert parser.parse("#3312 撤回报修 自己弄好了").intent == "cancel_ticket"


def test_a_ceiling_leak_is_plumbing_whatever_it_drips_on(parser):
    assert parser.parse("น้ำรั่วจากเพดานตรงหน้าแคชเชียร์ หยดลงเครื่องคิดเงินแล้ว").entities["skill"] == "plumbing"


@pytest.mark.parametrize("text, amount", [("15902 完成，前后折腾了五个小时，配件一共花了1250", 1250),
                                          ("3310 完工 工时2 配件总共320元", 320), ("3311 完工 配件一共80", 80)])
def test_the_parts_amount_is_the_number_not_the_one_in_yigong(parser, text, amount):
    # "一共" starts with 一 (one): read as a numeral it made a 1,250 yuan part cost 1.
    assert parser.parse(text).entities["parts_amount"] == amount


def test_a_two_character_repair_needs_more_than_a_particle_kept(parser):
    # "滴到成地都係" (dripping all over the floor) was read as 帝都, Beijing's nickname: a ticket in
    # the north region for a shop that never said where it was.
    p = parser.parse("個冷氣機啲水一直滴落嚟，滴到成地都係，啲客坐唔到嗰邊，麻煩搵人嚟整")
    assert "city" not in p.entities and p.entities["urgency"] == "urgent"
    assert parser.parse("冰相不制冷").entities["skill"] == "appliance"


def test_a_person_named_is_never_repaired_into_a_word(parser):
    # "张伟修过" had become "张维修过" (维修, repair) and lost the engineer who fixed it last time.
    p = parser.parse("上周张伟修过的那台制冰机，今天早上又不出冰了，还是老毛病，麻烦再安排一下")
    assert p.entities.get("person") == "zhangwei"
    assert [r.read_as for r in p.repairs] == []


@pytest.mark.parametrize("text", ["蒸箱门关不严一直往外喷蒸汽，刚才一个师傅手背被烫红了",
                                  "L'escalier mécanique s'est arrêté net avec des clients dessus, une dame est tombée",
                                  "杭州西湖店 冷柜压缩机嗡嗡响一直不停机，里面的酸奶已经10度了，要坏了"])
def test_someone_hurt_or_the_food_already_warm_is_urgent(parser, text):
    assert parser.parse(text).entities["urgency"] == "urgent"


def test_a_toilet_blocked_but_not_overflowing_is_not_urgent_in_thai(parser):
    assert parser.parse("ส้วมห้องน้ำหญิงตันค่ะ ยังไม่ล้น แต่ใช้ไม่ได้").entities["urgency"] == "normal"


def test_three_months_that_make_a_quarter(parser):
    p = parser.parse("10到12月这个季度，法国店的维修一共花了多少欧", now=datetime(2026, 12, 8, 10))
    assert p.intent == "settlement_summary" and p.entities["period"] == "this_quarter" and "ticket" not in p.entities
    p = parser.parse("7-9月华南结算", now=datetime(2026, 12, 8, 10))
    assert p.entities["period"] == "last_quarter"


def test_a_job_after_a_labels_colon_and_stars_in_cantonese(parser):
    assert parser.parse("评分：15332 四星，速度可以，就是收费比预期高了点").entities == {"ticket": 15332, "rating": 4}
    p = parser.parse("15310 個師傅好有耐性，逐樣解釋畀我聽，俾佢5粒星")
    assert p.intent == "rate_service" and p.entities["rating"] == 5


def test_a_parts_cost_in_chinese_numerals(parser):
    assert parser.parse("15823 搞定，两个钟，换压缩机一百八").entities["parts_amount"] == 180
    assert "parts_amount" not in parser.parse("#1024 完工 工时一个半小时 换了两个电容").entities


@pytest.mark.parametrize("text, intent", [
    ("15115 那单帮我关掉吧，问题自己消失了，再有问题再报", "cancel_ticket"),
    ("No need to send anyone for 15176, we're replacing the whole unit next week", "cancel_ticket"),
    ("#15423 还没人接的话我先顶上，虽然不是我片区", "claim_job"),
    ("status of ticket 15227 pls, the area manager is chasing me on it", "query_status"),
    ("工程师接单是怎么个流程，抢单还是派单？我新来的还不太懂", "help"),
    ("晚上十一点以后设备坏了找你还有人管吗？", "help"),
])
def test_jobs_closed_taken_and_asked_after_in_other_words(parser, text, intent):
    assert parser.parse(text).intent == intent


@pytest.mark.parametrize("text", ["Expense claim for the taxi to the supplier — do I need a receipt if it was under 200?",
                                  "冷库温度报警响了但是显示温度正常，这种情况是不是可以先不管？问一下，没坏",
                                  "ยินดีด้วยทีมสาขาสยาม ได้คะแนนตรวจมาตรฐาน 95 เต็ม 100 🎉"])
def test_an_expense_claim_an_alarm_with_nothing_broken_and_an_audit_score_are_no_job(parser, text):
    assert parser.parse(text).intent == "unknown"


@pytest.mark.parametrize("text", ["洗碗机进水阀好像坏了，水一直往外冒停不下来",
                                  "walk-in 冷库压缩机不启动，温度一直往上走，里面的肉撑不了多久 🥶",
                                  "ตู้เย็นหลังร้านไม่เย็นค่ะ นมกับเค้กอยู่ข้างในหมด กลัวเสียค่ะ"])
def test_water_that_will_not_stop_and_food_that_will_not_hold_out_are_urgent(parser, text):
    assert parser.parse(text).entities["urgency"] == "urgent"


def test_staff_who_will_not_cope_is_no_emergency(parser):
    assert parser.parse("收银电脑蓝屏 重启三次了还是这样 周末人多顶不住").entities["urgency"] == "normal"


@pytest.mark.parametrize("text", ["我新的工号是16950，HR那边已经改好了", "Supplier order 16955 is delayed to Monday",
                                  "外卖单 16945 客人说漏了一杯奶茶"])
def test_a_staff_number_a_delivery_order_or_a_suppliers_order_is_no_job(parser, text):
    assert "ticket" not in parser.parse(text).entities


@pytest.mark.parametrize("text, ents", [
    ("16813 好咗，一個鐘，換咗條門封條六十蚊", {"labor_hours": 1, "parts_amount": 60}),
    ("16843 ปิดงานครับ ชั่วโมงเดียว ค่าอะไหล่ 160 บาท", {"labor_hours": 1, "parts_amount": 160}),
])
def test_a_completion_in_cantonese_dollars_and_a_single_hour_in_thai(parser, text, ents):
    got = parser.parse(text).entities
    assert {k: got.get(k) for k in ents} == ents


def test_parts_to_order_in_french(parser):
    p = parser.parse("16533 il me faut un compresseur, je dois le commander")
    assert p.intent == "update_progress" and p.entities["status"] == "parts_needed"


@pytest.mark.parametrize("text, intent", [
    ("小鲸 帮我看看15183是不是被取消了？我这边列表里怎么找不到了", "query_status"),
    ("1024 取消了，谢谢", "cancel_ticket"),
    ("电梯困人这种是不是7×24小时都有人？", "help"),
    ("转发：「各门店注意，近期有人冒充维修人员上门收费，请核实工牌」", "unknown"),
    ("聽日公眾假期，舖頭早兩個鐘收工", "unknown"),
    ("FYI building management will shut off the water 9am-1pm Thursday for pipe works, toilets won't flush", "unknown"),
    ("去年这时候冷库坏了整整一个星期，今年到现在还没出事", "unknown"),
])
def test_asking_whether_it_was_cancelled_cover_hours_warnings_closing_early_and_false_alarms(parser, text, intent):
    assert parser.parse(text).intent == intent


def test_a_false_alarm_reports_nothing(parser):
    assert parser.parse("我还以为天花板漏水，结果是客人打翻了水桶😅，已经拖干净了，没事").intent != "create_ticket"


def test_cam_is_a_camera(parser):
    assert parser.parse("cam over the cashier area shows a black screen again, fix asap pls").entities["skill"] == "cctv"


@pytest.mark.parametrize("text, ents", [("17808 搞定了，前后弄了两个半钟，零件一个没换", {"labor_hours": 2.5, "parts_amount": 0}),
                                        ("17813 结单：工时三小时，配件一百五", {"labor_hours": 3, "parts_amount": 150})])
def test_no_part_changed_and_a_job_closed_with_jiedan(parser, text, ents):
    # 结单 (closing the job) had been "repaired" into 接单 (taking it): a claim with no hours.
    p = parser.parse(text)
    assert p.intent == "complete_job" and {k: p.entities.get(k) for k in ents} == ents


@pytest.mark.parametrize("text", ["17401是我快递取件码 发错群了 sorry🙈", "17405 is the PO number for the new uniforms, not a repair ticket",
                                  "17406 c'est le numéro de la commande fournisseur, pas un ticket !"])
def test_a_number_named_as_something_else_after_it_is_no_job(parser, text):
    p = parser.parse(text)
    assert "ticket" not in p.entities and p.intent == "unknown"


@pytest.mark.parametrize("text, intent", [
    ("Jing, scrap 17017 please, turned out someone had flipped the switch", "cancel_ticket"),
    ("14403 评个3，网是通了但速度还是慢", "rate_service"),
    ("14409是谁接的？留的电话打了三次都没人接", "query_status"),
    ("ok I got 16323", "claim_job"),
    ("本月POS系统升级，升级期间可能短暂无法刷卡，属正常现象，不用报修", "unknown"),
    ("เรื่องไฟดับเมื่อวาน การไฟฟ้าแก้ไขเรียบร้อยแล้วครับ ทั้งซอยเป็นเหมือนกันหมด", "unknown"),
    ("小鲸听得懂英文吗？我们新来的店长是新加坡人", "help"),
    ("what kinds of repairs does this desk cover? just aircon or plumbing too?", "help"),
])
def test_scrap_a_mark_in_two_words_a_notice_not_to_report_and_what_the_desk_covers(parser, text, intent):
    assert parser.parse(text).intent == intent


@pytest.mark.parametrize("text, urgency", [("厨房地漏反水了，一地黑水，臭到前厅都闻得到", "urgent"),
                                           ("广州天河店的展示柜不制冷了 蛋糕都开始塌了 help", "urgent"),
                                           ("天津店冷库门关不上 温度报警一直响 里面几百斤货", "urgent"),
                                           ("Le frigo des boissons ne refroidit plus du tout, on va perdre tout le stock de lait", "urgent"),
                                           ("点餐机屏幕被撞裂了 点不了 安排人来换个屏 不用太急", "normal")])
def test_food_at_risk_in_more_words_and_not_too_urgent(parser, text, urgency):
    assert parser.parse(text).entities["urgency"] == urgency


@pytest.mark.parametrize("text, intent, ents", [
    ("@小鲸 烤箱设200度实际只有120度，今晚有三十人的包场，急", "create_ticket", {"urgency": "urgent"}),
    ("店里有股烧塑料的味道，好像是吧台后面那排插座，已经断电了", "create_ticket", {"urgency": "urgent"}),
    ("冰箱門封條爛咗，關唔實，師傅幾時得閒嚟睇下", "create_ticket", {"skill": "appliance"}),
    ("能让王芳来一下吗，扶梯扶手带比台阶慢，客人扶着扶着就往后仰", "create_ticket", {"person": "wangfang"}),
    ("can someone look at the fryer? thermostat seems dead, oil won't go past 90", "create_ticket", {"skill": "appliance"}),
    ("Le frigo des desserts ne refroidit plus, on a 40 tartes dedans pour ce soir, au secours", "create_ticket", {"urgency": "urgent"}),
    ("18532 heading over, should be there in 15", "update_progress", {"status": "departed", "eta": 15}),
    ("18835 wrapped up, took an hour, didn't use any parts", "complete_job", {"labor_hours": 1, "parts_amount": 0}),
    ("麻烦把18017关掉，同事重启一下就好了", "cancel_ticket", {"ticket": 18017}),
    ("18233 gets a 3. fixed but left packaging everywhere", "rate_service", {"rating": 3}),
    ("I'd give 18234 a solid 5, the tech explained everything to our staff", "rate_service", {"rating": 5}),
    ("is there a night surcharge if I report after 10pm", "help", {}),
])
def test_batch_19_families(parser, text, intent, ents):
    p = parser.parse(text)
    assert p.intent == intent and {k: p.entities.get(k) for k in ents} == ents and (intent != "create_ticket" or "ticket" not in p.entities)


@pytest.mark.parametrize("text", ["外卖订单18461还没送到，饿死了", "财务提醒：18490 到 18499 这批发票号作废，请勿使用",
                                  "Commande fournisseur 18464 livrée, il manque un carton de gobelets",
                                  "เมื่อวานเครื่องรูดบัตรค้าง รีสตาร์ทแล้วก็ใช้ได้ปกติค่ะ"])
def test_orders_invoices_and_a_fault_gone_after_a_restart_are_no_job(parser, text):
    assert parser.parse(text).intent == "unknown"


def test_reminiscing_reports_nothing(parser):
    assert parser.parse("remember last Christmas when the lift broke down with Santa inside? 😂 good times").intent != "create_ticket"


def test_taking_over_a_job_names_it_and_a_half_year_is_no_quarter(parser):
    assert parser.parse("I'll take over 16320, Lucas is off sick").entities.get("ticket") == 16320
    p = parser.parse("1到6月 Q4 华南结算", now=datetime(2026, 12, 8, 10))
    assert p.entities["period"] == "this_quarter"


BATCH_20_ENTITIES = [
    ("入面啲海鮮好快會壞，個凍櫃唔凍咗", {"urgency": "urgent"}),
    ("冷柜显示报警 温度下不去 里面全是冻货", {"urgency": "urgent"}),
    ("商场扶梯急停，有位老人摔了一跤", {"urgency": "urgent"}),
    ("员工洗手间的马桶一直在冲水，关不掉", {"urgency": "urgent", "skill": "plumbing"}),
    ("收银台的电子秤不准，不是特别急", {"urgency": "normal"}),
    ("廁所水箱裂咗，一路滴水", {"skill": "plumbing"}),
    ("the signboard lightbox is flickering on and off", {"skill": "electrical"}),
    ("the Xuhui store's dishwasher won't drain", {"city": "上海", "region": "east"}),
    ("the glass washer is leaking, a bartender nearly slipped on it", {"urgency": "urgent"}),
]


@pytest.mark.parametrize("text, intent, ents", [
    ("20104 唔使嚟啦，老細自己整好咗", "cancel_ticket", {"ticket": 20104}),
    ("20107 帮我关掉，物业说他们来修", "cancel_ticket", {"ticket": 20107}),
    ("20109 撤回，这家店下周要搬", "cancel_ticket", {"ticket": 20109}),
    ("20111 搞掂 做咗半個鐘 冇用料", "complete_job", {"ticket": 20111, "parts_amount": 0}),
])
def test_calling_off_in_cantonese_and_with_a_bare_number_and_no_material_used(parser, text, intent, ents):
    p = parser.parse(text)
    assert p.intent == intent and {k: p.entities.get(k) for k in ents} == ents


@pytest.mark.parametrize("text", ["20222 是刚才那份外卖的取餐码，放门口了", "20233 这个号码挺顺的，拿去买彩票",
                                  "【已解决】西湖店网络中断，运营商已修复线路",
                                  "隔壁商场的电梯老是坏，还好我们店没有电梯",
                                  "上个月停电的事故报告已经上传到共享盘了",
                                  "the report on Tuesday's power cut is in the shared drive"])
def test_pick_up_codes_lucky_numbers_resolved_headings_and_paperwork_report_nothing(model_parser, text):
    p = model_parser.parse(text)
    assert p.intent != "create_ticket" and "ticket" not in p.entities


def test_the_staff_rest_room_is_ours_not_a_hotel_room(parser):
    p = parser.parse("รบกวนช่างมาดูแอร์ห้องพักพนักงานหน่อยครับ ไม่เย็นเลย")
    assert p.intent == "create_ticket" and p.entities.get("skill") == "hvac"


BATCH_21_ENTITIES = [
    ("原来是遥控器没电了，空调的单先取消", {"skill": "hvac"}),
    ("Shenzhen outlet: the wifi keeps dropping and the card reader goes offline", {"skill": "network"}),
    ("小票打不出来，打印口一直闪红灯", {"skill": "pos"}),
    ("【报修】设备：冷风机 问题：有异味 紧急程度：一般", {"urgency": "normal"}),
    ("配电房里有火花，噼啪响", {"skill": "electrical", "urgency": "urgent"}),
    ("escalator jolted and a customer twisted her ankle", {"urgency": "urgent"}),
    ("ตู้แช่มีประกายไฟออกมาตรงปลั๊ก", {"urgency": "urgent"}),
    ("电梯停在两层中间，有个顾客还在里面", {"urgency": "urgent"}),
    ("the deli fridge is at 12 degrees, everything gets binned by closing time", {"urgency": "urgent"}),
]


@pytest.mark.parametrize("text, ents", BATCH_20_ENTITIES + BATCH_21_ENTITIES)
def test_batch_20_and_21_entities(model_parser, text, ents):
    """With the model: the rules alone read some of these as no report, and extract nothing."""
    p = model_parser.parse(text)
    assert {k: p.entities.get(k) for k in ents} == ents


@pytest.mark.parametrize("text, ents", [
    ("21104 搞掂，做咗兩粒鐘，冇換嘢", {"labor_hours": 2, "parts_amount": 0}),
    ("21105 fixed, 1.5h, 0 parts", {"labor_hours": 1.5, "parts_amount": 0}),
])
def test_cantonese_hours_in_grains_and_zero_parts(parser, text, ents):
    p = parser.parse(text)
    assert {k: p.entities.get(k) for k in ents} == ents


@pytest.mark.parametrize("text, rating", [("Somchai nailed 21107, easy 5", 5), ("rate 21108 three out of five, slow", 3)])
def test_an_easy_mark_and_a_mark_out_of_five_in_words(model_parser, text, rating):
    p = model_parser.parse(text)
    assert p.intent == "rate_service" and p.entities.get("rating") == rating


@pytest.mark.parametrize("text, eta", [("21110 我来，大概四十分钟到", 40), ("I'll take 21111, about 20 min away", 20),
                                       ("รับงาน 21112 ครับ อีก 30 นาทีถึง", 30)])
def test_a_claim_carries_the_time_to_arrive(model_parser, text, eta):
    p = model_parser.parse(text)
    assert p.intent == "claim_job" and p.entities.get("eta") == eta


@pytest.mark.parametrize("text", ["供应商订单号 21120 的纸巾到了，放仓库了", "快递单号 21121 到了，在前台",
                                  "Commande fournisseur n°21122 livrée", "ใบสั่งซื้อเลขที่ 21123 ส่งของครบแล้วค่ะ"])
def test_a_step_whose_only_number_is_an_order_or_a_parcel_is_no_job(model_parser, text):
    p = model_parser.parse(text)
    assert p.intent == "unknown" and "ticket" not in p.entities


@pytest.mark.parametrize("text, ticket", [("Total facturé en novembre 2026 ?", None), ("电子秤显示530，不准", None),
                                          ("3号厅空调不出风，里面80多个观众", None), ("21130 多久能到", 21130)])
def test_years_readings_and_quantities_are_no_job_numbers(parser, text, ticket):
    from nlu.entities import find_ticket
    found = find_ticket(parser.normalize(text).text, allow_bare=True)
    assert (found[0] if found else None) == ticket


BATCH_22_ENTITIES = [
    ("凍櫃唔凍喇，啲芝士同牛奶都暖咗", {"urgency": "urgent"}),
    ("冷藏柜一直10度，里面全是酸奶，下午就得下架了", {"urgency": "urgent"}),
    ("the cold room is at 8 degrees and rising, all the chicken is in there", {"urgency": "urgent"}),
    ("freezer alarm going off, reads -5, full pallet of ice cream in it", {"urgency": "urgent"}),
    ("power's off on one side, the fridges there are off and the dairy is warming up", {"urgency": "urgent"}),
    ("L'ascenseur est coincé avec une dame âgée dedans", {"urgency": "urgent"}),
    ("ตู้แช่อุณหภูมิขึ้นไป 8 องศา ข้างในมีไก่เต็มเลย", {"urgency": "urgent"}),
    ("de l'eau goutte du plafond sur la caisse, on a mis un seau", {"skill": "plumbing", "urgency": "urgent"}),
    ("the extractor fan over the wok station is screeching", {"skill": "hvac"}),
]


@pytest.mark.parametrize("text, ents", BATCH_22_ENTITIES)
def test_batch_22_entities(model_parser, text, ents):
    test_batch_20_and_21_entities(model_parser, text, ents)


@pytest.mark.parametrize("text, elsewhere", [("我们酒店大堂的扶梯突然停了，有位客人摔倒了", False),
                                             ("the gym's treadmill area has no aircon, members are complaining", False),
                                             ("出差住的酒店空调坏了，一晚上没睡好", True),
                                             ("on holiday and my hotel room's AC died", True)])
def test_a_hotel_or_a_gym_is_someone_elses_only_when_the_words_say_so(parser, text, elsewhere):
    from nlu.signals import ELSEWHERE
    assert (ELSEWHERE.search(parser.normalize(text).text) is not None) == elsewhere


def test_a_connection_that_came_back_is_over(model_parser):
    assert model_parser.parse("เมื่อคืนเน็ตหลุดไปพักนึง ตอนนี้กลับมาแล้ว ไม่ต้องทำอะไรนะคะ").intent == "unknown"


@pytest.mark.parametrize("text, ents", [("22101 修好了，啥也没换，半小时", {"parts_amount": 0}),
                                        ("ช่างเก่งมาก 22103 ให้เต็ม 5 เลย", {"rating": 5})])
def test_nothing_changed_and_full_marks_in_thai(parser, text, ents):
    from nlu import entities as E, jobs as J
    s = parser.normalize(text).text
    got = {"parts_amount": (J.find_parts_amount(s) or (None,))[0], "rating": (E.find_rating(s) or (None,))[0]}
    assert {k: got[k] for k in ents} == ents


def test_how_much_of_the_shop_is_no_store_name(parser):
    p = parser.parse("Power went out on half the shop floor, breaker won't reset")
    assert "store" not in p.entities


@pytest.mark.parametrize("text,key,value", [
    ("那个二五六零八的单子怎么还没人来啊", "ticket", 25608),       # voice-to-text spells the number out
    ("二五八二零我现在出发了大概二十五分钟到", "ticket", 25820),
    ("收到，25733 张伟接单", "ticket", 25733),                   # 张 is a surname here, not "sheets"
])
def test_a_job_number_spelled_out_or_before_a_name_is_read(model_parser, text, key, value):
    assert model_parser.parse(text).entities.get(key) == value


def test_a_job_number_before_half_an_hour_is_not_hours():
    from nlu import jobs as J
    from nlu.normalize import normalize
    assert J.find_labor_hours(normalize("完成 25044 半小时 没用料").text)[0] == 0.5
    assert J.find_labor_hours(normalize("两个半小时").text)[0] == 2.5
    assert J.find_labor_hours(normalize("2半小时").text)[0] == 2.5


@pytest.mark.parametrize("text", ["那个二五六零八", "一二三四五"])
def test_four_or_more_spelled_digits_become_digits_and_keep_their_length(text):
    from nlu.normalize import normalize
    n = normalize(text)
    assert len(n.text) == len(text) and any(c.isdigit() for c in n.text)


@pytest.mark.parametrize("text", ["三五个人", "一百二十块", "十一点"])
def test_counts_and_amounts_in_chinese_numerals_are_left_alone(text):
    from nlu.normalize import normalize
    assert not any(c.isdigit() for c in normalize(text).text)


@pytest.mark.parametrize("text,person", [
    ("28299 满分 张师傅手艺好", "zhangwei"),   # the only 张 among the people
    ("刘工几点能到", "liuyang"),
    ("王师傅到了没", None),                   # two 王: nobody is guessed
])
def test_a_surname_and_shifu_names_the_only_person_of_that_surname(parser, text, person):
    assert parser.parse(text).entities.get("person") == person


def test_the_device_thanked_for_is_not_the_new_fault(parser):
    p = parser.parse("谢谢师傅上周修好的插座 今天后厨地漏又反水了")
    assert (p.intent, p.entities.get("skill")) == ("create_ticket", "plumbing"), p.intent_ranking


@pytest.mark.parametrize("text", ["ถ้าไฟดับทั้งคืน ตู้แช่จะเย็นได้นานแค่ไหน", "要是半夜停电 冷库能撑几个小时",
                                  "Gree's winter sale is on, 20% off heaters this week"])
def test_a_what_if_question_or_an_advert_opens_nothing(parser, text):
    p = parser.parse(text)
    assert p.intent != "create_ticket" and not p.confirm, (p.intent, p.intent_ranking)


@pytest.mark.parametrize("text,intent,entities", [
    ("28518 otw", "update_progress", {"ticket": 28518, "status": "departed"}),
    ("last qtr spend, East", "settlement_summary", {"period": "last_quarter", "region": "east"}),
    ("I'd give Somchai a 4 for the fridge job", "rate_service", {"rating": 4, "person": "somchai"}),
    ("下午那单不要了 是我们自己把插头碰掉了", "cancel_ticket", {}),
    ("no need for anyone to come, the supplier fixed it remotely", "cancel_ticket", {}),
    ("the dessert fridge is warm, the cheesecakes inside are at 12°C", "create_ticket", {"urgency": "urgent"}),
    ("冻库温度报警 零下十八变零下五了", "create_ticket", {"skill": "hvac", "urgency": "urgent"}),
    ("電梯卡咗喺兩層中間 入面有三個客人", "create_ticket", {"skill": "elevator", "urgency": "urgent"}),
    # batch 28: Thai typed as it sounds
    ("fai dap tang raan kha", "create_ticket", {"skill": "electrical"}),
    ("29301 tueng laew krub", "update_progress", {"ticket": 29301, "status": "arrived"}),
    ("29302 hai 5 dao kha", "rate_service", {"ticket": 29302, "rating": 5}),
    # urgent by what is at stake, not by the word
    ("展示柜不制冷了 慕斯蛋糕全软塌了", "create_ticket", {"urgency": "urgent"}),
    ("货梯里关了一个送货的师傅 出不来", "create_ticket", {"skill": "elevator", "urgency": "urgent"}),
    ("厨房进水管裂了 拿桶接着", "create_ticket", {"urgency": "urgent"}),
    ("Petit souci pas urgente : la prise du comptoir ne marche plus", "create_ticket", {"urgency": "normal"}),
    # claims said other ways, arrival with a part missing, a road closed on the way
    ("#29303 算我的 20分钟到", "claim_job", {"ticket": 29303, "eta": 20}),
    ("29304 到了 压缩机烧了 得换 要从仓库调一个", "update_progress", {"ticket": 29304, "status": "parts_needed"}),
    ("29305 on site, board's fried, can't do much till I get a new one", "update_progress",
     {"ticket": 29305, "status": "parts_needed"}),
    ("29306 police closed the road, detour, be there in 30", "update_progress",
     {"ticket": 29306, "status": "delayed", "eta": 30}),
    # an engineer's run-on report: "好了没用配件" is no question
    ("29307修好了原来是开关松了拧紧就好了没用配件工时一小时", "complete_job", {"ticket": 29307, "labor_hours": 1}),
    # batch 29: the company's own dorm, a machine that keeps the money, people stuck, an outage over
    ("员工宿舍的洗衣机不脱水了", "create_ticket", {"skill": "appliance"}),
    ("the vending machine by the gym swallowed my coins", "create_ticket", {}),
    ("lift in block D stuck, 3 students inside", "create_ticket", {"skill": "elevator", "urgency": "urgent"}),
    ("昨晚停电了一会儿，来电以后门禁一直刷不开", "create_ticket", {"skill": "cctv"}),
    ("walk-in freezer at -4 instead of -18, 150kg of fish inside", "create_ticket", {"urgency": "urgent"}),
    ("le congélateur ne refroidit plus, les glaces fondent", "create_ticket", {"urgency": "urgent"}),
    ("二食堂的蒸饭柜 逗号 不出蒸汽了 句号", "create_ticket", {"skill": "appliance"}),
    ("29401不要了 是我们自己插头没插好", "cancel_ticket", {"ticket": 29401}),
    ("29402 give 4 lah, came a bit late", "rate_service", {"ticket": 29402, "rating": 4}),
    ("@小鲸 王芳那边電梯那單幾時搞得好", "query_status", {"person": "wangfang"}),
    ("#29403 reached, security still checking my pass", "update_progress", {"ticket": 29403, "status": "arrived"}),
    ("29405 done 换了电容35 人工1小时", "complete_job", {"ticket": 29405, "parts_amount": 35, "labor_hours": 1}),
    # batch 30: machines no skill names, read by their heads; a machine's own number is no job
    ("压面机转两圈就卡住 早上的面皮压不出来", "create_ticket", {}),
    ("the wheel balancing machine is not spinning up, cars are queuing", "create_ticket", {}),
    ("le pont élévateur du garage reste bloqué en haut", "create_ticket", {}),
    ("สายพานหมายเลข 3 ไม่หมุน", "create_ticket", {}),
    # closing a job done, with its hours, is the completion; a word for a mark; slang for euros
    ("Job 30810 completed. Kindly close the ticket. Labour 2 hours, material nil.", "complete_job",
     {"ticket": 30810, "labor_hours": 2, "parts_amount": 0}),
    ("> Jing: #30811 is complete. How would you rate the service (1-5)?\nfour, quick and tidy", "rate_service",
     {"ticket": 30811, "rating": 4}),
    ("30812 réparé, 1h, un joint à 25 balles", "complete_job", {"ticket": 30812, "labor_hours": 1, "parts_amount": 25}),
    ("@小鲸 30813 修好没有 下午要营业", "query_status", {"ticket": 30813}),
    ("need the month-to-date repair spend, east region", "settlement_summary", {"period": "this_month", "region": "east"}),
    ("雪櫃唔凍 啲雪糕就嚟變壞", "create_ticket", {"urgency": "urgent"}),
    # batch 31: machines no list names, Isan's บ่, Singlish "choke", food told by what is inside,
    # Shanghainese forms, a mark with a star emoji, the group called over to look
    ("洗护区的吹风机没风了 还有两只泰迪等着吹", "create_ticket", {}),
    ("EV charger 2 won't start a session, insulation fault on the screen", "create_ticket", {}),
    ("pantry sink choke again, pls send plumber", "create_ticket", {"skill": "plumbing"}),
    ("ตู้แช่หลังร้านบ่เย็นแล้ว", "create_ticket", {}),
    ("烧腊店个雪柜唔冻 啲烧鹅顶唔顺喇", "create_ticket", {"urgency": "urgent"}),
    ("32010覅来了 阿拉自家修好了", "cancel_ticket", {"ticket": 32010}),
    ("侬看看华南今朝的结算", "settlement_summary", {"period": "today", "region": "south"}),
    ("5 ⭐ for job 30999", "rate_service", {"rating": 5, "ticket": 30999}),
    ("大家快来看 新来的猫咪好可爱", "unknown", {}),
    # batch 32: error codes, suction, seats that will not rise, a hotel room's number that is no
    # job, Sichuanese, Québécois, Australian, southern Thai, people hurt, food by the truckload
    ("灭菌器报E7了 下午的器械没法消毒", "create_ticket", {}),
    ("诊室的吸唾机没有吸力了", "create_ticket", {}),
    ("room 716 keycard lock is dead, guest locked out", "create_ticket", {"skill": "cctv"}),
    ("806房的门卡锁没反应", "create_ticket", {"skill": "cctv"}),
    ("冷柜莫得冷气了 搞快点", "create_ticket", {"urgency": "urgent"}),
    ("la fournaise marche pu pantoute", "create_ticket", {"skill": "hvac"}),
    ("the coffee grinder has carked it", "create_ticket", {}),
    ("แอร์ห้องประชุมไม่หอนเย็น", "create_ticket", {"skill": "hvac"}),
    ("扶梯突然停了 有个老人摔伤了", "create_ticket", {"urgency": "urgent"}),
    ("冷藏车的插电桩没电了 车上一整车冻鸡", "create_ticket", {"urgency": "urgent"}),
    # batch 33 (urgency only): smoke, sparks and someone shut in said other ways; food told by
    # what is inside the cold room
    ("仓库配电箱冒了股黑烟 现在一半没电", "create_ticket", {"urgency": "urgent"}),
    ("厨房插座坏了 一插就冒火星子", "create_ticket", {"urgency": "urgent"}),
    ("走廊的灯坏了 电线一直在打火", "create_ticket", {"urgency": "urgent"}),
    ("货梯卡住了 里面有个保安", "create_ticket", {"urgency": "urgent"}),
    ("冷库不制冷了 里面一堆牛排", "create_ticket", {"urgency": "urgent"}),
    ("雪柜唔冻 入面成箱烧鹅", "create_ticket", {"urgency": "urgent"}),
])
def test_families_of_the_tuned_batches_are_read(parser, text, intent, entities):
    p = parser.parse(text)
    assert p.intent == intent, p.intent_ranking
    assert {k: p.entities.get(k) for k in entities} == entities, p.entities


def test_a_fix_of_our_own_is_over_but_nobody_called_yet_is_a_report(parser):
    # "没叫师傅" after the store's own fix says it is over; "还没找人修" says nobody has come yet
    over = parser.parse("上周我们自己把龙头换了，没叫师傅，花了40块")
    assert over.intent != "create_ticket" and not over.confirm, over.intent_ranking
    waiting = parser.parse("空调坏了三天了 还没找人修")
    assert waiting.intent == "create_ticket" or waiting.confirm, waiting.intent_ranking


@pytest.mark.parametrize("text", ["give me a 5 min heads up before you come", "上周自己换了个水龙头 花了60块"])
def test_a_stated_amount_or_a_favour_is_no_mark_and_no_summary(parser, text):
    p = parser.parse(text)
    assert p.intent not in ("rate_service", "settlement_summary") and "rating" not in p.entities, p.intent_ranking



def test_the_request_said_to_the_bot_by_name_after_chat_is_read(parser):
    p = parser.parse("谢谢大家这周加班，周五聚餐老地方。对了小鲸，上个月华南的维修费汇总发我",
                     now=datetime(2027, 8, 18, 10))
    assert (p.intent, p.entities.get("region"), p.entities.get("period")) == ("settlement_summary", "south", "last_month")
    chat = parser.parse("谢谢大家这周加班。对了，周五聚餐老地方")
    assert chat.intent == "unknown" and not chat.confirm, chat.intent_ranking


def test_closing_the_shop_is_no_store_name_and_till_may_mean_until(parser):
    p = parser.parse("昨晚闭店前还好好的 今天冷柜不制冷了")
    assert "store" not in p.entities, p.entities
    assert parser.parse("can't finish 29308 till I get a new board").entities.get("skill") is None
    assert parser.parse("the till won't open").entities.get("skill") == "pos"


def test_a_device_slip_is_not_read_across_an_everyday_word(parser):
    # 总发 is one slip from 总阀 (a main valve), but here 总 belongs to 汇总
    assert "skill" not in parser.parse("把华东区上个月的费用汇总发群里").entities


@pytest.mark.parametrize("text,entities", [
    # a site named as a heading is where, not who said it
    ("Friperie Oberkampf : la caisse ne démarre plus depuis la mise à jour", {"skill": "pos"}),
    ("Shenzhen photo studio: the router reboots itself every ten minutes", {"skill": "network", "city": "深圳"}),
    # a newcomer's words about the process around a report, in English and French
    ("Hello, I'm new at the Clarke Quay office. The payment machine won't take notes or cards. Is this where I report it?", {"skill": "pos"}),
    ("Bonjour, je suis nouvelle à la boutique. Le terminal de paiement affiche « erreur ». C'est bien ici qu'on signale une panne ?", {"skill": "pos"}),
])
def test_a_report_under_a_site_heading_or_a_newcomers_words_is_the_report(model_parser, text, entities):
    p = model_parser.parse(text)
    assert p.intent == "create_ticket", (p.intent, p.confirm, p.intent_ranking)
    assert entities.items() <= p.entities.items(), p.entities


def test_a_decimal_comma_is_read_in_amounts_and_hours_but_a_clause_comma_is_not(parser):
    p = parser.parse("Ticket 40251 terminé : 1,5 h de main-d'œuvre, pièces 62,50 €")
    assert (p.entities.get("labor_hours"), p.entities.get("parts_amount")) == (1.5, 62.5), p.entities
    assert parser.parse("#123 完工 配件80,2小时").entities.get("parts_amount") == 80


@pytest.mark.parametrize("text", [
    "Carrier is sending their own tech to swap the chiller under warranty, no need to raise a job.",
    "Just FYI, the CCTV at the car park went offline for ten minutes and came back by itself.",
    "La coupure de ce matin venait d'Enedis, tout est revenu à 10 h.",
])
def test_a_suppliers_own_fix_or_a_fault_that_came_back_by_itself_opens_nothing(parser, text):
    p = parser.parse(text)
    assert p.intent != "create_ticket", (p.intent, p.confirm, p.intent_ranking)


def test_a_dialled_number_is_no_job_and_a_question_about_what_to_do_is_not_asked_about(model_parser):
    p = model_parser.parse("如果以后电梯困人了是不是先打119？")
    assert "ticket" not in p.entities and p.intent == "unknown" and not p.confirm, (p.entities, p.intent_ranking)
    assert "ticket" not in model_parser.parse("call 995 first or call you?").entities
    # … but a lift with people in it, now, is a report whatever number was rung
    now = model_parser.parse("电梯困人了 已经打了119 快派人")
    assert now.intent == "create_ticket" and now.entities.get("urgency") == "urgent"
