"""Business-hours calendars for SLA clocks.

Instants in and out are naive UTC (the desk's storage convention); opening hours are local wall
time. Each local day is turned into at most one UTC interval [open, close) and all arithmetic
walks those intervals, so DST days (23 h / 25 h) and holidays need no special cases and closed
days are skipped in O(1) each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone as _dt_timezone
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["Calendar", "CalendarSpec"]

ALL_DAYS: frozenset[int] = frozenset(range(1, 8))
MINUTE = timedelta(minutes=1)
_US = timedelta(microseconds=1)
_ONE_DAY = timedelta(days=1)
_UTC = _dt_timezone.utc
_CACHE_LIMIT = 4096
_HOURS_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def _utc_naive(at: datetime) -> datetime:
    # Be forgiving with aware values: callers mixing them in would otherwise get a TypeError deep
    # inside a comparison.
    if at.tzinfo is not None:
        return at.astimezone(_UTC).replace(tzinfo=None)
    return at


def _minutes_td(minutes: float) -> timedelta:
    if isinstance(minutes, bool) or not isinstance(minutes, (int, float)):
        raise TypeError(f"minutes must be a number, got {minutes!r}")
    if not minutes >= 0 or minutes == float("inf"):  # also rejects NaN
        raise ValueError(f"minutes must be a finite number >= 0, got {minutes!r}")
    # Whole microseconds from here on, so add/measure round-trip exactly.
    return timedelta(microseconds=round(minutes * 60_000_000))


@dataclass(frozen=True)
class Calendar:
    """Working days and hours in one time zone. ``hours=None`` means round the clock.

    ``hours`` is ``(open, close)`` local; ``close == time(0)`` means 24:00 (end of the day).
    """

    timezone: str
    hours: tuple[time, time] | None = None
    weekdays: frozenset[int] = ALL_DAYS
    holidays: frozenset[date] = frozenset()
    _tz: ZoneInfo = field(init=False, repr=False, compare=False)
    # Per-date intervals; kept out of eq/hash so equal calendars stay equal.
    _days: dict[date, tuple[datetime, datetime] | None] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        try:
            tz = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise ValueError(f"timezone: unknown time zone {self.timezone!r}") from None
        object.__setattr__(self, "_tz", tz)
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        if not self.weekdays:
            raise ValueError("days: at least one working day is required")
        if not self.weekdays <= ALL_DAYS:
            raise ValueError(f"days: ISO weekdays are 1 (Mon) .. 7 (Sun), got {sorted(self.weekdays)}")
        if self.hours is not None:
            opening, closing = self.hours
            for t in (opening, closing):
                if not isinstance(t, time) or t.tzinfo is not None:
                    raise ValueError(f"hours: expected naive datetime.time values, got {t!r}")
            if opening == closing == time(0):
                object.__setattr__(self, "hours", None)  # 00:00-24:00 is round the clock
            elif closing != time(0) and closing <= opening:
                # Overnight shifts would make a day's hours spill into the next date; not supported.
                raise ValueError(f"hours: closing {closing:%H:%M} must be after opening {opening:%H:%M}")

    @classmethod
    def from_config(cls, config: Mapping[str, Any], timezone: str | None = None) -> "Calendar":
        """``{"timezone", "hours": "08:00-20:00" | "24h", "days": [1..7], "holidays": [...]}``.

        ``timezone`` is the fallback when the mapping has none (e.g. the region's zone).
        """
        return CalendarSpec.from_config(config).bind(timezone)

    # -- local days -> UTC intervals ------------------------------------------------------------

    def _to_utc(self, wall: datetime) -> datetime:
        tz = self._tz
        # fold=0 picks the first occurrence of an ambiguous (autumn) wall time.
        u = wall - wall.replace(tzinfo=tz).utcoffset()
        if u.replace(tzinfo=_UTC).astimezone(tz).replace(tzinfo=None) == wall:
            return u
        # The wall time fell in a spring-forward gap: the boundary happens when the clock first
        # reads at or past it, i.e. at the transition. Search between the two offsets' readings.
        lo = wall - wall.replace(tzinfo=tz, fold=1).utcoffset()
        lo, hi = min(lo, u), max(lo, u)
        while hi - lo > _US:
            mid = lo + (hi - lo) // 2
            if mid.replace(tzinfo=_UTC).astimezone(tz).replace(tzinfo=None) >= wall:
                hi = mid
            else:
                lo = mid
        return hi

    def _day(self, d: date) -> tuple[datetime, datetime] | None:
        try:
            return self._days[d]
        except KeyError:
            pass
        span: tuple[datetime, datetime] | None = None
        if d.isoweekday() in self.weekdays and d not in self.holidays:
            start = datetime.combine(d, time(0))
            if self.hours is None:
                opening, closing = start, start + _ONE_DAY
            else:
                opening = datetime.combine(d, self.hours[0])
                closing = start + _ONE_DAY if self.hours[1] == time(0) else datetime.combine(d, self.hours[1])
            a, b = self._to_utc(opening), self._to_utc(closing)
            span = (a, b) if b > a else None  # hours wholly inside a DST gap: closed that day
        if len(self._days) >= _CACHE_LIMIT:
            self._days.clear()
        self._days[d] = span
        return span

    def _local_date(self, at: datetime) -> date:
        return at.replace(tzinfo=_UTC).astimezone(self._tz).date()

    def _spans_from(self, at: datetime):
        """Yield open intervals (clipped to start at ``at``) from ``at`` on, in order."""
        d = self._local_date(at)
        # Weekdays are non-empty, so without holidays an opening comes within a week; each holiday
        # can cost at most one more week (a calendar open one day a week). The bound only guards
        # against an impossible calendar looping forever.
        closed_run, limit = 0, 7 * (len(self.holidays) + 2)
        while True:
            span = self._day(d)
            d += _ONE_DAY
            if span is None:
                closed_run += 1
                if closed_run > limit:
                    raise ValueError("calendar has no opening hours")
                continue
            closed_run = 0
            opening, closing = span
            if closing <= at:
                continue
            yield (at if opening < at else opening), closing

    # -- public API -----------------------------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        at = _utc_naive(at)
        span = self._day(self._local_date(at))
        return span is not None and span[0] <= at < span[1]

    def next_open(self, at: datetime) -> datetime:
        """``at`` itself when open, else the next opening (naive UTC)."""
        at = _utc_naive(at)
        return next(self._spans_from(at))[0]

    def add_business_time(self, start: datetime, amount: timedelta) -> datetime:
        """Earliest instant at which ``amount`` of open time has passed since ``start``."""
        if amount < timedelta(0):
            raise ValueError(f"amount must be >= 0, got {amount}")
        start = _utc_naive(start)
        left = amount
        for opening, closing in self._spans_from(start):
            avail = closing - opening
            if avail >= left:
                # Exactly used up at closing returns the closing instant, not the next opening:
                # that is when the time actually ran out.
                return opening + left
            left -= avail
        raise AssertionError("unreachable")  # _spans_from never ends

    def add_business(self, start: datetime, minutes: float) -> datetime:
        """Naive UTC instant when ``minutes`` of business time have passed after ``start``.

        From a closed instant counting starts at the next opening (so ``minutes=0`` gives
        ``next_open(start)``).
        """
        return self.add_business_time(start, _minutes_td(minutes))

    def business_time(self, a: datetime, b: datetime) -> timedelta:
        """Open time between two instants as an exact timedelta (zero if ``b <= a``)."""
        a, b = _utc_naive(a), _utc_naive(b)
        total = timedelta(0)
        if b <= a:
            return total
        for opening, closing in self._spans_from(a):
            if opening >= b:
                break
            total += min(closing, b) - opening
            if closing >= b:
                break
        return total

    def business_minutes(self, a: datetime, b: datetime) -> float:
        return self.business_time(a, b) / MINUTE


@dataclass(frozen=True)
class CalendarSpec:
    """A validated calendar config that may still lack its time zone (filled per region)."""

    timezone: str | None
    hours: tuple[time, time] | None = None
    weekdays: frozenset[int] = ALL_DAYS
    holidays: frozenset[date] = frozenset()

    @classmethod
    def from_config(cls, config: Mapping[str, Any], where: str = "") -> "CalendarSpec":
        def err(key: str, msg: str) -> ValueError:
            return ValueError(f"{where}{key}: {msg}")

        if not isinstance(config, Mapping):
            raise ValueError(f"{where.rstrip('.') or 'calendar'}: expected a mapping, got {type(config).__name__}")
        unknown = set(config) - {"timezone", "hours", "days", "holidays"}
        if unknown:
            raise err(sorted(map(str, unknown))[0], "unknown key (expected timezone, hours, days, holidays)")

        tz = config.get("timezone")
        if tz is not None:
            if not isinstance(tz, str):
                raise err("timezone", f"expected a time zone name, got {tz!r}")
            try:
                ZoneInfo(tz)
            except (ZoneInfoNotFoundError, ValueError):
                raise err("timezone", f"unknown time zone {tz!r}") from None

        hours = _parse_hours(config.get("hours", "24h"), lambda m: err("hours", m))

        days = config.get("days", sorted(ALL_DAYS))
        if isinstance(days, (str, bytes)) or not hasattr(days, "__iter__"):
            raise err("days", f"expected a list of ISO weekdays 1..7, got {days!r}")
        days = list(days)
        for d in days:
            if isinstance(d, bool) or not isinstance(d, int) or not 1 <= d <= 7:
                raise err("days", f"ISO weekdays are 1 (Mon) .. 7 (Sun), got {d!r}")
        if not days:
            raise err("days", "at least one working day is required")

        holidays = config.get("holidays", [])
        if isinstance(holidays, (str, bytes)) or not hasattr(holidays, "__iter__"):
            raise err("holidays", f"expected a list of dates, got {holidays!r}")
        parsed: set[date] = set()
        for i, h in enumerate(holidays):
            # YAML turns unquoted 2026-10-01 into a date already; quoted ones arrive as text.
            if isinstance(h, datetime):
                raise err(f"holidays.{i}", f"expected a date, got a datetime {h!r}")
            if isinstance(h, date):
                parsed.add(h)
                continue
            try:
                parsed.add(date.fromisoformat(h))
            except (TypeError, ValueError):
                raise err(f"holidays.{i}", f"expected a YYYY-MM-DD date, got {h!r}") from None

        return cls(tz, hours, frozenset(days), frozenset(parsed))

    def bind(self, timezone: str | None = None) -> Calendar:
        """A usable calendar; the spec's own zone wins over the fallback ``timezone``."""
        tz = self.timezone or timezone
        if not tz:
            raise ValueError("timezone: required (set it on the calendar or pass the region's zone)")
        return Calendar(tz, self.hours, self.weekdays, self.holidays)


def _parse_hours(value: Any, err) -> tuple[time, time] | None:
    if isinstance(value, str) and value.strip().lower() == "24h":
        return None
    m = _HOURS_RE.match(value) if isinstance(value, str) else None
    if not m:
        raise err(f"expected 'HH:MM-HH:MM' or '24h', got {value!r}")
    h1, m1, h2, m2 = map(int, m.groups())
    if not (h1 < 24 and m1 < 60 and m2 < 60 and (h2 < 24 or (h2 == 24 and m2 == 0))):
        raise err(f"not a valid time range: {value!r}")
    opening, closing = time(h1, m1), time(h2 % 24, m2)
    if closing != time(0) and closing <= opening:
        raise err(f"closing must be after opening (overnight hours are not supported): {value!r}")
    return None if opening == closing == time(0) else (opening, closing)
