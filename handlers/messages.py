"""Jinja2 rendering of every user-visible sentence, from per-language message catalogs.

Catalogs live in templates/messages/<lang>/*.yaml, one file per area (core, settlement …); each
value is a Jinja2 template. A key missing in a language falls back to English, then Chinese, so a
new sentence never renders as a blank. Two files of one language defining the same key is an error.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, StrictUndefined, Template

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
FALLBACK = ("en", "zh")


@lru_cache(maxsize=None)
def _env() -> Environment:
    env = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.filters["ticket"] = lambda n: f"#{n}"
    return env


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML keeps the last of two equal keys without a word; a catalog must say so instead."""

    def construct_mapping(self, node, deep=False):  # type: ignore[no-untyped-def]
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise ValueError(f"message {key!r} is defined twice (line {key_node.start_mark.line + 1})")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


# A sentence that is only text and `{{ name }}` (nearly all of them) is put together directly:
# Jinja's render, a new context each time, was a visible share of a ticket's CPU. Anything
# else (filters, expressions, blocks, whitespace control, \r) goes through Jinja.
_PLAIN = re.compile(r"(?:[^{}\r]|\{\{ *[A-Za-z_][A-Za-z0-9_]* *\}\})*", re.S)
_SLOT = re.compile(r"\{\{ *([A-Za-z_][A-Za-z0-9_]*) *\}\}")
_LITERALS = {"true", "false", "none", "True", "False", "None"}   # Jinja's constants, not variables


class _Message:
    """One sentence of a catalog: its source, its plain form when it has one, and its Jinja
    template, compiled the first time something needs it. Compiling a language's whole catalog
    up front stalled the first message in that language by a second or more; most sentences are
    plain and never need Jinja."""

    __slots__ = ("source", "plain", "_template")

    def __init__(self, source: str) -> None:
        self.source = source
        pieces = _SLOT.split(source) if _PLAIN.fullmatch(source) else []
        # (the text around the slots, their names)
        self.plain = ((tuple(pieces[0::2]), tuple(pieces[1::2]))
                      if pieces and not _LITERALS.intersection(pieces[1::2]) else None)
        self._template: Template | None = None

    @property
    def template(self) -> Template:
        if self._template is None:
            self._template = _env().from_string(self.source)
        return self._template


@lru_cache(maxsize=None)
def _catalog(lang: str) -> dict[str, _Message]:
    catalog: dict[str, _Message] = {}
    for path in sorted((TEMPLATES / "messages" / lang).glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader) or {}
        for k, v in data.items():
            if k in catalog:
                raise ValueError(f"message {k!r} defined twice in {lang} catalogs ({path.name})")
            catalog[k] = _Message(str(v))
    return catalog


def warm() -> None:
    """Read every language's catalog at start, so that a catalog that cannot be read (bad YAML,
    a sentence defined twice) stops the service there and no reader's first message waits for
    the files. A sentence's Jinja is compiled on its first use, not here: the suite renders every
    sentence of every language (tests/bot/test_catalogs.py), which is where a template error shows."""
    for lang in languages():
        _catalog(lang)


def languages() -> list[str]:
    return sorted(p.name for p in (TEMPLATES / "messages").iterdir() if p.is_dir())


def t(lang: str | None, key: str, **values: Any) -> str:
    if not values:
        return _constant(lang, key)
    return _render(lang, key, values)


@lru_cache(maxsize=4096)
def _constant(lang: str | None, key: str) -> str:
    # Labels and status names never change: render each once.
    return _render(lang, key, {})


def _render(lang: str | None, key: str, values: dict[str, Any]) -> str:
    for code in (lang or "zh", *FALLBACK):
        message = _catalog(code).get(key)
        if message is not None:
            plain = message.plain
            if plain is not None and all(name in values for name in plain[1]):
                text, names = plain
                out = [text[0]]
                for name, after in zip(names, text[1:]):
                    out.append(str(values[name]))   # what Jinja prints for {{ name }} (no autoescape)
                    out.append(after)
                return "".join(out).strip()
            return message.template.render(**values).strip()
    raise KeyError(f"no message {key!r} in any catalog")
