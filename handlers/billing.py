"""Accounts' side of a completed job (issue 15): a prepaid account's draw, an SLA credit, and
telling the account's manager, in their language, when a draw took the balance below its mark.

Runs inside the completion's transaction (handlers/completion.finish): a draw exists exactly when
the job is completed. The notice is told on the crossing only — the draw that went from at or
above `low_balance` to below it — not on every later draw while the balance stays low.
"""

from __future__ import annotations

from typing import Any

from handlers.context import Context
from handlers.messages import t
from settlement import format_minor
from storage import billing
from storage.ledger import rate_on
from storage.models import Ticket


async def after_completion(ctx: Context, ticket: Ticket, quote: Any) -> billing.CompletionBilling | None:
    lcfg = ctx.settlement
    if lcfg is None:
        return None
    done = await billing.bill_completion(ctx.session, lcfg, ticket_id=ticket.id, chatid=ticket.chatid,
                                         breached=bool(ticket.sla_breached),
                                         rates=lambda frm, to, day: rate_on(lcfg, frm, to, day))
    if done is not None and done.crossed_low and done.account.manager:
        manager = done.account.manager
        lang = ctx.language_of(manager)
        ctx.send_text(manager, t(lang, "billing.low_balance", account=done.account.name, id=ticket.id,
                                 drawn=done.draw["amount"].lstrip("-") if done.draw else "",
                                 balance=format_minor(done.balance, done.currency),
                                 low=format_minor(done.low_balance, done.currency), currency=done.currency),
                       ticket.id)
    return done
