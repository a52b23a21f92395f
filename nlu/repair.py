"""Repairs made on the canonical text before anything reads it: Cantonese written forms and
one-character pinyin slips of the words the desk acts on.

Every repair keeps the length of what it replaces, so the offset map back to the typed text
stays exact, and every repair is recorded (the parse says what it read differently).

Pinyin slips: people type pinyin and pick the wrong candidate ("冰相" for 冰箱, "介单" for 接单,
"取效" for 取消, "洁算" for 结算). Any CJK word of two to four characters that the desk knows
(device words and place names from config, the action words below) is repaired when a stretch
of the message differs from it in exactly one character with the same or a near syllable
(z/zh, c/ch, s/sh, n/l, an/ang, en/eng, in/ing — the usual IME confusions). Two guards keep
everyday words intact: the stretch must not be a word of jieba's dictionary ("电气", "空气"),
and it must not cut through a word jieba finds in the message ("等管理员" is 等 + 管理员, so
"等管" is never read as 灯管).

Latin-script slips: a word of five letters or more that is neither a desk word nor an English or
French dictionary word (pyspellchecker's word lists, accents folded as the normaliser folds
them) is read as the one desk word it differs from by one letter or one swapped pair:
"elavator" is elevator, "frdige" fridge; "bridge" and "tower" are words and stay. Only
same-length slips, so offsets stay exact; two candidates (ambiguous) repair nothing.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

import jieba
from pypinyin import Style, pinyin

from .lexicon import first_char_guard

# Cantonese (and a few Shanghainese, Sichuanese, Hunanese and Shaanxi) written forms → the Mandarin the rules and
# the model know, same length each.
CANTONESE: dict[str, str] = {
    "咗未": "了没", "呢个": "这个", "呢度": "这里", "呢啲": "这些", "未呀": "没呀", "点样": "怎样", "整返": "修好", "搞掂": "搞定", "得唔得": "行不行",
    "系咪": "是不", "边度": "哪里", "几时": "何时", "而家": "现在", "唔该": "谢谢", "多谢": "谢谢",
    "搞成点": "怎么样", "入面": "里面", "出唔到嚟": "出不来了", "就嚟": "快要", "我哋": "我们", "你哋": "你们", "佢哋": "他们", "点解": "为何", "仲未": "还没", "唔使": "不用", "舖头": "店铺",
    "咗": "了", "嚟": "来", "唔": "不", "冇": "没", "俾": "给", "畀": "给", "啲": "些", "嘅": "的",
    "喺": "在", "佢": "他", "睇": "看", "乜": "啥", "嘢": "东", "攞": "拿", "揾": "找", "咩": "么",
    # Shanghainese (Wu) forms read the same way: "覅来了", "阿拉", "侬", "今朝"
    "覅": "别", "阿拉": "我们", "侬": "你", "今朝": "今天",
    # Sichuan and Chongqing: "莫得冷气"
    "莫得": "没有",
    # Hunan and Shaanxi: "冇得反应", "按么子都冇用", "莫来了"; "额们这儿的网又断咧", "嫑来咧"
    "冇得": "没有", "么子": "什么", "莫来": "别来", "额们": "我们", "嫑": "别", "咧": "了", "咯": "了",
    "寻日": "昨日", "琴日": "昨日", "听日": "明日", "㗎": "的", "喇": "了", "嘞": "了", "噉": "这", "咁": "这", "冚": "全", "啱": "对", "覆": "复",
}
_CANTONESE_RE = re.compile(first_char_guard(CANTONESE) + "(?:" + "|".join(sorted(map(re.escape, CANTONESE), key=len, reverse=True)) + ")")

# Action words people slip on; device and place words come from config.
ACTION_WORDS = ("接单", "抢单", "派单", "取消", "结算", "汇总", "完工", "修好", "维修", "报修", "出发",
                "到达", "配件", "评分", "分成", "工单", "师傅", "上门", "进度", "已经",
                # words of their own that are one sound away from another: 结单 is not 接单
                "结单", "关单")

# English and French action words people slip on; device and place words come from config.
LATIN_ACTION_WORDS = ("cancel", "cancelled", "arrived", "finished", "completed", "repair", "repaired",
                      "settlement", "summary", "engineer", "technician", "annuler", "termine", "arrive")
_LATIN = re.compile(r"^[a-z]{5,}$")
_LATIN_TOKEN = re.compile(r"(?<![a-z])[a-z]{5,}(?![a-z])")

_NEAR = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("ang", "an"), ("eng", "en"), ("ing", "in"))
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
_RARE = 50   # a stretch jieba knows less often than this is no everyday word
# In a two-character word the one character kept is all the evidence; a particle or an everyday
# adverb kept is none ("滴到成地都係" is not 帝都, Beijing's nickname).
_WEAK = frozenset("的了是在都地得着过也就还又有不没一个这那上下来去到和与给把被让很太再才")


@lru_cache(maxsize=8192)
def syllables(ch: str) -> frozenset[str]:
    """Every reading of a character, toneless, with the near confusions folded together."""
    out = set()
    for reading in pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")[0] if _CJK.match(ch) else ():
        s = reading
        for long, short in _NEAR:
            s = s.replace(long, short)
        if s.startswith("l"):
            s = "n" + s[1:]
        out.add(s)
    return frozenset(out)


def near_misses(words: frozenset[str]) -> frozenset[str]:
    """Every same-length form of `words` with one letter changed or one pair swapped."""
    out: set[str] = set()
    for w in words:
        for i in range(len(w)):
            for c in "abcdefghijklmnopqrstuvwxyz":
                out.add(w[:i] + c + w[i + 1:])
            if i + 1 < len(w):
                out.add(w[:i] + w[i + 1] + w[i] + w[i + 2:])
    return frozenset(out - words)


@lru_cache(maxsize=4)   # parsers built from one config share one reading
def real_words_among(candidates: frozenset[str]) -> frozenset[str]:
    """Which of `candidates` are English or French words (pyspellchecker's word lists, French
    accents folded as the canonical text folds them). Only those few are kept, not the lists:
    reading them costs about half a second, once."""
    import gzip
    import json
    from importlib.resources import files

    def fold(w: str) -> str:
        return unicodedata.normalize("NFKD", w).encode("ascii", "ignore").decode()

    kept: set[str] = set()
    for lang in ("en", "fr"):
        with gzip.open(files("spellchecker").joinpath("resources", f"{lang}.json.gz").open("rb"), "rt",
                       encoding="utf-8") as f:
            kept.update(w for w in map(fold, json.load(f)) if w in candidates)
    return frozenset(kept)


def common_word(w: str) -> bool:
    """An everyday word by jieba's counts (a slip is never read across one)."""
    jieba.setLogLevel(60)
    jieba.initialize()
    return jieba.dt.FREQ.get(w, 0) >= _RARE


