"""Closing a month from chat (issue 15): "@小鲸 关账 11月", "结算 上月 关账", "close november",
"clôturer novembre", "ปิดบัญชีเดือนพฤศจิกายน" (read by rule: nlu/ledger_commands.py).

1. `close_month` drafts the close (storage/drafts.py: the real close, rolled back, its result
   kept) and answers with its figures — per party, engineer and account, per currency, and the
   invoices it would issue — on a card with a confirm and a cancel button (`close_ok:<draft>`,
   `close_no:<draft>`, dispatch.BUTTON_INTENTS). A typed "确认" / "confirm" answers it too (the
   desk's yes/no question: Reply.pending), and "取消" / "no" cancels (handlers/confirm.py).
2. `confirm_close` finalises that draft: the close runs for real and is kept only when its
   figures are the draft's. If something landed since, nothing is written and a new draft is
   offered in the same reply. A month already closed is a no-op that says when it was closed.
3. `cancel_close` closes nothing; the draft stays for review (the /statements page).

Managers and admins only (the registry refuses everyone else in their language). Figures are
the company's, so asked in a customer's group they are sent privately, as in settlement_summary.
The web statement page (bot/web/statements.py) finalises through `confirm_close` as well.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import replace
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from handlers.cards import Button, Card, Field
from handlers.context import Context
from handlers.messages import t
from handlers.registry import handles
from handlers.replies import Reply
from handlers.settlement import ledger_config, money, party_name, person_name, private_reply
from settlement import parse_money
from settlement.periods import PeriodError, last_end_utc, resolve
from storage import drafts
from storage.ledger import PeriodNotEnded
from storage.ledger_models import LedgerError

MANAGERS = {"admin", "manager"}
REFUSAL = "close.refused"
CONFIRM, CANCEL = "close_ok", "close_no"    # button actions (handlers/dispatch.py BUTTON_INTENTS)
KINDS = ("party", "person", "account")      # statement owners, in the order a reader wants them
NAMES_SHOWN = 8                             # owners named per line; the rest are counted


# -- reading a draft -----------------------------------------------------------------------------

def local_time(when: dt.datetime, tz: str) -> str:
    """A stored time (naive UTC) with its date, in the reader's zone: a close is read days later."""
    return when.replace(tzinfo=dt.timezone.utc).astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def month_text(lang: str, period: str) -> str:
    return t(lang, "settle.period.month", year=int(period[:4]), month=int(period[5:7]))


def totals(statements: list[Mapping[str, Any]]) -> dict[str, dict[str, dict[str, int]]]:
    """{owner_kind: {currency: {owner: minor units}}}, largest first."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for s in statements:
        amount = s["amount"] if isinstance(s["amount"], int) else parse_money(s["amount"], s["currency"]).amount
        per = out.setdefault(s["owner_kind"], {}).setdefault(s["currency"], {})
        per[s["owner"]] = per.get(s["owner"], 0) + amount
    return {k: {c: dict(sorted(o.items(), key=lambda kv: (-kv[1], kv[0]))) for c, o in v.items()} for k, v in out.items()}


def _owner(ctx: Context, lang: str, kind: str, owner: str) -> str:
    if kind == "person":
        return person_name(ctx, owner)
    if kind == "party":
        return party_name(lang, owner)
    account = ledger_config(ctx).accounts.get(owner)
    return account.name if account is not None else owner


def figure_lines(ctx: Context, content: Mapping[str, Any], lang: str) -> list[str]:
    """The close's figures for a reader: one line per kind of owner and currency, then invoices."""
    sep = " · "
    lines = []
    for kind, per_currency in sorted(totals(content.get("statements") or []).items(),
                                     key=lambda kv: KINDS.index(kv[0]) if kv[0] in KINDS else len(KINDS)):
        for cur, owners in per_currency.items():
            named = [f"{_owner(ctx, lang, kind, o)} {money(a, cur)}" for o, a in list(owners.items())[:NAMES_SHOWN]]
            if len(owners) > NAMES_SHOWN:
                named.append(t(lang, "close.more", n=len(owners) - NAMES_SHOWN))
            lines.append(t(lang, f"close.kind.{kind}" if kind in KINDS else "close.kind.other", currency=cur,
                           total=money(sum(owners.values()), cur), names=sep.join(named)))
    invoices = content.get("invoices") or []
    if invoices:
        lines.append(t(lang, "close.invoices", n=len(invoices), amounts=sep.join(
            f"{money(a, c)} {c}" for c, a in _invoice_totals(invoices).items())))
    return lines


