"""Numbers as people type them: 2.5, 1,800, 两, 仨, 十五, 一百八, 二点五, 廿五, 一个半."""

from __future__ import annotations

import re

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "仨": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}

# Regex fragment for one number token (Arabic or Chinese); callers wrap it in a group.
# Thousands are grouped with commas ("1,800 บาท"); a comma before two digits (cents: "62,50 €") or
# before one and an hour ("1,5 h") is a decimal comma; before other digits it is a list or a clause
# ("配件80,2小时").
NUM = r"(?:\d{1,3}(?:,\d{3})+(?![\d.])|(?<![\d,])\d{1,4},(?:\d{2}(?![\d,\u4e00-\u9fffa-z])|\d(?=\s*(?:h|heures?)(?![a-z])))|\d+(?:\.\d+)?|[零〇一二两俩三仨四五六七八九十百千万廿卅]+(?:点[零〇一二三四五六七八九]+)?)"
# Cantonese and written tens: 廿 = 二十, 卅 = 三十.
_TENS = str.maketrans({"廿": "二十", "卅": "三十"})


def _cn_int(s: str) -> int | None:
    if not s:
        return None
    if all(c in _DIGITS for c in s) and len(s) > 1:  # digit-by-digit: 一零二四
        return int("".join(str(_DIGITS[c]) for c in s))
    total, section, digit = 0, 0, None
    last_unit = 1
    for c in s:
        if c in _DIGITS:
            digit = _DIGITS[c]
        elif c in _UNITS:
            unit = _UNITS[c]
            if unit == 10000:
                total = (total + section + (digit or 0)) * unit
                section, digit = 0, None
            else:
                section += (1 if digit is None else digit) * unit
                digit = None
            last_unit = unit
        else:
            return None
    if digit is not None:
        # 一百八 = 180: a trailing digit after a unit is one order below it.
        section += digit * (last_unit // 10 if last_unit >= 100 and s[-2] in _UNITS else 1)
    return total + section


def to_number(token: str) -> int | float | None:
    """Parse one NUM token; int when whole."""
    token = token.strip().translate(_TENS)
    if not token:
        return None
    if re.fullmatch(r"\d+,\d{1,2}", token):   # NUM took it as a decimal comma
        token = token.replace(",", ".")   # a decimal comma: "62,50 €", "1,5 h"
    elif "," in token:
        token = token.replace(",", "")
    try:
        v = float(token)
    except ValueError:
        if "点" in token:
            head, _, tail = token.partition("点")
            h = _cn_int(head) if head else 0
            if h is None or not tail or any(c not in _DIGITS for c in tail):
                return None
            v = float(f"{h}.{''.join(str(_DIGITS[c]) for c in tail)}")
        else:
            n = _cn_int(token)
            if n is None:
                return None
            v = float(n)
    return as_number(v)


def as_number(v: float) -> int | float:
    return int(v) if float(v).is_integer() else round(v, 4)
