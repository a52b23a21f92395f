"""Cut text to WeCom's length limits where a reader expects a break.

A plain slice can split a character as the reader sees it (a Thai consonant from its vowel or
tone mark, an emoji from its skin tone or ZWJ partner, a flag in half) or a word in two. Thai
writes no spaces between words, so a slice there almost always lands inside a word; only a
dictionary segmenter (pythainlp's newmm) knows where Thai words end.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, partial

import regex

_GRAPHEME = regex.compile(r"\X")
# The apostrophe belongs to the word: "l'…" or "don'…" reads as a broken word.
_WORD = regex.compile(r"[\w'’]")
# Scripts whose readers accept a break between any two characters.
_ANYWHERE = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Bopomofo}]")
_THAI = regex.compile(r"\p{Thai}")

_SIZES: dict[str, Callable[[str], int]] = {"chars": len, "bytes": lambda s: len(s.encode("utf-8"))}

# \X decides a cluster's end from the code point after it, so the window reaches a little past
# the last code point that could fit.
_MARGIN = 8
# newmm needs the whole word the cut falls in to know the cut is inside it; Thai words longer
# than this are rare compounds.
_THAI_AHEAD = 32
# Tokenising from the start of a very long Thai run would cost time for boundaries far before
# the cut that no cut can use.
_THAI_BEHIND = 256

# How far a cut may move back: 0 only between words; 1 also inside a Latin-script word (one
# very long word or URL); 2 also inside a Thai word, between Thai character clusters.
_WORDS, _LATIN_INSIDE, _THAI_INSIDE = 0, 1, 2


def cut(text: str, limit: int, *, unit: str = "chars", ellipsis: str = "…") -> str:
    """`text` if it fits in `limit`, else its longest prefix that ends between words (between
    characters in CJK) and, with `ellipsis` appended, fits. `unit` is what WeCom counts:
    "chars" (code points: template-card fields) or "bytes" (UTF-8: 微信客服 text)."""
    if unit not in _SIZES:
        raise ValueError(f"unknown unit {unit!r}")
    size = _SIZES[unit]
    if size(text) <= limit:
        return text
    room = limit - size(ellipsis)
    if room < 0:
        return ""
    ends = _grapheme_ends(text, room, size)
    thai = _ThaiWords(text)
    at = _last_break(text, ends, _WORDS, thai)
    # Backing up to a space is right for a normal word, wrong for a URL or an identifier
    # that would leave the field nearly empty.
    if size(text[at:ends[-1]]) > limit / 3:
        at = _last_break(text, ends, _LATIN_INSIDE, thai)
    # Not even one Thai word fits: a field of only "…" tells the reader nothing, and a cut
    # between character clusters still never strands a vowel or a tone mark.
    if at == 0:
        at = _last_break(text, ends, _THAI_INSIDE, thai)
    return text[:at].rstrip() + ellipsis


def _grapheme_ends(text: str, room: int, size: Callable[[str], int]) -> list[int]:
    """0 and the end of every grapheme cluster of the longest prefix that fits in `room`."""
    # Every code point counts at least 1 in either unit, so no fitting prefix is longer.
    window = text[:room + _MARGIN]
    ends, used = [0], 0
    for m in _GRAPHEME.finditer(window):
        if m.end() == len(window) < len(text):
            break   # the window may have cut this cluster short
        used += size(m.group())
        if used > room:
            break
        ends.append(m.end())
    return ends


def _last_break(text: str, ends: list[int], level: int, thai: _ThaiWords) -> int:
    for i in range(len(ends) - 1, 0, -1):
        if _breaks(text, ends[i - 1], ends[i], level, thai):
            return ends[i]
    return 0


def _breaks(text: str, start: int, at: int, level: int, thai: _ThaiWords) -> bool:
    """Whether a reader accepts a break at `at`, between the cluster from `start` and the next."""
    # Cluster bases: a trailing mark, skin tone or variation selector says nothing of the word.
    left, right = text[start], text[at]
    if not (_WORD.match(left) and _WORD.match(right)):
        return True
    if _ANYWHERE.match(left) or _ANYWHERE.match(right):
        return True
    left_thai, right_thai = bool(_THAI.match(left)), bool(_THAI.match(right))
    if left_thai and right_thai:
        return thai.boundary(at) or (level >= _THAI_INSIDE and thai.cluster_boundary(at))
    if left_thai or right_thai:
        return True   # the script changes: "ห้อง12", "WiFiเสีย"
    return level >= _LATIN_INSIDE


class _ThaiWords:
    """Word boundaries of the Thai run a cut falls in, tokenised once, only if a cut falls there."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.span = (0, 0)
        self.words: set[int] = set()
        self.clusters: set[int] | None = None

    def boundary(self, at: int) -> bool:
        self._cover(at)
        return at in self.words

    def cluster_boundary(self, at: int) -> bool:
        self._cover(at)
        if self.clusters is None:
            start, end = self.span
            self.clusters = _offsets(_tokenisers()[1](self.text[start:end]), self.span, self.text)
        return at in self.clusters

    def _cover(self, at: int) -> None:
        start, end = self.span
        if start < at < end:
            return
        text = self.text
        start = at
        while start > 0 and at - start < _THAI_BEHIND and _THAI.match(text[start - 1]):
            start -= 1
        end = at
        while end < len(text) and end - at < _THAI_AHEAD and _THAI.match(text[end]):
            end += 1
        self.span, self.clusters = (start, end), None
        self.words = _offsets(_tokenisers()[0](text[start:end]), self.span, text)


def _offsets(pieces: list[str], span: tuple[int, int], text: str) -> set[int]:
    """Where `pieces` of text[span] end, less the span's edges where the span cut a run short
    (the tokeniser saw only part of a word there)."""
    if "".join(pieces) != text[span[0]:span[1]]:
        return set()   # a tokeniser that rewrote its input gives no trustworthy offsets
    out, at = set(), span[0]
    for piece in pieces:
        at += len(piece)
        out.add(at)
    out.discard(span[0])
    if span[1] < len(text) and _THAI.match(text[span[1]]):
        out.discard(span[1])
    return out


_Tokeniser = Callable[[str], list[str]]


def warm() -> None:
    """Load the Thai tokenisers now (in a thread, at start), so that the first Thai card of the
    day does not hold the event loop for half a second within a callback's reply deadline."""
    _tokenisers()


@cache
def _tokenisers() -> tuple[_Tokeniser, _Tokeniser]:
    """Thai words (newmm) and Thai character clusters (TCC)."""
    # Imported on the first Thai cut, not with this module: importing pythainlp takes ~45 ms
    # and its first newmm call ~0.35 s more (it loads its dictionary), which a process that
    # never cuts Thai should not pay. @cache keeps both for every later cut.
    from pythainlp.tokenize import word_tokenize
    from pythainlp.tokenize.tcc import segment

    return partial(word_tokenize, engine="newmm", keep_whitespace=True), segment