def _invoice_totals(invoices: list[Mapping[str, Any]]) -> dict[str, int]:
    """{currency: Σ amount} of the close's invoices (storage/billing.py `invoice_json`)."""
    out: dict[str, int] = {}
    for inv in invoices:
        out[inv["currency"]] = out.get(inv["currency"], 0) + parse_money(inv["amount"], inv["currency"]).amount
    return out


def _count(content: Mapping[str, Any]) -> dict[str, int]:
    return {"statements": len(content.get("statements") or []), "invoices": len(content.get("invoices") or [])}


# -- the draft's card ------------------------------------------------------------------------------

def offer(ctx: Context, draft: drafts.Draft, *, headline: str | None = None) -> Reply:
    """The draft as a card with confirm / cancel, and as text that a typed "确认" answers; asked
    where others would read it, sent to the manager alone, in their own language."""
    private = _overheard(ctx)
    lang, period = ctx.language_of(ctx.userid) if private else ctx.lang, draft.period
    title = t(lang, "close.draft_title", period=month_text(lang, period), version=draft.version)
    desc = t(lang, "close.draft_desc", **_count(draft.content))
    lines = [f"**{headline}**"] if headline else []
    lines += [f"**{title}**", "> " + desc, *figure_lines(ctx, draft.content, lang), t(lang, "close.ask")]
    by_kind = totals(draft.content.get("statements") or [])   # for the card: its main currency's shares
    party = by_kind.get("party", {})
    cur, shares = next(iter(party.items()), (ledger_config(ctx).reporting_currency, {}))
    shared = sum(shares.values()) + sum(by_kind.get("person", {}).get(cur, {}).values())   # the month's split, whole
    fields = [Field(party_name(lang, p), money(a, cur)) for p, a in list(shares.items())[:3]]
    for kind in ("person", "account"):
        for c, owners in by_kind.get(kind, {}).items():
            fields.append(Field(t(lang, f"close.field.{kind}"), t(lang, f"close.field.{kind}_value", n=len(owners),
                                                                  amount=money(sum(owners.values()), c), currency=c)))
    fields.append(Field(t(lang, "close.field.invoices"), str(_count(draft.content)["invoices"])))
    card = Card(title=title, desc=desc, fields=tuple(fields[:6]),
                figure=(money(shared, cur), t(lang, "close.figure", currency=cur)),
                task_id=f"close-{draft.id}-{secrets.token_hex(6)}",
                buttons=(Button(t(lang, "close.confirm_button"), f"{CONFIRM}:{draft.id}", 1),
                         Button(t(lang, "close.cancel_button"), f"{CANCEL}:{draft.id}", 2)))
    reply = Reply(markdown="\n".join(lines), card=card,
                  pending={"intent": "confirm_close", "confirm": True,
                           "entities": {"ticket": draft.id, "_close_draft": draft.id, "period": period}},
                  data={"draft": draft.id, "period": period, "version": draft.version})
    return private_reply(ctx, reply) if private else reply


def _overheard(ctx: Context) -> bool:
    group = ctx.group if ctx.chatid else None
    return ctx.chatid is not None and (group is None or group.kind == "customer")


# -- handlers --------------------------------------------------------------------------------------

