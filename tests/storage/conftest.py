"""A migrated database of the backend under test (tests/conftest.py), for storage tests."""

from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator

import pytest

from storage.db import Database
from tests.conftest import make_config, reset_postgres


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    cfg = make_config(tmp_path)
    if cfg.database.url.startswith("postgresql"):
        await reset_postgres(cfg.database.url)   # migrates it to head
    database = Database(cfg.database.url)
    if database.is_sqlite:
        await database.upgrade()
    try:
        yield database
    finally:
        await database.close()
