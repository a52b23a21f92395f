"""Migration 0009 creates exactly the known-fixes tables storage/fixes.py declares."""

from __future__ import annotations

from storage import fixes  # noqa: F401  (the tables on Base.metadata)
from tests.storage.schema import differences

TABLES = {"fixes", "fixes_shown"}


async def test_migration_matches_the_models(db):
    assert await differences(db, TABLES) == []
