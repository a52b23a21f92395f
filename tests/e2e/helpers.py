"""Helpers for tests that drive the CLI against a running test desk."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from handlers.config import Config


def write_config(cfg: Config) -> Path:
    data = cfg.model_dump(mode="json")
    path = Path(tempfile.mkdtemp()) / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


async def run_cli(*args: str, timeout: float = 60) -> tuple[int, str, str]:
    """`wecom-desk ARGS` in a child process, without blocking the event loop: the desk under test
    shares the loop, and may hold the SQLite write lock mid-transaction while the CLI needs it."""
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", *args,
                                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), timeout=timeout)
    return proc.returncode or 0, out.decode(), err.decode()
