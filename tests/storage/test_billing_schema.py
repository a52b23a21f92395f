"""Migration 0012 creates exactly the billing tables storage/billing_models.py declares, and its
triggers keep invoices, credit notes, payments, SLA credits and prepaid entries final."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from storage.billing_models import IMMUTABLE
from tests.storage.schema import differences

TABLES = {*IMMUTABLE, "prepaid_balances"}


async def test_migration_matches_the_model(db):
    assert await differences(db, TABLES) == []


async def test_a_prepaid_entry_cannot_be_edited_or_deleted(db):
    async with db.engine.begin() as conn:
        await conn.execute(text(
            "INSERT INTO prepaid_entries (account, currency, kind, amount, balance_after, period, idempotency_key, "
            "created_at) VALUES ('bkk', 'THB', 'topup', 100, 100, '2026-10', 'topup:k', '2026-10-01 00:00:00')"))
    for sql in ("UPDATE prepaid_entries SET amount = 1000000", "DELETE FROM prepaid_entries"):
        with pytest.raises((IntegrityError, DBAPIError), match="final and cannot be"):
            async with db.engine.begin() as conn:
                await conn.execute(text(sql))
    async with db.engine.connect() as conn:
        assert (await conn.execute(text("SELECT amount FROM prepaid_entries"))).scalar_one() == 100
