"""What a customer's rating does to the engineer's money (issue 15: "客户评分…当场就能生成收益清单").

A split rule may weigh shares by the job's stars (`rating: {5: "1.20", …}` on a share, e.g.
network_repair in config.yaml). The job was split unrated at completion; when the rating arrives
(handlers/feedback.py calls `after_rating` in the rating's transaction) the same pre-tax total is
re-split with it and the per-party differences are booked as correction lines in the open month
(storage/earnings.py `rerate`). The engineer is told what their share moved by, privately.
A rule that does not weigh by rating moves nothing and tells no one.

The engineer's own job-by-job answer ("我这个月分成多少") is handlers/settlement.py's `_earnings`.
"""

from __future__ import annotations

from typing import Any

from handlers.context import Context
from handlers.messages import t
from handlers.settlement import money
from storage import earnings
from storage.models import Ticket


async def after_rating(ctx: Context, ticket: Ticket, rating: int) -> None:
    lcfg = ctx.settlement if ctx.settlement is not None else ctx.cfg.ledger
    lines = await earnings.rerate(ctx.session, lcfg, ticket_id=ticket.id, rating=rating, now=ctx.now)
    _tell_engineer(ctx, ticket, rating, [ln for ln in lines if ln["person"] and ln["person"] == ticket.assignee])


def _tell_engineer(ctx: Context, ticket: Ticket, rating: int, lines: list[dict[str, Any]]) -> None:
    moved = sum(ln["amount"] for ln in lines)
    if not moved or ticket.assignee is None:
        return
    cur, period = lines[0]["currency"], lines[0]["period"]
    lang = ctx.language_of(ticket.assignee)
    amount = ("+" if moved > 0 else "") + money(moved, cur)
    ctx.send_text(ticket.assignee, t(lang, "earnings.rerated", id=ticket.id, stars="★" * rating, amount=amount,
                                     currency=cur, period=period), ticket.id)
