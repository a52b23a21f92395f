"""How long a message is, comparably across scripts.

Rules such as "a bare step word on a short line is a live report" ("到了", "je suis sur place",
"ถึงแล้ว") need one length that means the same in every language. Counting characters made every
French, English and Thai line "long": a CJK character carries about a word, a Latin word about
one and a half characters' worth, Thai (written without spaces, with combining vowels and tone
marks) about three code points per syllable.
"""

from __future__ import annotations

import re

_CJK_OR_DIGIT = re.compile(r"[\u4e00-\u9fff\d]")
_LATIN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
# Words that carry grammar, not content: "on site now, checking the compressor" says as much as
# "到现场 在检查". Polite particles close Thai lines without adding anything ("…แล้วครับ").
_STOP = frozenset("a an the to for on at in of now is am are i i'm we it and my our this that just "
                  "le la les l' de du des un une je suis au aux en pour et".split())
_THAI_PARTICLES = re.compile(r"ครับ|ค่ะ|คะ|นะ|จ้า")

SHORT = 8


def units(text: str) -> float:
    """Length in "CJK characters' worth" (text is canonical: lower-case, accents folded)."""
    words = [w for w in _LATIN_WORD.findall(text) if w not in _STOP]
    thai = len(_THAI.findall(_THAI_PARTICLES.sub("", text)))
    return len(_CJK_OR_DIGIT.findall(text)) + 1.5 * len(words) + thai / 3


def short_line(text: str) -> bool:
    return units(text) <= SHORT
