"""Calendar and SLA config parsing; errors name the key path."""

from datetime import date, time

import pytest

from handlers.sla import SlaConfig, SlaPolicy
from handlers.sla_calendar import Calendar, CalendarSpec

GOOD = {
    "calendars": {
        "7x12": {"hours": "08:00-20:00"},
        "7x24": {"hours": "24h"},
        "office_cn": {"timezone": "Asia/Shanghai", "hours": "09:00-18:00", "days": [1, 2, 3, 4, 5],
                      "holidays": ["2026-10-01", date(2026, 10, 2)]},
    },
    "sla_policies": {
        "standard": {"calendar": "7x12", "response": {"urgent": 15, "normal": 60},
                     "onsite": {"urgent": 120, "normal": 480},
                     "resolution": {"urgent": 480, "normal": 1440}},
        "vip": {"calendar": "7x24", "response": {"urgent": 10}},
    },
    "default_policy": "standard",
    "regions": [{"code": "sh"}],                                    # unrelated keys are ignored
}


def test_calendar_from_config():
    cal = Calendar.from_config({"timezone": "Europe/Paris", "hours": "08:00-20:00", "days": [1, 2, 3, 4, 5],
                                "holidays": ["2026-05-01"]})
    assert cal == Calendar("Europe/Paris", (time(8), time(20)), frozenset({1, 2, 3, 4, 5}),
                           frozenset({date(2026, 5, 1)}))
    assert Calendar.from_config({"timezone": "Asia/Shanghai"}).hours is None     # default 24h, all days
    assert Calendar.from_config({"hours": "8:00-24:00"}, timezone="Asia/Shanghai").hours == (time(8), time(0))
    # The calendar's own zone wins over the fallback.
    assert Calendar.from_config({"timezone": "Europe/Paris"}, timezone="Asia/Shanghai").timezone == "Europe/Paris"


@pytest.mark.parametrize("config, message", [
    ({"hours": "24h"}, "timezone: required"),
    ({"timezone": "Nowhere/Town"}, "timezone: unknown time zone 'Nowhere/Town'"),
    ({"timezone": 8}, "timezone: expected a time zone name"),
    ({"timezone": "UTC", "hours": "8-20"}, "hours: expected 'HH:MM-HH:MM' or '24h'"),
    ({"timezone": "UTC", "hours": 480}, "hours: expected"),
    ({"timezone": "UTC", "hours": "20:00-08:00"}, "hours: closing must be after opening"),
    ({"timezone": "UTC", "hours": "08:00-25:00"}, "hours: not a valid time range"),
    ({"timezone": "UTC", "hours": "08:61-20:00"}, "hours: not a valid time range"),
    ({"timezone": "UTC", "days": []}, "days: at least one working day"),
    ({"timezone": "UTC", "days": [0, 1]}, r"days: ISO weekdays are 1 \(Mon\) .. 7 \(Sun\), got 0"),
    ({"timezone": "UTC", "days": "1-5"}, "days: expected a list"),
    ({"timezone": "UTC", "days": [True]}, "days: ISO weekdays"),
    ({"timezone": "UTC", "holidays": ["2026-13-01"]}, "holidays.0: expected a YYYY-MM-DD date"),
    ({"timezone": "UTC", "holidays": "2026-10-01"}, "holidays: expected a list"),
    ({"timezone": "UTC", "weekdays": [1]}, "weekdays: unknown key"),
])
def test_calendar_config_errors(config, message):
    with pytest.raises(ValueError, match=f"^{message}"):
        Calendar.from_config(config)


def test_sla_config_reads_calendars_policies_and_default():
    cfg = SlaConfig.from_mapping(GOOD)
    assert set(cfg.calendars) == {"7x12", "7x24", "office_cn"}
    assert cfg.calendars["7x12"].timezone is None
    assert cfg.calendars["office_cn"].holidays == {date(2026, 10, 1), date(2026, 10, 2)}
    assert cfg.policy() is cfg.policies["standard"]
    assert cfg.policy("vip") == SlaPolicy("7x24", {"urgent": 10}, {}, {})
    assert cfg.policy("standard").minutes("onsite", "urgent") == 120
    assert cfg.policy("vip").minutes("resolution", "urgent") is None


