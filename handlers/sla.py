"""SLA policies and the deadline clock built on business-hours calendars.

All instants are naive UTC. Targets are minutes of business time counted from the ticket's
start; every stage change is a concrete instant so a scheduler can keep one ``next_check_at``
per ticket and only look at due tickets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from typing import Any, Iterable, Literal, Mapping

from handlers.sla_calendar import Calendar, CalendarSpec

__all__ = ["SlaPolicy", "SlaConfig", "Deadlines", "deadlines", "shift", "stage", "next_check",
           "next_check_any", "countdown", "TARGETS"]

TARGETS = ("response", "onsite", "resolution")
Stage = Literal["ok", "nudge", "breach"]


def _positive_minutes(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
        raise ValueError(f"{where}: must be a positive number, got {value!r}")
    return value


def _or_empty(value: Any) -> Any:
    # A YAML key left blank reads as None; anything else must be the right type ([] is an error).
    return {} if value is None else value


def _mapping(value: Any, where: str, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}: expected a mapping of {what}, got {type(value).__name__}")
    return value


@dataclass(frozen=True)
class SlaPolicy:
    """Business-minute targets per urgency; an urgency missing from a target has no deadline."""

    calendar: str
    response: Mapping[str, float] = field(default_factory=dict)
    onsite: Mapping[str, float] = field(default_factory=dict)
    resolution: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: Mapping[str, Any], where: str = "policy") -> "SlaPolicy":
        config = _mapping(config, where, "calendar and targets")
        unknown = sorted(map(str, set(config) - {"calendar", *TARGETS}))
        if unknown:
            raise ValueError(f"{where}.{unknown[0]}: unknown key (expected calendar, {', '.join(TARGETS)})")
        calendar = config.get("calendar")
        if not isinstance(calendar, str) or not calendar:
            raise ValueError(f"{where}.calendar: required, the name of an entry in calendars")
        targets: dict[str, dict[str, float]] = {}
        for target in TARGETS:
            raw = _mapping(_or_empty(config.get(target)), f"{where}.{target}", "urgency to minutes")
            targets[target] = {str(u): _positive_minutes(m, f"{where}.{target}.{u}") for u, m in raw.items()}
        return cls(calendar, **targets)

    def minutes(self, target: str, urgency: str) -> float | None:
        return getattr(self, target).get(urgency)


@dataclass(frozen=True)
class SlaConfig:
    calendars: Mapping[str, CalendarSpec] = field(default_factory=dict)
    policies: Mapping[str, SlaPolicy] = field(default_factory=dict)
    default_policy: str | None = None
    # Bound calendars are reused so their per-day interval caches stay warm across tickets.
    _bound: dict[tuple[str, str | None], Calendar] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False)

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> "SlaConfig":
        """Read ``calendars``, ``sla_policies`` and ``default_policy`` from the whole config."""
        raw_cals = _mapping(_or_empty(config.get("calendars")), "calendars", "name to calendar")
        calendars = {str(name): CalendarSpec.from_config(c, f"calendars.{name}.")
                     for name, c in raw_cals.items()}
        raw_pols = _mapping(_or_empty(config.get("sla_policies")), "sla_policies", "name to policy")
        policies: dict[str, SlaPolicy] = {}
        for name, p in raw_pols.items():
            where = f"sla_policies.{name}"
            policy = SlaPolicy.from_config(p, where)
            if policy.calendar not in calendars:
                raise ValueError(f"{where}.calendar: unknown calendar {policy.calendar!r}")
            policies[str(name)] = policy
        default = config.get("default_policy")
        if default is not None and default not in policies:
            raise ValueError(f"default_policy: unknown policy {default!r}")
        return cls(calendars, policies, default)

    def policy(self, name: str | None = None) -> SlaPolicy:
        key = name if name is not None else self.default_policy
        if key is None:
            raise KeyError("no SLA policy named and no default_policy configured")
        try:
            return self.policies[key]
        except KeyError:
            raise KeyError(f"unknown SLA policy {key!r}") from None

    def calendar(self, name: str, timezone: str | None = None) -> Calendar:
        """Calendar ``name``; its own time zone wins, else ``timezone`` (the region's)."""
        spec = self.calendars[name]
        key = (name, None if spec.timezone else timezone)
        cal = self._bound.get(key)
        if cal is None:
            cal = self._bound[key] = spec.bind(timezone)
        return cal

    def calendar_for(self, policy_name: str | None, timezone: str | None = None) -> Calendar:
        return self.calendar(self.policy(policy_name).calendar, timezone)


@dataclass(frozen=True)
class Deadlines:
    response: datetime | None = None
    onsite: datetime | None = None
    resolution: datetime | None = None


def deadlines(cfg: SlaConfig, policy_name: str | None, urgency: str, start: datetime,
              timezone: str | None = None) -> Deadlines:
    """All targets run from ``start`` (ticket creation), not one after another."""
    policy = cfg.policy(policy_name)
    cal = cfg.calendar(policy.calendar, timezone)
    out = {}
    for target in TARGETS:
        minutes = policy.minutes(target, urgency)
        out[target] = None if minutes is None else cal.add_business(start, minutes)
    return Deadlines(**out)


def shift(dl: Deadlines, paused_from: datetime, resumed_at: datetime, calendar: Calendar) -> Deadlines:
    """Push back deadlines still pending at ``paused_from`` by the business time spent paused.

    A deadline at or before the pause began has already fallen due and stays put. Which
    milestones were already met is the caller's knowledge; it simply ignores those fields.
    The ticket's start is not moved, so a later nudge is 80 % of a span that includes the pause
    (slightly late); pass a start shifted the same way if that matters.
    """
    if resumed_at < paused_from:
        raise ValueError("resumed_at is before paused_from")
    changes = {}
    for f in fields(dl):
        d = getattr(dl, f.name)
        if d is not None and d > paused_from:
            # The clock froze with this much left; it restarts with the same amount.
            changes[f.name] = calendar.add_business_time(resumed_at, calendar.business_time(paused_from, d))
    return replace(dl, **changes)


def _check_nudge_at(nudge_at: float) -> None:
    if not 0 <= nudge_at <= 1:
        raise ValueError(f"nudge_at must be within [0, 1], got {nudge_at!r}")


def nudge_point(start: datetime, deadline: datetime, calendar: Calendar, nudge_at: float = 0.8) -> datetime:
    """Instant when ``nudge_at`` of the business time from ``start`` to ``deadline`` has elapsed."""
    _check_nudge_at(nudge_at)
    total_us = calendar.business_time(start, deadline) // timedelta(microseconds=1)
    # Rounded to whole microseconds so 0.8 * 60 min is exactly 48 min, not 47.99999…
    return min(calendar.add_business_time(start, timedelta(microseconds=round(total_us * nudge_at))),
               deadline)


def stage(now: datetime, start: datetime, deadline: datetime | None, calendar: Calendar,
          nudge_at: float = 0.8) -> Stage:
    if deadline is None:
        return "ok"
    if now >= deadline:
        return "breach"
    # Defined through nudge_point (not a ratio of floats) so it flips exactly at next_check's time.
    return "nudge" if now >= nudge_point(start, deadline, calendar, nudge_at) else "ok"


def next_check(now: datetime, start: datetime, deadline: datetime | None, calendar: Calendar,
               nudge_at: float = 0.8) -> datetime | None:
    """When ``stage`` next changes: the nudge point, then the deadline, then never (None)."""
    if deadline is None or now >= deadline:
        return None
    nudge = nudge_point(start, deadline, calendar, nudge_at)
    return nudge if now < nudge else deadline


def next_check_any(now: datetime, start: datetime, pending: Iterable[datetime | None],
                   calendar: Calendar, nudge_at: float = 0.8) -> datetime | None:
    """Earliest ``next_check`` over a ticket's still-pending deadlines (one column per ticket)."""
    checks = [c for d in pending if (c := next_check(now, start, d, calendar, nudge_at)) is not None]
    return min(checks, default=None)


def countdown(now: datetime, deadline: datetime, calendar: Calendar) -> int:
    """Business minutes left, negative when overdue; rounded away from zero.

    Rounding away from zero keeps the sign honest: a card never says 0 minutes left while time
    remains, nor 0 when the deadline has passed by a few seconds.
    """
    if now < deadline:
        return math.ceil(calendar.business_minutes(now, deadline))
    return -math.ceil(calendar.business_minutes(deadline, now))
