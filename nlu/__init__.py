"""Understanding chat messages: text -> Parse(intent, confidence, entities).

`parse()` uses a default Parser built lazily from the repo's config.yaml (or $WECOM_DESK_CONFIG);
services should build their own `Parser(Lexicon.from_config(cfg))` once at start-up.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime
from pathlib import Path

from .intents import INTENTS
from .lexicon import Lexicon
from .parse import Parse, Parser

__all__ = ["INTENTS", "Lexicon", "Parse", "Parser", "default_parser", "parse"]

_default: Parser | None = None
_lock = threading.Lock()


def default_config_path() -> Path:
    env = os.environ.get("WECOM_DESK_CONFIG")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "config.yaml"


def default_parser() -> Parser:
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                from bot.config import load_config

                _default = Parser(Lexicon.from_config(load_config(default_config_path())))
    return _default


def parse(text: str, *, now: datetime | None = None) -> Parse:
    return default_parser().parse(text, now=now)
