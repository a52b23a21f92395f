"""Migration 0002 creates exactly the ledger tables the models declare, with the immutability
triggers for the backend in use."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from storage import ledger_models
from storage.models import Base
from tests.storage.schema import table_of

LEDGER_TABLES = {"ticket_charges", "charge_lines", "ledger_lines", "usage_records", "statements", "settlement_periods"}


def _ledger_diffs(diffs):
    return [d for d in diffs if table_of(d) in LEDGER_TABLES]


async def test_migration_matches_the_models(env):
    assert {t for t in Base.metadata.tables if t in LEDGER_TABLES} == LEDGER_TABLES
    async with env.db.engine.connect() as conn:
        diffs = await conn.run_sync(lambda c: compare_metadata(
            MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata))
    assert _ledger_diffs(diffs) == []
    assert await env.db.current_revision() is not None


async def test_triggers_exist(env):
    if env.db.is_sqlite:
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        sql = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    async with env.db.engine.connect() as conn:
        names = set((await conn.execute(text(sql))).scalars().all())
    assert {"ledger_lines_settled_no_update", "ledger_lines_settled_no_delete", "statements_no_update",
            "statements_no_delete"} <= names
    assert ledger_models.LedgerLine.__tablename__ == "ledger_lines"
