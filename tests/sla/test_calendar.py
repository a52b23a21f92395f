"""Hand-computed calendar cases. Shanghai is UTC+8 all year; expectations are written in UTC
with the local reading alongside."""

from datetime import date, datetime as dt, time, timedelta

import pytest

from handlers.sla_calendar import Calendar

SH = "Asia/Shanghai"
SEVEN_BY_TWELVE = Calendar(SH, (time(8), time(20)))
SEVEN_BY_24 = Calendar(SH, None)
# Mon–Fri 09:00–18:00 with Wed 2026-05-06 off.
OFFICE = Calendar(SH, (time(9), time(18)), frozenset({1, 2, 3, 4, 5}), frozenset({date(2026, 5, 6)}))


def test_7x12_started_1930_ends_next_day_0830():
    start = dt(2026, 5, 4, 11, 30)                                  # Mon 19:30 local
    assert SEVEN_BY_TWELVE.add_business(start, 60) == dt(2026, 5, 5, 0, 30)   # Tue 08:30


def test_7x12_started_0300_ends_0900():
    start = dt(2026, 5, 3, 19, 0)                                   # Mon 03:00 local (Sun in UTC)
    assert SEVEN_BY_TWELVE.add_business(start, 60) == dt(2026, 5, 4, 1, 0)    # Mon 09:00


def test_7x12_deadline_ending_exactly_at_closing_is_the_closing_instant():
    start = dt(2026, 5, 4, 11, 0)                                   # 19:00 local
    end = SEVEN_BY_TWELVE.add_business(start, 60)
    assert end == dt(2026, 5, 4, 12, 0)                             # 20:00, not 08:00 next day
    assert not SEVEN_BY_TWELVE.is_open(end)


def test_7x12_multi_day():
    start = dt(2026, 5, 4, 2, 0)                                    # Mon 10:00 local
    # 10 h left Mon, 12 h Tue, 2 h into Wed.
    assert SEVEN_BY_TWELVE.add_business(start, 24 * 60) == dt(2026, 5, 6, 2, 0)   # Wed 10:00


def test_7x24_is_plain_elapsed_time():
    start = dt(2026, 5, 4, 18, 17, 5)
    assert SEVEN_BY_24.add_business(start, 60) == start + timedelta(hours=1)
    assert SEVEN_BY_24.add_business(start, 3 * 1440) == start + timedelta(days=3)
    assert SEVEN_BY_24.business_minutes(start, start + timedelta(days=10)) == 14400
    assert SEVEN_BY_24.is_open(start)


def test_office_holiday_in_the_middle():
    start = dt(2026, 5, 5, 9, 0)                                    # Tue 17:00 local
    # Tue 17–18 (60), Wed holiday, Thu 09:00 + 180 -> 12:00.
    assert OFFICE.add_business(start, 240) == dt(2026, 5, 7, 4, 0)
    assert OFFICE.business_minutes(start, dt(2026, 5, 7, 4, 0)) == 240
    assert not OFFICE.is_open(dt(2026, 5, 6, 3, 0))                # Wed 11:00 local, holiday
    assert OFFICE.next_open(dt(2026, 5, 5, 10, 0)) == dt(2026, 5, 7, 1, 0)   # Thu 09:00


def test_office_over_the_weekend():
    start = dt(2026, 5, 8, 8, 0)                                    # Fri 16:00 local
    # Fri 16–18 (120), Sat/Sun closed, Mon 09:00 + 480 -> 17:00.
    assert OFFICE.add_business(start, 600) == dt(2026, 5, 11, 9, 0)


def test_business_minutes_basics():
    a = dt(2026, 5, 4, 11, 30)                                      # Mon 19:30
    assert SEVEN_BY_TWELVE.business_minutes(a, a) == 0
    assert SEVEN_BY_TWELVE.business_minutes(a, a - timedelta(hours=1)) == 0
    assert SEVEN_BY_TWELVE.business_minutes(a, dt(2026, 5, 4, 23, 0)) == 30    # into the night
    assert SEVEN_BY_TWELVE.business_minutes(a, dt(2026, 5, 5, 0, 30)) == 60
    # Both ends in closed time.
    assert SEVEN_BY_TWELVE.business_minutes(dt(2026, 5, 4, 13), dt(2026, 5, 5, 13)) == 12 * 60


