"""Intents, declared once: the handler, who may ask at all, and the Rasa action that runs it.

Like rasa-sdk's actions registered by name and nonebot2's permissions declared with the
handler: reading the decorator above a handler tells you everything the desk knows about its
intent. Finer, per-ticket rules (only the assignee may report progress) live in
handlers/permissions.py, because they need the ticket the handler loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable, Iterable

from handlers.context import Context
from handlers.replies import Reply

Handler = Callable[[Context, dict], Awaitable[Reply]]


@dataclass(frozen=True)
class IntentSpec:
    intent: str
    handler: Handler
    roles: frozenset[str] | None = None  # who may ask at all (None: anyone, customers included)
    refusal: str = "perm.staff_only"     # message key answered to anyone else
    action: str | None = None            # Rasa action name, when a Rasa assistant may run it


REGISTRY: dict[str, IntentSpec] = {}


class RegistryError(RuntimeError):
    """The desk cannot start: an intent the parser or a card can produce has no handler."""


def handles(intent: str, *, roles: Iterable[str] | None = None, refusal: str = "perm.staff_only",
            action: str | None = None) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        if intent in REGISTRY:
            raise RegistryError(f"two handlers for {intent!r}")
        REGISTRY[intent] = IntentSpec(intent, fn, frozenset(roles) if roles is not None else None, refusal, action)
        return fn
    return register


def check(intents: Iterable[str], registry: dict[str, IntentSpec] | None = None) -> None:
    """Every intent that can reach dispatch must have a handler: fail at start, not in a chat."""
    registry = REGISTRY if registry is None else registry
    missing = sorted(set(intents) - set(registry))
    if missing:
        raise RegistryError(f"no handler for intent(s) {', '.join(missing)}: add @handles(...) in handlers/")


def actions() -> dict[str, str]:
    """Rasa action name → intent."""
    return {spec.action: spec.intent for spec in REGISTRY.values() if spec.action}
