from __future__ import annotations

from pathlib import Path

import pytest

from handlers.config import load_config
from nlu import Lexicon, Parser

ROOT = Path(__file__).resolve().parents[2]
CONFIG_PATH = ROOT / "config.yaml"
CASES_PATH = Path(__file__).resolve().parent / "cases.yaml"


@pytest.fixture(scope="session")
def cfg():
    return load_config(CONFIG_PATH)


@pytest.fixture(scope="session")
def parser(cfg):
    return Parser(Lexicon.from_config(cfg))


@pytest.fixture(scope="session")
def lexicon(cfg):
    return Lexicon.from_config(cfg)


@pytest.fixture(scope="session")
def rules(lexicon):
    """The rules alone: the model's features and the entity extractors, without the model."""
    return Parser(lexicon, model=None)
