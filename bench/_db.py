"""Shared by the storage benchmarks: a fresh, migrated database per run, and fast bulk loads.

The schema always comes from the Alembic migrations (`Database.upgrade()`), never from
`Base.metadata.create_all`, so that a benchmark sees exactly the indexes production has.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from sqlalchemy import Table, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage.db import Database  # noqa: E402

# Databases other people's tests and benchmarks own: dropping their schema would break them.
FOREIGN = {"test", "wecom_desk_test", "wecom_desk_bench", "postgres"}


def pg_url(default_db: str) -> str:
    return os.environ.get("BENCH_DATABASE_URL", f"postgresql+asyncpg://postgres@127.0.0.1:5432/{default_db}")


async def fresh_database(backend: str, tmp: Path, url: str) -> Database:
    """An empty database at the migrations' head: a new SQLite file in `tmp`, or the PostgreSQL
    database at `url` with its `public` schema dropped and recreated."""
    if backend == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{tmp}/bench.db")
    else:
        name = make_url(url).database
        if name in FOREIGN:
            raise SystemExit(f"refusing to wipe database {name!r}: it belongs to someone else")
        await _create_if_missing(url)
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
        db = Database(url)
    await db.upgrade()
    return db


async def _create_if_missing(url: str) -> None:
    """On a fresh machine the benchmark's own database does not exist yet: create it from the
    server's maintenance database rather than fail with a traceback."""
    u = make_url(url)
    admin = create_async_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            found = await conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": u.database})
            if not found:
                await conn.execute(text(f'CREATE DATABASE "{u.database}"'))
    finally:
        await admin.dispose()


async def bulk_insert(db: Database, table: Table, rows: Sequence[dict[str, Any]], batch: int = 5000) -> float:
    """executemany in large batches, one transaction for the lot; returns the seconds it took.
    (The ORM unit of work would spend most of its time building objects we never use.)"""
    started = time.perf_counter()
    async with db.engine.begin() as conn:
        for i in range(0, len(rows), batch):
            await conn.execute(table.insert(), list(rows[i:i + batch]))
    return time.perf_counter() - started


async def analyze(db: Database) -> None:
    """Refresh planner statistics, as autovacuum would soon after a bulk load on PostgreSQL.
    SQLite is left alone: the desk never runs ANALYZE there, so neither does the benchmark."""
    if db.is_sqlite:
        return
    async with db.engine.begin() as conn:
        await conn.execute(text("ANALYZE"))
