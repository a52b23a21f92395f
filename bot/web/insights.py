"""Looking at the desk (issue 12 items 5 and 6): `/insights` (SLA heat by place, engineers' load
and CSAT, response and resolution times, a CSAT trend) and `/money` (the period's settlement by
region and party, revenue by month, statements and corrections, with `/money.csv` and
`/money.xlsx` holding exactly the rows of its table).

Managers see their regions, admins all of them; every label is the reader's language and every
time their zone. Money comes from the settlement summary (storage.ledger.summary) and its report
table (bot/reports.py), never re-added here. Charts are pygal SVG drawn on the server and inlined,
with pygal's external script switched off: the page loads nothing from anywhere else."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Sequence

from aiohttp import web

from bot.callbacks import CONFIG, DESK
from bot.reports import report_csv, report_view, report_xlsx
from bot.web import session
from bot.web.render import local, render
from handlers.config import Config
from handlers.insights import (MONEY_PERIODS, PERIODS, duration_text, insights, percent, person_name,
                               region_name, scope, span_of, visible_regions)
from handlers.messages import t
from handlers.settlement import money, party_name
from settlement import exponent
from settlement.periods import PeriodError, Span, label, parse_month
from storage import insights as store
from storage import ledger

REVENUE_MONTHS = 12
_COMMENT = re.compile(r"<!--.*?-->", re.S)
PALETTE = ("#1e6fff", "#f08c00", "#2f9e44", "#c2255c", "#7048e8", "#0c8599", "#e8590c", "#5c940d")


# -- charts ------------------------------------------------------------------------------------------

def _style(size: int) -> Any:
    from pygal.style import Style

    return Style(background="transparent", plot_background="transparent", foreground="#1f2329",
                 foreground_strong="#1f2329", foreground_subtle="#e4e6ea", colors=PALETTE, opacity=".85",
                 font_family='system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Noto Sans Thai",sans-serif',
                 label_font_size=size, major_label_font_size=size, legend_font_size=size, value_font_size=size,
                 title_font_size=size + 2, tooltip_font_size=size)


def svg(chart: Any) -> str:
    """The chart as inline SVG: no XML declaration, no comments (pygal's carry its home page)."""
    return _COMMENT.sub("", chart.render(is_unicode=True, disable_xml_declaration=True))


def _chart(kind: str, *, phone: bool, x_labels: Sequence[str], series: Sequence[tuple[str, list[Any]]],
           range_: tuple[float, float] | None = None, formatter: Any = None) -> str:
    import pygal

    width, height, size = (360, 260, 13) if phone else (760, 300, 12)
    # js=[]: pygal would otherwise add <script href="https://kozea.github.io/pygal.js/…">.
    options: dict[str, Any] = dict(js=[], width=width, height=height, style=_style(size), legend_at_bottom=True,
                                   legend_at_bottom_columns=min(len(series), 3 if phone else 6) or 1,
                                   show_legend=len(series) > 1, margin=8, truncate_legend=-1, truncate_label=-1,
                                   x_label_rotation=0 if len(x_labels) <= (6 if phone else 13) else 40,
                                   show_minor_x_labels=True, dots_size=3, print_values=False)
    if range_ is not None:
        options["range"] = range_
    if formatter is not None:
        options["value_formatter"] = formatter
    chart = (pygal.Line if kind == "line" else pygal.Bar)(**options)
    chart.x_labels = list(x_labels)
    for name, values in series:
        chart.add(name, values, allow_interruptions=True) if kind == "line" else chart.add(name, values)
    return svg(chart)


def charts(kind: str, **kw: Any) -> dict[str, str]:
    """The same chart drawn for a phone and for a desktop: text stays readable on both."""
    return {"phone": _chart(kind, phone=True, **kw), "desk": _chart(kind, phone=False, **kw)}


# -- shared ------------------------------------------------------------------------------------------

def _now(request: web.Request) -> dt.datetime:
    return request.app[DESK].services.clock.now()


def _regions(request: web.Request, cfg: Config, viewer: session.Viewer) -> tuple[str | None, list[str] | None]:
    asked = request.query.get("region") or None
    try:
        return asked, scope(cfg, viewer.regions, asked)
    except LookupError:
        raise web.HTTPForbidden(text=session.refused_html(viewer.lang, "insights.region_refused"),
                                content_type="text/html") from None


def _region_options(cfg: Config, viewer: session.Viewer) -> list[tuple[str, str]]:
    return [(code, region_name(cfg, code, viewer.lang)) for code in visible_regions(cfg, viewer.regions)]


def _span_text(lang: str, span: Span) -> str:
    last = span.end - dt.timedelta(days=1)
    return t(lang, "insights.span", start=span.start.isoformat(), end=last.isoformat())


# -- /insights ---------------------------------------------------------------------------------------

async def insights_page(request: web.Request) -> web.Response:
    viewer = session.require(request)
    cfg = request.app[CONFIG]
    lang = viewer.lang
    period = request.query.get("period", PERIODS[0])
    if period not in PERIODS:
        period = PERIODS[0]
    asked, regions = _regions(request, cfg, viewer)
    now = _now(request)
    span = span_of(period, now=now, timezone=viewer.timezone)
    async with request.app[DESK].db.sessions() as s:
        data = await insights(s, cfg, span=span, regions=regions, lang=lang, timezone=viewer.timezone)
    trend = data["trend"]
    names = {code: region_name(cfg, code, lang) for code in trend["series"] if code}
    series = [(t(lang, "insights.all_regions"), trend["series"].get("", [None] * len(trend["mondays"])))]
    if len(names) > 1:
        series += [(names[c], trend["series"][c]) for c in sorted(names)][:5]
    csat_chart = charts("line", x_labels=[d.strftime("%m-%d") for d in trend["mondays"]], series=series,
                        range_=(1, 5), formatter=lambda v: f"{v:.2f}")
    for row in data["times"]:
        for key in ("response", "resolution"):
            row[key]["median_text"] = duration_text(lang, row[key]["median"])
            row[key]["p90_text"] = duration_text(lang, row[key]["p90"])
    html = render("web/insights.html", lang=lang, viewer=viewer, nav="insights", data=data, period=period,
                  periods=PERIODS, region=asked, region_options=_region_options(cfg, viewer),
                  span_text=_span_text(lang, span), now=now, tz=viewer.timezone, csat_chart=csat_chart,
                  scope_text=_scope_text(cfg, lang, regions))
    return web.Response(text=html, content_type="text/html")


def _scope_text(cfg: Config, lang: str, regions: list[str] | None) -> str:
    if regions is None:
        return t(lang, "insights.all_regions")
    return ", ".join(region_name(cfg, r, lang) for r in regions)


# -- /money ------------------------------------------------------------------------------------------

async def _money(request: web.Request) -> dict[str, Any]:
    """The viewer, their span and scope, and the summary every /money format is cut from."""
    viewer = session.require(request)
    cfg = request.app[CONFIG]
    period = request.query.get("period", MONEY_PERIODS[0])
    asked, regions = _regions(request, cfg, viewer)
    now = _now(request)
    try:
        span = span_of(period, now=now, timezone=viewer.timezone)
    except PeriodError:
        period, span = MONEY_PERIODS[0], span_of(MONEY_PERIODS[0], now=now, timezone=viewer.timezone)
    whole = span.whole_months
    lcfg = cfg.ledger
    async with request.app[DESK].db.sessions() as s:
        summary = await ledger.summary(s, period=list(span.months), start=None if whole else span.utc_start,
                                       end=None if whole else span.utc_end, regions=regions, by="party",
                                       reporting_currency=lcfg.reporting_currency, top=10)
    return {"viewer": viewer, "cfg": cfg, "period": period, "region": asked, "regions": regions, "span": span,
            "now": now, "summary": summary}


async def _revenue(request: web.Request, span: Span, regions: list[str] | None, reporting: str) -> dict[str, Any]:
    """Pre-tax revenue of each of the 12 months up to the span's last, in the reporting currency,
    each month from the same settlement summary the table uses."""
    y, m = parse_month(span.months[-1])
    months = []
    for i in range(REVENUE_MONTHS - 1, -1, -1):
        k = y * 12 + (m - 1) - i
        months.append(label(k // 12, k % 12 + 1))
    values: list[int] = []
    unconverted: dict[str, int] = {}
    async with request.app[DESK].db.sessions() as s:
        priced = await store.priced_months(s, months, regions)
        for month in months:
            if month not in priced:
                values.append(0)
                continue
            one = await ledger.summary(s, period=month, regions=regions, reporting_currency=reporting, top=0)
            values.append(one["total"]["gross"])
            for c, a in one["total"]["unconverted"].items():
                unconverted[c] = unconverted.get(c, 0) + a
    return {"months": months, "values": values, "unconverted": unconverted}


async def _ledger_notes(request: web.Request, viewer: session.Viewer, cfg: Config, span: Span,
                        regions: list[str] | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    lang, whole = viewer.lang, span.whole_months
    async with request.app[DESK].db.sessions() as s:
        fixes = await store.corrections(s, periods=span.months, start=None if whole else span.utc_start,
                                        end=None if whole else span.utc_end, regions=regions)
        written = await store.statements(s, list(span.months) if whole else [])
    corrections = [{"ticket": f"#{c['ticket_id']}" if c["ticket_id"] else "-", "region": region_name(cfg, c["region"], lang),
                    "who": person_name(cfg, c["person"]) if c["person"] else party_name(lang, c["party"]),
                    "amount": money(c["amount"], c["currency"]), "currency": c["currency"], "reason": c["reason"],
                    "at": local(c["booked_at"], viewer.timezone), "settled": c["settled"]} for c in fixes]
    # Statements are company-wide (a party's share across every region): an admin sees them all;
    # a manager sees the earnings statements of engineers who work only in their regions.
    mine = None if viewer.is_admin else {
        p.userid for p in cfg.people
        if "engineer" in p.roles and p.regions and set(p.regions) <= set(viewer.regions or ())}
    accounts = {code: a.name for code, a in cfg.ledger.accounts.items()}
    statements = []
    for st in written:
        if mine is not None and not (st["owner_kind"] == "person" and st["owner"] in mine):
            continue
        owner = (person_name(cfg, st["owner"]) if st["owner_kind"] == "person" else
                 party_name(lang, st["owner"]) if st["owner_kind"] == "party" else accounts.get(st["owner"], st["owner"]))
        statements.append({"period": st["period"], "owner": owner, "kind": t(lang, f"insights.statement.{st['kind']}"),
                           "amount": money(st["amount"], st["currency"]), "currency": st["currency"],
                           "lines": st["line_count"], "at": local(st["created_at"], viewer.timezone)})
    return corrections, statements


async def money_page(request: web.Request) -> web.Response:
    m = await _money(request)
    viewer, cfg, s, span = m["viewer"], m["cfg"], m["summary"], m["span"]
    lang, rc = viewer.lang, s["reporting_currency"]
    table = report_view(cfg, lang, s)
    revenue = await _revenue(request, span, m["regions"], rc)
    revenue_chart = charts("bar", x_labels=[mo[2:] for mo in revenue["months"]],
                           series=[(t(lang, "insights.money.revenue_series", currency=rc),
                                    [v / 10 ** exponent(rc) for v in revenue["values"]])],
                           formatter=lambda v: f"{v:,.0f}")
    corrections, statements = await _ledger_notes(request, viewer, cfg, span, m["regions"])
    query = {k: v for k, v in (("period", m["period"]), ("region", m["region"])) if v}
    top = [{"name": person_name(cfg, e["person"]), "amount": money(e["amount"], e["currency"]),
            "currency": e["currency"], "jobs": e["jobs"]} for e in s["top_engineers"]]
    html = render("web/money.html", lang=lang, viewer=viewer, nav="money", s=s, table=table, period=m["period"],
                  periods=MONEY_PERIODS, region=m["region"], region_options=_region_options(cfg, viewer),
                  span_text=_span_text(lang, span), scope_text=_scope_text(cfg, lang, m["regions"]),
                  sla=percent(s["sla"]["rate"]), revenue=revenue, revenue_chart=revenue_chart, rc=rc,
                  unconverted=[(c, money(a, c)) for c, a in s["total"]["unconverted"].items()],
                  revenue_unconverted=[(c, money(a, c)) for c, a in revenue["unconverted"].items()],
                  corrections=corrections, statements=statements, whole=span.whole_months, top=top,
                  csv_url=str(request.rel_url.with_path("/money.csv").with_query(query)),
                  xlsx_url=str(request.rel_url.with_path("/money.xlsx").with_query(query)),
                  now=m["now"], tz=viewer.timezone)
    return web.Response(text=html, content_type="text/html")


def _filename(m: dict[str, Any], ext: str) -> str:
    scope = m["region"] or ("all" if m["regions"] is None else "mine")
    return f"settlement-{m['span'].canonical}-{scope}.{ext}"


async def money_csv(request: web.Request) -> web.Response:
    m = await _money(request)
    return web.Response(text=report_csv(m["summary"]), content_type="text/csv", charset="utf-8", headers={
        "Content-Disposition": f'attachment; filename="{_filename(m, "csv")}"'})


async def money_xlsx(request: web.Request) -> web.Response:
    m = await _money(request)
    return web.Response(body=report_xlsx(m["summary"]),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="{_filename(m, "xlsx")}"'})


def routes() -> list[web.RouteDef]:
    return [web.get("/insights", insights_page), web.get("/money", money_page),
            web.get("/money.csv", money_csv), web.get("/money.xlsx", money_xlsx)]
