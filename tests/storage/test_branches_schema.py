"""Migration 0011 creates exactly what storage/branches.py and the columns it adds declare: the
`branch_lines` table, `tickets.joint_region` and `ledger_lines.price_list` — and adding a column
to ledger_lines keeps its immutability triggers (migration 0002)."""

from __future__ import annotations

from sqlalchemy import text

from storage import branches, ledger_models  # noqa: F401  (the tables on Base.metadata)
from tests.storage.schema import differences


async def test_migration_matches_the_model(db):
    assert await differences(db, {"branch_lines", "tickets", "ledger_lines"}) == []


async def test_the_ledger_stays_immutable_after_the_new_column(db):
    sql = ("SELECT name FROM sqlite_master WHERE type = 'trigger'" if db.is_sqlite
           else "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
    async with db.engine.connect() as conn:
        names = set((await conn.execute(text(sql))).scalars().all())
    assert {"ledger_lines_settled_no_update", "ledger_lines_settled_no_delete"} <= names
