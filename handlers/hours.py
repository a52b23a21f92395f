"""Times of day as people write them in config ("08:30", "08:00-20:00", "24h"). Pure: duty hours,
quiet hours and calendars read them the same way."""

from __future__ import annotations


def parse_time(text: str) -> int:
    """"08:30" → minutes of the day."""
    try:
        h, m = (int(x) for x in text.strip().split(":"))
    except ValueError:
        raise ValueError(f"a time looks like 08:00, not {text!r}") from None
    if not (0 <= h <= 24 and 0 <= m < 60) or h * 60 + m > 1440:
        raise ValueError(f"a time looks like 08:00, not {text!r}")
    return h * 60 + m


def parse_hours(text: str) -> tuple[int, int] | None:
    """"08:00-20:00" → minutes of the day (480, 1200); "24h" → None (always). End may pass midnight."""
    if text.strip().lower() in ("24h", "always", "00:00-24:00"):
        return None
    try:
        start, end = (parse_time(p) for p in text.split("-"))
    except ValueError:
        raise ValueError(f"hours must look like 08:00-20:00, not {text!r}") from None
    if start == end or start >= 1440:
        raise ValueError(f"hours must look like 08:00-20:00, not {text!r}")
    return start, end
