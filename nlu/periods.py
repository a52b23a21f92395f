"""Settlement periods: relative words (本月, last week, เดือนนี้) and named months (3月, March, mars).

A month named without a year is the latest such month not after `now`, so "12月结算" asked in
January means last December.
"""

from __future__ import annotations

import re
from datetime import datetime

from .numbers import to_number

Span = tuple[int, int]

_PERIODS: list[tuple[str, str]] = [
    ("last_quarter", r"上(?:个)?季度|上一季度|上季|(?<![a-z])(?:last quarter|previous quarter|last qtr|prev qtr|previous qtr|trimestre dernier|"
                     r"dernier trimestre)(?![a-z])|ไตรมาสที่แล้ว|ไตรมาสก่อน"),
    ("this_quarter", r"本季度|这(?:个)?季度|本季|当季|今季|(?<![a-z])(?:this quarter|current quarter|this qtr|current qtr|quarter[- ]to[- ]date|qtd|ce trimestre|depuis le debut du trimestre)(?![a-z])|"
                     r"ไตรมาสนี้"),
    ("last_month", r"上(?:个)?月|上一个月|上一月|(?<![a-z])(?:last month|previous month|mois dernier|mois passe|"
                   r"mois precedent)(?![a-z])|เดือนที่แล้ว|เดือนก่อน|เดือนที่ผ่านมา"),
    ("this_month", r"本月|这(?:个)?\s*月|这个?\s*month|当月|今(?:个)?月|月初(?:至今|到现在|以来)|(?<![a-z])(?:this month|current month|month[- ]to[- ]date|month so far|mtd|ce mois|depuis le debut du mois)(?![a-z])|"
                   r"เดือนนี้"),
    ("last_week", r"上(?:个)?(?:周|星期|礼拜)|上一(?:周|星期)|(?<![a-z])(?:last week|previous week|semaine derniere|"
                  r"semaine passee)(?![a-z])|สัปดาห์ที่แล้ว|อาทิตย์ที่แล้ว|สัปดาห์ก่อน"),
    ("this_week", r"本周|这(?:个)?(?:周|星期|礼拜)|本星期|(?<![a-z])(?:this week|current week|cette semaine)(?![a-z])|"
                  r"สัปดาห์นี้|อาทิตย์นี้"),
    ("yesterday", r"昨天|昨日|(?<![a-z])(?:yesterday|hier)(?![a-z])|เมื่อวาน"),
    ("today", r"今天|今日|当天|(?<![a-z])(?:today|aujourd'hui)(?![a-z])|วันนี้"),
    ("this_year", r"今年|本年|本年度|全年|年初(?:至今|到现在|以来)|(?<![a-z])(?:this year|year to date|year-to-date|ytd|"
                  r"cette annee|depuis le debut de l'annee)(?![a-z])|ปีนี้"),
]
_PERIOD_RES = [(name, re.compile(p)) for name, p in _PERIODS]

_EN_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
              "october", "november", "december"]
_FR_MONTHS = ["janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre",
              "octobre", "novembre", "decembre"]
_TH_MONTHS = ["มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม",
              "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"]
MONTH_WORDS: dict[str, int] = {}
for _i, (_en, _fr, _th) in enumerate(zip(_EN_MONTHS, _FR_MONTHS, _TH_MONTHS), 1):
    MONTH_WORDS[_en] = _i
    MONTH_WORDS[_en[:3]] = _i
    MONTH_WORDS[_fr] = _i
    MONTH_WORDS[_th] = _i
MONTH_WORDS["sept"] = 9
del MONTH_WORDS["mar"]  # "mar" is too often a word fragment; "march"/"mars" remain

_YEAR_MONTH = re.compile(r"(?<!\d)(20\d\d)\s*(?:[-/.年]\s*)(\d{1,2})(?!\d)\s*月?")
_CN_MONTH = re.compile(r"(去年|今年|前年)?\s*(?<!\d)(\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月(?!\d)")
_WORD_MONTH = re.compile(
    r"(?<![a-z])(" + "|".join(sorted((k for k in MONTH_WORDS if k.isascii()), key=len, reverse=True))
    + r")\.?(?![a-z])(?:\s*,?\s*(20\d\d))?|(" + "|".join(k for k in MONTH_WORDS if not k.isascii())
    + r")(?:\s*(20\d\d|25\d\d))?"
)


