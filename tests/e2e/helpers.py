"""Helpers for tests that drive the CLI against a running test desk."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml

from bot.config import Config


def write_config(cfg: Config) -> Path:
    data = cfg.model_dump(mode="json")
    path = Path(tempfile.mkdtemp()) / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path
