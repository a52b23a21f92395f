"""Message → intent → the one handler registered for it. No HTTP here: tests call it directly."""

from __future__ import annotations

import re
from typing import Any, Protocol

from handlers.messages import t
from handlers import appointments as _appointments, close as _close, confirm as _confirm, feedback as _feedback, fixes as _fixes, help as _help, jobs as _jobs, manage as _manage, parts as _parts, settlement as _settlement, tickets as _tickets  # noqa: F401  (registration)
from handlers.confirm import ANSWER_KEYS
from handlers.context import Context
from handlers.duplicates import SEPARATE_ACTION
from handlers.registry import REGISTRY, check
from nlu.intents import COMMAND_INTENTS, INTENTS
from handlers.replies import Reply

_BUTTON = re.compile(r"^(?P<action>[a-z_]+):(?P<ticket>\d{1,9})$")
BUTTON_INTENTS = {"claim": "claim_job", "decline": "decline_job", "approve": "approve_job", "reject": "reject_job",
                  SEPARATE_ACTION: "open_separate", "accept_fix": "accept_fix",
                  "confirm_slot": "confirm_slot", "close_ok": "confirm_close", "close_no": "cancel_close"}
# The buttons a WeChat customer may get as 微信客服 menu items (their taps come back as a menu_id).
MENU_ACTIONS = {SEPARATE_ACTION}


class Parser(Protocol):
    def parse(self, text: str, *, now: Any = None) -> Any: ...


def intent_of_button(event_key: str | None) -> tuple[str, dict[str, Any]]:
    """A card click carries its intent in the button key ("claim:12")."""
    m = _BUTTON.match(event_key or "")
    if not m or m["action"] not in BUTTON_INTENTS:
        return "unknown", {}
    return BUTTON_INTENTS[m["action"]], {"ticket": int(m["ticket"])}


def is_menu_tap(key: str | None) -> bool:
    """A 微信客服 menu_id the desk gave out: a confirmation's answer, or a button meant for customers."""
    m = _BUTTON.match(key or "")
    return key in ANSWER_KEYS or (m is not None and m["action"] in MENU_ACTIONS)


def check_registry() -> None:
    """Start-up: every intent the parser can return (the model's and the managers' commands) and
    every card button has a handler."""
    check([*INTENTS, *COMMAND_INTENTS, *BUTTON_INTENTS.values()])


async def dispatch(ctx: Context, intent: str, entities: dict[str, Any]) -> Reply:
    """The one way into a handler, for chat, card clicks, REST and Rasa actions alike."""
    spec = REGISTRY.get(intent)
    if spec is None:  # only from callers that name intents themselves (a Rasa assistant)
        return Reply(markdown=t(ctx.lang, "not_yet", intent=intent))
    if spec.roles is not None and not spec.roles & set(ctx.roles):
        return Reply(markdown=t(ctx.lang, spec.refusal))
    return await spec.handler(ctx, entities)
