"""Handler tests against a real database of the backend under test (tests/conftest.py)."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

from bot.app import prepare_database
from storage.db import Database
from tests.conftest import reset_postgres


@asynccontextmanager
async def prepared(cfg: Any) -> AsyncIterator[Database]:
    """A fresh, migrated database with the config's people and groups in it, as the desk starts."""
    if cfg.database.url.startswith("postgresql"):
        await reset_postgres(cfg.database.url)
    db = Database(cfg.database.url)
    await prepare_database(cfg, db)
    try:
        yield db
    finally:
        await db.close()
