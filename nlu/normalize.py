"""Text normalisation that keeps a map back to the original string.

Every rule downstream runs on one canonical form (half-width, lower-case, Simplified Chinese,
Latin accents folded), so tables only need to list one spelling of each word. The offset map lets
entity spans point into the text the user actually typed, which Rasa-shaped output requires.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import opencc

_T2S = opencc.OpenCC("t2s")

# Punctuation NFKC leaves alone but that people use interchangeably with ASCII.
_PUNCT = str.maketrans({
    "。": ".", "、": ",", "～": "~", "“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"',
    "【": "[", "】": "]", "《": "<", "》": ">", "…": ".", "—": "-", "–": "-", "\ufe0f": " ",
    "\u200b": " ", "\u200d": " ",
})


@dataclass(frozen=True, slots=True)
class Normalized:
    text: str                 # canonical form, rules match on this
    original: str
    offsets: tuple[int, ...]  # offsets[i] = index in `original` of canonical char i (len+1 entries)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a canonical [start, end) back to the original text."""
        if end <= start:
            o = self.offsets[start]
            return o, o
        return self.offsets[start], self.offsets[end - 1] + 1


def _fold_char(ch: str) -> str:
    if "\u0e50" <= ch <= "\u0e59":
        return str(ord(ch) - 0x0E50)   # Thai digits ("งาน ๒๗๖๕๘", "ให้ ๕ คะแนน") are digits
    if "\u0e00" <= ch <= "\u0e7f":
        # NFKC splits Thai SARA AM into two code points; keep Thai as typed so the rule tables'
        # Thai words match literally.
        return ch
    out = unicodedata.normalize("NFKC", ch).translate(_PUNCT).lower()
    # Fold accents only on Latin letters: Thai vowels and tone marks are combining characters too,
    # and dropping them would destroy Thai words.
    if out and all(ord(c) < 0x250 for c in out) and not out.isascii():
        out = "".join(c for c in unicodedata.normalize("NFD", out) if not unicodedata.combining(c))
    return out


def to_simplified(text: str) -> str:
    """Traditional -> Simplified; phrase-level when lengths agree, else char by char."""
    conv = _T2S.convert(text)
    if len(conv) == len(text):
        return conv
    return "".join(c if len(c2 := _T2S.convert(c)) != 1 else c2 for c in text)


def normalize_term(term: str) -> str:
    """Canonical form of a lexicon entry (same pipeline as messages, no offsets)."""
    return re.sub(r"\s+", " ", to_simplified("".join(_fold_char(c) for c in term))).strip()


_SPELLED_DIGITS = re.compile(r"(?<![零〇一二两三四五六七八九十百千万])[零〇一二三四五六七八九]{4,}(?![十百千万])")
_DIGIT_OF = str.maketrans("零〇一二三四五六七八九", "00123456789")
_SPOKEN_AS = {"逗号": ", ", "句号": ". ", "问号": "? ", "叹号": "! ", "感叹号": "!  "}
_SPOKEN_MARK = re.compile(r"(?<=\s)(?:感叹号|逗号|句号|问号|叹号)(?=\s|$)")


def normalize(text: str, mention: re.Pattern[str] | None = None) -> Normalized:
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        for c in folded:
            chars.append(c)
            offsets.append(i)
    offsets.append(len(text))
    canon = to_simplified("".join(chars))
    # Voice-to-text spells a job number digit by digit ("二五六零八的单子"): four or more digit
    # characters in a row are that number (counts and amounts use 十/百/千, so they do not match).
    canon = _SPELLED_DIGITS.sub(lambda m: m.group().translate(_DIGIT_OF), canon)
    # Voice-to-text writes the punctuation it hears ("蒸饭柜 逗号 不出蒸汽了 句号"): the mark and a
    # space, same length.
    canon = _SPOKEN_MARK.sub(lambda m: _SPOKEN_AS[m.group()], canon)
    # Blank the bot's @-mention rather than deleting it, so offsets stay valid.
    if mention is not None:
        canon = mention.sub(lambda m: " " * (m.end() - m.start()), canon)
    return Normalized(canon, text, tuple(offsets))
