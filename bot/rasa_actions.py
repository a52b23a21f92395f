"""The desk's handlers as rasa-sdk Actions, so a Rasa assistant can drive the same desk.

Each action reads the sender (tracker.sender_id = WeCom userid), the chat (slot or message
metadata `chatid`) and the entities Rasa extracted, runs the desk handler of the same intent in
one transaction, and utters the reply (text, plus the WeCom template card as a custom payload).
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from bot.present import present
from handlers.dispatch import check_registry
from handlers.registry import actions
from handlers.replies import Reply

INT_ENTITIES = {"ticket", "rating"}

RunIntent = Callable[..., Awaitable[Reply]]


def entities_from_tracker(tracker: Tracker) -> dict[str, Any]:
    """Slots first, then this turn's entities (they win): Rasa's own precedence."""
    out: dict[str, Any] = {k: v for k, v in (tracker.slots or {}).items() if v is not None and not k.startswith("_")}
    for ent in (tracker.latest_message or {}).get("entities", []) or []:
        name, value = ent.get("entity"), ent.get("value")
        if not name or value is None:
            continue
        if name in INT_ENTITIES:
            try:
                value = int(value)
            except (TypeError, ValueError):
                continue
        out[name] = value
    text = (tracker.latest_message or {}).get("text")
    if text:
        out["_text"] = text
    return out


def chat_of(tracker: Tracker) -> str | None:
    chatid = tracker.get_slot("chatid") if tracker.slots else None
    meta = (tracker.latest_message or {}).get("metadata") or {}
    return chatid or meta.get("chatid")


class DeskAction(Action):
    def __init__(self, action: str, intent: str, run_intent: RunIntent) -> None:
        self.action, self.intent, self._run = action, intent, run_intent

    def name(self) -> str:
        return self.action

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        entities = entities_from_tracker(tracker)
        reply = await self._run(self.intent, entities, userid=tracker.sender_id, chatid=chat_of(tracker))
        dispatcher.utter_message(text=reply.markdown or None,
                                 json_message={"template_card": present(reply.card, "app")} if reply.card else None)
        return [SlotSet("ticket", entities["ticket"])] if isinstance(entities.get("ticket"), int) else []


def make_executor(run_intent: RunIntent) -> ActionExecutor:
    check_registry()
    executor = ActionExecutor()
    for action, intent in actions().items():
        executor.register_action(DeskAction(action, intent, run_intent))
    return executor
