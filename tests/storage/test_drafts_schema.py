"""Migration 0013 creates exactly the `close_drafts` table storage/drafts.py declares."""

from __future__ import annotations

from storage import drafts  # noqa: F401  (the table on Base.metadata)
from tests.storage.schema import differences


async def test_migration_matches_the_model(db):
    assert await differences(db, {"close_drafts"}) == []
