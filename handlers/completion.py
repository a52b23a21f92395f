"""Completion: price and split the job in the transaction that completes it, show the customer
the breakdown, ask for a rating — or, where the template says so, wait for an approval first."""

from __future__ import annotations

from typing import Any

from handlers.cards import Button, Card, Field, task_id
from handlers.messages import t
from handlers import billing, fixes as known_fixes, joint, notify, parts as spare_parts, permissions
from handlers.context import Context
from handlers.lifecycle import Impossible, next_status
from handlers.money_view import also_in_own
from handlers.replies import Reply
from handlers.words import Words, words_of

AFTER = "chat_after"   # attachments.source of an after-photo (handlers/photos.py)
from settlement.errors import SettlementError
from storage import attachments, tickets as store
from storage.ledger_models import LedgerError
from storage.models import Ticket


def _quote(ctx: Context, ticket: Ticket, facts: dict[str, Any], lang: str) -> Any:
    from settlement import quote_ticket

    return quote_ticket(ctx.settlement, template=ticket.template, region=ticket.region, hours=facts["hours"],
                        parts=[tuple(p) for p in facts["parts"]], surcharges=facts["surcharges"], language=lang)


def _needs_approval(ctx: Context, ticket: Ticket, quote: Any) -> Any:
    tpl = ctx.templates.defs.get(ticket.template) if ctx.templates and ticket.template else None
    if tpl is None or tpl.approval is None or quote is None:
        return None
    from settlement import parse_money

    limit = parse_money(tpl.approval.above, quote.currency)
    return tpl.approval if quote.total > limit.amount else None


async def complete(ctx: Context, ticket: Ticket, facts: dict[str, Any]) -> Reply:
    tpl = ctx.templates.defs.get(ticket.template) if ctx.templates and ticket.template else None
    if tpl is not None and tpl.require_after_photos and not await attachments.count(ctx.session, ticket.id, AFTER):
        return Reply(markdown=t(ctx.lang, "complete.needs_after_photos", id=ticket.id))
    quote = _quote(ctx, ticket, facts, ticket.language) if ctx.settlement is not None and ticket.template else None
    approval = _needs_approval(ctx, ticket, quote)
    if approval is not None and not (ticket.data or {}).get("approved"):
        return await _request_approval(ctx, ticket, facts, quote, approval.role)
    return await finish(ctx, ticket, facts)


async def _request_approval(ctx: Context, ticket: Ticket, facts: dict[str, Any], quote: Any, role: str) -> Reply:
    await store.transition(ctx.session, ticket, next_status(ticket.status, "request_approval"), actor=ctx.userid,
                           reason=f"total {quote.to_json()['total']} {quote.currency} needs {role} approval", now=ctx.now)
    await store.update_fields(ctx.session, ticket, data={**(ticket.data or {}), "completion": facts})
    approvers = [p for p in ctx.cfg.people if role in p.roles and (role == "admin" or ticket.region in p.regions)]
    for p in approvers:
        lang = ctx.language_of(p.userid)
        card = Card(title=t(lang, "approval.title", id=ticket.id),
                    desc=t(lang, "approval.desc", total=quote.to_json()["total"], currency=quote.currency)
                    + also_in_own(ctx, quote.total, quote.currency, p.userid),
                    fields=tuple(Field(line["label"], line["amount"]) for line in quote.to_json()["lines"]),
                    task_id=task_id(ticket.id, p.userid),
                    buttons=(Button(t(lang, "approval.approve"), f"approve:{ticket.id}", 1),
                             Button(t(lang, "approval.reject"), f"reject:{ticket.id}", 2)))
        ctx.send_card(p.userid, card, ticket.id, urgent=True)
    return Reply(markdown=await notify.progress(ctx, ticket, "push.awaiting_approval",
                                                total=quote.to_json()["total"], currency=quote.currency))


async def decide(ctx: Context, entities: dict[str, Any], *, approve: bool) -> Reply:
    ticket = await store.get_ticket(ctx.session, int(entities.get("ticket") or 0))
    if ticket is None:
        return Reply(markdown=t(ctx.lang, "claim.no_ticket", id=entities.get("ticket")))
    tpl = ctx.templates.defs.get(ticket.template) if ctx.templates else None
    refusal = permissions.can_approve(ctx, ticket, tpl.approval.role if tpl and tpl.approval else "manager")
    if refusal:
        return Reply(markdown=refusal)
    if ticket.status != "awaiting_approval":
        return notify.impossible(ctx, ticket)
    facts = (ticket.data or {}).get("completion") or {"hours": "0", "parts": [], "surcharges": []}
    if not approve:
        await store.transition(ctx.session, ticket, "in_progress", actor=ctx.userid, reason="completion rejected",
                               now=ctx.now)
        return Reply(markdown=await notify.progress(ctx, ticket, "push.rejected", name=ctx.name,
                                                    words=words_of(entities.get("_text", ""), ctx.lang)),
                     button=t(ctx.lang, "approval.rejected_button"))
    await store.update_fields(ctx.session, ticket, data={**(ticket.data or {}), "approved": ctx.userid})
    reply = await finish(ctx, ticket, facts, approved_by=ctx.name)
    return Reply(markdown=reply.markdown, card=reply.card, button=t(ctx.lang, "approval.approved_button"))


