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


@handles("unknown")
async def unknown(ctx: Context, entities: dict[str, Any]) -> Reply:
    return Reply(markdown=t(ctx.lang, "unknown"))
