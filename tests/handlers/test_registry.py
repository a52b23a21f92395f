"""One registry: every intent the parser or a card can produce has a handler, checked at start;
roles and Rasa action names are declared with the handler."""

from __future__ import annotations

import pytest

from bot.app import create_app
from bot.rasa_actions import make_executor
from handlers import registry
from handlers.dispatch import BUTTON_INTENTS
from nlu.intents import INTENTS
from tests.conftest import make_config


def test_every_intent_the_desk_can_meet_has_exactly_one_handler():
    assert set(INTENTS) | set(BUTTON_INTENTS.values()) <= set(registry.REGISTRY)
    with pytest.raises(registry.RegistryError, match="two handlers"):
        registry.handles("create_ticket")(registry.REGISTRY["help"].handler)


def test_an_intent_without_a_handler_stops_the_service_at_start(tmp_path, monkeypatch):
    without = {k: v for k, v in registry.REGISTRY.items() if k != "rate_service"}
    monkeypatch.setattr(registry, "REGISTRY", without)
    with pytest.raises(registry.RegistryError, match="rate_service"):
        create_app(make_config(tmp_path))
    with pytest.raises(registry.RegistryError, match="rate_service"):
        make_executor(lambda *a, **k: None)


def test_rasa_actions_are_the_ones_declared_with_the_handlers():
    executor = make_executor(lambda *a, **k: None)
    declared = registry.actions()
    assert set(executor.actions) == set(declared)
    # What a Rasa assistant may run: the intents a person asks for, not the fallbacks or card buttons.
    assert declared["action_claim_job"] == "claim_job" and "action_unknown" not in declared
    assert not set(declared.values()) & set(BUTTON_INTENTS.values()) - {"claim_job"}