def test_calendar_zone_filled_per_region_and_cached():
    cfg = SlaConfig.from_mapping(GOOD)
    sh = cfg.calendar("7x12", "Asia/Shanghai")
    assert sh.timezone == "Asia/Shanghai" and sh.hours == (time(8), time(20))
    assert cfg.calendar("7x12", "Europe/Paris").timezone == "Europe/Paris"
    assert cfg.calendar("7x12", "Asia/Shanghai") is sh               # warm per-day cache reused
    assert cfg.calendar("office_cn", "Europe/Paris").timezone == "Asia/Shanghai"
    assert cfg.calendar_for(None, "Asia/Shanghai") is sh
    with pytest.raises(ValueError, match="timezone: required"):
        cfg.calendar("7x12")


def test_empty_config_is_valid_but_has_no_default():
    cfg = SlaConfig.from_mapping({})
    with pytest.raises(KeyError, match="no default_policy"):
        cfg.policy()
    with pytest.raises(KeyError, match="unknown SLA policy 'x'"):
        SlaConfig.from_mapping(GOOD).policy("x")


def _with(path, value):
    import copy
    cfg = copy.deepcopy(GOOD)
    node = cfg
    for key in path[:-1]:
        node = node[key]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return cfg


_DELETE = object()


@pytest.mark.parametrize("path, value, message", [
    (("sla_policies", "standard", "response", "urgent"), 0,
     "sla_policies.standard.response.urgent: must be a positive number, got 0"),
    (("sla_policies", "standard", "response", "urgent"), -5,
     "sla_policies.standard.response.urgent: must be a positive number"),
    (("sla_policies", "standard", "response", "urgent"), "15",
     "sla_policies.standard.response.urgent: must be a positive number, got '15'"),
    (("sla_policies", "standard", "onsite", "normal"), True,
     "sla_policies.standard.onsite.normal: must be a positive number"),
    (("sla_policies", "standard", "resolution", "normal"), float("nan"),
     "sla_policies.standard.resolution.normal: must be a positive number"),
    (("sla_policies", "standard", "response"), [15, 60],
     "sla_policies.standard.response: expected a mapping"),
    (("sla_policies", "standard", "calendar"), "5x8",
     "sla_policies.standard.calendar: unknown calendar '5x8'"),
    (("sla_policies", "standard", "calendar"), _DELETE, "sla_policies.standard.calendar: required"),
    (("sla_policies", "standard", "respons"), {"urgent": 1}, "sla_policies.standard.respons: unknown key"),
    (("sla_policies", "standard"), "7x12", "sla_policies.standard: expected a mapping"),
    (("sla_policies",), ["standard"], "sla_policies: expected a mapping"),
    (("calendars", "7x12", "hours"), "8am-8pm", "calendars.7x12.hours: expected 'HH:MM-HH:MM'"),
    (("calendars", "office_cn", "holidays"), ["2026-10-01", "soon"],
     "calendars.office_cn.holidays.1: expected a YYYY-MM-DD date, got 'soon'"),
    (("calendars", "office_cn", "days"), [1, 8], "calendars.office_cn.days: ISO weekdays"),
    (("calendars", "office_cn", "timezone"), "Asia/Beijing",
     "calendars.office_cn.timezone: unknown time zone 'Asia/Beijing'"),
    (("calendars", "7x24"), "24h", "calendars.7x24: expected a mapping"),
    (("calendars",), [], "calendars: expected a mapping"),
    (("default_policy",), "gold", "default_policy: unknown policy 'gold'"),
])
def test_sla_config_errors_name_the_key_path(path, value, message):
    with pytest.raises(ValueError) as exc:
        SlaConfig.from_mapping(_with(path, value))
    assert str(exc.value).startswith(message), str(exc.value)


def test_spec_binding():
    spec = CalendarSpec.from_config({"hours": "09:00-18:00", "days": [1, 2, 3, 4, 5]})
    assert spec.bind("Asia/Shanghai") == Calendar("Asia/Shanghai", (time(9), time(18)), frozenset(range(1, 6)))
