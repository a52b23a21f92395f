"""Runs the desk's timers (handlers/timers.py) every few seconds, in the worker process. Timers
live in the database, so they survive restarts and any number of workers may run them."""

from __future__ import annotations

import asyncio
import logging
import time

from handlers.desk import Desk
from bot.kf import KfReader
from handlers import timers
from handlers.digest import send_digests

log = logging.getLogger("wecom_desk.scheduler")


class Scheduler:
    def __init__(self, desk: Desk, interval_s: float = 1.0, kf: KfReader | None = None) -> None:
        self.desk, self.interval_s, self.kf = desk, interval_s, kf
        self._kf_due = time.monotonic() + (desk.cfg.wecom.kf.poll_s if kf is not None else 0)

    async def run_once(self) -> int:
        done = await self._read_kf()
        for job in (timers.expire_offers, timers.check_sla, timers.remind_appointments, send_digests):
            try:
                async with self.desk.work(userid="desk", channel="timer") as ctx:
                    done += await job(ctx)
            except Exception:
                log.exception("timer %s failed", job.__name__)
        return done

    async def _read_kf(self) -> int:
        """微信客服 accounts are read on every notice; this read, every `wecom.kf.poll_s`, only
        catches what a read cut short by a dying process left (its cursor did not move)."""
        if self.kf is None or not self.desk.cfg.wecom.kf.accounts or time.monotonic() < self._kf_due:
            return 0
        self._kf_due = time.monotonic() + self.desk.cfg.wecom.kf.poll_s
        done = 0
        for account in self.desk.cfg.wecom.kf.accounts:
            try:
                done += await self.kf.read(account.open_kfid)
            except Exception as e:
                log.warning("微信客服 %s: periodic read failed (%s: %s)", account.open_kfid, type(e).__name__, e)
        return done

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.run_once()
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.interval_s)
            except asyncio.TimeoutError:
                pass
