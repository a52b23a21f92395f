"""Europe/Paris across 2026's changes: spring 2026-03-29 01:00Z (02:00 CET -> 03:00 CEST) and
autumn 2026-10-25 01:00Z (03:00 CEST -> 02:00 CET). Business minutes are real elapsed minutes."""

from datetime import datetime as dt, time, timedelta
from zoneinfo import ZoneInfo

from handlers.sla_calendar import Calendar

PARIS = ZoneInfo("Europe/Paris")
ROUND = Calendar("Europe/Paris", None)
DAY = Calendar("Europe/Paris", (time(8), time(20)))


def wall(utc: dt) -> dt:
    return utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(PARIS).replace(tzinfo=None)


def test_24h_calendar_across_spring_change_is_24_real_hours():
    start = dt(2026, 3, 28, 11, 0)                                  # Sat 12:00 CET
    end = ROUND.add_business(start, 24 * 60)
    assert end == start + timedelta(hours=24)                       # Sun 11:00Z
    assert wall(end) == dt(2026, 3, 29, 13, 0)                      # reads 13:00: 25 h of wall clock


def test_24h_calendar_across_autumn_change_is_24_real_hours():
    start = dt(2026, 10, 24, 10, 0)                                 # Sat 12:00 CEST
    end = ROUND.add_business(start, 24 * 60)
    assert end == start + timedelta(hours=24)
    assert wall(end) == dt(2026, 10, 25, 11, 0)                     # reads 11:00: 23 h of wall clock


def test_change_days_are_23_and_25_hours_long():
    assert ROUND.business_minutes(dt(2026, 3, 28, 23), dt(2026, 3, 29, 22)) == 23 * 60
    assert ROUND.business_minutes(dt(2026, 10, 24, 22), dt(2026, 10, 25, 23)) == 25 * 60
    # Local midnight to local midnight equals the same through add_business.
    assert ROUND.add_business(dt(2026, 3, 28, 23), 23 * 60) == dt(2026, 3, 29, 22)


def test_08_20_calendar_opens_at_local_0800_whatever_the_offset_spring():
    start = dt(2026, 3, 28, 18, 0)                                  # Sat 19:00 CET
    end = DAY.add_business(start, 120)
    # 60 min until 20:00 CET (19:00Z); Sunday opens 08:00 CEST = 06:00Z; +60.
    assert end == dt(2026, 3, 29, 7, 0)
    assert wall(end) == dt(2026, 3, 29, 9, 0)
    assert DAY.next_open(dt(2026, 3, 28, 19, 0)) == dt(2026, 3, 29, 6, 0)
    assert DAY.business_minutes(start, end) == 120


def test_08_20_calendar_opens_at_local_0800_whatever_the_offset_autumn():
    start = dt(2026, 10, 24, 17, 0)                                 # Sat 19:00 CEST
    end = DAY.add_business(start, 120)
    # 60 min until 20:00 CEST (18:00Z); Sunday opens 08:00 CET = 07:00Z; +60.
    assert end == dt(2026, 10, 25, 8, 0)
    assert wall(end) == dt(2026, 10, 25, 9, 0)
    # Each day still holds 12 business hours.
    assert DAY.business_minutes(dt(2026, 10, 24), dt(2026, 10, 26)) == 24 * 60


def test_opening_inside_the_spring_gap_opens_when_the_clock_jumps():
    cal = Calendar("Europe/Paris", (time(2, 30), time(4, 0)))
    # 02:30 does not exist on 2026-03-29: the doors open at the jump (03:00 CEST = 01:00Z).
    assert cal.next_open(dt(2026, 3, 28, 23, 0)) == dt(2026, 3, 29, 1, 0)
    assert not cal.is_open(dt(2026, 3, 29, 0, 59))
    assert cal.business_minutes(dt(2026, 3, 29), dt(2026, 3, 30)) == 60   # 03:00–04:00 CEST
    # An ordinary day for comparison: 90 minutes.
    assert cal.business_minutes(dt(2026, 3, 30), dt(2026, 3, 31)) == 90


def test_hours_wholly_inside_the_gap_mean_closed_that_day():
    cal = Calendar("Europe/Paris", (time(2, 10), time(2, 50)))
    assert cal.business_minutes(dt(2026, 3, 29), dt(2026, 3, 30)) == 0
    assert cal.next_open(dt(2026, 3, 28, 12)) == dt(2026, 3, 30, 0, 10)  # Mon 02:10 CEST


def test_ambiguous_autumn_opening_uses_its_first_occurrence():
    cal = Calendar("Europe/Paris", (time(2, 30), time(4, 0)))
    # Opens at the first 02:30 (CEST, 00:30Z) and closes at 04:00 CET (03:00Z): 150 minutes.
    assert cal.next_open(dt(2026, 10, 24, 12)) == dt(2026, 10, 25, 0, 30)
    assert cal.business_minutes(dt(2026, 10, 25), dt(2026, 10, 26)) == 150


def test_midnight_gap_in_santiago():
    # Chile springs forward at 24:00 -> 01:00 (2026-09-06): that local day has no midnight.
    cal = Calendar("America/Santiago", None)
    tz = ZoneInfo("America/Santiago")
    d0 = dt(2026, 9, 5, 12).replace(tzinfo=tz).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    assert cal.add_business(d0, 24 * 60) == d0 + timedelta(hours=24)
    assert cal.is_open(d0 + timedelta(hours=12))
    # 2026-09-06 runs from the jump (04:00Z) to the next midnight (03:00Z): 23 h.
    assert cal.business_minutes(dt(2026, 9, 6, 4), dt(2026, 9, 7, 3)) == 23 * 60
    assert cal.next_open(dt(2026, 9, 6, 4)) == dt(2026, 9, 6, 4)


def test_skipped_calendar_day_in_samoa():
    # Pacific/Apia skipped 2011-12-30 entirely; a Mon–Sun 9–17 desk simply has no such day.
    cal = Calendar("Pacific/Apia", (time(9), time(17)))
    thu_1700 = dt(2011, 12, 30, 3, 0)                              # Thu 29th 17:00 (-10:00)
    sat_0900 = dt(2011, 12, 30, 19, 0)                             # Sat 31st 09:00 (+14:00)
    assert cal.next_open(thu_1700) == sat_0900
    assert cal.add_business(thu_1700 - timedelta(hours=1), 120) == sat_0900 + timedelta(hours=1)
