"""Settlement over HTTP: the signed full report a summary card links to, and `POST /api/usage`.

The report link is signed (HMAC-SHA256 with the app secret) over its scope — period, time zone,
regions, person — and an expiry, so a forwarded link shows no more than the card it came from
and stops working after `handlers.links.REPORT_TTL_S`. `by` and `format` are not signed: they only regroup the
same figures. The report table (HTML, CSV, the CLI's CSV/XLSX) is built here from a summary.
"""

from __future__ import annotations

import csv
import io
import json
import time
import datetime as dt
from decimal import Decimal
from typing import Any, Mapping

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

from handlers.config import Config
from handlers.messages import TEMPLATES, t
from handlers.insights import percent, region_name
from handlers.links import report_signature, same_secret
from handlers.settlement import money, party_name
from settlement import format_minor, parse_money
from settlement.periods import PeriodError, resolve

MONEY_COLUMNS = ("gross", "tax", "total", "corrections", "net")
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def _check_link(secret: str, query: Mapping[str, str]) -> tuple[str, str, list[str] | None, str | None]:
    period, tz = query.get("period", ""), query.get("tz", "")
    regions = query["region"].split(",") if "region" in query else None
    person = query.get("person") or None
    try:
        exp = int(query.get("exp", ""))
    except ValueError:
        raise web.HTTPForbidden(text="this link is not valid") from None
    want = report_signature(secret, period=period, timezone=tz, regions=regions, person=person, exp=exp)
    if not same_secret(query.get("sig", ""), want):
        raise web.HTTPForbidden(text="this link is not valid")
    if exp < time.time():
        raise web.HTTPForbidden(text="this link has expired; ask the bot for a new summary")
    return period, tz, regions, person


# -- the report table ------------------------------------------------------------------------------

