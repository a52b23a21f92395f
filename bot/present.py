"""Card (handlers/cards.py) → WeCom template-card JSON, per channel. WeCom's field limits live
here and only here.

Lengths are the documented ones (app: 应用消息 template_card, doc 90236; webhook and AI bot:
群机器人 template_card, doc 91770); WeCom recommends them and its clients cut longer text on
display, so text is cut here where a reader would otherwise lose the end of a sentence
unpredictably, and cut between words (bot/textcut.py) where a slice would split a word or a
character. List lengths are hard limits: WeCom refuses longer lists.
"""

from __future__ import annotations

import re
from typing import Any

from bot.textcut import cut
from handlers.cards import Card

SOURCE = {"desc": "wecom-desk"}

LIMITS: dict[str, int] = {
    "title": 36, "desc": 44, "keyname": 10, "value": 26, "figure_title": 20, "figure_desc": 20, "link_title": 13,
    # button_list.text: 建议不超过10个字 (doc 90236, the same in the AI bot's cards).
    "button": 10,
    "rows": 6, "links": 3, "buttons": 6,
}
# sub_title_text: 160 characters in an app message, 112 in a group webhook or an AI-bot reply.
QUOTE = {"app": 160, "webhook": 112, "bot": 112}
CHANNELS = tuple(QUOTE)


class CardError(ValueError):
    """A card the channel cannot carry (a programming error: the outbox marks the row failed)."""


def present(card: Card, channel: str = "app") -> dict[str, Any]:
    if channel not in QUOTE:
        raise CardError(f"unknown channel {channel!r}")
    if card.buttons and channel == "webhook":
        # Group webhooks carry notices only; a button there could never be answered.
        raise CardError("a group webhook cannot carry a card with buttons")
    out: dict[str, Any] = {
        "card_type": "button_interaction" if card.buttons else "text_notice",
        "source": SOURCE,
        "main_title": {"title": cut(card.title, LIMITS["title"]), "desc": cut(card.desc, LIMITS["desc"])},
    }
    if card.figure:
        out["emphasis_content"] = {"title": cut(card.figure[0], LIMITS["figure_title"]),
                                   "desc": cut(card.figure[1], LIMITS["figure_desc"])}
    if card.quote:
        out["sub_title_text"] = cut(card.quote, QUOTE[channel])
    if card.fields:
        out["horizontal_content_list"] = [{"keyname": cut(f.key, LIMITS["keyname"]), "value": cut(f.value, LIMITS["value"])}
                                          for f in card.fields[:LIMITS["rows"]]]
    if card.links:
        out["jump_list"] = [{"type": 1, "title": cut(x.title, LIMITS["link_title"]), "url": x.url}
                            for x in card.links[:LIMITS["links"]]]
    if card.url and not card.buttons:
        out["card_action"] = {"type": 1, "url": card.url}
    if card.task_id:
        out["task_id"] = card.task_id
    if card.buttons:
        out["button_list"] = [{"text": cut(b.text, LIMITS["button"]), "style": b.style, "key": b.key}
                              for b in card.buttons[:LIMITS["buttons"]]]
    return out


def present_payload(payload: dict[str, Any], channel: str) -> dict[str, Any]:
    """An outbox payload that carries a Card (`card`) → the message WeCom expects."""
    if "card" not in payload:
        return payload
    rest = {k: v for k, v in payload.items() if k != "card"}
    return {**rest, "template_card": present(Card.from_dict(payload["card"]), channel)}


KF_TEXT_BYTES = 2048   # 微信客服 text: at most 2048 bytes (doc 94677)
_MARKS = re.compile(r"\*\*|__|`|^#+ |^> ?", re.M)
_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


def plain_text(markdown: str) -> str:
    """WeChat shows 微信客服 text as it is: markdown marks go, a link keeps its address."""
    return _MARKS.sub("", _LINK.sub(r"\1 \2", markdown)).strip()


def card_text(card: Card) -> str:
    lines = [card.title, card.desc, *(f"{f.key}：{f.value}" for f in card.fields), card.quote,
             *(f"{x.title} {x.url}" for x in card.links), card.url]
    return "\n".join(line for line in lines if line)


def kf_message(payload: dict[str, Any]) -> dict[str, Any]:
    """An outbox payload → a 微信客服 message: a menu as it is, cards and markdown as plain text
    lines, cut to fit."""
    if payload.get("msgtype") == "msgmenu":
        return {"msgtype": "msgmenu", "msgmenu": payload["msgmenu"]}
    if "card" in payload:
        text = card_text(Card.from_dict(payload["card"]))
    else:
        text = plain_text(payload.get("markdown", {}).get("content", "") or payload.get("text", {}).get("content", ""))
    return {"msgtype": "text", "text": {"content": cut(text, KF_TEXT_BYTES, unit="bytes")}}