@handles("close_month", roles=MANAGERS, refusal=REFUSAL)
async def close_month(ctx: Context, entities: dict[str, Any]) -> Reply:
    lang, lcfg = ctx.lang, ledger_config(ctx)
    tz = ctx.cfg.timezone_of(ctx.userid)
    try:
        span = resolve(entities.get("period") or "last_month", now=ctx.now, timezone=tz)
    except PeriodError:
        return Reply(markdown=t(lang, "close.one_month"))
    if not span.whole_months or len(span.months) != 1:
        return Reply(markdown=t(lang, "close.one_month"))
    period = span.months[0]
    try:
        outcome = await drafts.draft_close(ctx.session, lcfg, period, now=ctx.now, by=ctx.userid)
    except PeriodNotEnded:
        end = last_end_utc(period, lcfg.all_timezones())
        return Reply(markdown=t(lang, "close.not_ended", period=month_text(lang, period),
                                end=local_time(end, tz), tz=tz))
    except LedgerError as e:
        return Reply(markdown=t(lang, "close.failed", period=month_text(lang, period), reason=str(e)))
    if outcome.draft is None:
        return _already(ctx, outcome)
    return offer(ctx, outcome.draft)


def _already(ctx: Context, outcome: drafts.Outcome, *, button: bool = False) -> Reply:
    r = outcome.result
    lang = ctx.lang
    return Reply(markdown=t(lang, "close.already", period=month_text(lang, r.period), statements=len(r.statements),
                            at=local_time(r.closed_at, ctx.cfg.timezone_of(ctx.userid))),
                 button=t(lang, "close.already_button") if button else None,
                 data={"period": r.period, "closed": True})


@handles("confirm_close", roles=MANAGERS, refusal=REFUSAL)
async def confirm_close(ctx: Context, entities: dict[str, Any]) -> Reply:
    """The confirm button (`close_ok:<draft>`), a typed yes to the draft's question, or the
    statement page's finalise button."""
    lang, lcfg = ctx.lang, ledger_config(ctx)
    draft = await drafts.get(ctx.session, int(entities.get("ticket") or 0))
    if draft is None:
        return Reply(markdown=t(lang, "close.no_draft"))
    try:
        outcome = await drafts.finalise(ctx.session, lcfg, draft.period, now=ctx.now, by=ctx.userid, draft_id=draft.id)
    except drafts.DraftMoved:
        # Something landed since the draft: nothing was written; the reviewer gets today's figures.
        fresh = await drafts.draft_close(ctx.session, lcfg, draft.period, now=ctx.now, by=ctx.userid)
        if fresh.draft is None:
            return _already(ctx, fresh, button=True)
        return replace(offer(ctx, fresh.draft, headline=t(lang, "close.moved", version=draft.version)),
                       button=t(lang, "close.moved_button"))
    except drafts.NoDraft:
        newest = await drafts.latest(ctx.session, draft.period)
        return Reply(markdown=t(lang, "close.stale", version=draft.version, period=month_text(lang, draft.period),
                                latest=newest.version if newest else draft.version),
                     button=t(lang, "close.stale_button"))
    if outcome.draft is None:
        return _already(ctx, outcome, button=True)
    final = outcome.draft
    title = t(lang, "close.final_title", period=month_text(lang, final.period))
    lines = [f"**{title}**", "> " + t(lang, "close.final_desc", version=final.version, name=ctx.name,
                                      **_count(outcome.to_json())),
             *figure_lines(ctx, outcome.to_json(), lang)]
    if ctx.public_url:
        lines.append(t(lang, "close.page", url=f"{ctx.public_url.rstrip('/')}/statements?period={final.period}"))
    return Reply(markdown="\n".join(lines), button=t(lang, "close.final_button"),
                 data={"period": final.period, "closed": True, "draft": final.id, "written": outcome.result.written})


@handles("cancel_close", roles=MANAGERS, refusal=REFUSAL)
async def cancel_close(ctx: Context, entities: dict[str, Any]) -> Reply:
    """The cancel button (`close_no:<draft>`) or a typed no: nothing is closed; the draft stays
    for review on the statement page."""
    lang = ctx.lang
    draft = await drafts.get(ctx.session, int(entities.get("ticket") or entities.get("_close_draft") or 0))
    if draft is None:
        return Reply(markdown=t(lang, "close.no_draft"))
    return Reply(markdown=t(lang, "close.cancelled", period=month_text(lang, draft.period), version=draft.version),
                 button=t(lang, "close.cancelled_button"))
