"""`/statements?period=YYYY-MM`: a month's close for managers and admins — the latest draft (what
the close would write: statements per party, engineer and account, and the invoices), the drafts
before it, and the final statements and invoices once the month is closed — with a "finalise" button on the
latest draft. Linked from /money.

Finalising runs the chat's handler (`confirm_close`, handlers/close.py) through
`Desk.run_intent`, so the page and "@小鲸 关账 11月" → 确认 are one code path: the close is kept
only when its figures are the draft's, and a month already closed stays as it was. The answer
comes back as the page's flash line."""

from __future__ import annotations

from typing import Any, Mapping

from aiohttp import web

from bot.callbacks import CONFIG, DESK
from bot.web import session
from bot.web.render import local, render
from bot.web.flash import Flash
from bot.web.ticket import plain
from handlers.config import Config
from handlers.insights import person_name
from handlers.messages import t
from handlers.settlement import money, party_name
from settlement import parse_money
from settlement.periods import PeriodError, parse_month, resolve
from storage import billing, drafts, ledger

FLASH = Flash("wd_statements_flash", salt="flash")
KIND_ORDER = ("share", "earnings", "plan")


def _period(request: web.Request, viewer: session.Viewer) -> str:
    asked = request.query.get("period")
    if not asked:
        now = request.app[DESK].services.clock.now()
        return resolve("last_month", now=now, timezone=viewer.timezone).months[0]
    try:
        parse_month(asked)
    except PeriodError:
        raise web.HTTPBadRequest(text=t(viewer.lang, "statements.bad_period")) from None
    return asked


def _owner(cfg: Config, lang: str, s: Mapping[str, Any]) -> str:
    if s["owner_kind"] == "person":
        return person_name(cfg, s["owner"])
    if s["owner_kind"] == "party":
        return party_name(lang, s["owner"])
    account = cfg.ledger.accounts.get(s["owner"])
    return account.name if account is not None else s["owner"]


def _kind(lang: str, kind: str) -> str:
    try:
        return t(lang, f"insights.statement.{kind}")
    except KeyError:
        return kind


def statement_rows(cfg: Config, lang: str, statements: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Draft (amounts as text) and final (minor units) statements alike, kind by kind."""
    rows = []
    for s in statements:
        minor = s["amount"] if isinstance(s["amount"], int) else parse_money(s["amount"], s["currency"]).amount
        rows.append({"owner": _owner(cfg, lang, s), "kind": _kind(lang, s["kind"]), "code": s["kind"],
                     "amount": money(minor, s["currency"]), "currency": s["currency"], "lines": s["line_count"]})
    rank = {k: i for i, k in enumerate(KIND_ORDER)}
    return sorted(rows, key=lambda r: (rank.get(r["code"], len(rank)), r["currency"], r["owner"]))


def invoice_rows(cfg: Config, lang: str, invoices: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The close's invoices (storage/billing.py `invoice_json`): account, terms, amount, due date."""
    out = []
    for inv in invoices:
        account = cfg.ledger.accounts.get(inv.get("account", ""))
        cur = inv.get("currency", "")
        due = inv.get("amount_due", inv.get("amount", "0"))
        out.append({"account": account.name if account else inv.get("account", ""), "kind": inv.get("kind", ""),
                    "amount": money(parse_money(inv.get("amount", "0"), cur).amount, cur),
                    "due": money(parse_money(due, cur).amount, cur), "currency": cur, "due_on": inv.get("due_on", "")})
    return out


async def statements_page(request: web.Request) -> web.Response:
    viewer = session.require(request)
    cfg, desk = request.app[CONFIG], request.app[DESK]
    lang, period = viewer.lang, _period(request, viewer)
    async with desk.db.sessions() as s:
        history = await drafts.drafts_of(s, period)
        closed = await drafts.closed_at(s, period)
        finals = await ledger.statements_of(s, period) if closed else []
        final_invoices = await billing.invoices_of(s, period) if closed else []
    latest = history[0] if history else None
    flash = FLASH.read(request, cfg)
    tz = viewer.timezone
    month = t(lang, "settle.period.month", year=int(period[:4]), month=int(period[5:]))
    draft = None if latest is None else {
        "id": latest.id, "version": latest.version, "status": latest.status,
        "by": person_name(cfg, latest.created_by), "at": local(latest.created_at, tz),
        "statements": statement_rows(cfg, lang, latest.content.get("statements") or []),
        "invoices": invoice_rows(cfg, lang, latest.content.get("invoices") or []),
        "can_finalise": latest.status == "draft" and closed is None}
    html = render("web/statements.html", lang=lang, viewer=viewer, nav="money", period=period, month=month,
                  closed=local(closed, tz) if closed else None, draft=draft, flash=flash,
                  finals=statement_rows(cfg, lang, finals), final_invoices=invoice_rows(cfg, lang, final_invoices),
                  history=[{"version": d.version, "status": d.status, "by": person_name(cfg, d.created_by),
                            "at": local(d.created_at, tz), "finalised": local(d.finalised_at, tz)} for d in history])
    response = web.Response(text=html, content_type="text/html", headers={"Cache-Control": "no-store"})
    if flash is not None:
        FLASH.shown(response, "/statements")
    return response


async def finalise(request: web.Request) -> web.Response:
    """`POST /statements/finalise` (draft, csrf): the confirm of handlers/close.py, for the page."""
    viewer = session.require(request)
    form = await session.check_csrf(request, viewer)
    cfg, desk = request.app[CONFIG], request.app[DESK]
    try:
        draft_id = int(str(form.get("draft", "")))
    except ValueError:
        raise web.HTTPBadRequest(text=t(viewer.lang, "close.no_draft")) from None
    async with desk.db.sessions() as s:
        draft = await drafts.get(s, draft_id)
    if draft is None:
        raise web.HTTPNotFound(text=t(viewer.lang, "close.no_draft"))
    reply = await desk.run_intent("confirm_close", {"ticket": draft_id}, userid=viewer.userid, channel="web")
    response = web.HTTPSeeOther(f"/statements?period={draft.period}")
    FLASH.set(response, cfg, plain(reply.markdown), "/statements")
    raise response


def routes() -> list[web.RouteDef]:
    return [web.get("/statements", statements_page), web.post("/statements/finalise", finalise)]