# Months counted back from now: "上上个月", "the month before last", "il y a deux mois". One step
# back is last_month (in _PERIODS); two or more has no relative name, so it becomes YYYY-MM.
_MONTHS_BACK = re.compile(
    r"(上上|大上)(?:个|一个)?月|(?<![a-z])(?:the )?month before last(?![a-z])|(?<![a-z])il y a (deux|trois|2|3) mois|"
    r"(?<![\d一二三四五六七八九十])([2-9两二三四五六七八九])\s*个月(?:前|之前|以前)|เมื่อ\s*([2-9])\s*เดือนก่อน")
_BACK_WORDS = {"deux": 2, "trois": 3}

# Quarters by number: "Q3", "第三季度", "3季度", "T3" / "3e trimestre", "ไตรมาส 3" ("四季" alone is a
# hotel or the seasons, so a bare 季 needs 第). The period
# vocabulary names only this_quarter and last_quarter, so a numbered quarter is one of those
# when it is the current or the previous one, and nothing otherwise.
_QUARTER = re.compile(
    r"(?<![a-z\d])q\s*([1-4])(?![\d])|第([一二三四1-4])\s*季(?:度)?|([一二三四1-4])\s*季度|(?<![a-z\d])t([1-4])(?![\d])|"
    r"(?<![\d])([1-4])\s*(?:e|er|eme|ème)\s+trimestre|(premier|deuxieme|second|troisieme|quatrieme) trimestre|"
    r"(?<![a-z])(first|second|third|fourth) quarter|ไตรมาส(?:ที่)?\s*([1-4])")
_QUARTER_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4, "premier": 1, "deuxieme": 2, "second": 2, "troisieme": 3,
                  "quatrieme": 4, "first": 1, "third": 3, "fourth": 4}


def _months_back(text: str, now: datetime) -> tuple[str, Span] | None:
    m = _MONTHS_BACK.search(text)
    if not m:
        return None
    back = 2
    if m.group(2):
        back = _BACK_WORDS.get(m.group(2)) or int(m.group(2))
    elif m.group(3):
        back = int(to_number(m.group(3)) or 2)
    elif m.group(4):
        back = int(m.group(4))
    if back == 1:
        return "last_month", m.span()
    idx = now.year * 12 + now.month - 1 - back
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}", m.span()


# Three months that make a quarter: "10到12月", "7-9月", "4月至6月".
_MONTH_RANGE = re.compile(r"(?<!\d)(1|4|7|10)\s*月?\s*(?:到|至|-|~|～|—)\s*(3|6|9|12)\s*月(?!\d)")


def _quarter(text: str, now: datetime) -> tuple[str, Span] | None:
    m = _MONTH_RANGE.search(text)
    if m and int(m.group(2)) == int(m.group(1)) + 2:
        q = int(m.group(2)) // 3
    else:
        m = _QUARTER.search(text)
        if not m:
            return None
        token = next(g for g in m.groups() if g)
        q = _QUARTER_WORDS.get(token) or int(token)
    current = (now.month - 1) // 3 + 1
    if q == current:
        return "this_quarter", m.span()
    if q == (current - 2) % 4 + 1:
        return "last_quarter", m.span()
    return None


def _month_period(month: int, year: int | None, now: datetime) -> str | None:
    if not 1 <= month <= 12:
        return None
    if year is None:
        year = now.year if month <= now.month else now.year - 1
    return f"{year:04d}-{month:02d}"


def find_period(text: str, now: datetime) -> tuple[str, Span] | None:
    # Before the relative words: "上上个月" contains "上个月", "第三季度" contains "季度".
    for special in (_months_back, _quarter):
        hit = special(text, now)
        if hit:
            return hit
    m = _YEAR_MONTH.search(text)
    if m:
        p = _month_period(int(m.group(2)), int(m.group(1)), now)
        if p:
            return p, m.span()
    m = _CN_MONTH.search(text)
    if m and not re.match(r"\s*(?:个|份?内)", text[m.end():]) and not text[max(0, m.start() - 1):m.start()] == "个":
        rel = m.group(1)
        month = to_number(m.group(2))
        year = {"去年": now.year - 1, "今年": now.year, "前年": now.year - 2}.get(rel or "")
        if isinstance(month, int):
            p = _month_period(month, year, now)
            if p:
                return p, m.span()
    m = _WORD_MONTH.search(text)
    if m:
        word = m.group(1) or m.group(3)
        year_s = m.group(2) or m.group(4)
        year = int(year_s) if year_s else None
        if year and year > 2400:  # Thai Buddhist era
            year -= 543
        p = _month_period(MONTH_WORDS[word], year, now)
        if p:
            return p, m.span()
    for name, rx in _PERIOD_RES:
        m = rx.search(text)
        if m:
            return name, m.span()
    return None



def default_now() -> datetime:
    return datetime.now().astimezone()
