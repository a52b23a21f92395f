"""The desk's clock: naive UTC, like the database. Production reads the system clock; the sandbox
and tests can move it forward to see SLA timers, offer timeouts and quiet hours fire."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone


class Clock:
    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(timezone.utc).replace(tzinfo=None) + self.offset

    def advance(self, seconds: float) -> datetime:
        self.offset += timedelta(seconds=seconds)
        return self.now()
