"""Optional LLM backend: ask an OpenAI-compatible chat-completions server for the intent.

The LLM decides the intent (and its confidence); the entities still come from the embedded
extractors run on the same text, for the LLM's intent. The reason: entity values are lookups in
the config's lexicon and exact number/period rules, where the rules are right and carry spans,
while an LLM invents ticket numbers and cannot know the structured values (periods, statuses)
the handlers expect. The LLM may still *fill in* four simple entities the rules missed, when the
value is valid:

* ``skill``   — a configured skill code;
* ``ticket``  — for intents about an existing job, and only a number written in the message;
* ``rating``  — for ``rate_service``, 1..5 ("非常满意" → 5 with no star written);
* ``urgency`` — for ``create_ticket``, only where the rules had no cue and defaulted to normal.

When the LLM reads a report with a confidence below the embedded parser's ``confirm_below``,
``Parse.confirm`` is set and the desk asks before it opens the ticket, as it does for the model.

The schema asks for just those four entity keys (nullable), not every key of ``Parse``: the
output tokens are most of an LLM's latency, and the other values would be thrown away.

Every failure — timeout (``timeout_s`` bounds the whole exchange), connection error, HTTP error,
bad JSON, an answer outside the schema, an unknown intent — logs one WARNING naming only the
kind of failure (never the API key, never the message) and returns the embedded parser's
result. Answers are cached (LRU, keyed by the normalised text), so a repeated message costs no
call; failures are not cached.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import math
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiohttp

from .intents import INTENTS
from .remote import RemoteBackend
from .parse import _BARE_TICKET_INTENTS, Parse, Parser

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 1.5
DEFAULT_CACHE_SIZE = 1024

# One line each, for the system prompt.
INTENT_MEANINGS: dict[str, str] = {
    "create_ticket": "reports a new fault or asks for a repair (something broken, leaking, not working, a hazard)",
    "query_status": "asks about an existing job: its status, when the engineer comes, why nobody came",
    "claim_job": "an engineer takes or accepts a job (接单, 抢单, claim)",
    "update_progress": "an engineer reports a step of a job: on the way, arrived, started, delayed, waiting for parts",
    "complete_job": "an engineer reports a job finished, often with labour hours and parts cost",
    "cancel_ticket": "asks to cancel a ticket or a repair request",
    "rate_service": "rates a finished service (stars, a score 1-5, satisfied or not)",
    "settlement_summary": "asks for a money or settlement summary of a period (this month, last week, Q3)",
    "help": "asks how to use the bot or how the repair process works, or what services cost",
    "unknown": "anything else: greetings, thanks, chat, forwarded notices, planned work; never a new report",
}

# Entity keys the LLM is asked for (see the module docstring).
LLM_ENTITY_KEYS = ("skill", "ticket", "urgency", "rating")

_MAX_TICKET = 99_999_999  # tickets are at most 8 digits (entities._TICKET_EXPLICIT)


class LlmError(Exception):
    """A failed LLM exchange; the message is the kind of failure and never includes the text."""


@dataclass(frozen=True)
class LlmAnswer:
    intent: str
    confidence: float
    entities: dict[str, Any] = field(default_factory=dict)


def response_schema(skill_codes: list[str]) -> dict[str, Any]:
    """The JSON schema sent as response_format (OpenAI "strict" subset: every key required,
    null for absent, no extra keys, no numeric bounds — ranges are checked on our side)."""
    skill: dict[str, Any] = ({"type": ["string", "null"], "enum": [*skill_codes, None]} if skill_codes
                             else {"type": "null"})
    return {
        "type": "object",
        "properties": {
            "intent": {"type": "string", "enum": list(INTENTS)},
            "confidence": {"type": "number", "description": "0 to 1"},
            "entities": {
                "type": "object",
                "properties": {
                    "skill": {**skill, "description": "equipment named, as a skill code"},
                    "ticket": {"type": ["integer", "null"], "description": "an existing job's number"},
                    "urgency": {"type": ["string", "null"], "enum": ["urgent", "normal", None]},
                    "rating": {"type": ["integer", "null"], "description": "1 to 5"},
                },
                "required": list(LLM_ENTITY_KEYS),
                "additionalProperties": False,
            },
        },
        "required": ["intent", "confidence", "entities"],
        "additionalProperties": False,
    }


def system_prompt(skills: dict[str, list[str]]) -> str:
    lines = [
        "You classify one chat message sent to a field-service repair desk (stores report faults, "
        "engineers report on jobs, managers ask for money summaries). Messages may be in Chinese, "
        "English, French or Thai. Answer with JSON only, following the schema.",
        "",
        "Intents:",
        *(f"- {name}: {INTENT_MEANINGS.get(name, name.replace('_', ' '))}" for name in INTENTS),
        "",
        "Skill codes (equipment):",
        *(f"- {code}: {', '.join(terms[:6])}" for code, terms in skills.items()),
        "",
        "Entities: skill = the skill code of the equipment named; ticket = a job number written in the "
        "message; urgency = urgent for a hazard or an explicit rush, else normal; rating = 1-5 for a "
        "rating. Use null for anything the message does not say. confidence = how sure you are of "
        "the intent, 0 to 1.",
    ]
    return "\n".join(lines)


def _skills_of(parser: Parser) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for term, code in parser.lexicon.skills.items():
        out.setdefault(code, []).append(term)
    return out


class LlmParser(RemoteBackend):
    def __init__(self, *, fallback: Parser, url: str, model: str, api_key: str | None = None,
                 timeout_s: float = DEFAULT_TIMEOUT_S, cache_size: int = DEFAULT_CACHE_SIZE,
                 session: aiohttp.ClientSession | None = None) -> None:
        if not url or not model:
            raise ValueError("LlmParser needs a url and a model")
        self.fallback = fallback
        self.url = url.rstrip("/") + "/chat/completions"
        self.model = model
        self._api_key = api_key or None
        self.timeout_s = float(timeout_s)
        self.cache_size = max(0, int(cache_size))
        self._cache: OrderedDict[str, LlmAnswer] = OrderedDict()
        self._use_session(session)
        skills = _skills_of(fallback)
        self.skill_codes = sorted(skills)
        self._system = system_prompt(skills)
        self._format = {"type": "json_schema",
                        "json_schema": {"name": "parse", "strict": True, "schema": response_schema(self.skill_codes)}}
        # What happened to each parse: answered by the LLM, from the cache, or by the fallback.
        self.stats = {"llm": 0, "cached": 0, "fallback": 0}

    def __repr__(self) -> str:
        key = "set" if self._api_key else "unset"
        return (f"LlmParser(url={self.url!r}, model={self.model!r}, api_key=<{key}>, "
                f"timeout_s={self.timeout_s}, cache_size={self.cache_size})")

    __str__ = __repr__

    # -- parse -------------------------------------------------------------------------------------
    def cache_key(self, text: str) -> str:
        """The normalised text (the same for "@小鲸 接单 1024" and "接单  1024"); it is also what is sent."""
        return " ".join(self.fallback.normalize(text or "").text.split())

    async def parse(self, text: str, now: datetime | None = None) -> Parse:
        command = self.fallback.command(text)   # a manager's command is read by rule, never asked
        if command is not None:
            return command
        key = self.cache_key(text)
        answer = self._cache.get(key)
        if answer is not None:
            self._cache.move_to_end(key)
            self.stats["cached"] += 1
        elif not key:
            answer = None  # nothing to ask about
        else:
            try:
                async with asyncio.timeout(self.timeout_s):
                    answer = await self._ask(key)
            except TimeoutError:
                self._warn(f"timeout after {self.timeout_s * 1000:.0f} ms")
            except LlmError as e:
                self._warn(str(e))
            except aiohttp.ClientError as e:
                self._warn(f"connection error ({type(e).__name__})")
            else:
                self.stats["llm"] += 1
                self._remember(key, answer)
        base = self.fallback.parse(text, now=now)
        if answer is None:
            self.stats["fallback"] += 1
            return base
        return self._combine(text, base, answer, now)

    def _warn(self, kind: str) -> None:
        log.warning("llm parse failed (%s); using the embedded parser", kind)

    def _remember(self, key: str, answer: LlmAnswer) -> None:
        if self.cache_size <= 0:
            return
        self._cache[key] = answer
        self._cache.move_to_end(key)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    async def _ask(self, text: str) -> LlmAnswer:
        body = {
            "model": self.model,
            "messages": [{"role": "system", "content": self._system}, {"role": "user", "content": text}],
            "temperature": 0,
            "response_format": self._format,
        }
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        async with self._get_session().post(self.url, json=body, headers=headers,
                                            timeout=aiohttp.ClientTimeout(total=self.timeout_s)) as resp:
            if resp.status != 200:
                raise LlmError(f"HTTP {resp.status}")
            raw = await resp.read()
        try:
            data = json.loads(raw)
        except ValueError:
            raise LlmError("response is not JSON") from None
        return self.read_answer(data)

    def read_answer(self, data: Any) -> LlmAnswer:
        """Validate a chat.completion body; LlmError names what was wrong, never the values."""
        try:
            message = data["choices"][0]["message"]
        except (KeyError, IndexError, TypeError):
            raise LlmError("no choices[0].message in the response") from None
        if not isinstance(message, dict):
            raise LlmError("no choices[0].message in the response")
        content = message.get("content")
        if not isinstance(content, str):
            raise LlmError("refusal" if message.get("refusal") else "no message content")
        try:
            obj = json.loads(content)
        except ValueError:
            raise LlmError("message content is not JSON") from None
        if not isinstance(obj, dict):
            raise LlmError("schema mismatch (not an object)")
        intent = obj.get("intent")
        if intent not in INTENTS:
            raise LlmError("schema mismatch (unknown intent)")
        conf = obj.get("confidence")
        if isinstance(conf, bool) or not isinstance(conf, (int, float)) or not math.isfinite(conf) \
                or not 0 <= conf <= 1:
            raise LlmError("schema mismatch (confidence)")
        ents = obj.get("entities")
        if ents is None:
            ents = {}
        if not isinstance(ents, dict):
            raise LlmError("schema mismatch (entities)")
        return LlmAnswer(intent=intent, confidence=round(float(conf), 4), entities=self._valid(ents))

    def _valid(self, ents: dict[str, Any]) -> dict[str, Any]:
        """The LLM's simple entities that are well-formed; anything else is dropped, not fatal."""
        out: dict[str, Any] = {}
        skill = ents.get("skill")
        if isinstance(skill, str) and skill in self.skill_codes:
            out["skill"] = skill
        ticket = ents.get("ticket")
        if isinstance(ticket, int) and not isinstance(ticket, bool) and 0 < ticket <= _MAX_TICKET:
            out["ticket"] = ticket
        if ents.get("urgency") in ("urgent", "normal"):
            out["urgency"] = ents["urgency"]
        rating = ents.get("rating")
        if isinstance(rating, int) and not isinstance(rating, bool) and 1 <= rating <= 5:
            out["rating"] = rating
        return out

    # -- the result --------------------------------------------------------------------------------
    def _combine(self, text: str, base: Parse, answer: LlmAnswer, now: datetime | None) -> Parse:
        intent = answer.intent
        s = self.fallback.normalize(text or "").text
        ents = dict(base.entities)
        spans = dict(base.spans)
        # A report the embedded parser was unsure of carries a report's entities (Parse.confirm).
        read_as = "create_ticket" if getattr(base, "confirm", False) else base.intent
        if intent != read_as:
            # The rules extracted for their own intent; read the message again as the LLM's.
            again = self.fallback.parse(text, now=now, intent=intent)
            ents, spans = dict(again.entities), dict(again.spans)
        llm = answer.entities
        if "skill" in llm and "skill" not in ents:
            ents["skill"] = llm["skill"]
        if ("ticket" in llm and "ticket" not in ents and intent in _BARE_TICKET_INTENTS
                and re.search(rf"(?<!\d){llm['ticket']}(?!\d)", s)):
            ents["ticket"] = llm["ticket"]
        if "rating" in llm and "rating" not in ents and intent == "rate_service":
            ents["rating"] = llm["rating"]
        if (intent == "create_ticket" and llm.get("urgency") == "urgent" and ents.get("urgency") == "normal"
                and "urgency" not in spans):
            ents["urgency"] = "urgent"  # the rules only defaulted to normal
        ranking = [(intent, answer.confidence)]
        if base.intent != intent:
            ranking.append((base.intent, round(min(base.confidence, 1 - answer.confidence), 4)))
        changes: dict[str, Any] = {}
        if "confirm" in {f.name for f in dataclasses.fields(base)}:
            # The desk asks before opening a ticket it is unsure of; here the LLM's confidence decides.
            changes["confirm"] = (intent == "create_ticket"
                                  and answer.confidence < getattr(self.fallback, "confirm_below", 0.0))
        # replace(), not Parse(...): whatever else the embedded parser reports (e.g. repairs) stays.
        return dataclasses.replace(base, intent=intent, confidence=answer.confidence, entities=ents,
                                   intent_ranking=ranking, spans=spans, **changes)
