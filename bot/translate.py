"""Machine translation of free text (a store's problem description, in Thai, read by an engineer
in Chinese) through deep-translator. It runs in the outbox worker, never on the callback path:
a slow or failing provider delays nothing a user is waiting for, and a failure sends the
original text rather than nothing."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from storage.cache import Cache

log = logging.getLogger("wecom_desk.translate")
# Our language codes → Google Translate's.
CODES = {"zh": "zh-CN", "zh-Hant": "zh-TW", "en": "en", "fr": "fr", "th": "th"}
CACHE_TTL_S = 7 * 24 * 3600


class Translator:
    def __init__(self, provider: str, base_url: str, cache: Cache, timeout_s: float = 3.0) -> None:
        self.provider, self.base_url, self.cache, self.timeout_s = provider, base_url, cache, timeout_s
        # deep-translator is synchronous (requests, no timeout): its calls get their own small
        # pool so that a hanging provider cannot starve anything else.
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="translate")

    @property
    def enabled(self) -> bool:
        return self.provider != "off"

    def _translate_sync(self, text: str, source: str, target: str) -> str:
        from deep_translator import GoogleTranslator

        translator = GoogleTranslator(source=CODES.get(source, source), target=CODES.get(target, target))
        if self.base_url:
            translator._base_url = self.base_url  # a self-hosted mirror, or the sandbox's stand-in
        return translator.translate(text)

    async def translate(self, text: str, source: str, target: str) -> str | None:
        if not self.enabled or not text.strip() or source == target:
            return None
        key = "tr:" + hashlib.sha256(f"{source}>{target}:{text}".encode()).hexdigest()
        cached = await self.cache.get(key)
        if cached is not None:
            return cached
        loop = asyncio.get_running_loop()
        try:
            result = await asyncio.wait_for(loop.run_in_executor(self._pool, self._translate_sync, text, source, target),
                                            timeout=self.timeout_s)
        except Exception as e:  # any provider failure: the reader gets the original text
            log.warning("translation %s→%s failed: %s", source, target, type(e).__name__)
            return None
        if not result:
            return None
        await self.cache.set(key, result, ex=CACHE_TTL_S)
        return result

    async def apply(self, payload: dict[str, Any], original_label: str = "原文") -> dict[str, Any]:
        """Translate the fields an outbox payload marks in `_translate`, keeping the original
        under the translation; returns the payload without the marks."""
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
            translated = await self.translate(node[leaf], mark["source"], mark["target"])
            if translated:
                node[leaf] = f"{translated}\n{mark.get('label', original_label)}: {node[leaf]}"
        return out

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
