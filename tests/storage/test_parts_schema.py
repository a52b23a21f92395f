"""Migration 0008 creates exactly the parts tables storage/parts.py declares, with the CHECK that
keeps stock from going negative."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage import parts  # noqa: F401  (its tables on Base.metadata)
from tests.storage.schema import differences

PARTS_TABLES = {"part_stock", "part_reservations", "part_movements", "purchase_requests"}


async def test_migration_matches_the_models(db):
    assert await differences(db, PARTS_TABLES) == []


async def test_the_database_refuses_negative_stock(db):
    async with db.transaction() as s:
        await s.execute(text("INSERT INTO part_stock (warehouse, part, on_hand, reserved, alerted, updated_at) "
                             "VALUES ('sh', 'CMP-01', 1, 0, false, CURRENT_TIMESTAMP)"))
    for sql in ("UPDATE part_stock SET reserved = 2", "UPDATE part_stock SET on_hand = -1",
                "UPDATE part_stock SET reserved = -1"):
        with pytest.raises(IntegrityError):
            async with db.transaction() as s:
                await s.execute(text(sql))
