"""Machine translation of free text (a store's problem, an engineer's delay reason, a manager's
remark, a rating comment) for readers of another language, through deep-translator
(`bot/translators.py` holds the providers).

It runs in the outbox worker, never on the callback path: a slow or failing provider delays
nothing a user is waiting for. A failure of any kind (down, slow, an unsupported pair, a protected
term lost on the way) delivers the original with a one-line note in the reader's language, so the
reader always gets the words and knows they are not translated.

Terms a provider must not touch (ticket numbers, amounts, part and model codes, store names and
the configured glossary) are swapped for opaque tokens before the call and put back after it."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Iterable

from bot import translators
from handlers.config import TranslationConfig
from storage.cache import Cache

log = logging.getLogger("wecom_desk.translate")
CACHE_TTL_S = 7 * 24 * 3600

# Kept as written without being listed: "#1024", amounts ("¥1,650.21", "80 THB", "€30"), codes
# mixing letters and digits ("KFR-35GW", "CP2201", "R410A").
_AUTO_TERMS = re.compile(
    r"#\d+"
    r"|(?:[¥$€£฿]|(?:CNY|RMB|USD|EUR|THB|HKD|SGD)\s?)\d[\d,]*(?:\.\d+)?"
    r"|\d[\d,]*(?:\.\d+)?\s?(?:CNY|RMB|USD|EUR|THB|HKD|SGD|元|块|บาท)"
    # Lookarounds, not \b: in "换压缩机CP2201" the Han character is a word character too.
    r"|(?<![A-Za-z0-9])(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*(?![A-Za-z0-9])")
# An opaque token providers keep as they keep a model number; read back leniently, since a
# provider may add spaces inside it or change its case.
_TOKEN = "ZQ{}X"
_TOKEN_BACK = re.compile(r"Z\s*Q\s*(\d+)\s*X", re.I)


class TermLost(Exception):
    """A protected term did not come back from the provider: its output cannot be trusted."""


@dataclass(frozen=True)
class Masked:
    text: str
    terms: tuple[str, ...]

    def restore(self, translated: str) -> str:
        seen: set[int] = set()

        def back(m: re.Match[str]) -> str:
            i = int(m.group(1))
            if i >= len(self.terms):
                raise TermLost(m.group(0))
            seen.add(i)
            return self.terms[i]

        out = _TOKEN_BACK.sub(back, translated)
        if len(seen) != len(self.terms):
            raise TermLost(f"{len(self.terms) - len(seen)} of {len(self.terms)} terms")
        return out


def mask(text: str, glossary: Iterable[str]) -> Masked:
    """Swap every protected term for a token; the longest glossary term wins where terms overlap."""
    listed = sorted({g for g in glossary if g and g.strip()}, key=len, reverse=True)
    pattern = re.compile("|".join([*(re.escape(g) for g in listed), _AUTO_TERMS.pattern]))
    terms: list[str] = []

    def swap(m: re.Match[str]) -> str:
        terms.append(m.group(0))
        return _TOKEN.format(len(terms) - 1)

    return Masked(pattern.sub(swap, text), tuple(terms))


class Translator:
    def __init__(self, tcfg: TranslationConfig, base_url: str, cache: Cache, glossary: Iterable[str] = ()) -> None:
        self.tcfg, self.base_url, self.cache = tcfg, base_url, cache
        self.glossary = tuple(glossary)
        # deep-translator is synchronous (requests): its calls get their own small pool so that a
        # hanging provider cannot starve anything else; wait_for bounds what a caller waits.
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="translate")

    @property
    def enabled(self) -> bool:
        return self.tcfg.provider != "off"

    def _key(self, text: str, source: str, target: str) -> str:
        return "tr:" + hashlib.sha256(f"{self.tcfg.provider}:{source}>{target}:{text}".encode()).hexdigest()

    async def translate(self, text: str, source: str, target: str) -> str | None:
        """The translation, or None when there is none to give (off, same language, any failure)."""
        if not self.enabled or not text.strip() or source == target:
            return None
        key = self._key(text, source, target)
        cached = await self.cache.get(key)
        if cached is not None:
            return cached
        masked = mask(text, self.glossary)
        loop = asyncio.get_running_loop()
        try:
            raw = await asyncio.wait_for(
                loop.run_in_executor(self._pool, translators.translate_sync, self.tcfg, self.base_url,
                                     masked.text, source, target),
                timeout=self.tcfg.timeout_s)
            if not isinstance(raw, str) or not raw.strip():
                return None
            result = masked.restore(raw)
        except Exception as e:  # any provider failure: the reader gets the original with a note
            log.warning("translation %s %s→%s failed: %s", self.tcfg.provider, source, target, type(e).__name__)
            return None
        await self.cache.set(key, result, ex=CACHE_TTL_S)
        return result

    async def apply(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Translate what an outbox payload marks in `_translate` and return it without the marks.

        A mark names a string in the payload (`path`) and, optionally, the free text inside it
        (`text`; default: the whole string). The text becomes "translation\\nlabel: original";
        without a translation it stays as written, followed by the mark's `note`."""
        marks = payload.get("_translate")
        if not marks:
            return payload
        out = {k: v for k, v in payload.items() if k != "_translate"}
        for mark in marks:
            *parents, leaf = mark["path"]
            node: Any = out
            for p in parents:
                node = node.get(p) if isinstance(node, dict) else None
            if not isinstance(node, dict) or not isinstance(node.get(leaf), str):
                continue
            whole = node[leaf]
            span = mark.get("text") or whole
            if span not in whole:
                continue
            translated = await self.translate(span, mark["source"], mark["target"])
            if translated:
                shown = f"{translated}\n{mark.get('label', 'Original')}: {span}"
            elif self.enabled and mark.get("note"):
                shown = f"{span}\n{mark['note']}"
            else:
                shown = span
            node[leaf] = whole.replace(span, shown, 1)
        return out

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
