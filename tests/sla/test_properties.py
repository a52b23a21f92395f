"""Property tests over generated calendars in zones with awkward rules (DST at 02:00, at
midnight, 30-minute shifts, a skipped day) checked against an independent wall-clock oracle."""

import math
from datetime import date, datetime, time, timedelta, timezone as _tz
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings, strategies as st

from handlers.sla import next_check, stage
from handlers.sla_calendar import Calendar

ZONES = ["Asia/Shanghai", "Europe/Paris", "America/Santiago", "Australia/Lord_Howe",
         "America/New_York", "Asia/Kolkata", "Pacific/Apia", "UTC"]
US = timedelta(microseconds=1)
TEN_DAYS = 10 * 1440


@st.composite
def calendars(draw):
    tz = draw(st.sampled_from(ZONES))
    if draw(st.booleans()):
        hours = None
    else:
        a = draw(st.integers(0, 24 * 60 - 1))
        b = draw(st.integers(a + 1, 24 * 60))
        hours = (time(a // 60, a % 60), time((b // 60) % 24, b % 60))
    days = draw(st.frozensets(st.integers(1, 7), min_size=1))
    holidays = draw(st.frozensets(st.dates(date(2011, 12, 1), date(2012, 1, 31))
                                  | st.dates(date(2026, 1, 1), date(2026, 12, 31)), max_size=12))
    return Calendar(tz, hours, days, holidays)


# Starts cluster around periods with holidays and transitions, plus anything 2000–2040.
instants = st.one_of(
    st.datetimes(datetime(2011, 12, 1), datetime(2012, 1, 31)),
    st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31)),
    st.datetimes(datetime(2000, 1, 1), datetime(2040, 1, 1)),
)
minutes = st.one_of(st.floats(0, TEN_DAYS, allow_nan=False), st.integers(0, TEN_DAYS))


def _local(cal: Calendar, at: datetime) -> datetime:
    return at.replace(tzinfo=_tz.utc).astimezone(ZoneInfo(cal.timezone))


def oracle_is_open(cal: Calendar, at: datetime) -> bool | None:
    """Open by reading the local wall clock; None inside a repeated (ambiguous) hour, where the
    wall reading alone cannot say which pass of the hour we are in."""
    local = _local(cal, at)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return None
    d = local.date()
    if d.isoweekday() not in cal.weekdays or d in cal.holidays:
        return False
    if cal.hours is None:
        return True
    t = local.time().replace(tzinfo=None, fold=0)
    opening, closing = cal.hours
    return opening <= t and (closing == time(0) or t < closing)


@settings(max_examples=300, deadline=None)
@given(calendars(), instants, minutes)
def test_round_trip(cal, start, m):
    end = cal.add_business(start, m)
    assert math.isclose(cal.business_minutes(start, end), m, abs_tol=1e-6)


@settings(max_examples=200, deadline=None)
@given(calendars(), instants, minutes, minutes)
def test_add_business_is_monotonic(cal, start, m1, m2):
    lo, hi = sorted((m1, m2))
    assert cal.add_business(start, lo) <= cal.add_business(start, hi)
    assert cal.add_business(start, lo) >= start


@settings(max_examples=300, deadline=None)
@given(calendars(), instants, minutes)
def test_result_is_open_or_a_closing_boundary(cal, start, m):
    end = cal.add_business(start, m)
    assert cal.is_open(end) or cal.is_open(end - US)


@settings(max_examples=300, deadline=None)
@given(calendars(), instants)
def test_is_open_matches_the_wall_clock(cal, at):
    expected = oracle_is_open(cal, at)
    assume(expected is not None)
    assert cal.is_open(at) == expected


@settings(max_examples=200, deadline=None)
@given(calendars(), instants)
def test_next_open_is_the_first_open_instant(cal, at):
    nxt = cal.next_open(at)
    assert nxt >= at and cal.is_open(nxt)
    assert cal.business_minutes(at, nxt) == 0
    if nxt > at:
        assert not cal.is_open(nxt - US) and not cal.is_open(at)


@settings(max_examples=200, deadline=None)
@given(calendars(), instants, st.integers(0, 3 * 1440), st.integers(0, 3 * 1440))
def test_business_minutes_is_additive(cal, a, x, y):
    b, c = a + timedelta(minutes=x), a + timedelta(minutes=x + y)
    assert cal.business_time(a, c) == cal.business_time(a, b) + cal.business_time(b, c)


@settings(max_examples=40, deadline=None)
@given(calendars(), instants, st.integers(0, 2 * 1440))
def test_business_minutes_counts_open_minutes(cal, a, span):
    # Hours, holidays and these zones' transitions all sit on whole minutes, so with whole-minute
    # ends the measure is a count of open minutes; repeated-hour minutes fall back to is_open.
    a = a.replace(second=0, microsecond=0)
    count = 0
    for i in range(span):
        at = a + timedelta(minutes=i)
        o = oracle_is_open(cal, at)
        count += cal.is_open(at) if o is None else o
    assert cal.business_minutes(a, a + timedelta(minutes=span)) == count


@settings(max_examples=200, deadline=None)
@given(calendars(), instants, st.floats(1, 3 * 1440), st.floats(0, 1), st.floats(0, 1.2))
def test_stage_flips_exactly_at_next_check(cal, start, m, nudge_at, frac):
    deadline = cal.add_business(start, m)
    now = start + (deadline - start) * frac
    before = stage(now, start, deadline, cal, nudge_at)
    at = next_check(now, start, deadline, cal, nudge_at)
    if at is None:
        assert before == "breach"
        return
    assert at > now
    assert stage(at - US, start, deadline, cal, nudge_at) == before
    assert stage(at, start, deadline, cal, nudge_at) != before
