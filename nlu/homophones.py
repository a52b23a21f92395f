"""IME homophone slips in device names: 空掉/空调, 冰相/冰箱, 电体/电梯, 收银鸡/收银机.

Store staff type pinyin and pick the wrong candidate of the same syllable. Rather than listing
misspellings per device (they are open-ended), each Chinese character that occurs in device words
gets the characters people actually pick instead of it, and every configured CJK synonym is
widened to accept ONE such slip. The table is language knowledge, not lexicon: a new synonym in
config.yaml gets its homophone forms for free.

Kept deliberately narrow: only the slip candidates seen in chat (same syllable, common
characters), never function words (几, 的, 是) nor slips that make everyday bigrams (网->往 gives
"上往" inside "马上往店里赶"; 漏->露, 碗->完, 灯->等, 禁->进 likewise), and a few variants that are themselves real words
(电气 is "electrical", not a misspelt 电器) are refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# character -> characters typed in its place (same pinyin syllable, tone may differ).
_SLIPS: dict[str, str] = {
    "调": "掉吊", "箱": "相香想厢", "梯": "体题提替", "机": "鸡基", "器": "气汽", "控": "空孔",
    "空": "控孔", "桶": "捅筒统", "监": "间检坚", "柜": "贵跪", "冰": "兵", "炉": "卢芦", "灯": "登",
    "插": "差查", "座": "坐做", "锁": "所", "扶": "福服", "龙": "笼聋", "头": "投", "阀": "发",
    "烤": "靠", "微": "危威", "波": "玻拨", "洗": "喜系", "碗": "晚", "刷": "耍", "卡": "咔",
    "码": "马", "枪": "抢强墙", "由": "油游", "盘": "盆", "扇": "善", "摄": "设射", "像": "象向",
    "热": "惹", "风": "疯封", "库": "裤", "咖": "卡", "啡": "非飞", "银": "营音",
    "票": "飘", "秤": "称",
}
# Slips into function words (有, 又, 是) or very common characters (条 in 条件) would turn everyday
# two-character strings into devices; in a word of three or more characters the other characters
# anchor them ("路有器" is still a router).
_SLIPS_LONG: dict[str, str] = {"由": "有又", "器": "起", "机": "几", "视": "是", "线": "现", "调": "条"}

# Variants that are ordinary words meaning something else.
_REAL_WORDS = frozenset({"电气", "客体", "空气", "控调"})

_CJK = re.compile(r"^[\u4e00-\u9fff]+$")


def variants(term: str) -> Iterable[str]:
    """Every form of a CJK term with exactly one character slipped."""
    for i, ch in enumerate(term):
        alts = _SLIPS.get(ch, "") + (_SLIPS_LONG.get(ch, "") if len(term) >= 3 else "")
        for alt in alts:
            v = term[:i] + alt + term[i + 1:]
            if v not in _REAL_WORDS:
                yield v


def fuzzy_table(terms: Iterable[str]) -> dict[str, str]:
    """slipped form -> the configured term it stands for.

    Only terms of 2+ CJK characters: a one-character synonym (网, 灯) with a slip is just another
    word. A slipped form that is itself a configured term keeps its own meaning.
    """
    terms = list(terms)
    known = set(terms)
    out: dict[str, str] = {}
    for t in terms:
        if len(t) < 2 or not _CJK.match(t):
            continue
        for v in variants(t):
            if v not in known:
                out.setdefault(v, t)
    return out


def fuzzy_pattern(table: dict[str, str]) -> re.Pattern[str] | None:
    if not table:
        return None
    return re.compile("|".join(re.escape(v) for v in sorted(table, key=lambda s: (-len(s), s))))
