"""Deadlines, pausing, stages and countdowns on the 7x12 Shanghai calendar (UTC+8, 08:00–20:00
every day = 00:00Z–12:00Z)."""

from datetime import datetime as dt, time, timedelta

import pytest

from handlers.sla import (Deadlines, SlaConfig, countdown, deadlines, next_check, next_check_any,
                          nudge_point, shift, stage)
from handlers.sla_calendar import Calendar

CAL = Calendar("Asia/Shanghai", (time(8), time(20)))
US = timedelta(microseconds=1)
CFG = SlaConfig.from_mapping({
    "calendars": {"7x12": {"hours": "08:00-20:00"}},
    "sla_policies": {
        "standard": {"calendar": "7x12", "response": {"urgent": 15, "normal": 60},
                     "onsite": {"urgent": 120, "normal": 480},
                     "resolution": {"urgent": 480, "normal": 1440}},
        "response_only": {"calendar": "7x12", "response": {"normal": 30}},
    },
    "default_policy": "standard",
})


def test_deadlines_for_a_normal_ticket():
    start = dt(2026, 5, 4, 2, 0)                                    # Mon 10:00 local
    assert deadlines(CFG, None, "normal", start, "Asia/Shanghai") == Deadlines(
        response=dt(2026, 5, 4, 3, 0),                              # 11:00
        onsite=dt(2026, 5, 4, 10, 0),                               # 18:00
        resolution=dt(2026, 5, 6, 2, 0),                            # Wed 10:00 (10 h + 12 h + 2 h)
    )


def test_deadlines_for_an_urgent_ticket_late_evening():
    start = dt(2026, 5, 4, 11, 50)                                  # Mon 19:50 local
    assert deadlines(CFG, "standard", "urgent", start, "Asia/Shanghai") == Deadlines(
        response=dt(2026, 5, 5, 0, 5),                              # 10 min today, Tue 08:05
        onsite=dt(2026, 5, 5, 1, 50),                               # Tue 09:50
        resolution=dt(2026, 5, 5, 7, 50),                           # Tue 15:50
    )


def test_same_policy_in_another_region_uses_its_zone():
    start = dt(2026, 5, 4, 17, 30)                                  # Paris 19:30 CEST
    dl = deadlines(CFG, None, "normal", start, "Europe/Paris")
    assert dl.response == dt(2026, 5, 5, 6, 30)                     # Paris 08:30 next day


def test_missing_target_or_urgency_means_no_deadline():
    start = dt(2026, 5, 4, 2, 0)
    assert deadlines(CFG, "response_only", "normal", start, "Asia/Shanghai") == Deadlines(
        response=dt(2026, 5, 4, 2, 30))
    assert deadlines(CFG, "standard", "low", start, "Asia/Shanghai") == Deadlines()


# -- pausing --------------------------------------------------------------------------------------

def test_shift_moves_only_pending_deadlines_by_paused_business_time():
    dl = Deadlines(response=dt(2026, 5, 4, 3, 0),                  # 11:00, already passed at pause
                   onsite=dt(2026, 5, 4, 4, 0),                    # 12:00, 30 min left at pause
                   resolution=dt(2026, 5, 4, 10, 0))               # 18:00, 390 min left
    paused, resumed = dt(2026, 5, 4, 3, 30), dt(2026, 5, 4, 11, 0)  # 11:30 -> 19:00 (450 min)
    out = shift(dl, paused, resumed, CAL)
    assert out.response == dl.response
    assert out.onsite == dt(2026, 5, 4, 11, 30)                     # 19:30
    # 60 min to 20:00, 330 min on Tue from 08:00 -> 13:30; same as 18:00 + 450 business min.
    assert out.resolution == dt(2026, 5, 5, 5, 30)
    assert out.resolution == CAL.add_business(dl.resolution, CAL.business_minutes(paused, resumed))


def test_shift_over_a_night_counts_only_open_time():
    dl = Deadlines(resolution=dt(2026, 5, 5, 4, 0))                 # Tue 12:00
    out = shift(dl, dt(2026, 5, 4, 11, 0), dt(2026, 5, 5, 1, 0), CAL)   # Mon 19:00 -> Tue 09:00
    assert out.resolution == dt(2026, 5, 5, 6, 0)                   # +120 min -> 14:00


def test_shift_when_a_deadline_fell_inside_the_pause():
    dl = Deadlines(onsite=dt(2026, 5, 4, 4, 0))                     # 12:00
    out = shift(dl, dt(2026, 5, 4, 3, 0), dt(2026, 5, 4, 6, 0), CAL)   # paused 11:00 -> 14:00
    assert out.onsite == dt(2026, 5, 4, 7, 0)                       # 60 min left -> 15:00


