"""Periods: what "本月", "last_quarter" or "2026-10" mean as dates, in a region's time zone.

Ledger lines carry a month label (`YYYY-MM`) computed once, when the line is written, in the
region's own time zone: a Bangkok job finished at 23:30 on 31 October belongs to October even
though it is already November in Shanghai. Month-shaped questions (a month, a quarter, a year)
are therefore answered by label, exactly. Shorter spans (today, a week) are answered by the time
the line was booked, in the asker's time zone; `months` still names the labels they can touch
(padded by a day each side, since no two zones differ by more) so the query stays on the index.

Specs accepted (the NLU's `period` values, plus the canonical forms a signed link carries so it
means the same thing next month):

    today yesterday this_week last_week this_month last_month this_quarter last_quarter this_year
    YYYY-MM   YYYY-Qn   YYYY   YYYY-MM-DD   YYYY-MM-DD..YYYY-MM-DD (inclusive)

Weeks start on Monday (ISO 8601).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import SettlementError

NAMES = ("today", "yesterday", "this_week", "last_week", "this_month", "last_month", "this_quarter",
         "last_quarter", "this_year")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
_YEAR = re.compile(r"\d{4}")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})")
_ONE_DAY = dt.timedelta(days=1)


class PeriodError(SettlementError):
    """A period that cannot be understood or used (one line, fit for a user)."""


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise PeriodError(f"unknown time zone {name!r}") from None


def _utc(at: dt.datetime) -> dt.datetime:
    """Aware UTC; a naive datetime is taken as UTC (the desk stores naive UTC)."""
    return at.replace(tzinfo=dt.timezone.utc) if at.tzinfo is None else at.astimezone(dt.timezone.utc)


def label(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def parse_month(text: str) -> tuple[int, int]:
    m = _MONTH.fullmatch(text.strip()) if isinstance(text, str) else None
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise PeriodError(f"expected a month like 2026-10, got {text!r}")
    return int(m.group(1)), int(m.group(2))


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    k = year * 12 + (month - 1) + n
    return k // 12, k % 12 + 1


def next_month(period: str) -> str:
    return label(*_add_months(*parse_month(period), 1))


def period_of(at: dt.datetime, timezone: str) -> str:
    """The month label of an instant in a time zone."""
    local = _utc(at).astimezone(zone(timezone))
    return label(local.year, local.month)


def local_midnight_utc(day: dt.date, timezone: str) -> dt.datetime:
    """00:00 of `day` in the zone, as naive UTC (the storage convention)."""
    local = dt.datetime(day.year, day.month, day.day, tzinfo=zone(timezone))
    return local.astimezone(dt.timezone.utc).replace(tzinfo=None)


def month_end_utc(period: str, timezone: str) -> dt.datetime:
    y, m = _add_months(*parse_month(period), 1)
    return local_midnight_utc(dt.date(y, m, 1), timezone)


def has_ended(period: str, now: dt.datetime, timezones: Iterable[str]) -> bool:
    """True once the month is over in every zone given (the last zone to leave it decides)."""
    return _utc(now).replace(tzinfo=None) >= last_end_utc(period, timezones)


def last_end_utc(period: str, timezones: Iterable[str]) -> dt.datetime:
    zones = list(dict.fromkeys(timezones)) or ["UTC"]
    return max(month_end_utc(period, z) for z in zones)


def _months_between(start: dt.date, end: dt.date) -> tuple[str, ...]:
    """Labels of the months touched by local dates [start, end)."""
    out, (y, m) = [], (start.year, start.month)
    last = end - _ONE_DAY
    while (y, m) <= (last.year, last.month):
        out.append(label(y, m))
        y, m = _add_months(y, m, 1)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Span:
    """A resolved period: local dates [start, end) in `timezone`."""

    asked: str
    canonical: str  # what a link carries: resolves to the same span whenever it is opened
    start: dt.date
    end: dt.date
    timezone: str
    whole_months: bool  # True: answer by month labels; False: by booked time within `months`

    @property
    def months(self) -> tuple[str, ...]:
        if self.whole_months:
            return _months_between(self.start, self.end)
        return _months_between(self.start - _ONE_DAY, self.end + _ONE_DAY)

    @property
    def utc_start(self) -> dt.datetime:
        return local_midnight_utc(self.start, self.timezone)

    @property
    def utc_end(self) -> dt.datetime:
        return local_midnight_utc(self.end, self.timezone)

    def to_json(self) -> dict[str, object]:
        return {"asked": self.asked, "period": self.canonical, "start": self.start.isoformat(),
                "end": (self.end - _ONE_DAY).isoformat(), "timezone": self.timezone,
                "months": list(self.months) if self.whole_months else None}


def _month_span(asked: str, y: int, m: int, tz: str, n: int = 1) -> Span:
    ey, em = _add_months(y, m, n)
    canonical = label(y, m) if n == 1 else (f"{y:04d}-Q{(m - 1) // 3 + 1}" if n == 3 else f"{y:04d}")
    return Span(asked, canonical, dt.date(y, m, 1), dt.date(ey, em, 1), tz, True)


def _day_span(asked: str, start: dt.date, end: dt.date, tz: str) -> Span:
    last = end - _ONE_DAY
    canonical = start.isoformat() if last == start else f"{start.isoformat()}..{last.isoformat()}"
    return Span(asked, canonical, start, end, tz, False)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise PeriodError(f"not a date: {text!r}") from None


def resolve(spec: str | None, *, now: dt.datetime, timezone: str) -> Span:
    """A period spec -> Span. `now` is any datetime (naive = UTC); the zone decides "today"."""
    if not isinstance(spec, str) or not spec.strip():
        raise PeriodError("a period is needed, e.g. 2026-10 or this_month")
    text = spec.strip()
    key = text.lower()
    tz = timezone
    today = _utc(now).astimezone(zone(tz)).date()
    if key in NAMES:
        if key in ("today", "yesterday"):
            day = today - (_ONE_DAY if key == "yesterday" else dt.timedelta(0))
            return _day_span(key, day, day + _ONE_DAY, tz)
        if key in ("this_week", "last_week"):
            monday = today - dt.timedelta(days=today.weekday()) - dt.timedelta(days=7 if key == "last_week" else 0)
            return _day_span(key, monday, monday + dt.timedelta(days=7), tz)
        if key in ("this_month", "last_month"):
            return _month_span(key, *_add_months(today.year, today.month, -1 if key == "last_month" else 0), tz)
        if key in ("this_quarter", "last_quarter"):
            q_start = (today.month - 1) // 3 * 3 + 1
            y, m = _add_months(today.year, q_start, -3 if key == "last_quarter" else 0)
            return _month_span(key, y, m, tz, 3)
        return _month_span(key, today.year, 1, tz, 12)
    if _MONTH.fullmatch(text):
        return _month_span(text, *parse_month(text), tz)
    m = _QUARTER.fullmatch(text.upper())
    if m:
        return _month_span(text, int(m.group(1)), (int(m.group(2)) - 1) * 3 + 1, tz, 3)
    if _YEAR.fullmatch(text):
        return _month_span(text, int(text), 1, tz, 12)
    if _DAY.fullmatch(text):
        day = _date(text)
        return _day_span(text, day, day + _ONE_DAY, tz)
    m = _RANGE.fullmatch(text)
    if m:
        first, last = _date(m.group(1)), _date(m.group(2))
        if last < first:
            raise PeriodError(f"period {text!r} ends before it starts")
        if (last - first).days > 366:
            raise PeriodError(f"period {text!r} is longer than a year; ask by month, quarter or year")
        return _day_span(text, first, last + _ONE_DAY, tz)
    raise PeriodError(f"unknown period {text!r} (use YYYY-MM, YYYY-Qn, YYYY, YYYY-MM-DD, a range "
                      f"YYYY-MM-DD..YYYY-MM-DD, or one of: {', '.join(NAMES)})")
