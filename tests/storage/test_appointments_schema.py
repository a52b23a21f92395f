"""Migration 0010 creates exactly the `appointments` table storage/appointments.py declares."""

from __future__ import annotations

from storage import appointments  # noqa: F401  (the table on Base.metadata)
from tests.storage.schema import differences


async def test_migration_matches_the_model(db):
    assert await differences(db, {"appointments"}) == []
