"""The outbox worker: claims due rows, sends them through WeComClient, retries with backoff,
keeps permanent failures visible. Several may run at once (rows are claimed, not read)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any, Callable

from handlers.clock import Clock
from handlers.config import WorkerConfig
from bot.present import kf_message, present_payload
from bot.translate import Translator
from bot.mailer import Mailer
from bot.sms import NoSms, SmsProvider
from bot.wecom_api import TransientError, WeComClient, WeComError
from storage import kf as kf_store, outbox, tickets as tickets_store
from storage.cache import Cache, CacheUnavailable
from storage.db import Database

log = logging.getLogger("wecom_desk.worker")
CODE_USED = 60140    # response_code expired or already used
CACHE_RETRY_S = 2.0   # a row that met a cache outage is tried again after this, without spending an attempt
# A job card's response code updates it once within 72 h of the send; ours is timed from the
# answer, a little after WeCom's own start, hence the margin.
CODE_LIFE = timedelta(hours=72) - timedelta(minutes=10)
CARD_WAIT_S = 1.0     # an offer's card update waits this long, again and again, while the card itself is not out


class RateLimited(Exception):
    def __init__(self, retry_in: float, why: str = "the rate limit") -> None:
        self.retry_in, self.why = retry_in, why


class Dropped(Exception):
    """Not sent, on purpose: what the row says stopped being true before it could go out."""


class OutboxWorker:
    def __init__(self, db: Database, cache: Cache, client: WeComClient, cfg: WorkerConfig,
                 clock: Clock | None = None, translator: Translator | None = None,
                 mailer: "Mailer | None" = None, sms: SmsProvider | None = None) -> None:
        self.db, self.cache, self.client, self.cfg = db, cache, client, cfg
        self.mailer = mailer or Mailer(None)
        self.sms = sms or NoSms()
        self.clock = clock or Clock()
        self.translator = translator
        self._wake = asyncio.Event()
        # Delivered and held rows are marked together: one UPDATE each for all that finished while
        # the last write ran (group commit), instead of a transaction per row on the callbacks' writer.
        self._sent: list[int] = []
        self._codes: list[tuple[str, str, Any]] = []   # job cards' response codes: (task_id, code, when)
        self._held: dict[float, list[int]] = {}
        self._flushing: asyncio.Task[None] | None = None
        self.observe: Callable[[str, str], None] = lambda kind, result: None   # bot/metrics.py: (kind, result)

    def close(self) -> None:
        if self.translator is not None:
            self.translator.close()

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Rows are sent independently: a call that hangs holds its own row only, and new rows
        are claimed while it waits (up to batch_size in flight)."""
        inflight: set[asyncio.Task[None]] = set()
        try:
            while not stop.is_set():
                try:
                    started, room = await self._start_due(inflight)
                except Exception:
                    log.exception("outbox poll failed")
                    started, room = 0, 0
                if started and started == room:
                    continue            # a full batch: more may be due at once
                self._wake.clear()
                waits: set[asyncio.Future[Any]] = {asyncio.ensure_future(self._wake.wait()), *inflight}
                done, _ = await asyncio.wait(waits, timeout=self.cfg.poll_interval_s,
                                             return_when=asyncio.FIRST_COMPLETED)
                for w in waits - inflight:
                    w.cancel()
                if self._wake.is_set() and self.cfg.gather_s:
                    # Woken by a callback: let the callbacks arriving with it commit their rows,
                    # so that one claim takes them all instead of one claim per callback.
                    await asyncio.sleep(self.cfg.gather_s)
        finally:
            if inflight:
                await asyncio.gather(*inflight, return_exceptions=True)
            await self._drain_marks()

    async def _start_due(self, inflight: set[asyncio.Task[None]]) -> tuple[int, int]:
        room = self.cfg.batch_size - len(inflight)
        if room <= 0:
            return 0, 0
        async with self.db.transaction() as session:
            batch = await outbox.claim_due(session, room, self.cfg.lease_s, now=self.clock.now())
        for row in batch:
            task = asyncio.create_task(self._deliver(row.id, row.kind, row.dest, row.payload, row.attempts))
            inflight.add(task)
            task.add_done_callback(inflight.discard)
        return len(batch), room

    async def run_once(self) -> int:
        """One claim, waited for to the end (`wecom-desk worker --once`, tests)."""
        inflight: set[asyncio.Task[None]] = set()
        claimed, _ = await self._start_due(inflight)
        if inflight:
            await asyncio.gather(*inflight)
        await self._drain_marks()
        return claimed

    def _mark_sent(self, row_id: int) -> None:
        self._sent.append(row_id)
        self._flush_soon()

    def _hold(self, row_id: int, delay_s: float) -> None:
        self._held.setdefault(delay_s, []).append(row_id)
        self._flush_soon()

    def _flush_soon(self) -> None:
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush_marks())

    async def _drain_marks(self) -> None:
        """Before stopping: the flush already under way (it holds the ids it took), then the rest."""
        if self._flushing is not None:
            await asyncio.gather(self._flushing, return_exceptions=True)
        await self._flush_marks()

    async def _flush_marks(self) -> None:
        """Write the marks until none are waiting. A failed write keeps them for the next flush;
        if the process dies first, their leases lapse and WeCom's duplicate check (app messages)
        keeps a re-send from showing twice."""
        while self._sent or self._held or self._codes:
            ids, self._sent = self._sent, []
            held, self._held = self._held, {}
            codes, self._codes = self._codes, []
            try:
                async with self.db.transaction() as session:
                    # With the card's row marked sent: whoever sees it sent finds its code too.
                    await tickets_store.record_codes(session, codes)
                    await outbox.mark_sent(session, ids)
                    for delay_s, held_ids in held.items():
                        await outbox.defer(session, held_ids, delay_s)
            except Exception:
                self._sent[:0] = ids
                self._codes[:0] = codes
                for delay_s, held_ids in held.items():
                    self._held.setdefault(delay_s, [])[:0] = held_ids
                log.exception("outbox: could not mark %d row(s) sent and %d held; will try again", len(ids),
                              sum(map(len, held.values())))
                await asyncio.sleep(CACHE_RETRY_S)

    async def _deliver(self, row_id: int, kind: str, dest: str, payload: dict[str, Any], attempts: int) -> None:
        attempts += 1
        try:
            await self._send(kind, dest, payload, row_id, attempts)
        except RateLimited as e:
            self._hold(row_id, e.retry_in)
            log.info("outbox %s %s to %s: held by %s; retry in %ss", row_id, kind, _mask(kind, dest), e.why,
                     e.retry_in)
            return
        except Dropped as e:
            async with self.db.transaction() as session:
                await outbox.mark_dropped(session, row_id, attempts, str(e))
            self.observe(kind, "dropped")
            log.info("outbox %s %s to %s dropped: %s", row_id, kind, _mask(kind, dest), e)
            return
        except CacheUnavailable as e:
            # Our own cache (token, rate limits) is down, not WeCom: try later, no attempt spent.
            self._hold(row_id, CACHE_RETRY_S)
            log.warning("outbox %s %s to %s: cache unavailable (%s); retry in %ss", row_id, kind, _mask(kind, dest),
                        e, CACHE_RETRY_S)
            return
        except (TransientError, WeComError) as e:
            if (isinstance(e, WeComError) and e.errcode == CODE_USED and attempts > 1
                    and kind in ("update_card", "response_url")):
                # A response code works once: used on a retry means an earlier attempt, whose
                # answer was lost, did the update. Sending again cannot show it twice.
                self._mark_sent(row_id)
                self.observe(kind, "sent")
                log.info("outbox %s %s: done by an earlier attempt (response code already used)", row_id, kind)
                return
            retryable = isinstance(e, TransientError) or e.retryable
            async with self.db.transaction() as session:
                if retryable and attempts < self.cfg.max_attempts:
                    delay = min(self.cfg.backoff_max_s, self.cfg.backoff_base_s * 2 ** (attempts - 1))
                    await outbox.mark_retry(session, row_id, attempts, delay, str(e))
                    self.observe(kind, "retry")
                    log.warning("outbox %s %s to %s: %s; retry %d in %.1fs", row_id, kind, _mask(kind, dest), e,
                                attempts, delay)
                else:
                    await outbox.mark_failed(session, row_id, attempts, str(e))
                    self.observe(kind, "failed")
                    log.error("outbox %s %s to %s FAILED after %d attempt(s): %s", row_id, kind, _mask(kind, dest),
                              attempts, e)
            return
        except Exception as e:  # a bug in a payload must not stop the worker, nor vanish
            async with self.db.transaction() as session:
                await outbox.mark_failed(session, row_id, attempts, f"{type(e).__name__}: {e}")
            self.observe(kind, "failed")
            log.exception("outbox %s crashed", row_id)
            return
        self._mark_sent(row_id)
        self.observe(kind, "sent")
        log.info("outbox %s %s to %s sent (attempt %d)", row_id, kind, _mask(kind, dest), attempts)

    async def _send(self, kind: str, dest: str, payload: dict[str, Any], row_id: int = 0, attempts: int = 1) -> None:
        if "_translate" in payload and self.translator:
            payload = await self.translator.apply(payload)
        fallback = payload.get("_fallback")
        payload = {k: v for k, v in payload.items() if not k.startswith("_")}   # the desk's notes, not WeCom's
        if kind == "app_message":
            task = _offer_task(payload)
            # The member limit first: a card held by it comes due again and again, and the offer
            # check is a database read, paid only by a card about to go out.
            await self._within_member_limits(dest)
            if task is not None and attempts == 1:
                await self._still_offered(task)
            answer = await self.client.send_message(dest, present_payload(payload, "app"))
            if task is not None and answer.get("response_code"):
                self._codes.append((task, str(answer["response_code"]), self.clock.now()))
        elif kind == "update_card" and "task_id" in payload:
            await self._update_offer_card(dest, payload, fallback, attempts)
        elif kind == "update_card":
            await self.client.update_template_card(dest.split("|"), payload["response_code"],
                                                   **{k: v for k, v in payload.items() if k != "response_code"})
        elif kind == "webhook":
            count = await self.cache.hit(f"webhook-rate:{dest}", 60)
            if count > self.cfg.webhook_per_minute:
                raise RateLimited(retry_in=5)
            await self.client.webhook_send(dest, present_payload(payload, "webhook"))
        elif kind == "response_url":
            await self.client.response_url(dest, payload)
        elif kind == "kf_message":
            open_kfid, external = dest.split("|", 1)
            if attempts == 1:   # the first try takes one of the window's answers; a retry reuses it
                # The token first: a cache outage there holds the row without spending an attempt,
                # and its next first try would take a second answer.
                await self.client.token()
                async with self.db.transaction() as session:
                    closed = await kf_store.take_slot(session, open_kfid, external)
                if closed:
                    raise WeComError(-3, f"微信客服 window closed: {closed}", retryable=False)
            # Our msgid (unique per account, doc 94677): WeCom refuses a second message with it, so a
            # re-send after a lost answer cannot reach the customer twice.
            await self.client.kf_send_msg(open_kfid, external, kf_message(payload), msgid=f"wd{row_id}")
        elif kind == "email":
            await self.mailer.send(dest, payload["subject"], payload["text"])
        elif kind == "sms":
            await self.sms.send(dest, payload["text"])
        elif kind == "kf_welcome":
            await self.client.kf_send_msg_on_event(dest, kf_message(payload), msgid=f"wd{row_id}")
        else:
            raise ValueError(f"unknown outbox kind {kind!r}")


    async def _still_offered(self, task: str) -> None:
        """A job card goes out only while its offer stands. Claimed by someone else, cancelled or
        timed out before this row's first try: the engineer never sees a live card of a job that is
        gone (and, never having seen it, is not told it ended: see _update_offer_card). A retry is
        not dropped: the earlier try may have arrived with its answer lost. It goes again (WeCom's
        duplicate check shows it once), its code is recorded, and the update waiting for it follows."""
        async with self.db.sessions() as session:
            offer = await tickets_store.offer_of(session, task)
        if offer is not None and offer.status != "offered":
            raise Dropped(f"offer {offer.status} before its card went out")

    async def _update_offer_card(self, dest: str, payload: dict[str, Any], fallback: dict[str, Any] | None,
                                 attempts: int) -> None:
        """An ended offer's card (Context.update_offer_card), by the code its send got back. The
        card's own row decides: not out yet → wait for it (it may still be dropped); never out →
        nothing to correct; out with a usable code → greyed in place; else the short text, once."""
        task = payload["task_id"]
        async with self.db.sessions() as session:
            offer = await tickets_store.offer_of(session, task)
            rows = await outbox.statuses_to(session, offer.ticket_id, "app_message", dest) if offer else []
        card = next((status for status, p in rows if _offer_task(p) == task), None)
        if card in ("pending", "sending"):
            raise RateLimited(CARD_WAIT_S, why="its card, not sent yet")
        if offer is None or card != "sent":
            raise Dropped(f"its card never reached them ({card or 'no card'}): nothing to correct")
        if offer.response_code and offer.code_at and self.clock.now() - offer.code_at < CODE_LIFE:
            try:
                await self.client.update_template_card([dest], offer.response_code, button=payload["button"])
                return
            except WeComError as e:
                if e.errcode != CODE_USED or attempts > 1:
                    raise   # on a retry, 60140 means an earlier attempt did it (_deliver)
                async with self.db.transaction() as session:   # used up: a retry goes straight to the text
                    await tickets_store.forget_code(session, task)
        if fallback is None:
            raise Dropped("the card cannot be updated (no usable response code) and nothing is to be said instead")
        await self._within_member_limits(dest)
        await self.client.send_message(dest, fallback)

    async def _within_member_limits(self, dest: str) -> None:
        """WeCom drops, without an error, app messages beyond 30 a minute or 1,000 an hour to one
        member (doc 90454): hold the row instead, so it arrives late rather than never."""
        for member in dest.split("|"):
            for window, limit in ((60, self.cfg.app_per_member_minute), (3600, self.cfg.app_per_member_hour)):
                if await self.cache.hit(f"app-rate:{member}:{window}", window) > limit:
                    # Not sooner than a window from now: a flood of held rows must not be
                    # claimed and held again every few seconds.
                    raise RateLimited(retry_in=window)


def _offer_task(payload: dict[str, Any]) -> str | None:
    """The task id of a job card with buttons (an offer's card), else None."""
    card = payload.get("card") if payload.get("msgtype") == "template_card" else None
    return str(card["task_id"]) if isinstance(card, dict) and card.get("task_id") and card.get("buttons") else None


def _mask(kind: str, dest: str) -> str:
    """Webhook keys, response URLs and welcome codes are credentials: log only a hint of them."""
    if kind == "email":   # an address is personal: its domain says enough
        return "…@" + dest.rsplit("@", 1)[-1]
    if kind == "sms":
        return "…" + dest[-4:]
    return dest if kind in ("app_message", "update_card", "kf_message") else dest[:6] + "…"

