"""How a database-backed subcommand runs (`settle close|report|usage`, `parts …`, `fixes …`): load
the config, open the database at the code's schema, run, close; a bad input is one line on stderr
and exit status 2, never a traceback."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any, Awaitable, Callable

Loader = Callable[[str | None], Any]
Work = Callable[[Any, Any, argparse.Namespace], Awaitable[int]]


class BadInput(Exception):
    """What the person typed cannot be done; the message says why."""


def fail(message: str) -> int:
    print(f"error: {' '.join(str(message).split())}", file=sys.stderr)
    return 2


async def open_db(cfg: Any) -> Any:
    """The desk's database at the code's schema: SQLite is migrated here as `serve` does;
    PostgreSQL must have been migrated by `wecom-desk db upgrade` (never raced by two processes)."""
    from storage.db import Database, SchemaBehind, ensure_schema

    db = Database(cfg.database.url)
    try:
        await ensure_schema(db)
    except SchemaBehind as e:
        await db.close()
        raise BadInput(str(e)) from None
    except BaseException:
        await db.close()
        raise
    return db


def runner(work: Work, load_config: Loader, *, errors: tuple[type[BaseException], ...] = ()
           ) -> Callable[[argparse.Namespace], int]:
    """`work(db, cfg, args)` as an argparse handler; `errors` are the caller's own bad-input kinds."""
    def run(args: argparse.Namespace) -> int:
        try:
            cfg = load_config(args.config)
        except Exception as e:  # noqa: BLE001 — any config failure is a bad --config, one line
            return fail(str(e) or type(e).__name__)

        async def main() -> int:
            db = await open_db(cfg)
            try:
                return await work(db, cfg, args)
            finally:
                await db.close()

        try:
            return asyncio.run(main())
        except (BadInput, *errors) as e:
            return fail(str(e))
        except OSError as e:
            return fail(f"{e.strerror or e}: {getattr(e, 'filename', '') or ''}")

    return run
