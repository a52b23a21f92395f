"""Clock times for a visit: "明天上午10点", "今天下午3点半", "tomorrow 10am", "demain 10h",
"พรุ่งนี้ 10 โมง". A small rule reader on the parser's canonical text (lower case, accents folded).

`find_clock_time` returns a plain, JSON-safe value (the `slot` entity), never a datetime: the day
is relative ({"day": 1} = tomorrow, {"weekday": 0} = the next Monday, or neither = today) and the
time is a wall-clock time. Only the desk knows whose wall clock it is (the engineer's time zone),
so `resolve` turns the value into a local datetime against a "now" the caller gives, in that zone.

A duration ("30分钟到", "dans 2h", "in 2 hours") is not a clock time: that stays an ETA
(nlu/jobs.py `find_eta`).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

Span = tuple[int, int]

_CN = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _small(token: str) -> int | None:
    """0–59 in Arabic or Chinese digits ("10", "十", "十二", "二十五", "三十")."""
    if token.isdigit():
        return int(token)
    if not token or any(c not in _CN and c != "十" for c in token):
        return None
    if "十" not in token:
        return _CN[token] if len(token) == 1 else None
    head, _, tail = token.partition("十")
    if len(head) > 1 or len(tail) > 1:
        return None
    return (_CN[head] if head else 1) * 10 + (_CN[tail] if tail else 0)


# -- days ---------------------------------------------------------------------------------------------

_DAY_WORDS: list[tuple[str, int]] = [
    (r"大后天", 3), (r"后天|(?<![a-z])apres-demain(?![a-z])|มะรืน(?:นี้)?", 2),
    (r"明天|明日|明早|明晚|听朝|听日|(?<![a-z])(?:tomorrow|tmr|tmrw|demain)(?![a-z])|พรุ่งนี้", 1),
    (r"今天|今日|今早|今晚|今儿|(?<![a-z])(?:today|tonight|this (?:morning|afternoon|evening)|aujourd'hui|ce (?:matin|soir)|"
     r"cet apres-midi)(?![a-z])|วันนี้|คืนนี้", 0),
]
_DAY_RES = [(re.compile(p), n) for p, n in _DAY_WORDS]
_WEEKDAY = re.compile(
    r"(?:下|这|本)?(?:周|星期|礼拜)([一二三四五六日天])|"
    r"(?<![a-z])(monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun|"
    r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)(?![a-z])|"
    r"วัน(จันทร์|อังคาร|พุธ|พฤหัส(?:บดี)?|ศุกร์|เสาร์|อาทิตย์)")
_WEEKDAY_N = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
              "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
              "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
              "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
              "จันทร์": 0, "อังคาร": 1, "พุธ": 2, "พฤหัส": 3, "พฤหัสบดี": 3, "ศุกร์": 4, "เสาร์": 5, "อาทิตย์": 6}

# Parts of the day that move a 12-hour clock into the afternoon ("下午3点" = 15:00).
_PM_WORDS = re.compile(r"下午|下昼|晚上|傍晚|今晚|明晚|夜里|(?<![a-z])(?:tonight|this (?:afternoon|evening)|in the (?:afternoon|evening)|"
                       r"apres-midi|du soir|ce soir)(?![a-z])|บ่าย|เย็น|คืน")
_AM_WORDS = re.compile(r"上午|早上|早晨|清早|一早|凌晨|明早|今早|听朝|(?<![a-z])(?:morning|matin)(?![a-z])|เช้า|ตี")
_NOON = re.compile(r"中午|(?<![a-z])(?:noon|midi)(?![a-z])|เที่ยง")

# -- times --------------------------------------------------------------------------------------------

_H = r"(\d{1,2}|[零一二两三四五六七八九十]{1,3})"
_M = r"(\d{1,2}|[零一二三四五六七八九十]{1,3})"
_TIME_RES: list[tuple[str, re.Pattern[str]]] = [
    # 10:30, 15.30 น. (Thai write a dot), 10:30am
    ("hm", re.compile(r"(?<![#\d.:])(\d{1,2})[:：](\d{2})(?![\d:])\s*(am|pm|a\.m\.|p\.m\.)?|"
                      r"(?<![\d.])(\d{1,2})\.(\d{2})\s*น\.?")),
    # 十点, 10点半, 10点一刻, 3点20(分), 10点钟
    # not "晚一点" / "快一点" (a bit later / sooner)
    ("zh", re.compile(r"(?<![#\d快晚早慢多少有好差稍])" + _H + r"\s*(?:点|點)(?:钟)?\s*(?:(半)|(一刻)|(三刻)|" + _M + r"\s*分?)?(?![\d小个])")),
    # 10am, 3 pm, 3.30pm, at 10 (after a day word: "tomorrow at 10")
    ("en", re.compile(r"(?<![#\d.:a-z])(\d{1,2})(?:[.:](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|o'?clock)(?![a-z])|"
                      r"(?<![a-z])at (\d{1,2})(?![\d:.h])(?!\s*(?:min|hour|hr|h\b|minutes|hours|%|[ap]\.?m|o'?clock))")),
    # 10h, 10h30, 10 h 30 (a duration "dans 2h" is not: see _DURATION)
    ("fr", re.compile(r"(?<![#\d.:])(\d{1,2})\s*h\s*(\d{2})?(?![\d])(?![a-z])|(?<![#\d.:])(\d{1,2})\s*heures?(?:\s*(\d{2}))?(?![a-z])")),
    # 10 โมง(เช้า), บ่าย 3 (โมง), 2 ทุ่ม, ตี 5, เที่ยง
    ("th", re.compile(r"บ่าย\s*(\d{1,2})\s*(?:โมง)?(?:\s*ครึ่ง)?|(\d{1,2})\s*โมง(?:เช้า|เย็น)?(\s*ครึ่ง)?|"
                      r"(\d{1,2})\s*ทุ่ม(\s*ครึ่ง)?|ตี\s*(\d{1,2})(\s*ครึ่ง)?|เที่ยง(?:วัน|ตรง)?")),
]
# A number of hours from now is an ETA, not a clock time: "dans 2h", "in 3 hours", "2h后", "อีก 2 ชั่วโมง".
_DURATION = re.compile(r"(?:(?<![a-z])(?:dans|d'ici|in|within)|อีก)\s*$")
# French and "at N" need a day word or a part of the day near them, else "10h" may be a duration.
_NEEDS_DAY = {"fr", "en_at"}


def _time(text: str) -> tuple[int, int, str, Span] | None:
    """The first clock time in `text`: (hour, minute, which rule, span); hour as written (12 h or 24 h)."""
    best: tuple[int, int, str, Span] | None = None
    for kind, rx in _TIME_RES:
        for m in rx.finditer(text):
            hit = _read(kind, m, text)
            if hit is None or _DURATION.search(text[:m.start()]):
                continue
            if best is None or m.start() < best[3][0]:
                best = (*hit, m.span())
            break
    return best


_CONTEXT_BEFORE = re.compile(r"(?:上午|下午|凌晨|中午|晚上|早上|夜里|今天|明天|后天|今晚|明早|明晚|[到至])\s*$")


def _read(kind: str, m: re.Match[str], text: str) -> tuple[int, int, str] | None:
    g = m.groups()
    if kind == "hm":
        if g[0] is not None:
            h, mi = int(g[0]), int(g[1])
            ampm = (g[2] or "").replace(".", "")
            if ampm == "pm" and h < 12:
                h += 12
            elif ampm == "am" and h == 12:
                h = 0
            return (h, mi, "hm24" if ampm else "hm") if mi < 60 else None
        return int(g[3]), int(g[4]), "hm24"
    if kind == "zh":
        if g[0] == "一" and not (g[1] or g[2] or g[3] or g[4] or "钟" in m.group()) and not _CONTEXT_BEFORE.search(text[:m.start()]):
            return None   # "调高一点", "一点风都没有": "a bit", not one o'clock
        h = _small(g[0])
        mi = 30 if g[1] else 15 if g[2] else 45 if g[3] else (_small(g[4]) if g[4] else 0)
        return (h, mi, "zh") if h is not None and mi is not None and mi < 60 else None
    if kind == "en":
        if g[0] is not None:
            h, mi, ampm = int(g[0]), int(g[1] or 0), g[2].replace(".", "")
            if ampm == "pm" and h < 12:
                h += 12
            elif ampm == "am" and h == 12:
                h = 0
            return h, mi, "en" if ampm.startswith("o") else "hm24"
        return int(g[3]), 0, "en_at"
    if kind == "fr":
        h = int(g[0] if g[0] is not None else g[2])
        mi = int((g[1] if g[0] is not None else g[3]) or 0)
        return h, mi, "fr"
    if kind == "th":
        if g[0] is not None:                 # บ่าย 3 = 15:00
            return int(g[0]) + 12, 0, "hm24"
        if g[1] is not None:                 # 10 โมง(เช้า), 4 โมงเย็น = 16:00
            h = int(g[1])
            if "เย็น" in m.group() and h < 12:
                h += 12
            return h, 30 if g[2] else 0, "th"
        if g[3] is not None:                 # 2 ทุ่ม = 20:00
            return int(g[3]) + 18, 30 if g[4] else 0, "hm24"
        if g[5] is not None:                 # ตี 5 = 05:00
            return int(g[5]), 30 if g[6] else 0, "hm24"
        return 12, 0, "hm24"                 # เที่ยง
    return None


def find_clock_time(text: str) -> tuple[dict[str, Any], Span] | None:
    """The visit time in a message as the `slot` entity ({"day": 1, "hour": 10, "minute": 0}), or None."""
    found = _time(text)
    if found is None:
        return None
    hour, minute, kind, span = found
    value: dict[str, Any] = {}
    start, end = span
    # The day word nearest the time: "今天去不了 改明天10点" is tomorrow.
    days = [(m, n) for rx, n in _DAY_RES for m in rx.finditer(text)]
    if days:
        # before the time, nearest first; the longer word wins a tie ("après-demain" over "demain")
        m, n = min(days, key=lambda d: (span[0] - d[0].end() if d[0].end() <= span[0] else 1000 + d[0].start(),
                                        -(d[0].end() - d[0].start())))
        value["day"] = n
        start, end = min(start, m.start()), max(end, m.end())
    else:
        w = _WEEKDAY.search(text)
        if w:
            token = next(x for x in w.groups() if x)
            value["weekday"] = _WEEKDAY_N[token]
            start, end = min(start, w.start()), max(end, w.end())
    pm = _PM_WORDS.search(text)
    if kind in _NEEDS_DAY and not value and not pm:
        return None
    if kind in ("hm", "zh", "fr", "en", "en_at", "th") and hour < 12:
        if pm or (_NOON.search(text) and hour <= 2):
            hour += 12
        elif kind in ("zh", "en_at") and 1 <= hour <= 6 and not _AM_WORDS.search(text):
            hour += 12   # "大概三点" on a working day is 15:00; "凌晨3点" says otherwise
    if hour == 24 and minute == 0:
        hour = 0
        value["day"] = value.get("day", 0) + 1
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    value["hour"], value["minute"] = hour, minute
    return value, (start, end)


def resolve(value: dict[str, Any], now_local: datetime) -> datetime:
    """The slot as a datetime on the same (local, naive or aware) clock as `now_local`: today, the
    day offset, or the next such weekday (today's when that time is still ahead)."""
    day = now_local.date()
    if "weekday" in value:
        ahead = (int(value["weekday"]) - day.weekday()) % 7
        day += timedelta(days=ahead)
        if ahead == 0 and (int(value["hour"]), int(value["minute"])) <= (now_local.hour, now_local.minute):
            day += timedelta(days=7)
    else:
        day += timedelta(days=int(value.get("day", 0)))
    return now_local.replace(year=day.year, month=day.month, day=day.day, hour=int(value["hour"]),
                             minute=int(value["minute"]), second=0, microsecond=0)
