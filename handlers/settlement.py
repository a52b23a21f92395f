"""`settlement_summary`: the month's money in chat, scoped to who is asking.

* admin → every region; manager → their regions (naming another region is refused, not widened);
  engineer → only their own earnings, job by job (storage/earnings.py: ticket, service, hours,
  parts, stars, their share, travel allowance, corrections); anyone else (customers) → a polite refusal.
* Figures are per currency plus a total in the reporting currency at the rates stored on each
  ticket, with a signed link to the full report.
* Where the answer would be overheard it goes privately: an engineer's earnings asked in any
  group, and company figures asked in a customer's group (or a chat the desk does not know),
  are sent 1:1 and the group only hears that they were.
"""

from __future__ import annotations

from typing import Any

from handlers.cards import Card, Field, Link
from handlers.messages import t
from handlers.context import Context
from handlers.labels import region_label
from handlers.links import report_url
from handlers.registry import handles
from handlers.replies import Reply
from settlement import format_minor
from settlement.ledger_config import DEFAULT_TIMEZONE, LedgerConfig
from settlement.periods import PeriodError, Span, resolve
from storage import earnings, ledger

TOP = 3
JOBS_SHOWN = 20   # jobs listed in an engineer's answer; the rest are counted (the report has them all)


# -- config ----------------------------------------------------------------------------------------

def ledger_config(ctx: Context) -> LedgerConfig:
    return ctx.settlement if ctx.settlement is not None else ctx.cfg.ledger


# -- presentation ----------------------------------------------------------------------------------

def money(minor: int, currency: str) -> str:
    """12345.00 → 12,345.00 for people (the contract format stays ungrouped elsewhere)."""
    text = format_minor(minor, currency)
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, dot, frac = text.partition(".")
    return f"{sign}{int(whole):,}{dot}{frac}"


def _label(lang: str, key: str, code: str) -> str:
    try:
        return t(lang, f"{key}.{code}")
    except KeyError:
        return code


def party_name(lang: str, party: str) -> str:
    return _label(lang, "settle.party", party)


def person_name(ctx: Context, userid: str) -> str:
    p = ctx.cfg.person(userid)
    return p.name if p else userid


def region_names(ctx: Context, codes: list[str] | None, lang: str) -> str:
    if codes is None:
        return t(lang, "settle.all_regions")
    return ("、" if lang.startswith("zh") else ", ").join(region_label(ctx, c, lang) for c in codes)


def period_text(lang: str, span: Span) -> str:
    c = span.canonical
    if span.whole_months and len(c) == 7:
        return t(lang, "settle.period.month", year=int(c[:4]), month=int(c[5:]))
    if span.whole_months and "-Q" in c:
        return t(lang, "settle.period.quarter", year=int(c[:4]), quarter=int(c[-1]))
    if span.whole_months:
        return t(lang, "settle.period.year", year=int(c))
    return c.replace("..", " – ")


def _percent(rate: str | None) -> str:
    if rate is None:
        return "-"
    from decimal import Decimal

    return f"{(Decimal(rate) * 100).quantize(Decimal('0.1'))}%"


def _shares_text(lang: str, shares: dict[str, int], currency: str) -> str:
    return " · ".join(f"{party_name(lang, p)} {money(v, currency)}" for p, v in shares.items())


def report_link(ctx: Context, span: Span, regions: list[str] | None, person: str | None) -> str:
    return report_url(ctx.public_url, ctx.cfg.wecom.app.secret, period=span.canonical, timezone=span.timezone,
                      regions=regions, person=person, now=ctx.now)


# -- the handler -----------------------------------------------------------------------------------

@handles("settlement_summary", roles={"admin", "manager", "engineer"}, refusal="settle.refuse_customer",
         action="action_settlement_summary")
