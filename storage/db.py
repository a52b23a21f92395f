"""Engine, sessions and migrations. One `Database` per process; sessions per unit of work."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

import aiosqlite
from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 30_000   # another process holding the SQLite file: wait this long, off the loop


class Database:
    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            _ensure_sqlite_dir(url)
            # One writer at a time is SQLite's model; a busy timeout queues writers instead of
            # failing them, and WAL lets readers run beside the writer.
            self.engine: AsyncEngine = create_async_engine(
                url, echo=echo, pool_size=5, max_overflow=5, async_creator=_inline_sqlite(url))
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_async_engine(url, echo=echo, pool_size=10, max_overflow=10,
                                              pool_pre_ping=True)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time. Queueing writers here, in the event loop, is far
        # cheaper than letting them collide in SQLite, whose busy handler sleeps and retries.
        self._writer = asyncio.Lock() if self.is_sqlite else None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on any error."""
        if self._writer is None:
            async with self.sessions() as session:
                async with session.begin():
                    yield session
            return
        async with self._writer:
            async with self.sessions() as session:
                async with session.begin():
                    yield session

    @asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[AsyncSession]:
        """A transaction that only one process at a time runs (the same `name`): several
        processes starting together must not sync config into the same rows at once (deadlocks,
        duplicate keys). PostgreSQL: a transaction-scoped advisory lock; SQLite has one writer."""
        async with self.transaction() as session:
            if not self.is_sqlite:
                key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
                await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def upgrade(self, revision: str = "head") -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(_alembic, "upgrade", revision)

    async def current_revision(self) -> str | None:
        async with self.engine.connect() as conn:
            return await conn.run_sync(_current_revision)

    async def close(self) -> None:
        await self.engine.dispose()


class SchemaBehind(Exception):
    """The database is at an older schema than the code (PostgreSQL is never migrated implicitly)."""


async def ensure_schema(db: Database) -> None:
    """SQLite is migrated in place; PostgreSQL must have been migrated by `wecom-desk db upgrade`,
    so that several processes never race on a schema change."""
    if db.is_sqlite:
        await db.upgrade()
        return
    current, head = await db.current_revision(), head_revision()
    if current != head:
        raise SchemaBehind(f"database schema is at {current or 'nothing'}, code needs {head}: "
                           "run `wecom-desk db upgrade --config ...` first")


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()  # type: ignore[return-value]


def _alembic_config(connection: Connection | None = None):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def _alembic(connection: Connection, command_name: str, revision: str) -> None:
    from alembic import command

    getattr(command, command_name)(_alembic_config(connection), revision)


def _current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


class _InlineSqlite(aiosqlite.Connection):
    """aiosqlite without its thread: each call runs on the event loop's own thread.

    A statement on a local SQLite file takes microseconds; handing it to a thread and back took
    two context switches and a wait for the GIL per call (three or four calls per statement),
    which under load was most of a callback's time. Only this process writes (the writer lock in
    `Database` orders its transactions), so SQLite's busy handler almost never waits; when another
    process (a CLI command) holds the file, the statement waits in a thread instead of blocking
    the loop."""

    async def _execute(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        try:
            return fn(*args, **kwargs)
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) and "busy" not in str(e):
                raise
        return await asyncio.to_thread(_busy_wait, self._connection, fn, args, kwargs)

    async def _connect(self) -> "_InlineSqlite":
        if self._connection is None:
            self._connection = self._connector()
        return self

    def __await__(self):  # type: ignore[no-untyped-def]
        return self._connect().__await__()

    def stop(self) -> None:
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        return None

    async def close(self) -> None:
        self.stop()


def _busy_wait(conn: sqlite3.Connection, fn, args, kwargs):  # type: ignore[no-untyped-def]
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    try:
        return fn(*args, **kwargs)
    finally:
        conn.execute("PRAGMA busy_timeout=0")


def _inline_sqlite(url: str):  # type: ignore[no-untyped-def]
    path = url.split(":///", 1)[-1] or ":memory:"

    async def connect() -> _InlineSqlite:
        # check_same_thread=False: the rare busy wait runs the same connection in a worker thread.
        return await _InlineSqlite(lambda: sqlite3.connect(path, timeout=0, check_same_thread=False,
                                                           isolation_level=""), 64)
    return connect


def _ensure_sqlite_dir(url: str) -> None:
    path = url.split(":///", 1)[-1]
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
