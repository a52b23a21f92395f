"""Help, and an honest answer for everything we did not understand or do not do yet."""

from __future__ import annotations

from typing import Any

from handlers.messages import t
from handlers.context import Context
from handlers.registry import handles
from handlers.replies import Reply


@handles("help")
async def help_(ctx: Context, entities: dict[str, Any]) -> Reply:
    return Reply(markdown=t(ctx.lang, "help", bot=ctx.bot_name))


# Above this the model is sure a message is not for the desk (thanks, a notice, small talk): a
# short friendly line, never the usage text.
CHAT_CONFIDENCE = 0.85


@handles("unknown")
async def unknown(ctx: Context, entities: dict[str, Any]) -> Reply:
    sure = float(entities.get("_confidence") or 0.0) >= CHAT_CONFIDENCE
    return Reply(markdown=t(ctx.lang, "unknown.chat" if sure else "unknown"))
