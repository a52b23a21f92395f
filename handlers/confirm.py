"""A report the parser is unsure of is asked about once before anything is created: a false
ticket pages an engineer and costs more than a question. The answer ("是", "no", a tap) comes
back through Desk._understand, which holds the question's state."""

from __future__ import annotations

import secrets
from typing import Any

from handlers.cards import Button, Card
from handlers.messages import t
from handlers.context import Context
from handlers.registry import handles
from handlers.replies import Reply
from handlers.tickets import answer_about_open_job
from handlers.appointments import slot_declined
from handlers.close import cancel_close

# The button keys a confirmation card carries; a tap is read like the text answer.
ANSWER_KEYS = {"answer:1": True, "answer:0": False}


@handles("confirm_report")
async def confirm_report(ctx: Context, entities: dict[str, Any]) -> Reply:
    answered = await answer_about_open_job(ctx, entities)
    if answered is not None:   # "空调还是不制冷，师傅什么时候到？" asks about the open job: nothing to confirm
        return answered
    problem = entities.get("_text", "")
    question = t(ctx.lang, "confirm.ask", problem=problem)
    card = Card(title=t(ctx.lang, "confirm.title"), desc=problem, task_id=f"ask-{secrets.token_hex(8)}",
                buttons=(Button(t(ctx.lang, "confirm.yes"), "answer:1", 1), Button(t(ctx.lang, "confirm.no"), "answer:0", 2)))
    kept = {k: v for k, v in entities.items() if k != "_confidence"}
    return Reply(markdown=question, card=card if ctx.channel == "bot" else None,
                 pending={"intent": "create_ticket", "entities": kept, "confirm": True})


@handles("report_declined")
async def report_declined(ctx: Context, entities: dict[str, Any]) -> Reply:
    if entities.get("_slot"):   # a "no" to an engineer's proposed visit time (handlers/appointments.py)
        return await slot_declined(ctx, entities)
    if entities.get("_close_draft"):   # a "no" to a month's draft close (handlers/close.py)
        return await cancel_close(ctx, entities)
    return Reply(markdown=t(ctx.lang, "confirm.declined"))
