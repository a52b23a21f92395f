"""What a handler returns: the words and card the asker sees. Transport decides the wire form."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from handlers.cards import Card, as_dict


@dataclass(frozen=True)
class Reply:
    markdown: str = ""
    card: Card | None = None
    # For a card click: the new text of the clicked button (update_template_card).
    button: str | None = None
    # Set when the reply asks a question: the intent and slots so far, kept per chat and user
    # until the answer comes (conversation state), e.g. {"intent": "create_ticket", "entities": {...}}.
    pending: dict[str, Any] | None = None
    # For an entry that cannot ask back (REST): what was wrong with the request, "field: reason".
    problem: str | None = None
    # Facts for entries that answer with data rather than words, e.g. {"ticket": 12}.
    data: dict[str, Any] | None = None

    def to_json(self) -> str:
        return json.dumps(as_dict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "Reply":
        data = json.loads(text)
        card = data.get("card")
        return cls(**{**data, "card": Card.from_dict(card) if card else None})
