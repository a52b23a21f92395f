"""One presenter turns a Card into WeCom's template-card JSON; WeCom's limits hold for every
card whatever the handler put in it, and a card survives the outbox (JSON) unchanged."""

from __future__ import annotations

import json

import pytest

from bot.present import CardError, present, present_payload
from handlers.cards import Button, Card, Field, Link


def _long(n: int) -> str:
    return "长" * n


def test_text_and_lists_are_cut_to_wecoms_limits():
    card = Card(title=_long(50), desc=_long(60), fields=tuple(Field(_long(12), _long(40)) for _ in range(9)),
                links=tuple(Link(_long(20), f"https://x/{i}") for i in range(5)), quote=_long(300),
                figure=(_long(30), _long(30)), url="https://x/t")
    out = present(card, "webhook")
    assert len(out["main_title"]["title"]) == 36 and len(out["main_title"]["desc"]) == 44
    assert len(out["horizontal_content_list"]) == 6
    assert all(len(r["keyname"]) == 10 and len(r["value"]) == 26 for r in out["horizontal_content_list"])
    assert len(out["jump_list"]) == 3 and len(out["jump_list"][0]["title"]) == 13
    assert len(out["sub_title_text"]) == 112
    assert len(present(card, "app")["sub_title_text"]) == 160
    assert out["card_type"] == "text_notice" and out["card_action"] == {"type": 1, "url": "https://x/t"}


def test_a_card_with_buttons_is_interactive_and_never_goes_to_a_group_webhook():
    card = Card(title="#12", buttons=(Button("接单", "claim:12"),), task_id="job-12-a", url="https://x/t")
    out = present(card, "app")
    assert out["card_type"] == "button_interaction" and out["task_id"] == "job-12-a"
    assert out["button_list"] == [{"text": "接单", "style": 1, "key": "claim:12"}]
    assert "card_action" not in out  # a tap on an interactive card would bypass its buttons
    with pytest.raises(CardError):
        present(card, "webhook")


def test_a_card_survives_the_outbox_round_trip():
    card = Card(title="#3 已接单", fields=(Field("工单", "#3"),), buttons=(Button("完工", "complete:3", 2),),
                links=(Link("报表", "https://x/r"),), figure=("¥5,000.00", "CNY"), quote="空调漏水", quote_lang="zh")
    stored = json.loads(json.dumps({"msgtype": "template_card", "card": card.to_dict()}))
    assert Card.from_dict(stored["card"]) == card
    sent = present_payload(stored, "app")
    assert "card" not in sent and sent["template_card"] == present(card, "app")


def test_a_button_label_is_cut_to_ten_characters_between_words():
    card = Card(title="#5", buttons=(Button("Confirm the visit", "confirm:5"),), task_id="job-5-a")
    assert present(card, "app")["button_list"][0]["text"] == "Confirm…"