async def settlement_summary(ctx: Context, entities: dict[str, Any]) -> Reply:
    lang, roles, person = ctx.lang, set(ctx.roles), ctx.person
    assert person is not None  # staff roles come only from the people config
    asked_region = entities.get("region")
    own_only = not roles & {"admin", "manager"}
    regions: list[str] | None
    if "admin" in roles:
        regions = [asked_region] if asked_region else None
    elif "manager" in roles:
        if asked_region and asked_region not in person.regions:
            return Reply(markdown=t(lang, "settle.refuse_region", region=region_names(ctx, [asked_region], lang),
                                    scope=region_names(ctx, list(person.regions), lang)))
        regions = [asked_region] if asked_region else list(person.regions)
    else:
        regions = None  # an engineer's own lines, wherever they worked
    lcfg = ledger_config(ctx)
    zone_region = (regions or list(person.regions) or [None])[0]
    tz = lcfg.timezones.get(zone_region, DEFAULT_TIMEZONE) if zone_region else DEFAULT_TIMEZONE
    try:
        span = resolve(entities.get("period") or "this_month", now=ctx.now, timezone=tz)
    except PeriodError:
        return Reply(markdown=t(lang, "settle.bad_period"))
    whole = span.whole_months
    start, end = (None, None) if whole else (span.utc_start, span.utc_end)
    link = report_link(ctx, span, regions, ctx.userid if own_only else None)
    group = ctx.group if ctx.chatid else None
    overheard = ctx.chatid is not None and (own_only or group is None or group.kind == "customer")
    if own_only:
        jobs = await earnings.jobs(ctx.session, ctx.userid, periods=span.months, start=start, end=end,
                                   reporting_currency=lcfg.reporting_currency)
        # Their own money, read alone: in their own language, whatever the group speaks.
        reply = _earnings(ctx, jobs, span, link, lcfg.reporting_currency,
                          ctx.language_of(ctx.userid) if overheard else lang)
    else:
        s = await ledger.summary(ctx.session, period=list(span.months), start=start, end=end, regions=regions,
                                 reporting_currency=lcfg.reporting_currency, top=TOP)
        reply = _manager(ctx, s, span, regions, link)
    return private_reply(ctx, reply) if overheard else reply


def private_reply(ctx: Context, reply: Reply) -> Reply:
    """`reply` sent to the asker alone (card and text); the chat only hears that it was."""
    if reply.card is not None:
        ctx.send_card(ctx.userid, reply.card, urgent=True)
    ctx.send_text(ctx.userid, reply.markdown, urgent=True)
    return Reply(markdown=t(ctx.lang, "settle.sent_privately", name=ctx.name))


def _manager(ctx: Context, s: dict[str, Any], span: Span, regions: list[str] | None, link: str) -> Reply:
    lang, rc = ctx.lang, s["reporting_currency"]
    title = t(lang, "settle.title", scope=region_names(ctx, regions, lang), period=period_text(lang, span))
    stats = t(lang, "settle.stats", tickets=s["tickets"], sla=_percent(s["sla"]["rate"]),
              csat=s["csat"]["average"] or "-", rated=s["csat"]["rated"])
    lines = [f"**{title}**", f"> {stats}"]
    for b in s["currencies"]:
        lines.append(t(lang, "settle.currency_line", currency=b["currency"], gross=money(b["gross"], b["currency"]),
                       tax=money(b["tax"], b["currency"]), total=money(b["total"], b["currency"]),
                       tickets=b["tickets"]))
        if b["corrections"]:
            lines.append("> " + t(lang, "settle.corrections", amount=money(b["corrections"], b["currency"])))
        if b["shares"]:
            lines.append("> " + _shares_text(lang, b["shares"], b["currency"]))
    tot = s["total"]
    lines.append(t(lang, "settle.total_line", currency=rc, gross=money(tot["gross"], rc), tax=money(tot["tax"], rc),
                   total=money(tot["total"], rc)))
    if tot["shares"]:
        lines.append("> " + _shares_text(lang, tot["shares"], rc))
    for cur, amount in tot["unconverted"].items():
        lines.append("> " + t(lang, "settle.unconverted", amount=money(amount, cur), currency=cur, reporting=rc))
    lines += _branches_text(ctx, s)
    top = _top_text(ctx, s)
    if top:
        lines.append(t(lang, "settle.top", engineers=top))
    if not s["tickets"] and not s["currencies"]:
        lines.append(t(lang, "settle.empty"))
    lines.append(t(lang, "settle.link", url=link))

    rows = [Field(t(lang, "settle.field.tickets"), str(s["tickets"]))]
    for b in s["currencies"][:3]:
        rows.append(Field(t(lang, "settle.field.gross", currency=b["currency"]),
                          f"{money(b['gross'], b['currency'])} (+{money(b['tax'], b['currency'])})"))
    for party, amount in list(tot["shares"].items())[: 6 - len(rows) - 1]:
        rows.append(Field(party_name(lang, party), money(amount, rc)))
    rows.append(Field(t(lang, "settle.field.sla_csat"), f"{_percent(s['sla']['rate'])} · {s['csat']['average'] or '-'}"))
    card = _card(title, stats, money(tot["gross"], rc), t(lang, "settle.field.total_gross", currency=rc), rows[:6],
                 top, link, t(lang, "settle.full_report"))
    return Reply(markdown="\n".join(lines), card=card)