def report_table(s: Mapping[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """Rows of a summary as a pivot: one per (currency, region), one per currency, one total in the
    reporting currency; share columns are the `by` keys. Amounts are contract strings."""
    keys: list[str] = []
    for b in [s["total"], *s["currencies"]]:
        keys.extend(k for k in b["shares"] if k not in keys)
    period = ",".join(s["scope"]["periods"]) if s["scope"]["start"] is None else \
        f"{s['scope']['start']}..{s['scope']['end']}"
    header = ["period", "region", "currency", "tickets", *MONEY_COLUMNS, *keys]

    def row(region: str, b: Mapping[str, Any], with_shares: bool) -> dict[str, Any]:
        c = b["currency"]
        out: dict[str, Any] = {"period": period, "region": region, "currency": c, "tickets": b["tickets"]}
        out.update({k: format_minor(b[k], c) for k in MONEY_COLUMNS})
        out.update({k: format_minor(b["shares"][k], c) if with_shares and k in b["shares"] else "" for k in keys})
        return out

    rows = []
    for b in s["currencies"]:
        if s["by"] == "party":
            rows.extend(row(region, rb, True) for region, rb in sorted(b["regions"].items()))
        rows.append(row("*", b, True))
    rows.append(row("TOTAL", s["total"], True))
    return header, rows


def report_view(cfg: Config, lang: str, s: dict[str, Any]) -> dict[str, Any]:
    """The report table (bot/reports.py, the CSV's rows) as a reader sees it: column and region
    names in their language, amounts grouped; each cell keeps the CSV's value beside it."""
    header, rows = report_table(s)
    shares = header[4 + len(MONEY_COLUMNS):]
    labels = {"period": t(lang, "insights.col.period"), "region": t(lang, "settle.report.region"),
              "currency": t(lang, "settle.report.currency"), "tickets": t(lang, "settle.report.tickets"),
              **{k: t(lang, f"settle.report.{k}") for k in MONEY_COLUMNS},
              **{k: party_name(lang, k) for k in shares}}
    shown = [h for h in header if h != "period"]   # the period is the page's title; the files keep it

    def place(code: str, currency: str) -> str:
        if code == "TOTAL":
            return t(lang, "insights.money.total", currency=currency)
        if code == "*":
            return t(lang, "insights.money.subtotal", currency=currency)
        return region_name(cfg, code, lang)

    out = []
    for r in rows:
        cells = []
        for h in shown:
            raw = r[h]
            if h == "region":
                text = place(raw, r["currency"])
            elif h in MONEY_COLUMNS or h in shares:
                text = money_text(raw, r["currency"]) if raw != "" else ""
            else:
                text = str(raw)
            cells.append({"key": h, "label": labels[h], "raw": raw, "text": text,
                          "num": h not in ("region", "currency")})
        out.append({"kind": "total" if r["region"] == "TOTAL" else ("sub" if r["region"] == "*" else "region"),
                    "cells": cells})
    return {"header": [(h, labels[h], h not in ("region", "currency")) for h in shown], "rows": out,
            "keys": header}


def money_text(contract: str, currency: str) -> str:
    """"12345.00" (the files' form) → "12,345.00" (a reader's)."""
    return money(parse_money(contract, currency).amount, currency)


def report_csv(s: Mapping[str, Any]) -> str:
    header, rows = report_table(s)
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return out.getvalue()


def report_xlsx(s: Mapping[str, Any]) -> bytes:
    """Two sheets: the pivot (amounts as exact numbers), and the top engineers."""
    from openpyxl import Workbook

    header, rows = report_table(s)
    money_cols = set(MONEY_COLUMNS) | set(header[4 + len(MONEY_COLUMNS):])
    wb = Workbook()
    ws = wb.active
    ws.title = "summary"
    ws.append(header)
    for r in rows:
        # Decimal from the contract string: exact in the cell, never via a float.
        ws.append([Decimal(r[h]) if h in money_cols and r[h] != "" else r[h] for h in header])
    top = wb.create_sheet("top_engineers")
    top.append(["person", "currency", "amount", "jobs"])
    for e in s["top_engineers"]:
        top.append([e["person"], e["currency"], Decimal(format_minor(e["amount"], e["currency"])), e["jobs"]])
    meta = wb.create_sheet("about")
    for k in ("tickets",):
        meta.append([k, s[k]])
    meta.append(["sla_rate", s["sla"]["rate"]])
    meta.append(["csat_average", s["csat"]["average"]])
    meta.append(["reporting_currency", s["reporting_currency"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# -- routes ----------------------------------------------------------------------------------------

async def settlement_page(request: web.Request) -> web.Response:
    from bot.callbacks import CONFIG, DESK
    from storage import ledger

    cfg = request.app[CONFIG]
    period, tz, regions, person = _check_link(cfg.wecom.app.secret, request.query)
    by = request.query.get("by", "party")
    if by not in ledger.BY:
        raise web.HTTPBadRequest(text=f"by must be one of {', '.join(ledger.BY)}")
    try:
        span = resolve(period, now=dt.datetime.now(dt.timezone.utc), timezone=tz)
    except PeriodError as e:
        raise web.HTTPBadRequest(text=str(e)) from None
    lcfg = cfg.ledger
    async with request.app[DESK].db.sessions() as session:
        s = await ledger.summary(session, period=list(span.months),
                                 start=None if span.whole_months else span.utc_start,
                                 end=None if span.whole_months else span.utc_end, regions=regions, person=person,
                                 by=by, reporting_currency=lcfg.reporting_currency, top=20)
    if request.query.get("format") == "csv":
        return web.Response(text=report_csv(s), content_type="text/csv", charset="utf-8", headers={
            "Content-Disposition": f'attachment; filename="settlement-{span.canonical}.csv"'})
    lang = cfg.person(person).languages[0] if person and cfg.person(person) else "zh"
    html = _env.get_template("settlement.html").render(
        s=s, span=span, lang=lang, t=t, table=report_view(cfg, lang, s), sla=percent(s["sla"]["rate"]),
        period_line=t(lang, "insights.report.period_line", start=span.start.isoformat(),
                      end=span.to_json()["end"], tz=span.timezone),
        scope=None if s["scope"]["regions"] is None else t(lang, "insights.report.scope", regions=", ".join(
            region_name(cfg, r, lang) for r in s["scope"]["regions"])),
        csv_url=str(request.rel_url.update_query({"format": "csv"})),
        names={p.userid: p.name for p in cfg.people},
        unconverted=[t(lang, "insights.money.unconverted", amount=money(a, c), currency=c,
                       reporting=s["reporting_currency"]) for c, a in s["total"]["unconverted"].items()],
        top=[{"name": (p.name if (p := cfg.person(e["person"])) else e["person"]), "currency": e["currency"],
              "amount": money(e["amount"], e["currency"]), "jobs": e["jobs"]} for e in s["top_engineers"]])
    return web.Response(text=html, content_type="text/html")


def _bad(reason: str, status: int = 400) -> web.Response:
    return web.json_response({"error": reason}, status=status)


async def usage_post(request: web.Request) -> web.Response:
    """Record usage of a custom plan item: 201 created, 200 (same body) for a replayed idempotency
    key, 422 for a key reused with different usage, 409 for a closed period, 400 for bad input.
    The key may come as `idempotency_key` in the body or as the `Idempotency-Key` header, like
    POST /api/tickets."""
    from bot.auth import require_api_token
    from bot.callbacks import CONFIG, DESK
    from storage import ledger

    cfg = request.app[CONFIG]
    require_api_token(request, cfg.server.api_token)
    try:
        body = json.loads(await request.read() or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _bad("the body must be a JSON object")
    if not isinstance(body, dict):
        return _bad("the body must be a JSON object")
    unknown = set(body) - {"account", "item", "quantity", "period", "idempotency_key"}
    if unknown:
        return _bad(f"unknown field {sorted(unknown)[0]!r}")
    for name in ("account", "item"):
        if not isinstance(body.get(name), str) or not body[name].strip():
            return _bad(f"{name} is required (a non-empty string)")
    if "quantity" not in body:
        return _bad("quantity is required")
    if body.get("period") is not None and not isinstance(body["period"], str):
        return _bad("period must be a string like 2026-11")
    key, header = body.get("idempotency_key"), request.headers.get("Idempotency-Key")
    if key is not None and header is not None and key != header:
        return _bad("idempotency_key and the Idempotency-Key header differ")
    key = key if key is not None else header
    try:
        async with request.app[DESK].db.transaction() as session:
            record, created = await ledger.record_usage(
                session, cfg.ledger, account=body["account"].strip(), item=body["item"].strip(),
                quantity=body["quantity"], period=body.get("period"), idempotency_key=key,
                now=dt.datetime.now(dt.timezone.utc), source="api")
    except ledger.UsageConflict as e:
        return _bad(str(e), 422)
    except ledger.PeriodClosed as e:
        return _bad(str(e), 409)
    except ledger.LedgerError as e:
        return _bad(str(e))
    if created:
        return web.json_response(record, status=201)
    return web.json_response(record, status=200, headers={"Idempotent-Replayed": "true"})


def routes() -> list[web.RouteDef]:
    return [web.get("/reports/settlement", settlement_page), web.post("/api/usage", usage_post)]
