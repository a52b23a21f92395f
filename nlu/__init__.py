"""Understanding chat messages: text -> Parse(intent, confidence, entities).

A service builds one `Parser(Lexicon.from_config(cfg))` at start-up; nlu never reads the desk's
config itself (it sits below the desk), so whoever owns the config hands it the vocabulary.
"""

from __future__ import annotations

from .intents import INTENTS
from .lexicon import Lexicon
from .parse import Parse, Parser

__all__ = ["INTENTS", "Lexicon", "Parse", "Parser"]
