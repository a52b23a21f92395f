"""The visit-time reader (nlu/clock_times.py) in each language, against a fixed "now" in a fixed
time zone, and its place in the parser (an update_progress `slot`, never a duration)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from nlu.clock_times import find_clock_time, resolve
from nlu.normalize import normalize

# Thursday 2026-12-03, 14:20 in Shanghai / Paris / Bangkok.
NOW = {tz: datetime(2026, 12, 3, 14, 20, tzinfo=ZoneInfo(tz)) for tz in ("Asia/Shanghai", "Europe/Paris", "Asia/Bangkok")}


def read(text: str, tz: str = "Asia/Shanghai") -> datetime | None:
    found = find_clock_time(normalize(text).text)
    return None if found is None else resolve(found[0], NOW[tz])


@pytest.mark.parametrize("text, tz, want", [
    # zh
    ("#12 明天上午10点到", "Asia/Shanghai", (12, 4, 10, 0)),
    ("#12 今天下午3点半到", "Asia/Shanghai", (12, 3, 15, 30)),
    ("#12 明天十点一刻到", "Asia/Shanghai", (12, 4, 10, 15)),
    ("#12 后天晚上7点20分", "Asia/Shanghai", (12, 5, 19, 20)),
    ("#12 周六上午9点过去", "Asia/Shanghai", (12, 5, 9, 0)),
    ("#12 大概三点到", "Asia/Shanghai", (12, 3, 15, 0)),          # a working day's 3 o'clock is 15:00
    ("#12 明天凌晨2点", "Asia/Shanghai", (12, 4, 2, 0)),
    ("今日趕唔切 改去聽朝十點得唔得", "Asia/Shanghai", (12, 4, 10, 0)),   # Cantonese, traditional
    # en
    ("#12 tomorrow 10am", "Asia/Shanghai", (12, 4, 10, 0)),
    ("#12 I'll be there tomorrow at 3:30pm", "Asia/Shanghai", (12, 4, 15, 30)),
    ("#12 today 16:45", "Asia/Shanghai", (12, 3, 16, 45)),
    ("#12 monday 9am", "Asia/Shanghai", (12, 7, 9, 0)),
    # fr
    ("#12 demain 10h", "Europe/Paris", (12, 4, 10, 0)),
    ("#12 je passe demain à 14h30", "Europe/Paris", (12, 4, 14, 30)),
    ("#12 aujourd'hui 17h", "Europe/Paris", (12, 3, 17, 0)),
    ("#12 vendredi 9h", "Europe/Paris", (12, 4, 9, 0)),
    ("#12 après-demain 8h", "Europe/Paris", (12, 5, 8, 0)),
    ("#12 大后天上午10点", "Asia/Shanghai", (12, 6, 10, 0)),
    ("#12 10am tomorrow", "Asia/Shanghai", (12, 4, 10, 0)),
    # th
    ("#12 พรุ่งนี้ 10 โมง", "Asia/Bangkok", (12, 4, 10, 0)),
    ("#12 พรุ่งนี้ บ่าย 3 โมง", "Asia/Bangkok", (12, 4, 15, 0)),
    ("#12 วันนี้ 4 โมงเย็น", "Asia/Bangkok", (12, 3, 16, 0)),
    ("#12 มะรืนนี้ 09.30 น.", "Asia/Bangkok", (12, 5, 9, 30)),
])
def test_clock_times(text, tz, want):
    got = read(text, tz)
    assert got is not None, text
    assert (got.month, got.day, got.hour, got.minute) == want
    assert got.tzinfo == ZoneInfo(tz)


@pytest.mark.parametrize("text", [
    "#12 出发 30分钟到", "#12 1小时后到", "#12 晚一点到", "#12 明天晚一点到", "空调温度调低一点", "一点风都没有",
    "#12 on my way, 20 min", "#12 in 2 hours", "#12 dans 2h", "#12 j'arrive dans 20 minutes", "#12 อีก 30 นาที",
    "工时2小时 配件180元", "#12 到了",
])
def test_durations_and_other_numbers_are_not_clock_times(text):
    assert find_clock_time(normalize(text).text) is None


def test_a_weekday_today_whose_time_has_passed_is_next_week():
    assert read("#12 周四上午9点").day == 10 and read("#12 周四下午5点").day == 3


def test_the_parser_reads_the_slot_only_inside_update_progress(parser):
    p = parser.parse("#12 明天上午10点到")
    assert p.intent == "update_progress" and p.entities["slot"] == {"day": 1, "hour": 10, "minute": 0}
    eta = parser.parse("#12 出发 30分钟到")
    assert eta.entities.get("eta") == 30 and "slot" not in eta.entities
    assert "slot" not in parser.parse("明天上午10点到12点大楼停电 请提前做好准备").entities
