"""One inbound message, exactly once: dedup, understand, handle, and store the outcome — the
state change, its audit event, its outbound messages and the reply in one transaction."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError

from handlers.clock import Clock
from handlers.config import Config
from handlers.event import Inbound
from handlers.messages import t
from handlers.service_templates import ServiceCatalog
from handlers.sla_runtime import SlaBook
from settlement.ledger_config import LedgerConfig
from handlers.context import Context, language_for
from handlers.dispatch import Parser, dispatch, intent_of_button
from handlers.replies import Reply
from storage import deliveries
from storage.cache import Cache
from storage.db import Database

log = logging.getLogger("wecom_desk.desk")
# The cache key only says "a delivery of this message is being handled right now": concurrent
# re-deliveries wait for its reply instead of racing it. It expires, so that if that process dies
# mid-way a later re-delivery is handled again rather than dropped. Exactly-once does not rest on
# it: the reply row (primary key = msgid) is written in the ticket's own transaction, and a second
# writer's transaction fails on it and returns the first one's reply.
HANDLING_LEASE_S = 10
CARRY_OVER = {"skill", "city", "region", "urgency", "ticket", "_text"}


@dataclass
class Services:
    """What handlers may use besides the session: built once at start-up."""

    clock: Clock = field(default_factory=Clock)
    templates: ServiceCatalog | None = None
    settlement: LedgerConfig | None = None  # None: jobs are not priced
    sla: SlaBook | None = None              # None: no SLA timers

    @classmethod
    def from_config(cls, cfg: Config, clock: Clock | None = None) -> "Services":
        """The sections other modules own were parsed once when the config was loaded."""
        return cls(clock=clock or Clock(), templates=ServiceCatalog(cfg.service_templates),
                   settlement=cfg.ledger if cfg.priced else None,
                   sla=SlaBook(cfg, cfg.sla) if cfg.sla is not None else None)


class Desk:
    def __init__(self, cfg: Config, db: Database, cache: Cache, parser: Parser, public_url: str = "",
                 services: Services | None = None) -> None:
        self.cfg, self.db, self.cache, self.parser = cfg, db, cache, parser
        self.public_url = public_url
        self.services = services or Services()

    # -- the entry point --------------------------------------------------------------------------
    async def receive(self, inbound: Inbound, meta: dict[str, Any]) -> Reply | None:
        """The reply for this delivery; None only while a duplicate's first delivery is running."""
        assert inbound.dedup_key is not None
        key = inbound.dedup_key
        if not await self.cache.set_nx(f"dedup:{key}", "1", HANDLING_LEASE_S):
            meta["outcome"] = "duplicate"
            return await self.stored_reply(key)
        if inbound.kind in ("unsupported", "enter"):
            return await self._record_only(inbound, meta)
        return await self._handle(inbound, meta)

    async def stored_reply(self, key: str) -> Reply | None:
        async with self.db.sessions() as session:
            row = await deliveries.stored(session, key)
        return Reply.from_json(row.reply) if row is not None and row.reply else None

    async def wait_stored_reply(self, key: str, timeout: float) -> Reply | None:
        deadline = time.monotonic() + timeout
        while True:
            reply = await self.stored_reply(key)
            if reply is not None or time.monotonic() >= deadline:
                return reply
            await asyncio.sleep(0.02)

    async def stream_reply(self, stream_id: str) -> Reply | None:
        async with self.db.sessions() as session:
            row = await deliveries.by_stream(session, stream_id)
        return Reply.from_json(row.reply) if row is not None and row.reply else None

    async def run_intent(self, intent: str, entities: dict[str, Any], *, userid: str,
                         chatid: str | None = None, channel: str = "rasa") -> Reply:
        """Run one handler for a caller that already understood the message (a Rasa assistant):
        same context, permissions, transaction and outbox as a WeCom message, no dedup."""
        inbound = Inbound(channel="app", kind="text", dedup_key=None, userid=userid, chatid=chatid)
        try:
            async with self.db.transaction() as session:
                ctx = self.context(session, userid=userid, chatid=chatid, channel=channel)
                return await dispatch(ctx, intent, entities)
        except Exception:
            log.exception("%s: handler %s failed for %s", channel, intent, userid)
            return Reply(markdown=t(self._lang(inbound), "error.apology"))

    # -- handling -----------------------------------------------------------------------------------
    async def _handle(self, inbound: Inbound, meta: dict[str, Any]) -> Reply:
        key = inbound.dedup_key
        assert key is not None
        try:
            intent, entities = await self._understand(inbound, meta)
            async with self.db.transaction() as session:
                ctx = self._context(inbound, session)
                reply = await dispatch(ctx, intent, entities)
                self._effects_of_reply(ctx, inbound, reply)
                await deliveries.record(session, key=key, channel=inbound.channel, userid=inbound.userid,
                                     chatid=inbound.chatid, intent=intent, outcome="ok", reply=reply.to_json(),
                                     stream_id=inbound.stream_key if inbound.channel == "bot" else None)
            meta.update(ctx.log, outcome="ok")
            await self._remember(inbound, reply)
            return reply
        except IntegrityError:
            # Another process stored this delivery first (shared DB, no shared cache): its reply wins.
            stored = await self.stored_reply(key)
            if stored is not None:
                meta["outcome"] = "duplicate"
                return stored
            return await self._apologise(inbound, meta)
        except Exception:
            return await self._apologise(inbound, meta)

    async def _apologise(self, inbound: Inbound, meta: dict[str, Any]) -> Reply:
        log.exception("handler failed msgid=%s user=%s chat=%s", inbound.msgid or inbound.dedup_key,
                      inbound.userid, inbound.chatid)
        meta["outcome"] = "error"
        lang = self._lang(inbound)
        reply = Reply(markdown=t(lang, "error.apology"))
        try:
            async with self.db.transaction() as session:
                ctx = self._context(inbound, session)
                self._effects_of_reply(ctx, inbound, reply)
                await deliveries.record(session, key=inbound.dedup_key or "", channel=inbound.channel,
                                     userid=inbound.userid, chatid=inbound.chatid, intent=meta.get("intent"),
                                     outcome="error", reply=reply.to_json(),
                                     stream_id=inbound.stream_key if inbound.channel == "bot" else None)
        except Exception:
            log.exception("could not store the apology for %s", inbound.dedup_key)
        return reply

    async def _record_only(self, inbound: Inbound, meta: dict[str, Any]) -> Reply | None:
        """Message types we do not act on: answered 200 so WeCom stops retrying, and recorded."""
        meta["outcome"] = "ignored"
        reply = Reply(markdown=t(self._lang(inbound), "unsupported")) if (
            inbound.kind == "unsupported" and inbound.msgtype in ("image", "voice", "file", "mixed", "video")) else None
        async with self.db.transaction() as session:
            await deliveries.record(session, key=inbound.dedup_key or "", channel=inbound.channel, userid=inbound.userid,
                                 chatid=inbound.chatid, intent=None, outcome="ignored",
                                 reply=reply.to_json() if reply else None, stream_id=None)
        return reply

    def _context(self, inbound: Inbound, session: Any) -> Context:
        return self.context(session, userid=inbound.userid, chatid=inbound.chatid, channel=inbound.channel,
                            response_code=inbound.response_code, task_id=inbound.task_id)

    def context(self, session: Any, *, userid: str, chatid: str | None = None, channel: str = "desk",
                response_code: str | None = None, task_id: str | None = None) -> Context:
        svc = self.services
        return Context(cfg=self.cfg, session=session, cache=self.cache, userid=userid, chatid=chatid,
                       channel=channel, now=svc.clock.now(), person=self.cfg.person(userid),
                       group=self.cfg.group(chatid), response_code=response_code, task_id=task_id,
                       public_url=self.public_url, templates=svc.templates, settlement=svc.settlement, sla=svc.sla)

    def _lang(self, inbound: Inbound) -> str:
        return language_for(self.cfg, inbound.userid, inbound.chatid)

    async def _understand(self, inbound: Inbound, meta: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Intent and slots — before any transaction: parsing needs no database, and on SQLite
        a transaction holds the one writer's place."""
        if inbound.kind == "card_click":
            return intent_of_button(inbound.event_key)
        parsed = self.parser.parse(inbound.text)
        if inspect.isawaitable(parsed):
            parsed = await parsed
        intent, entities = parsed.intent, dict(parsed.entities)
        entities["_text"] = _strip_mention(inbound.text, self.cfg.wecom.bot.names)
        conv_key = f"conv:{inbound.chatid or '-'}:{inbound.userid}"
        pending = await self.cache.get(conv_key)
        if pending is not None:
            await self.cache.delete(conv_key)
            state = json.loads(pending)
            # The answer to our question fills the missing slot; a new, clear request wins.
            if intent in ("unknown", state["intent"]):
                merged = {**state["entities"], **{k: v for k, v in entities.items() if k != "_text"}}
                merged["_text"] = (state["entities"].get("_text", "") + " " + entities["_text"]).strip()
                intent, entities = state["intent"], merged
        meta["confidence"] = round(float(getattr(parsed, "confidence", 0.0)), 3)
        return intent, entities

    def _effects_of_reply(self, ctx: Context, inbound: Inbound, reply: Reply) -> None:
        """The app channel answers out of band: a click updates the card, a message gets a 1:1."""
        if inbound.channel != "app":
            return
        if inbound.kind == "card_click" and inbound.response_code and reply.button:
            ctx.update_button(inbound.userid, inbound.response_code, reply.button)
        if reply.markdown:
            ctx.send_text(inbound.userid, reply.markdown)

    async def _remember(self, inbound: Inbound, reply: Reply) -> None:
        conv_key = f"conv:{inbound.chatid or '-'}:{inbound.userid}"
        if reply.pending:
            state = {"intent": reply.pending["intent"],
                     "entities": {k: v for k, v in reply.pending.get("entities", {}).items() if k in CARRY_OVER}}
            await self.cache.set(conv_key, json.dumps(state, ensure_ascii=False), ex=self.cfg.conversation.ttl_s)


def _strip_mention(text: str, names: list[str]) -> str:
    for name in names:
        text = text.replace(f"@{name}", " ")
    return " ".join(text.split())
