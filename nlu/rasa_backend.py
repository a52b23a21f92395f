"""Optional Rasa backend: ask a Rasa server, fall back to the embedded parser on any trouble.

The chat reply has a deadline (server.reply_deadline_ms), so Rasa gets a short timeout and
every failure — connection refused, HTTP error, bad JSON, timeout — degrades to the embedded
rules instead of surfacing to the user.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

import aiohttp

from . import entities as E
from .intents import INTENTS
from .remote import RemoteBackend
from .parse import Parse, Parser

log = logging.getLogger(__name__)

_INT_KEYS = {"ticket", "rating", "eta"}
_NUM_KEYS = {"labor_hours", "parts_amount"}


def _coerce(key: str, value: Any) -> Any:
    if key in _INT_KEYS | _NUM_KEYS:
        try:
            f = float(value)
        except (TypeError, ValueError):
            return value
        if key in _INT_KEYS or f.is_integer():
            return int(f)
        return f
    return value


class RasaParser(RemoteBackend):
    def __init__(self, rasa_url: str, *, fallback: Parser, timeout_ms: int | None = None,
                 timeout_s: float | None = None, session: aiohttp.ClientSession | None = None) -> None:
        """Timeout: `timeout_s` seconds, else `timeout_ms` milliseconds (config nlu.timeout_ms), else 0.8 s."""
        self.url = rasa_url.rstrip("/") + "/model/parse"
        self.fallback = fallback
        seconds = timeout_s if timeout_s is not None else (timeout_ms if timeout_ms is not None else 800) / 1000
        self.timeout = aiohttp.ClientTimeout(total=seconds)
        self._use_session(session)

    @classmethod
    def from_config(cls, cfg: Any, fallback: Parser | None = None) -> "RasaParser":
        from .lexicon import Lexicon

        fb = fallback or Parser(Lexicon.from_config(cfg))
        return cls(cfg.nlu.rasa_url, fallback=fb, timeout_ms=cfg.nlu.timeout_ms)

    async def parse(self, text: str, now: datetime | None = None) -> Parse:
        command = self.fallback.command(text)   # a manager's command is read by rule, never asked
        if command is not None:
            return command
        try:
            async with self._get_session().post(self.url, json={"text": text}, timeout=self.timeout) as resp:
                resp.raise_for_status()
                data = await resp.json(content_type=None)
            return self.from_rasa(text, data)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, TypeError, KeyError, AttributeError) as e:
            log.warning("rasa parse failed (%s: %s); using the embedded parser", type(e).__name__, e)
            return self.fallback.parse(text, now=now)

    def from_rasa(self, text: str, data: dict[str, Any]) -> Parse:
        intent_obj = data.get("intent") or {}
        name = intent_obj.get("name") or "unknown"
        confidence = float(intent_obj.get("confidence") or 0.0)
        if name not in INTENTS:
            name = "unknown"
        entities: dict[str, Any] = {}
        spans: dict[str, tuple[int, int]] = {}
        for ent in data.get("entities") or []:
            key = ent.get("entity")
            if not key or key in entities:
                continue  # first mention wins, as in the embedded parser
            entities[key] = _coerce(key, ent.get("value"))
            if isinstance(ent.get("start"), int) and isinstance(ent.get("end"), int):
                spans[key] = (ent["start"], ent["end"])
        if name == "create_ticket" and "urgency" not in entities:
            # The contract says urgency is always there for a report; derive it locally.
            norm = self.fallback.normalize(text)
            entities["urgency"] = E.find_urgency(norm.text)[0]
        ranking = []
        for r in data.get("intent_ranking") or []:
            n = r.get("name")
            if n in INTENTS:
                ranking.append((n, float(r.get("confidence") or 0.0)))
        if not ranking:
            ranking = [(name, confidence)]
        return Parse(text=text, intent=name, confidence=confidence, entities=entities,
                     intent_ranking=ranking, spans=spans)
