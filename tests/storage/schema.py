"""Does a migration create exactly what the models declare? One check for every table group."""

from __future__ import annotations

from typing import Any, Iterable

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage.db import Database
from storage.models import Base


def table_of(diff: Any) -> str | None:
    """The table an alembic diff entry is about (entries are tuples, or lists of tuples for modify_*)."""
    op, *args = diff[0] if isinstance(diff, list) else diff
    for a in args:
        if op.endswith("_table") and hasattr(a, "name"):
            return a.name
        if getattr(a, "table", None) is not None:  # Column, Index, Constraint
            return a.table.name
        if isinstance(a, str) and a in Base.metadata.tables:
            return a
    return None


async def differences(db: Database, tables: Iterable[str]) -> list[Any]:
    """What the migrated database lacks or has beyond the models, for these tables ([] when equal)."""
    tables = set(tables)
    assert tables <= set(Base.metadata.tables), f"not declared on Base: {tables - set(Base.metadata.tables)}"
    async with db.engine.connect() as conn:
        diffs = await conn.run_sync(lambda c: compare_metadata(
            MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata))
    return [d for d in diffs if table_of(d) in tables]
