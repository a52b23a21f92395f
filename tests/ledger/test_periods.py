"""settlement/periods.py: period specs → local date spans, month labels in a zone."""

from __future__ import annotations

import datetime as dt

import pytest

from settlement.periods import NAMES, PeriodError, has_ended, next_month, period_of, resolve

# Sunday 22 November 2026, 19:30 UTC = Monday 23 November 03:30 in Shanghai.
NOW = dt.datetime(2026, 11, 22, 19, 30)
SH = "Asia/Shanghai"


@pytest.mark.parametrize("spec, canonical, start, end, whole", [
    ("today", "2026-11-23", "2026-11-23", "2026-11-24", False),
    ("yesterday", "2026-11-22", "2026-11-22", "2026-11-23", False),
    ("this_week", "2026-11-23..2026-11-29", "2026-11-23", "2026-11-30", False),
    ("last_week", "2026-11-16..2026-11-22", "2026-11-16", "2026-11-23", False),
    ("this_month", "2026-11", "2026-11-01", "2026-12-01", True),
    ("last_month", "2026-10", "2026-10-01", "2026-11-01", True),
    ("this_quarter", "2026-Q4", "2026-10-01", "2027-01-01", True),
    ("last_quarter", "2026-Q3", "2026-07-01", "2026-10-01", True),
    ("this_year", "2026", "2026-01-01", "2027-01-01", True),
    ("2026-02", "2026-02", "2026-02-01", "2026-03-01", True),
    ("2025-Q4", "2025-Q4", "2025-10-01", "2026-01-01", True),
    ("2025", "2025", "2025-01-01", "2026-01-01", True),
    ("2026-03-08", "2026-03-08", "2026-03-08", "2026-03-09", False),
    ("2026-03-01..2026-03-07", "2026-03-01..2026-03-07", "2026-03-01", "2026-03-08", False),
])
def test_specs(spec, canonical, start, end, whole):
    span = resolve(spec, now=NOW, timezone=SH)
    assert (span.canonical, span.start.isoformat(), span.end.isoformat(), span.whole_months) == (
        canonical, start, end, whole)
    # the canonical form a signed link carries means the same span whenever it is opened
    later = resolve(span.canonical, now=NOW + dt.timedelta(days=400), timezone=SH)
    assert (later.start, later.end) == (span.start, span.end)


def test_every_nlu_period_name_resolves():
    for name in NAMES:
        resolve(name, now=NOW, timezone=SH)


def test_the_zone_decides_what_today_is():
    assert resolve("today", now=NOW, timezone="Europe/Paris").canonical == "2026-11-22"
    assert resolve("today", now=NOW, timezone=SH).canonical == "2026-11-23"
    assert resolve("this_month", now=dt.datetime(2026, 11, 30, 16, 30), timezone=SH).canonical == "2026-12"


def test_months_and_utc_bounds():
    q = resolve("2026-Q4", now=NOW, timezone=SH)
    assert q.months == ("2026-10", "2026-11", "2026-12")
    week = resolve("2026-11-30..2026-12-06", now=NOW, timezone=SH)
    assert week.months == ("2026-11", "2026-12")  # padded a day: a Paris line on the 30th is still November
    assert (week.utc_start, week.utc_end) == (dt.datetime(2026, 11, 29, 16), dt.datetime(2026, 12, 6, 16))


def test_period_of_and_has_ended():
    at = dt.datetime(2026, 10, 31, 16, 30)
    assert (period_of(at, SH), period_of(at, "Asia/Bangkok")) == ("2026-11", "2026-10")
    assert period_of(at.replace(tzinfo=dt.timezone.utc), SH) == "2026-11"
    assert next_month("2026-12") == "2027-01"
    zones = [SH, "Europe/Paris"]
    assert not has_ended("2026-11", dt.datetime(2026, 11, 30, 22, 59), zones)
    assert has_ended("2026-11", dt.datetime(2026, 11, 30, 23, 0), zones)


@pytest.mark.parametrize("spec", ["", "next_month", "2026-13", "2026-Q5", "2026-02-30", "2026-03-07..2026-03-01",
                                  "2024-01-01..2026-01-01", None])
def test_bad_specs_are_one_line_errors(spec):
    with pytest.raises(PeriodError):
        resolve(spec, now=NOW, timezone=SH)
    with pytest.raises(PeriodError):
        resolve("today", now=NOW, timezone="Mars/Olympus")
