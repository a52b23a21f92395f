"""Message → intent → the one handler registered for it. No HTTP here: tests call it directly."""

from __future__ import annotations

import re
from typing import Any, Protocol

from handlers.messages import t
from handlers import feedback as _feedback, help as _help, jobs as _jobs, settlement as _settlement, tickets as _tickets  # noqa: F401  (registration)
from handlers.context import Context
from handlers.registry import HANDLERS
from handlers.replies import Reply

_BUTTON = re.compile(r"^(?P<action>[a-z_]+):(?P<ticket>\d{1,9})$")
BUTTON_INTENTS = {"claim": "claim_job", "decline": "decline_job", "approve": "approve_job", "reject": "reject_job"}


class Parser(Protocol):
    def parse(self, text: str, *, now: Any = None) -> Any: ...


def intent_of_button(event_key: str | None) -> tuple[str, dict[str, Any]]:
    """A card click carries its intent in the button key ("claim:12")."""
    m = _BUTTON.match(event_key or "")
    if not m or m["action"] not in BUTTON_INTENTS:
        return "unknown", {}
    return BUTTON_INTENTS[m["action"]], {"ticket": int(m["ticket"])}


async def dispatch(ctx: Context, intent: str, entities: dict[str, Any]) -> Reply:
    ctx.log["intent"] = intent
    handler = HANDLERS.get(intent)
    if handler is None:
        return Reply(markdown=t(ctx.lang, "not_yet", intent=intent))
    return await handler(ctx, entities)
