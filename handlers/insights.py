"""The managers' insight and money pages as data: which span a filter means, SLA cells by place,
engineers' load, response and resolution times (median, p90), CSAT by week, and names for the
reader. No HTTP here: bot/web/insights.py renders what these functions return.

Everything is scoped by `regions` (None: every region, for an admin) before it is counted."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median
from typing import Any, Iterable, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import labels
from handlers.config import Config
from handlers.messages import t
from settlement.periods import Span, resolve
from storage import insights as store

PERIODS = ("this_week", "this_month", "last_30_days")
MONEY_PERIODS = ("this_month", "last_month", "this_quarter", "last_quarter", "this_year")
TREND_WEEKS = 8


@dataclass(frozen=True)
class Reader:
    """What handlers/labels.py needs to name things for someone: the config and their language."""
    cfg: Config
    lang: str


def region_name(cfg: Config, code: str | None, lang: str) -> str:
    return labels.region_label(Reader(cfg, lang), code, lang)  # type: ignore[arg-type]


def skill_name(cfg: Config, code: str, lang: str) -> str:
    return labels.skill_label(Reader(cfg, lang), code, lang)  # type: ignore[arg-type]


def city_name(cfg: Config, region: str | None, city: str | None, lang: str) -> str:
    if not city:
        return t(lang, "insights.no_city")
    r = cfg.region(region)
    found = next((c for c in r.cities if c.name == city), None) if r else None
    return found.name_in(lang) if found else city


def person_name(cfg: Config, userid: str | None) -> str:
    p = cfg.person(userid)
    return p.name if p else (userid or "-")


def percent(rate: str | None) -> str:
    """"0.6667" (a ratio, as the summaries keep it) → "66.7%" for a reader."""
    if rate is None:
        return "-"
    return f"{(Decimal(rate) * 100).quantize(Decimal('0.1'))}%"


def visible_regions(cfg: Config, viewer_regions: Sequence[str] | None) -> list[str]:
    """The region codes a viewer may look at, in config order."""
    return [r.code for r in cfg.regions if viewer_regions is None or r.code in viewer_regions]


def scope(cfg: Config, viewer_regions: Sequence[str] | None, asked: str | None) -> list[str] | None:
    """The regions a page counts: the asked one (which must be the viewer's), else all of theirs.
    None means every region (an admin who asked for none). Raises LookupError for a region the
    viewer does not see, or one that does not exist."""
    if asked:
        if asked not in visible_regions(cfg, viewer_regions):
            raise LookupError(asked)
        return [asked]
    return None if viewer_regions is None else list(viewer_regions)


def span_of(period: str, *, now: dt.datetime, timezone: str) -> Span:
    """this_week, this_month, last_30_days (today and the 29 days before it), or any spec
    settlement.periods understands (2026-10, last_quarter …)."""
    if period == "last_30_days":
        today = (now if now.tzinfo else now.replace(tzinfo=dt.timezone.utc)).astimezone(ZoneInfo(timezone)).date()
        first = today - dt.timedelta(days=29)
        return resolve(f"{first.isoformat()}..{today.isoformat()}", now=now, timezone=timezone)
    return resolve(period, now=now, timezone=timezone)


# -- figures ---------------------------------------------------------------------------------------

def p90(values: Sequence[float]) -> float:
    """Nearest rank: the smallest value at or above 90 % of the others."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


@dataclass
class Times:
    """Minutes from report to first assignment (response) and to completion (resolution)."""
    response: list[float] = field(default_factory=list)
    resolution: list[float] = field(default_factory=list)

    def stats(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, values in (("response", self.response), ("resolution", self.resolution)):
            out[name] = {"n": len(values), "median": median(values) if values else None,
                         "p90": p90(values) if values else None}
        return out


def times_by_region(rows: Iterable[tuple[str | None, dt.datetime, dt.datetime | None, dt.datetime | None]]
                    ) -> dict[str, dict[str, Any]]:
    by: dict[str, Times] = {}
    for region, created, assigned, completed in rows:
        times = by.setdefault(region or "", Times())
        if assigned is not None and assigned >= created:
            times.response.append((assigned - created).total_seconds() / 60)
        if completed is not None and completed >= created:
            times.resolution.append((completed - created).total_seconds() / 60)
    return {region: times.stats() for region, times in sorted(by.items())}


def duration_text(lang: str, minutes: float | None) -> str:
    """12 → "12 min", 135 → "2 h 15 min", 3000 → "2 d 2 h" (in the reader's words)."""
    if minutes is None:
        return "-"
    m = int(round(minutes))
    if m < 60:
        return t(lang, "insights.dur.m", m=m)
    if m < 24 * 60:
        return t(lang, "insights.dur.hm", h=m // 60, m=m % 60)
    return t(lang, "insights.dur.dh", d=m // (24 * 60), h=m % (24 * 60) // 60)


def week_starts(end: dt.date, weeks: int = TREND_WEEKS) -> list[dt.date]:
    """The Mondays of the `weeks` weeks ending with the one holding `end` (oldest first)."""
    monday = end - dt.timedelta(days=end.weekday())
    return [monday - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def weekly_csat(rows: Iterable[tuple[str | None, str | None, dt.datetime, int]], mondays: Sequence[dt.date],
                timezone: str) -> dict[str, list[float | None]]:
    """Average rating per week (in the reader's zone) per region, plus "" for all of them."""
    zone = ZoneInfo(timezone)
    index = {d: i for i, d in enumerate(mondays)}
    sums: dict[str, list[list[int]]] = {}
    for region, _, completed, rating in rows:
        day = completed.replace(tzinfo=dt.timezone.utc).astimezone(zone).date()
        i = index.get(day - dt.timedelta(days=day.weekday()))
        if i is None:
            continue
        for key in ("", region or ""):
            cell = sums.setdefault(key, [[0, 0] for _ in mondays])[i]
            cell[0] += rating
            cell[1] += 1
    return {k: [round(s / n, 2) if n else None for s, n in cells] for k, cells in sums.items()}


def heat_rows(cfg: Config, cells: Sequence[dict[str, Any]], regions: Sequence[str], lang: str) -> list[dict[str, Any]]:
    """One row per city of every region with anything to show (the region's cities with nothing
    stay in, at zero, so a calm city reads as calm rather than missing); a subtotal per region."""
    by_region: dict[str, dict[str | None, dict[str, Any]]] = {}
    for c in cells:
        by_region.setdefault(c["region"] or "", {})[c["city"]] = c
    out = []
    order = [r for r in regions if r in by_region] + sorted(r for r in by_region if r not in regions)
    for code in order:
        found = by_region[code]
        region = cfg.region(code)
        cities: list[str | None] = [c.name for c in region.cities] if region else []
        cities += sorted((c for c in found if c not in cities), key=lambda c: (c is None, c or ""))
        rows = []
        for city in cities:
            c = found.get(city, {})
            rows.append({"city": city_name(cfg, code, city, lang), "tickets": c.get("tickets", 0),
                         "breaches": c.get("breaches", 0), "near": c.get("near", 0)})
        out.append({"code": code, "name": region_name(cfg, code, lang), "cities": rows,
                    **{k: sum(r[k] for r in rows) for k in ("tickets", "breaches", "near")}})
    return out


def load_rows(cfg: Config, people: Sequence[dict[str, Any]], in_scope: dict[str, int],
              rated: Iterable[tuple[str | None, str | None, dt.datetime, int]], lang: str) -> list[dict[str, Any]]:
    """Engineers of the regions: open jobs (all, and in these regions) against capacity, CSAT in
    the span and over their whole time; the busiest first."""
    period: dict[str, list[int]] = {}
    for _, assignee, _, rating in rated:
        if assignee:
            cell = period.setdefault(assignee, [0, 0])
            cell[0] += rating
            cell[1] += 1
    out = []
    for p in people:
        if "engineer" not in p["roles"]:
            continue
        cap = p["capacity"]
        load = p["open_jobs"] / cap if cap else (1.0 if p["open_jobs"] else 0.0)
        s, n = period.get(p["userid"], (0, 0))
        conf = cfg.person(p["userid"])
        out.append({"userid": p["userid"], "name": person_name(cfg, p["userid"]),
                    "skills": ", ".join(skill_name(cfg, k, lang) for k in (conf.skills if conf else [])),
                    "open_jobs": p["open_jobs"], "here": in_scope.get(p["userid"], 0), "capacity": cap,
                    "load": load, "load_pct": min(100, round(load * 100)),
                    "csat": round(s / n, 2) if n else None, "rated": n,
                    "csat_all": round(p["rating_sum"] / p["rating_count"], 2) if p["rating_count"] else None,
                    "rated_all": p["rating_count"]})
    return sorted(out, key=lambda r: (-r["load"], -r["open_jobs"], r["name"]))


async def insights(session: AsyncSession, cfg: Config, *, span: Span, regions: list[str] | None,
                   lang: str, timezone: str) -> dict[str, Any]:
    """Everything the insights page shows, for one span and scope."""
    start, end = span.utc_start, span.utc_end
    shown = regions if regions is not None else [r.code for r in cfg.regions]
    cells = await store.sla_by_place(session, start=start, end=end, regions=regions)
    people = await store.engineers(session, regions)
    here = await store.open_jobs_by_assignee(session, regions)
    rated = await store.ratings(session, start=start, end=end, regions=regions)
    times = times_by_region(await store.timelines(session, start=start, end=end, regions=regions))
    mondays = week_starts(span.end - dt.timedelta(days=1))
    trend_start = Span("trend", "trend", mondays[0], mondays[-1] + dt.timedelta(days=7), timezone, False)
    trend_rows = await store.ratings(session, start=trend_start.utc_start, end=trend_start.utc_end, regions=regions)
    heat = heat_rows(cfg, cells, shown, lang)
    return {
        "heat": heat, "heat_max": max([c[k] for r in heat for c in r["cities"] for k in ("breaches", "near")] or [0]),
        "breaches": sum(r["breaches"] for r in heat), "near": sum(r["near"] for r in heat),
        "tickets": sum(r["tickets"] for r in heat),
        "load": load_rows(cfg, people, here, rated, lang),
        "times": [{"code": code, "name": region_name(cfg, code, lang), **stats} for code, stats in times.items()],
        "csat": {"n": len(rated), "average": round(sum(r[3] for r in rated) / len(rated), 2) if rated else None},
        "trend": {"mondays": mondays, "series": weekly_csat(trend_rows, mondays, timezone)},
    }

