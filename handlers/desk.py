"""One inbound message, exactly once: dedup, understand, handle, and store the outcome — the
state change, its audit event, its outbound messages and the reply in one transaction."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, AsyncIterator

from sqlalchemy.exc import IntegrityError

from handlers.clock import Clock
from handlers.config import Config
from handlers.event import Inbound
from handlers.messages import t
from handlers.service_templates import ServiceCatalog
from handlers.sla_runtime import SlaBook
from settlement.ledger_config import LedgerConfig
from handlers.context import Context, language_for
from handlers.dispatch import Parser, check_registry, dispatch, intent_of_button
from handlers.confirm import ANSWER_KEYS
from handlers.duplicates import wants_separate
from handlers import photos
from handlers.photos import Fetched, MediaFetch
from handlers.replies import Reply
from nlu.answers import ticket_in_quote, yes_no
from storage import attachments, deliveries, outbox
from storage.attachments import FileStore, Upload
from storage.cache import Cache, CacheUnavailable
from storage.db import Database

log = logging.getLogger("wecom_desk.desk")
# The cache key only says "a delivery of this message is being handled right now": concurrent
# re-deliveries wait for its reply instead of racing it. It expires, so that if that process dies
# mid-way a later re-delivery is handled again rather than dropped. Exactly-once does not rest on
# it: the reply row (primary key = msgid) is written in the ticket's own transaction, and a second
# writer's transaction fails on it and returns the first one's reply.
HANDLING_LEASE_S = 10
# While a delivery is being handled its lease is renewed this often, so a live handler never loses
# it and a dead one's lapses within HANDLING_LEASE_S.
LEASE_RENEW_S = 3
# A take-over keeps trying through a cache outage this long: WeCom refreshes an unfinished stream
# for about 6 minutes, and a message acknowledged with 200 has no other way to be handled.
TAKE_OVER_MAX_S = 600
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


@dataclass(frozen=True)
class Outcome:
    """What became of one delivery: the reply to give (None only while a duplicate's first
    delivery is still running) and what the access log says about it."""

    status: str                       # ok | duplicate | error | ignored
    reply: Reply | None = None
    intent: str | None = None
    confidence: float | None = None
    ticket: int | None = None


class Desk:
    def __init__(self, cfg: Config, db: Database, cache: Cache, parser: Parser, public_url: str = "",
                 services: Services | None = None, *, fetch_media: MediaFetch | None = None,
                 files: FileStore | None = None) -> None:
        check_registry()  # an intent the parser can return with no handler fails here, at start
        self.cfg, self.db, self.cache, self.parser = cfg, db, cache, parser
        self.public_url = public_url
        self.services = services or Services()
        # Photos and files sent in chat: the edge fetches them (bot/media.py), the store keeps them.
        self.fetch_media = fetch_media
        self._files = files

    @property
    def files(self) -> FileStore:
        if self._files is None:
            self._files = attachments.make_file_store(self.cfg.attachments.backend, self.cfg.attachments.dir)
        return self._files

    # -- the entry point --------------------------------------------------------------------------
    async def receive(self, inbound: Inbound) -> Outcome:
        assert inbound.dedup_key is not None
        key = inbound.dedup_key
        if not await self.cache.set_nx(f"dedup:{key}", "1", HANDLING_LEASE_S):
            return Outcome("duplicate", await self.stored_reply(key))
        return await self._leased(inbound)

    async def _leased(self, inbound: Inbound) -> Outcome:
        """Handle a delivery whose lease we hold, renewing it while we work."""
        renew = asyncio.create_task(self._renew(f"dedup:{inbound.dedup_key}"))
        try:
            if inbound.kind in ("unsupported", "enter"):
                return await self._record_only(inbound)
            return await self._handle(inbound)
        finally:
            renew.cancel()

    async def _renew(self, lease: str) -> None:
        while True:
            await asyncio.sleep(LEASE_RENEW_S)
            try:
                await self.cache.set(lease, "1", ex=HANDLING_LEASE_S)
            except CacheUnavailable:
                pass   # the reply row still keeps it exactly once

    async def take_over(self, inbound: Inbound, wait_s: float = HANDLING_LEASE_S + 1) -> Outcome | None:
        """A re-delivery found someone else's lease and no reply. If that handler died, its lease
        lapses (it is renewed only while it works): take the work over then, so that a message
        WeCom was told 200 about is handled. Exactly once still holds: the reply row, written in
        the same transaction as the work, lets only one handler commit."""
        key = inbound.dedup_key
        assert key is not None
        deadline = time.monotonic() + wait_s
        give_up = time.monotonic() + TAKE_OVER_MAX_S
        while time.monotonic() < give_up:
            if await self._delivered(key):
                return None                      # the first handler finished
            try:
                leased = await self.cache.set_nx(f"dedup:{key}", "1", HANDLING_LEASE_S)
                if leased and not await self._delivered(key):
                    log.warning("taking over msgid=%s: its first handler is gone", inbound.msgid or key)
                    return await self._leased(inbound)
                if leased:
                    return None
            except CacheUnavailable:
                # WeCom was told 200: while the cache is away we cannot tell a live handler from a
                # dead one, so the outage does not count against the wait (a live one renews its
                # lease when the cache is back; a dead one's lapses and we take over then).
                deadline = max(deadline, time.monotonic() + HANDLING_LEASE_S + 1)
            if time.monotonic() >= deadline:
                return None                      # someone holds the lease and keeps renewing it: alive
            await asyncio.sleep(0.5)
        log.error("gave up taking over msgid=%s after %ss: the cache stayed away", inbound.msgid or key,
                  TAKE_OVER_MAX_S)
        return None

    @asynccontextmanager
    async def work(self, *, userid: str, chatid: str | None = None, channel: str = "desk",
                   response_code: str | None = None, task_id: str | None = None,
                   account: str | None = None) -> AsyncIterator[Context]:
        """One unit of work: a transaction and its context. The messages the handlers queued on
        the context are written last, in the same transaction; on any error neither exists."""
        async with self.db.transaction() as session:
            ctx = self.context(session, userid=userid, chatid=chatid, channel=channel,
                               response_code=response_code, task_id=task_id, account=account)
            yield ctx
            await outbox.write(session, ctx.outbox)

    async def stored_reply(self, key: str) -> Reply | None:
        async with self.db.sessions() as session:
            row = await deliveries.stored(session, key)
        return Reply.from_json(row.reply) if row is not None and row.reply else None

    async def _delivered(self, key: str) -> bool:
        async with self.db.sessions() as session:
            return await deliveries.stored(session, key) is not None

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
            async with self.work(userid=userid, chatid=chatid, channel=channel) as ctx:
                return await dispatch(ctx, intent, entities)
        except Exception:
            log.exception("%s: handler %s failed for %s", channel, intent, userid)
            return Reply(markdown=t(self._lang(inbound), "error.apology"))

    # -- handling -----------------------------------------------------------------------------------
    async def _handle(self, inbound: Inbound) -> Outcome:
        key = inbound.dedup_key
        assert key is not None
        intent, confidence = None, None
        files: list[Upload] = []
        kept = False
        try:
            intent, entities, confidence = await self._understand(inbound)
            if inbound.media:
                fetched = await self._fetch(inbound)
                if fetched.refused is not None:   # nothing of it is stored; the sender is told why
                    reply = Reply(markdown=t(self._lang(inbound), fetched.refused, **fetched.values))
                    return await self._answer_only(inbound, reply, intent, "refused", confidence)
                # Written before the transaction, deleted again below unless it commits with their rows.
                files = fetched.uploads
                await attachments.put_all(self.files, files)
                intent, entities = photos.ATTACH, {**entities, "_files": files, "_intent": intent}
            async with self._work(inbound) as ctx:
                reply = await dispatch(ctx, intent, entities)
                self._effects_of_reply(ctx, inbound, reply)
                await deliveries.record(ctx.session, key=key, channel=inbound.channel, userid=inbound.userid,
                                        chatid=inbound.chatid, intent=intent, outcome="ok", reply=reply.to_json(),
                                        stream_id=inbound.stream_key if inbound.channel == "bot" else None)
            kept = bool(ctx.log.get("attached"))
            await self._remember(inbound, reply)
            return Outcome("ok", reply, intent, confidence, ctx.log.get("ticket"))
        except CacheUnavailable:
            raise   # not handled: the edge answers 503 and WeCom delivers it again
        except IntegrityError:
            # Another process stored this delivery first (shared DB, no shared cache): its reply wins.
            stored = await self.stored_reply(key)
            if stored is not None:
                return Outcome("duplicate", stored, intent, confidence)
            return await self._apologise(inbound, intent, confidence)
        except Exception:
            return await self._apologise(inbound, intent, confidence)
        finally:
            if files and not kept:
                await attachments.discard(self.files, files)

    async def _fetch(self, inbound: Inbound) -> Fetched:
        if self.fetch_media is None:   # a desk built without the edge (tests of handlers alone)
            return Fetched(refused="unsupported")
        return await self.fetch_media(inbound)

    async def _answer_only(self, inbound: Inbound, reply: Reply, intent: str | None, outcome: str,
                           confidence: float | None) -> Outcome:
        """A delivery answered without acting on it (media refused): the reply stored like any other."""
        async with self._work(inbound) as ctx:
            self._effects_of_reply(ctx, inbound, reply)
            await deliveries.record(ctx.session, key=inbound.dedup_key or "", channel=inbound.channel,
                                    userid=inbound.userid, chatid=inbound.chatid, intent=intent, outcome=outcome,
                                    reply=reply.to_json(),
                                    stream_id=inbound.stream_key if inbound.channel == "bot" else None)
        return Outcome(outcome, reply, intent, confidence)

    async def _apologise(self, inbound: Inbound, intent: str | None, confidence: float | None) -> Outcome:
        log.exception("handler failed msgid=%s user=%s chat=%s", inbound.msgid or inbound.dedup_key,
                      inbound.userid, inbound.chatid)
        lang = self._lang(inbound)
        reply = Reply(markdown=t(lang, "error.apology"))
        try:
            async with self._work(inbound) as ctx:
                self._effects_of_reply(ctx, inbound, reply)
                await deliveries.record(ctx.session, key=inbound.dedup_key or "", channel=inbound.channel,
                                        userid=inbound.userid, chatid=inbound.chatid, intent=intent,
                                        outcome="error", reply=reply.to_json(),
                                        stream_id=inbound.stream_key if inbound.channel == "bot" else None)
        except Exception:
            log.exception("could not store the apology for %s", inbound.dedup_key)
        return Outcome("error", reply, intent, confidence)

    async def _record_only(self, inbound: Inbound) -> Outcome:
        """Message types we do not act on: answered 200 so WeCom stops retrying, and recorded."""
        reply = Reply(markdown=t(self._lang(inbound), "unsupported")) if (
            inbound.kind == "unsupported" and inbound.msgtype in ("image", "voice", "file", "mixed", "video")) else None
        async with self._work(inbound) as ctx:
            if reply is not None:   # the AI bot answers in its HTTP response; other channels through the outbox
                self._effects_of_reply(ctx, inbound, reply)
            await deliveries.record(ctx.session, key=inbound.dedup_key or "", channel=inbound.channel,
                                    userid=inbound.userid, chatid=inbound.chatid, intent=None, outcome="ignored",
                                    reply=reply.to_json() if reply else None, stream_id=None)
        return Outcome("ignored", reply)

    def _work(self, inbound: Inbound) -> Any:
        return self.work(userid=inbound.userid, chatid=inbound.chatid, channel=inbound.channel,
                         response_code=inbound.response_code, task_id=inbound.task_id, account=inbound.account)

    def context(self, session: Any, *, userid: str, chatid: str | None = None, channel: str = "desk",
                response_code: str | None = None, task_id: str | None = None, account: str | None = None) -> Context:
        svc = self.services
        return Context(cfg=self.cfg, session=session, cache=self.cache, userid=userid, chatid=chatid,
                       channel=channel, now=svc.clock.now(), person=self.cfg.person(userid),
                       group=self.cfg.group(chatid), response_code=response_code, task_id=task_id,
                       public_url=self.public_url, templates=svc.templates, settlement=svc.settlement, sla=svc.sla,
                       account=account)

    def _lang(self, inbound: Inbound) -> str:
        return language_for(self.cfg, inbound.userid, inbound.chatid)

    async def _understand(self, inbound: Inbound) -> tuple[str, dict[str, Any], float | None]:
        """Intent and slots — before any transaction: parsing needs no database, and on SQLite
        a transaction holds the one writer's place. Context comes in here: the question the bot
        asked this sender, a quoted card, "the last one"."""
        conv_key = _conv_key(inbound)
        if inbound.kind == "card_click":
            if inbound.event_key in ANSWER_KEYS:
                return await self._answer(conv_key, ANSWER_KEYS[inbound.event_key]) or ("unknown", {}, None)
            return (*intent_of_button(inbound.event_key), None)
        parsed = self.parser.parse(inbound.text)
        if inspect.isawaitable(parsed):
            parsed = await parsed
        intent, entities = parsed.intent, dict(parsed.entities)
        confidence = round(float(getattr(parsed, "confidence", 0.0)), 3)
        entities["_text"] = _strip_mention(inbound.text, self.cfg.wecom.bot.names)
        entities["_confidence"] = confidence
        quoted = ticket_in_quote(inbound.quote) if "ticket" not in entities else None
        if quoted is not None:
            entities["ticket"] = quoted          # "这单我接了" quoting a job card claims that job
            entities.pop("last_ticket", None)
        if wants_separate(entities["_text"]):   # "另开新单" after a report was added to an open ticket
            return "open_separate", {k: v for k, v in entities.items() if k == "ticket"}, confidence
        pending = await self.cache.get(conv_key)
        if pending is not None:
            state = json.loads(pending)
            if state.get("confirm"):
                answered = await self._answer(conv_key, yes_no(inbound.text), state)
                if answered is not None:
                    return answered
                # Anything but a yes or a no is a new message; the question lapses.
            elif intent in ("unknown", state["intent"]):
                await self.cache.delete(conv_key)
                # The answer to our question fills the missing slot; a new, clear request wins.
                merged = {**state["entities"], **{k: v for k, v in entities.items() if k != "_text"}}
                merged["_text"] = (state["entities"].get("_text", "") + " " + entities["_text"]).strip()
                return state["intent"], merged, confidence
            await self.cache.delete(conv_key)
        if getattr(parsed, "confirm", False):
            return "confirm_report", entities, confidence
        return intent, entities, confidence

    async def _answer(self, conv_key: str, yes: bool | None,
                      state: dict[str, Any] | None = None) -> tuple[str, dict[str, Any], float | None] | None:
        """A yes or a no to the bot's "shall I open a ticket?"; None when it is neither or when
        nothing was asked (the question expired)."""
        if yes is None:
            return None
        if state is None:
            raw = await self.cache.get(conv_key)
            state = json.loads(raw) if raw is not None else None
            if state is None or not state.get("confirm"):
                return None
        await self.cache.delete(conv_key)
        return (state["intent"], {**state["entities"], "_confirmed": True}, 1.0) if yes else (
            "report_declined", state["entities"], 1.0)

    def _effects_of_reply(self, ctx: Context, inbound: Inbound, reply: Reply) -> None:
        """The app channel answers out of band: a click updates the card, a message gets a 1:1.
        A tap on an AI-bot card can only update that card in its reply; the answer itself goes
        to the tap's response_url."""
        if inbound.channel == "bot" and inbound.kind == "card_click" and inbound.response_url and reply.markdown:
            ctx.answer_by_url(inbound.response_url, reply.markdown, ctx.log.get("ticket"))
        contact = ctx.kf_contact
        if contact is not None:
            if reply.pending and reply.pending.get("confirm"):
                # The question as a menu: one tap answers it (a typed "是" still does too).
                ctx.send_kf_menu(contact, reply.markdown, [("answer:1", t(ctx.lang, "confirm.yes")),
                                                          ("answer:0", t(ctx.lang, "confirm.no"))])
            elif reply.card is not None and reply.card.buttons:   # a card's buttons as one-tap menu items
                ctx.send_kf_menu(contact, reply.markdown, [(b.key, b.text) for b in reply.card.buttons],
                                 ctx.log.get("ticket"))
            elif reply.card is not None:
                ctx.send_kf(contact, reply.card, ctx.log.get("ticket"))
            elif reply.markdown:
                ctx.send_kf(contact, reply.markdown, ctx.log.get("ticket"))
            return
        if inbound.channel != "app":
            return
        if inbound.kind == "card_click" and inbound.response_code and reply.button:
            ctx.update_button(inbound.userid, inbound.response_code, reply.button)
        if reply.markdown:
            ctx.send_text(inbound.userid, reply.markdown)

    async def _remember(self, inbound: Inbound, reply: Reply) -> None:
        conv_key = _conv_key(inbound)
        if reply.pending:
            # A confirmation keeps the whole report; a question for one slot keeps what it needs.
            keep = reply.pending.get("entities", {})
            state = {"intent": reply.pending["intent"], "confirm": bool(reply.pending.get("confirm")),
                     "entities": keep if reply.pending.get("confirm") else {k: v for k, v in keep.items() if k in CARRY_OVER}}
            await self.cache.set(conv_key, json.dumps(state, ensure_ascii=False), ex=self.cfg.conversation.ttl_s)


def _conv_key(inbound: Inbound) -> str:
    """Where the question the bot asked this sender in this chat waits for its answer."""
    return f"conv:{inbound.chatid or '-'}:{inbound.userid}"


def _strip_mention(text: str, names: list[str]) -> str:
    for name in names:
        text = text.replace(f"@{name}", " ")
    return " ".join(text.split())