def test_shift_with_no_pause_or_bad_order():
    dl = Deadlines(onsite=dt(2026, 5, 4, 4, 0))
    assert shift(dl, dt(2026, 5, 4, 3), dt(2026, 5, 4, 3), CAL) == dl
    assert shift(dl, dt(2026, 5, 4, 13), dt(2026, 5, 4, 15), CAL) == dl   # paused at night
    with pytest.raises(ValueError):
        shift(dl, dt(2026, 5, 4, 3), dt(2026, 5, 4, 2), CAL)


# -- stages ---------------------------------------------------------------------------------------

START = dt(2026, 5, 4, 11, 30)                                      # Mon 19:30
DEADLINE = dt(2026, 5, 5, 0, 30)                                    # Tue 08:30 (60 business min)
NUDGE = dt(2026, 5, 5, 0, 18)                                       # 48 min: 30 Mon + 18 Tue


def test_stage_boundaries_exactly():
    assert stage(START, START, DEADLINE, CAL) == "ok"
    assert stage(dt(2026, 5, 4, 20, 0), START, DEADLINE, CAL) == "ok"   # 04:00 local, 30/60
    assert stage(NUDGE - US, START, DEADLINE, CAL) == "ok"
    assert stage(NUDGE, START, DEADLINE, CAL) == "nudge"
    assert stage(DEADLINE - US, START, DEADLINE, CAL) == "nudge"
    assert stage(DEADLINE, START, DEADLINE, CAL) == "breach"
    assert stage(DEADLINE + timedelta(days=3), START, DEADLINE, CAL) == "breach"
    assert stage(START, START, None, CAL) == "ok"


def test_nudge_at_extremes():
    # 0: nudging from the first business instant; 1: straight from ok to breach.
    assert stage(START, START, DEADLINE, CAL, nudge_at=0) == "nudge"
    assert stage(DEADLINE - US, START, DEADLINE, CAL, nudge_at=1) == "ok"
    assert next_check(START, START, DEADLINE, CAL, nudge_at=1) == DEADLINE


def test_nudge_point_that_lands_on_closing():
    # Exactly 50 % is used up at Mon 20:00 close; the nudge is due that instant.
    assert nudge_point(START, DEADLINE, CAL, 0.5) == dt(2026, 5, 4, 12, 0)
    assert stage(dt(2026, 5, 4, 12, 0), START, DEADLINE, CAL, nudge_at=0.5) == "nudge"
    assert stage(dt(2026, 5, 4, 12, 0) - US, START, DEADLINE, CAL, nudge_at=0.5) == "ok"
    with pytest.raises(ValueError):
        stage(START, START, DEADLINE, CAL, nudge_at=1.5)


def test_next_check_sequence_drives_a_scheduler():
    now, seen = START, []
    while (at := next_check(now, START, DEADLINE, CAL)) is not None:
        assert at > now
        seen.append((at, stage(at, START, DEADLINE, CAL)))
        now = at
    assert seen == [(NUDGE, "nudge"), (DEADLINE, "breach")]
    assert next_check(NUDGE - US, START, DEADLINE, CAL) == NUDGE
    assert next_check(NUDGE + US, START, DEADLINE, CAL) == DEADLINE
    assert next_check(DEADLINE, START, DEADLINE, CAL) is None
    assert next_check(START, START, None, CAL) is None


def test_next_check_any_takes_the_earliest_pending():
    dl = deadlines(CFG, None, "urgent", START, "Asia/Shanghai")
    # response 15 min: 80 % = 12 min -> Mon 19:42.
    assert next_check_any(START, START, [dl.response, dl.onsite, dl.resolution], CAL) == dt(2026, 5, 4, 11, 42)
    # Once responded, the caller drops response: onsite (120 min) nudges at 96 min -> Tue 09:06.
    assert next_check_any(START, START, [None, dl.onsite, dl.resolution], CAL) == dt(2026, 5, 5, 1, 6)
    assert next_check_any(START, START, [None, None], CAL) is None


# -- countdown ------------------------------------------------------------------------------------

@pytest.mark.parametrize("now, left", [
    (START, 60),
    (dt(2026, 5, 4, 20, 0), 30),                                    # night: clock stopped
    (dt(2026, 5, 5, 0, 29, 30), 1),                                 # 30 s left still shows 1
    (DEADLINE, 0),
    (dt(2026, 5, 5, 0, 30, 30), -1),                                # 30 s over shows -1
    (dt(2026, 5, 5, 0, 45), -15),
    (dt(2026, 5, 5, 13, 0), -690),                                  # Tue 21:00: 11.5 h over
])
def test_countdown(now, left):
    assert countdown(now, DEADLINE, CAL) == left