def _branches_text(ctx: Context, s: dict[str, Any]) -> list[str]:
    """Joint jobs by branch: each branch's share in its own currency (and the reporting one)."""
    if not s.get("branches"):
        return []
    rc = s["reporting_currency"]
    return [t(ctx.lang, "settle.branches")] + [
        t(ctx.lang, "settle.branch_line", branch=region_label(ctx, b["branch"], ctx.lang),
          amount=money(b["amount"], b["currency"]), currency=b["currency"], jobs=b["jobs"], reporting_currency=rc,
          reporting=money(b["reporting_amount"], rc) if b["currency"] != rc else None)
        for b in s["branches"]]


def _top_text(ctx: Context, s: dict[str, Any]) -> str:
    sep = "、" if ctx.lang == "zh" else ", "
    return sep.join(f"{person_name(ctx, e['person'])} {money(e['amount'], e['currency'])} {e['currency']}"
                    for e in s["top_engineers"])


def _earnings(ctx: Context, jobs: list[earnings.Job], span: Span, link: str, rc: str, lang: str) -> Reply:
    """The engineer's own money, job by job: what each job paid them and why (hours, parts, the
    customer's stars), then the total per currency."""
    title = t(lang, "settle.mine.title", period=period_text(lang, span))
    lines = [f"**{title}**"]
    totals: dict[str, list[int]] = {}   # currency -> [amount, jobs]
    for j in jobs:
        per = totals.setdefault(j.currency, [0, 0])
        per[0] += j.total
        per[1] += j.split
    for cur, (amount, count) in totals.items():
        lines.append(t(lang, "settle.mine.line", currency=cur, amount=money(amount, cur), jobs=count))
        mine = [j for j in jobs if j.currency == cur]
        lines += ["> " + _job_line(ctx, j, lang) for j in mine[:JOBS_SHOWN]]
        if len(mine) > JOBS_SHOWN:
            lines.append("> " + t(lang, "earnings.more", n=len(mine) - JOBS_SHOWN))
    if len(totals) > 1:
        lines.append(t(lang, "settle.mine.total", currency=rc,
                       amount=money(sum(j.reporting or 0 for j in jobs), rc)))
    if not jobs:
        lines.append(t(lang, "settle.mine.none"))
    lines.append(t(lang, "settle.link", url=link))
    main = next(iter(totals.items()), (rc, [0, 0]))
    rows = [Field(t(lang, "settle.field.jobs"), str(sum(n for _, n in totals.values())))] + [
        Field(cur, money(amount, cur)) for cur, (amount, _) in list(totals.items())[:5]]
    card = _card(title, t(lang, "settle.mine.desc"), money(main[1][0], main[0]),
                 t(lang, "settle.mine.emphasis", currency=main[0]), rows, "", link, t(lang, "settle.full_report"))
    return Reply(markdown="\n".join(lines), card=card)


def _job_line(ctx: Context, j: earnings.Job, lang: str) -> str:
    """"#12 空调维修 · 2 小时 · 配件 180.00 · ★★★★★ · 分成 120.00 · 差旅补贴 200.00 · 更正 +15.00"."""
    cur = j.currency
    tpl = ctx.templates.defs.get(j.template) if ctx.templates and j.template else None
    parts = [" ".join(p for p in (f"#{j.ticket_id}" if j.ticket_id else "", tpl.name(lang) if tpl else j.template or "") if p)]
    if j.hours is not None:
        parts.append(t(lang, "earnings.hours", hours=f"{j.hours.normalize():f}"))
    if j.parts:
        parts.append(t(lang, "earnings.parts", amount=money(j.parts, cur)))
    parts.append("★" * j.rating if j.rating else t(lang, "earnings.unrated"))
    if j.split:
        parts.append(t(lang, "earnings.share", amount=money(j.share, cur)))
    if j.travel:
        parts.append(t(lang, "earnings.travel", amount=money(j.travel, cur)))
    if j.corrections:
        parts.append(t(lang, "earnings.corrections", amount=("+" if j.corrections > 0 else "") + money(j.corrections, cur)))
    return " · ".join(p for p in parts if p)


def _card(title: str, desc: str, figure: str, figure_desc: str, rows: list[Field], quote: str,
          link: str, link_title: str) -> Card:
    return Card(title=title, desc=desc, figure=(figure, figure_desc), fields=tuple(rows), quote=quote,
                links=(Link(link_title, link),), url=link)