async def finish(ctx: Context, ticket: Ticket, facts: dict[str, Any], approved_by: str | None = None) -> Reply:
    """Complete the job and price it, all or nothing: a job that cannot be priced (a missing rate
    or price, a split that does not fit) is not completed — what it wrote is rolled back, its
    messages are not sent, and the one completing it is told why."""
    queued = len(ctx.outbox)
    try:
        async with ctx.session.begin_nested():
            return await _finish(ctx, ticket, facts, approved_by)
    except (SettlementError, LedgerError) as e:
        del ctx.outbox[queued:]
        return Reply(markdown=t(ctx.lang, "complete.not_priced", id=ticket.id, reason=str(e)))


async def _finish(ctx: Context, ticket: Ticket, facts: dict[str, Any], approved_by: str | None) -> Reply:
    try:
        to = next_status(ticket.status, "approve" if ticket.status == "awaiting_approval" else "complete")
    except Impossible:
        return notify.impossible(ctx, ticket)
    reason = f"hours {facts['hours']}, parts {facts['parts']}" + (f", approved by {approved_by}" if approved_by else "")
    await store.transition(ctx.session, ticket, to, actor=ctx.userid, reason=reason, now=ctx.now)
    await spare_parts.consume(ctx, ticket)   # its reserved parts leave the shelf
    await store.update_fields(ctx.session, ticket, completed_at=ctx.now, next_check_at=None, eta_at=None,
                              sla_breached=ticket.sla_breached or bool(ticket.resolution_due and ctx.now > ticket.resolution_due))
    breakdown, mine = "", ""
    if ctx.settlement is not None and ticket.template:
        from storage import ledger

        quote = await ledger.record_completion(
            ctx.session, ctx.settlement, ticket_id=ticket.id, template=ticket.template, region=ticket.region,
            engineer=ticket.assignee, hours=facts["hours"], parts=[tuple(p) for p in facts["parts"]],
            surcharges=facts["surcharges"], language=_group_lang(ctx, ticket), completed_at=ctx.now)
        await joint.after_completion(ctx, ticket, quote, facts)   # a joint job's branches, an engineer's travel
        await billing.after_completion(ctx, ticket, quote)         # a prepaid draw, an SLA credit
        breakdown = ledger.quote_markdown(quote, _group_lang(ctx, ticket))
        # The one who completes it reads the total in their own currency too (a Chinese engineer on a Bangkok job).
        mine = also_in_own(ctx, quote.total, quote.currency, ctx.userid)
    await known_fixes.propose(ctx, ticket, facts)   # the note, parts and outcome as a fix to accept
    engineer = ctx.cfg.person(ticket.assignee)
    note = Words(facts["note"], facts.get("note_lang") or ticket.language) if facts.get("note") else None
    await notify.progress(ctx, ticket, "push.completed", name=engineer.name if engineer else ctx.name, breakdown="",
                          words=note)
    lang = _group_lang(ctx, ticket)
    # The priced breakdown is its own message: a card's text is too short for every line.
    ctx.push_group(ticket.chatid, "\n".join(filter(None, [t(lang, "complete.breakdown", id=ticket.id), breakdown,
                                                          t(lang, "csat.ask", id=ticket.id, bot=ctx.bot_name)])),
                   ticket.id)
    customer = (ticket.data or {}).get("kf")
    if customer:   # a WeChat customer rates with one tap
        ctx.send_kf_menu(customer, t(lang, "csat.ask_kf", id=ticket.id),
                         [(f"rate:{ticket.id}:{n}", f"#{ticket.id} " + t(lang, "csat.stars", n=n)) for n in range(5, 0, -1)],
                         ticket.id)
    return Reply(markdown=t(ctx.lang, "complete.done", id=ticket.id) + ("\n" + breakdown if breakdown else "")
                 + (f"\n{mine.strip()}" if mine else ""))


def _group_lang(ctx: Context, ticket: Ticket) -> str:
    group = ctx.cfg.group(ticket.chatid)
    return group.language if group else ticket.language