def test_is_open_and_next_open_at_boundaries():
    opening, closing = dt(2026, 5, 4, 0, 0), dt(2026, 5, 4, 12, 0)  # 08:00 and 20:00 local
    assert SEVEN_BY_TWELVE.is_open(opening)
    assert not SEVEN_BY_TWELVE.is_open(opening - timedelta(microseconds=1))
    assert SEVEN_BY_TWELVE.is_open(closing - timedelta(microseconds=1))
    assert not SEVEN_BY_TWELVE.is_open(closing)
    assert SEVEN_BY_TWELVE.next_open(opening) == opening
    assert SEVEN_BY_TWELVE.next_open(closing) == dt(2026, 5, 5, 0, 0)
    assert SEVEN_BY_TWELVE.next_open(dt(2026, 5, 3, 19, 0)) == opening


def test_zero_minutes_from_closed_time_is_next_opening():
    assert SEVEN_BY_TWELVE.add_business(dt(2026, 5, 4, 12, 0), 0) == dt(2026, 5, 5, 0, 0)
    assert SEVEN_BY_TWELVE.add_business(dt(2026, 5, 4, 5, 0), 0) == dt(2026, 5, 4, 5, 0)


def test_fractional_minutes():
    start = dt(2026, 5, 4, 2, 0)
    assert SEVEN_BY_TWELVE.add_business(start, 0.5) == start + timedelta(seconds=30)
    assert SEVEN_BY_TWELVE.business_minutes(start, start + timedelta(seconds=90)) == 1.5


def test_closing_at_midnight_means_end_of_day():
    cal = Calendar(SH, (time(8), time(0)))                          # 08:00–24:00
    assert cal.add_business(dt(2026, 5, 4, 15, 30), 60) == dt(2026, 5, 5, 0, 30)   # 23:30 -> 08:30
    assert cal.is_open(dt(2026, 5, 4, 15, 59))


def test_aware_inputs_are_treated_as_instants():
    from datetime import timezone
    start = dt(2026, 5, 4, 19, 30, tzinfo=timezone(timedelta(hours=8)))
    assert SEVEN_BY_TWELVE.add_business(start, 60) == dt(2026, 5, 5, 0, 30)


@pytest.mark.parametrize("minutes", [-1, float("nan"), float("inf")])
def test_bad_minutes(minutes):
    with pytest.raises(ValueError):
        SEVEN_BY_TWELVE.add_business(dt(2026, 5, 4), minutes)


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(timezone="Mars/Olympus"), "timezone"),
    (dict(timezone=SH, weekdays=frozenset()), "days"),
    (dict(timezone=SH, weekdays=frozenset({0, 1})), "days"),
    (dict(timezone=SH, hours=(time(20), time(8))), "hours"),
    (dict(timezone=SH, hours=(time(8), time(8))), "hours"),
])
def test_constructor_validation(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        Calendar(**kwargs)


def test_calendars_compare_by_value():
    assert Calendar(SH, (time(8), time(20))) == SEVEN_BY_TWELVE
    assert hash(Calendar(SH, (time(8), time(20)))) == hash(SEVEN_BY_TWELVE)
    assert Calendar(SH, (time(0), time(0))) == SEVEN_BY_24


def test_long_span_is_fast_enough_to_not_loop_per_minute():
    import time as _t
    start = dt(2026, 5, 4, 11, 30)
    OFFICE.add_business(start, 5 * 1440)
    t0 = _t.perf_counter()
    for _ in range(200):
        OFFICE.add_business(start, 5 * 1440)                        # ~13 calendar days
    # Generous ceiling (real figure is tens of µs); a per-minute loop would take milliseconds.
    assert (_t.perf_counter() - t0) / 200 < 1e-3



def test_consecutive_holidays_on_a_one_day_week_are_skipped():
    """Found by hypothesis: open Fridays only, two Fridays in a row are holidays → 20 closed days."""
    from datetime import date as _date, datetime as _dt

    from handlers.sla_calendar import Calendar as _Calendar

    cal = _Calendar("Asia/Shanghai", None, frozenset([5]), frozenset([_date(2011, 12, 23), _date(2011, 12, 30)]))
    start = _dt(2011, 12, 9, 0, 0)
    end = cal.add_business(start, 2401.0)
    assert cal.business_minutes(start, end) == 2401.0
    # 16 h on Fri 9 Dec (from 08:00 local) + 24 h on Fri 16 Dec = 2400 min; the 23rd and 30th are
    # holidays; the last minute is 00:00–00:01 on Fri 6 Jan in Shanghai, i.e. 16:01 UTC on the 5th.
    assert end == _dt(2012, 1, 5, 16, 1)
