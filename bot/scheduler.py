"""Runs the desk's timers (handlers/timers.py) every few seconds, in the worker process. Timers
live in the database, so they survive restarts and any number of workers may run them."""

from __future__ import annotations

import asyncio
import logging

from handlers.desk import Desk
from handlers import timers

log = logging.getLogger("wecom_desk.scheduler")


class Scheduler:
    def __init__(self, desk: Desk, interval_s: float = 1.0) -> None:
        self.desk, self.interval_s = desk, interval_s

    async def run_once(self) -> int:
        done = 0
        for job in (timers.expire_offers, timers.check_sla):
            try:
                async with self.desk.work(userid="desk", channel="timer") as ctx:
                    done += await job(ctx)
            except Exception:
                log.exception("timer %s failed", job.__name__)
        return done

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.run_once()
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.interval_s)
            except asyncio.TimeoutError:
                pass
