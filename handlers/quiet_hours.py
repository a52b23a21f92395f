"""Quiet hours (default 22:00–08:00 in the reader's time zone). Pure."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from handlers.hours import parse_time


def quiet_until(cfg: Any, tz_name: str, now: datetime) -> datetime | None:
    """If `now` (naive UTC) is inside the quiet window in `tz_name`, the naive-UTC moment it ends."""
    if not cfg.enabled:
        return None
    start, end = parse_time(cfg.start), parse_time(cfg.end)
    tz = ZoneInfo(tz_name)
    local = now.replace(tzinfo=timezone.utc).astimezone(tz)
    minute = local.hour * 60 + local.minute
    inside = start <= minute < end if start < end else (minute >= start or minute < end)
    if not inside:
        return None
    wake = local.replace(hour=end // 60, minute=end % 60, second=0, microsecond=0)
    if wake <= local:
        wake = (local + timedelta(days=1)).replace(hour=end // 60, minute=end % 60, second=0, microsecond=0)
        wake = wake.replace(tzinfo=tz)  # re-resolve the offset on the new day (DST)
    return wake.astimezone(timezone.utc).replace(tzinfo=None)
