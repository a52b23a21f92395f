"""The outbox worker: claims due rows, sends them through WeComClient, retries with backoff,
keeps permanent failures visible. Several may run at once (rows are claimed, not read)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from handlers.clock import Clock
from handlers.config import WorkerConfig
from bot.present import present_payload
from bot.translate import Translator
from bot.wecom_api import TransientError, WeComClient, WeComError
from storage import outbox
from storage.cache import Cache, CacheUnavailable
from storage.db import Database

log = logging.getLogger("wecom_desk.worker")
CACHE_RETRY_S = 2.0   # a row that met a cache outage is tried again after this, without spending an attempt


class RateLimited(Exception):
    def __init__(self, retry_in: float) -> None:
        self.retry_in = retry_in


class OutboxWorker:
    def __init__(self, db: Database, cache: Cache, client: WeComClient, cfg: WorkerConfig,
                 clock: Clock | None = None, translator: Translator | None = None) -> None:
        self.db, self.cache, self.client, self.cfg = db, cache, client, cfg
        self.clock = clock or Clock()
        self.translator = translator
        self._wake = asyncio.Event()

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
                    started = await self._start_due(inflight)
                except Exception:
                    log.exception("outbox poll failed")
                    started = 0
                if started:
                    continue
                self._wake.clear()
                waits: set[asyncio.Future[Any]] = {asyncio.ensure_future(self._wake.wait()), *inflight}
                done, _ = await asyncio.wait(waits, timeout=self.cfg.poll_interval_s,
                                             return_when=asyncio.FIRST_COMPLETED)
                for w in waits - inflight:
                    w.cancel()
        finally:
            if inflight:
                await asyncio.gather(*inflight, return_exceptions=True)

    async def _start_due(self, inflight: set[asyncio.Task[None]]) -> int:
        room = self.cfg.batch_size - len(inflight)
        if room <= 0:
            return 0
        async with self.db.transaction() as session:
            rows = await outbox.claim_due(session, room, self.cfg.lease_s, now=self.clock.now())
            batch = [(r.id, r.kind, r.dest, dict(r.payload), r.attempts) for r in rows]
        for row in batch:
            task = asyncio.create_task(self._deliver(*row))
            inflight.add(task)
            task.add_done_callback(inflight.discard)
        return len(batch)

    async def run_once(self) -> int:
        """One claim, waited for to the end (`wecom-desk worker --once`, tests)."""
        inflight: set[asyncio.Task[None]] = set()
        claimed = await self._start_due(inflight)
        if inflight:
            await asyncio.gather(*inflight)
        return claimed

    async def _deliver(self, row_id: int, kind: str, dest: str, payload: dict[str, Any], attempts: int) -> None:
        attempts += 1
        try:
            await self._send(kind, dest, payload)
        except RateLimited as e:
            async with self.db.transaction() as session:
                await outbox.defer(session, row_id, e.retry_in)
            return
        except CacheUnavailable as e:
            # Our own cache (token, rate limits) is down, not WeCom: try later, no attempt spent.
            async with self.db.transaction() as session:
                await outbox.defer(session, row_id, CACHE_RETRY_S)
            log.warning("outbox %s %s to %s: cache unavailable (%s); retry in %ss", row_id, kind, _mask(kind, dest),
                        e, CACHE_RETRY_S)
            return
        except (TransientError, WeComError) as e:
            retryable = isinstance(e, TransientError) or e.retryable
            async with self.db.transaction() as session:
                if retryable and attempts < self.cfg.max_attempts:
                    delay = min(self.cfg.backoff_max_s, self.cfg.backoff_base_s * 2 ** (attempts - 1))
                    await outbox.mark_retry(session, row_id, attempts, delay, str(e))
                    log.warning("outbox %s %s to %s: %s; retry %d in %.1fs", row_id, kind, _mask(kind, dest), e,
                                attempts, delay)
                else:
                    await outbox.mark_failed(session, row_id, attempts, str(e))
                    log.error("outbox %s %s to %s FAILED after %d attempt(s): %s", row_id, kind, _mask(kind, dest),
                              attempts, e)
            return
        except Exception as e:  # a bug in a payload must not stop the worker, nor vanish
            async with self.db.transaction() as session:
                await outbox.mark_failed(session, row_id, attempts, f"{type(e).__name__}: {e}")
            log.exception("outbox %s crashed", row_id)
            return
        async with self.db.transaction() as session:
            await outbox.mark_sent(session, row_id, attempts)
        log.info("outbox %s %s to %s sent (attempt %d)", row_id, kind, _mask(kind, dest), attempts)

    async def _send(self, kind: str, dest: str, payload: dict[str, Any]) -> None:
        if "_translate" in payload:
            payload = await self.translator.apply(payload) if self.translator else {
                k: v for k, v in payload.items() if k != "_translate"}
        if kind == "app_message":
            await self.client.send_message(dest, present_payload(payload, "app"))
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
        else:
            raise ValueError(f"unknown outbox kind {kind!r}")


def _mask(kind: str, dest: str) -> str:
    """Webhook keys and response URLs are credentials: log only a hint of them."""
    return dest if kind in ("app_message", "update_card") else dest[:6] + "…"

