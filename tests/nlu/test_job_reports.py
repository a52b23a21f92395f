"""What engineers and managers write in words rather than in the desk's shorthand: hours and
amounts as people say them, steps the cue words miss (the status model), ratings and periods in
other forms, people by the names colleagues use."""

from __future__ import annotations

import numpy as np
import pytest

from nlu import Parser
from nlu import jobs as J
from nlu.model import STATUSES
from nlu.normalize import normalize


def canon(text: str) -> str:
    return normalize(text).text


@pytest.mark.parametrize("text,hours", [
    ("一个半小时搞定", 1.5), ("用咗個半鐘", 1.5), ("半个钟就弄好了", 0.5), ("two hours on site", 2),
    ("took an hour and a half", 1.5), ("half an hour, easy fix", 0.5), ("une heure et demie", 1.5),
    ("une demi-heure", 0.5), ("ทำไป 2 ชั่วโมงครึ่ง", 2.5), ("ใช้เวลาครึ่งชั่วโมง", 0.5), ("3h", 3),
    ("工时两个半小时", 2.5), ("เปลี่ยนคาปาซิเตอร์ ชั่วโมงครึ่ง", 1.5)])
def test_labour_hours_in_words(text, hours):
    assert J.find_labor_hours(canon(text))[0] == hours


@pytest.mark.parametrize("text,amount", [
    ("ค่าอะไหล่ 2,450 บาท", 2450), ("+ 35 in parts", 35), ("80 for the parts", 80), ("pas de pièces", 0),
    ("aucune pièce changée", 0), ("no spare parts used", 0), ("ไม่ได้เปลี่ยนอะไหล่", 0), ("不用换配件", 0),
    ("配件80,2小时", 80)])
def test_parts_amounts_as_written(text, amount):
    assert J.find_parts_amount(canon(text))[0] == amount


@pytest.mark.parametrize("text,minutes", [
    ("晚一个钟到", 60), ("廿分钟到", 20), ("半个钟到", 30), ("ไปถึงอีกชั่วโมงนึง", 60), ("about 25 min", 25)])
def test_arrival_times_in_words(text, minutes):
    assert J.find_eta(canon(text))[0] == minutes


@pytest.mark.parametrize("text,status", [
    ("3101 刚到门口 等店长", "arrived"), ("3102 开拆了 压缩机有点问题", "started"),
    ("3103 少了一块主板 明天带来", "parts_needed"), ("3104 车坏在半路", "delayed"),
    ("3105 pulled up outside", "arrived"), ("3106 van won't start, add 20 min", "delayed"),
    ("3107 they sent the wrong board", "parts_needed"), ("3108 il manque un joint", "parts_needed"),
    ("3109 ถึงหน้าร้านแล้วค่ะ", "arrived"), ("3110 leaving the warehouse now", "departed")])
def test_steps_in_other_words(parser, text, status):
    p = parser.parse(text)
    assert p.intent == "update_progress", p.intent_ranking
    assert p.entities["status"] == status


class _Sure:
    """A status model that gives one step with a set probability: whether the parser takes the
    model's step depends on how sure it is, not on which model."""

    def __init__(self, name: str, p: float) -> None:
        self.name, self.p = name, p

    def rank(self, text, dense):
        rest = (1 - self.p) / (len(STATUSES) - 1)
        return sorted([(s, self.p if s == self.name else rest) for s in STATUSES], key=lambda x: -x[1])


def test_the_status_model_fills_a_step_the_cue_words_miss_only_when_sure(lexicon):
    text = "3111 好嘞 手上这单弄完就去你们那"      # no cue word the rules know
    sure = Parser(lexicon, status_model=_Sure("departed", 0.9))
    unsure = Parser(lexicon, status_model=_Sure("departed", 0.4))
    p = sure.parse(text, intent="update_progress")
    assert p.entities["status"] == "departed" and "status" not in p.spans   # no span: nothing was quoted
    assert "status" not in unsure.parse(text, intent="update_progress").entities
    # A cue word wins over the model: "到了" is arrived whatever the model says.
    assert sure.parse("3112 到了", intent="update_progress").entities["status"] == "arrived"


def test_the_shipped_status_model_reads_steps_without_cue_words(parser):
    assert parser.status_model is not None
    assert Parser(parser.lexicon, model=None).status_model is None     # the rules alone stay rules alone
    ranked = parser.status_model.rank("0 搞完手上这个就过去", np.zeros(0))
    assert ranked[0][0] in STATUSES and abs(sum(p for _, p in ranked) - 1) < 0.01


@pytest.mark.parametrize("text,rating", [("畀五粒星", 5), ("note de 4 pour le technicien", 4),
                                         ("คะแนนบริการ 2", 2), ("★★★ ok", 3)])
def test_ratings_in_other_forms(text, rating):
    from nlu.entities import find_rating
    assert find_rating(canon(text))[0] == rating


@pytest.mark.parametrize("text,period", [("今個月開支幾多", "this_month"), ("month so far in the east?", "this_month"),
                                         ("le total depuis le début du mois", "this_month"),
                                         ("quarter to date revenue", "this_quarter")])
def test_periods_in_other_words(text, period):
    from datetime import datetime

    from nlu.periods import find_period
    assert find_period(canon(text), datetime(2026, 12, 5))[0] == period


def test_a_person_by_the_name_colleagues_use(parser):
    p = parser.parse("สมชายเดือนที่แล้วได้เท่าไหร่")
    assert p.intent == "settlement_summary" and p.entities["person"] == "somchai"


@pytest.mark.parametrize("text,amount", [
    ("4201 完工 1.5h 换了电容45", 45), ("4202 fixed, 2h, new fan motor 320", 320), ("4203 réparé, 1 heure, thermostat 75", 75),
    ("4204 完工 换了2根灯管 1小时", None), ("4205 done 1h, 3 filters swapped", None), ("4206 done, code E31 cleared, 1h", None),
    ("4207 完工 12月5日 1小时", None), ("4208 完工 1小时 配件40 另外垫付停车10", 40)])
def test_the_one_number_left_in_a_completion_is_its_parts_amount(parser, text, amount):
    """Once the job number and the hours are read, a single bare number left is the parts; counts,
    dates and codes are not, and two candidates are a guess the desk does not make."""
    p = parser.parse(text, intent="complete_job")
    assert p.entities.get("parts_amount") == amount


def test_a_job_number_before_an_english_word_is_still_the_job(parser):
    p = parser.parse("4301 started, opening the unit up", intent="update_progress")
    assert p.entities["ticket"] == 4301
    assert "ticket" not in parser.parse("gave them 5 stars", intent="rate_service").entities


@pytest.mark.parametrize("text,hours", [
    ("单号88 处理完毕 工时0.5 无配件", 0.5), ("#88 修复 1.5个工时 电容35", 1.5), ("88 已修好 工时 3 配件 95.5", 3),
    ("88 完成 门封条60 工时1", 1), ("Le 88 est réparé : 1,5 h, aucune pièce", 1.5), ("#88 done, labour: 2, parts 40", 2)])
def test_bare_hours_after_their_label_and_french_decimal_commas(parser, text, hours):
    assert parser.parse(text).entities.get("labor_hours") == hours


def test_labour_money_is_not_hours(parser):
    assert "labor_hours" not in parser.parse("#88 完工 人工200 配件80").entities
