"""Intent name → handler, as rasa-sdk registers actions by name."""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from handlers.context import Context
from handlers.replies import Reply

Handler = Callable[[Context, dict[str, Any]], Awaitable[Reply]]
HANDLERS: dict[str, Handler] = {}


def handles(*intents: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for intent in intents:
            if intent in HANDLERS:
                raise RuntimeError(f"two handlers for {intent!r}")
            HANDLERS[intent] = fn
        return fn
    return register
