"""One Jinja2 environment for the desk's pages (templates/web/): the reader's language, time zone
and money, so no page formats them its own way."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from handlers.messages import TEMPLATES, t
from handlers.settlement import money


def local(when: dt.datetime | None, tz: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored time (naive UTC) in the reader's time zone."""
    if when is None:
        return ""
    aware = when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)
    return aware.astimezone(ZoneInfo(tz)).strftime(fmt)


def iso_utc(when: dt.datetime | None) -> str:
    """For the page's own clock (SLA countdowns tick in the browser)."""
    if when is None:
        return ""
    aware = when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)
    return aware.astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


@lru_cache(maxsize=None)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    env.globals.update(t=t, local=local, iso_utc=iso_utc)
    env.filters["money"] = lambda minor, currency: f"{money(minor, currency)} {currency}"
    return env


def render(name: str, **values: Any) -> str:
    return environment().get_template(name).render(**values)
