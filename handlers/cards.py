"""Cards as data: what a reader should see about a ticket, a job or a report. The edge
(bot/present.py) turns a Card into WeCom's template-card JSON for the channel it goes out on,
with WeCom's field limits in that one place; nothing here knows them."""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any

from handlers.messages import t


@dataclass(frozen=True)
class Field:
    key: str
    value: str


@dataclass(frozen=True)
class Button:
    text: str
    key: str          # "claim:12": the intent and ticket a click means (handlers/dispatch.py)
    style: int = 1    # 1 primary, 2 secondary


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Card:
    title: str
    desc: str = ""
    fields: tuple[Field, ...] = ()
    buttons: tuple[Button, ...] = ()   # a card with buttons is an interactive (app-only) card
    url: str | None = None             # where a tap on the card goes
    links: tuple[Link, ...] = ()
    quote: str = ""                    # free text under the title: the store's words, a timeline
    quote_lang: str | None = None      # set when `quote` is someone's own words: other readers get a translation
    figure: tuple[str, str] | None = None   # one key figure and what it is ("¥5,000.00", "net CNY")
    task_id: str | None = None         # app cards with buttons: the id a click comes back with

    def with_fields(self, *more: Field) -> "Card":
        return replace(self, fields=(*self.fields, *more))

    def to_dict(self) -> dict[str, Any]:
        return as_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Card":
        figure = data.get("figure")
        return cls(**{**data, "fields": tuple(Field(**f) for f in data.get("fields", ())),
                      "buttons": tuple(Button(**b) for b in data.get("buttons", ())),
                      "links": tuple(Link(**x) for x in data.get("links", ())),
                      "figure": tuple(figure) if figure else None})


def as_dict(value: Any) -> Any:
    """What dataclasses.asdict gives for cards and replies (dataclasses → dicts, in field order;
    tuples stay tuples), without deep-copying the strings and numbers at the leaves: asdict's
    copying was a visible share of a ticket's CPU, for a card and a reply on every ticket."""
    kind = type(value)
    if kind in _LEAVES:
        return value
    if kind is tuple or kind is list:
        return kind(as_dict(v) for v in value)
    if kind is dict:
        return {as_dict(k): as_dict(v) for k, v in value.items()}
    names = _FIELDS.get(kind)
    if names is None and is_dataclass(kind):
        names = _FIELDS[kind] = tuple(f.name for f in fields(kind))
    if names is not None:
        return {name: as_dict(getattr(value, name)) for name in names}
    # Anything else as asdict treats it: named tuples, other sequences and mappings, copies.
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return kind(*[as_dict(v) for v in value])
    if isinstance(value, (list, tuple)):
        return kind(as_dict(v) for v in value)
    if isinstance(value, dict):
        return kind((as_dict(k), as_dict(v)) for k, v in value.items())
    return copy.deepcopy(value)


_LEAVES = frozenset({str, int, float, bool, type(None)})
_FIELDS: dict[type, tuple[str, ...]] = {}


def task_id(ticket_id: int, userid: str) -> str:
    # [A-Za-z0-9_-@], ≤ 128 bytes, unique per app: the random tail keeps re-offers distinct.
    safe = "".join(c if c.isalnum() or c in "_-@" else "_" for c in userid)[:64]
    return f"job-{ticket_id}-{safe}-{secrets.token_hex(4)}"


def ticket_fields(lang: str, *, id: int, skill: str, location: str, urgency: str, status: str,
                  engineer: str | None = None) -> list[Field]:
    rows = [("field.ticket", f"#{id}"), ("field.skill", skill), ("field.location", location),
            ("field.urgency", t(lang, f"urgency.{urgency}")), ("field.status", t(lang, f"status.{status}"))]
    if engineer:
        rows.append(("field.engineer", engineer))
    return [Field(t(lang, k), v) for k, v in rows]


def ticket_card(lang: str, *, title: str, desc: str, url: str, fields: list[Field], quote: str = "") -> Card:
    """What a customer group (and a requester) sees for a ticket; a tap opens the ticket page."""
    return Card(title=title, desc=desc, fields=tuple(fields), url=url, quote=quote)


def job_card(lang: str, *, ticket_id: int, skill: str, location: str, urgency: str, description: str,
             description_lang: str | None, task: str, buttons: list[tuple[str, str, int]],
             title_key: str = "job.title") -> Card:
    """A job for one engineer: the store's words, the facts, and what they can do about it."""
    fields = ticket_fields(lang, id=ticket_id, skill=skill, location=location, urgency=urgency, status="offered")
    return Card(title=t(lang, title_key, id=ticket_id, skill=skill),
                desc=t(lang, "job.desc", location=location, urgency=t(lang, f"urgency.{urgency}")),
                quote=description, quote_lang=description_lang if description else None,
                # Four rows: the status row would only ever say "offered" here.
                fields=tuple(fields[:4]), task_id=task,
                buttons=tuple(Button(t(lang, label), f"{action}:{ticket_id}", style) for action, label, style in buttons))