@dataclass(frozen=True, slots=True)
class Repair:
    start: int
    end: int
    typed: str
    read_as: str

    def to_dict(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "typed": self.typed, "read_as": self.read_as}


class Repairer:
    def __init__(self, words: Iterable[str], keep: re.Pattern[str] | None = None) -> None:
        """`keep`: what is never repaired into a word — the lexicon's people ("张伟修过" is 张伟 +
        修过, not 维修)."""
        known = {w for w in words if 2 <= len(w) <= 4 and _CJK.match(w)}
        self.known = frozenset(known)
        self._keep = keep
        # (length, position of the slipped character, the other characters) → candidate words
        self._by_shape: dict[tuple[int, int, str], list[str]] = {}
        for w in sorted(known):
            for i in range(len(w)):
                self._by_shape.setdefault((len(w), i, w[:i] + w[i + 1:]), []).append(w)
        self._lengths = sorted({len(w) for w in known}, reverse=True)
        latin = sorted({w for w in [*words, *LATIN_ACTION_WORDS] if _LATIN.match(w)})
        self.latin_known = frozenset(latin)
        # Near misses that are real words ("bridge" beside fridge) are left alone; which ones
        # they are is read in the background at start (warm()), or on first need.
        self._real: frozenset[str] | None = None
        self._real_lock = threading.Lock()
        # one letter changed: (length, position, the other letters) → words; a swapped pair → words
        self._latin_shape: dict[tuple[int, int, str], set[str]] = {}
        self._latin_swap: dict[str, set[str]] = {}
        for w in latin:
            for i in range(len(w)):
                self._latin_shape.setdefault((len(w), i, w[:i] + w[i + 1:]), set()).add(w)
                if i + 1 < len(w) and w[i] != w[i + 1]:
                    self._latin_swap.setdefault(w[:i] + w[i + 1] + w[i] + w[i + 2:], set()).add(w)
        jieba.setLogLevel(60)
        jieba.initialize()
        self._freq = jieba.dt.FREQ

    def cantonese(self, text: str) -> tuple[str, list[Repair]]:
        repairs: list[Repair] = []

        def sub(m: re.Match[str]) -> str:
            repairs.append(Repair(m.start(), m.end(), m.group(), CANTONESE[m.group()]))
            return CANTONESE[m.group()]
        return _CANTONESE_RE.sub(sub, text), repairs

    def _boundaries(self, text: str) -> set[int]:
        cuts, pos = {0}, 0
        for tok in jieba.cut(text, HMM=False):
            pos += len(tok)
            cuts.add(pos)
        return cuts

    def pinyin(self, text: str) -> tuple[str, list[Repair]]:
        if not self.known or not re.search(r"[\u4e00-\u9fff]{2}", text):
            return text, []
        chars = list(text)
        repairs: list[Repair] = []
        cuts: set[int] | None = None
        taken = [False] * len(text)
        if self._keep is not None:
            for m in self._keep.finditer(text):
                taken[m.start():m.end()] = [True] * (m.end() - m.start())
        for n in self._lengths:
            for start in range(len(text) - n + 1):
                window = text[start:start + n]
                if window in self.known or not _CJK.match(window) or any(taken[start:start + n]):
                    continue
                for i in range(n):
                    kept = window[:i] + window[i + 1:]
                    cands = self._by_shape.get((n, i, kept))
                    if not cands or (n == 2 and kept in _WEAK):
                        continue
                    hit = next((w for w in cands if syllables(w[i]) & syllables(window[i])), None)
                    if hit is None or self._freq.get(window, 0) >= _RARE:
                        continue
                    if cuts is None:
                        cuts = self._boundaries(text)
                    if start not in cuts or start + n not in cuts:
                        continue
                    chars[start:start + n] = list(hit)
                    for k in range(start, start + n):
                        taken[k] = True
                    repairs.append(Repair(start, start + n, window, hit))
                    break
        return "".join(chars), repairs

    def warm(self) -> None:
        threading.Thread(target=self._real_words, name="nlu-dictionary", daemon=True).start()

    def _real_words(self) -> frozenset[str]:
        with self._real_lock:
            if self._real is None:
                self._real = real_words_among(near_misses(self.latin_known))
            return self._real

    def latin(self, text: str) -> tuple[str, list[Repair]]:
        if not self.latin_known or not _LATIN_TOKEN.search(text):
            return text, []
        repairs: list[Repair] = []
        out = text
        for m in _LATIN_TOKEN.finditer(text):
            tok = m.group()
            if tok in self.latin_known:
                continue
            cands = set(self._latin_swap.get(tok, ()))
            for i in range(len(tok)):
                cands |= self._latin_shape.get((len(tok), i, tok[:i] + tok[i + 1:]), set())
            # The dictionary only for a near miss of a desk word: most messages never need it.
            if len(cands) == 1 and tok not in self._real_words():
                hit = cands.pop()
                out = out[:m.start()] + hit + out[m.end():]
                repairs.append(Repair(m.start(), m.end(), tok, hit))
        return out, repairs

    def __call__(self, text: str) -> tuple[str, list[Repair]]:
        text, yue = self.cantonese(text)
        text, slips = self.pinyin(text)
        text, typos = self.latin(text)
        return text, yue + slips + typos

