"""Normalisation before anything reads a message: Cantonese written forms, pinyin slips of the
words the desk acts on (repaired and recorded), and the short answers and references that only
make sense in a conversation."""

from __future__ import annotations

import pytest

from nlu.answers import ticket_in_quote, yes_no


@pytest.mark.parametrize("typed,read_as", [
    ("冰相不制冷 温度一直往上跳", "冰箱"), ("介单 1024", "接单"), ("#1024 取效", "取消"), ("洁算 上月 华北", "结算"),
    ("路游器一直闪红灯", "路由器"), ("货体门卡住了", "货梯"), ("收营机开不了机", "收银机")])
def test_a_one_character_pinyin_slip_is_repaired_and_recorded(parser, typed, read_as):
    p = parser.parse(typed)
    assert [r.read_as for r in p.repairs] == [read_as]
    slip = p.repairs[0]
    assert typed[slip.start:slip.end] == slip.typed   # the record points into what was typed
    assert set(p.to_rasa()) == {"text", "intent", "entities", "intent_ranking"}   # Rasa's shape stays Rasa's


@pytest.mark.parametrize("text", ["等管理员来开门", "马上往店里赶", "空条件不满足", "电气柜要检修", "今天空气不好",
                                  "洗完手再说", "我在等管子送过来"])
def test_everyday_words_are_never_repaired_into_desk_words(parser, text):
    assert parser.parse(text).repairs == ()


@pytest.mark.parametrize("text,intent", [
    ("师傅到咗未", "query_status"), ("冇问题喇 #88 搞掂", "complete_job"), ("#88 畀4粒星", "rate_service"),
    ("介单 1024", "claim_job"), ("#1024 取效", "cancel_ticket"), ("洁算 上月 华北", "settlement_summary"),
    # Hunan and Shaanxi forms: 冇得 (none), 莫 (don't), 嫑 (don't), 咧 (了)
    ("36120 冇得事咯 莫来了", "cancel_ticket"), ("36121 嫑来咧 好咧", "cancel_ticket")])
def test_cantonese_and_slips_reach_the_intent(parser, text, intent):
    assert parser.parse(text).intent == intent


def test_cantonese_forms_keep_offsets_into_the_typed_text(parser):
    p = parser.parse("#88 畀4粒星")
    assert p.entities["rating"] == 4 and p.entities["ticket"] == 88
    assert any(r.typed == "畀" and r.read_as == "给" for r in p.repairs)


@pytest.mark.parametrize("text,answer", [
    ("是", True), ("@小鲸 是的", True), ("yes", True), ("OK!", True), ("oui", True), ("ใช่", True), ("👍", True),
    ("否", False), ("不用了", False), ("好的呀", True), ("不用", False), ("no", False), ("non merci", False), ("ไม่ต้อง", False),
    ("是不是空调坏了", None), ("yes the fridge is leaking too", None), ("", None)])
def test_yes_and_no_in_every_language_and_nothing_else(text, answer):
    assert yes_no(text) is answer


@pytest.mark.parametrize("text,last", [
    ("刚才那个单取消吧", True), ("上个单怎么样了", True), ("cancel the last one", True), ("the last ticket, any news?", True),
    ("annulez le dernier ticket", True), ("งานเมื่อกี้ยกเลิกได้ไหม", True),
    ("上个月结算", False), ("last month east", False), ("上次空调坏了还好修好了", False)])
def test_the_last_one_is_recognised_and_not_confused_with_periods(parser, text, last):
    assert parser.parse(text).entities.get("last_ticket", False) is last


def test_a_quoted_card_names_its_ticket():
    assert ticket_in_quote("新工单 #12 · 空调 上海 徐汇店 普通") == 12
    assert ticket_in_quote("工單 ＃１２ 已接單") == 12
    assert ticket_in_quote("明天上午10点开会") is None and ticket_in_quote("") is None


@pytest.mark.parametrize("typed,read_as", [
    ("the refridgerator is warm", None), ("escalatro stopped", "escalator"), ("the mircowave sparks", "microwave"),
    ("pls cancle 4102", "cancel"), ("l'ascenceur est en panne", "ascenseur"), ("ascenseru bloqué", "ascenseur")])
def test_a_latin_slip_of_a_desk_word_is_repaired_and_recorded(parser, typed, read_as):
    """One changed letter or one swapped pair, same length: repaired and recorded; a slip that
    changes the length ("refridgerator") is left for the model's n-grams."""
    p = parser.parse(typed)
    got = [r.read_as for r in p.repairs]
    assert got == ([read_as] if read_as else [])
    for r in p.repairs:
        assert typed[r.start:r.end] == r.typed


@pytest.mark.parametrize("text", ["the bridge is closed today", "tower crane outside", "a clever trick",
                                  "sever ties", "la fenêtre est ouverte", "planning de la semaine"])
def test_dictionary_words_are_never_read_as_desk_words(parser, text):
    assert parser.parse(text).repairs == ()
