"""Which language a piece of free text is written in, from its script: Thai and Chinese are
certain; Latin script is French when it looks French (accents, function words), else English.
The evaluation's per-language figures and the desk's translations of people's words both ask."""

from __future__ import annotations

import re

_THAI = re.compile(r"[\u0E00-\u0E7F]")
_HAN = re.compile(r"[\u3400-\u9FFF\uF900-\uFAFF]")
_KANA_HANGUL = re.compile(r"[\u3040-\u30FF\uAC00-\uD7AF]")
_LATIN = re.compile(r"[A-Za-zÀ-ÿ]")
_FRENCH = re.compile(r"[àâçéèêëîïôûùüÿœ]|(?<![a-z])(?:le|la|les|un|une|des|du|de|au|je|est|pas|pour|avec|sur|dans|"
                     r"ne|il|nous|vous|qui|quoi|quand|merci|bonjour|svp)(?![a-z])", re.I)


def language_of(text: str, default: str | None = None) -> str:
    """`default` is the writer's own language, when known: it decides Traditional Chinese, and
    French or English for Latin script that shows neither clearly; text in no script is theirs."""
    if _THAI.search(text):
        return "th"
    if _HAN.search(text) and not _KANA_HANGUL.search(text):
        return "zh-Hant" if default == "zh-Hant" else "zh"
    if _LATIN.search(text):
        if default == "fr" or _FRENCH.search(text):
            return "fr"
        return "en"
    return default or "en"
