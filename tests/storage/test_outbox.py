"""Outbox claiming: a row is owned by one worker at a time; a dead worker's lease expires."""

from __future__ import annotations

import asyncio

from storage import outbox
from storage.db import Database
from tests.conftest import PG_URL, reset_postgres


async def database(tmp_path) -> Database:
    url = PG_URL or f"sqlite+aiosqlite:///{tmp_path}/o.db"
    if PG_URL:
        await reset_postgres(url)
    db = Database(url)
    if not PG_URL:
        await db.upgrade()
    return db


async def test_concurrent_claims_never_share_a_row(tmp_path):
    db = await database(tmp_path)
    try:
        async with db.transaction() as s:
            await outbox.write(s, [outbox.row("app_message", f"u{i}", {"msgtype": "text"}) for i in range(30)])

        async def claim():
            async with db.transaction() as s:
                return [r.id for r in await outbox.claim_due(s, 10, lease_s=30)]

        ids: list[int] = []
        for _ in range(10):  # rounds of six racing workers until the queue is drained
            batches = await asyncio.gather(*(claim() for _ in range(6)))
            ids += [i for b in batches for i in b]
            if not any(batches):
                break
        assert len(ids) == len(set(ids)) == 30
    finally:
        await db.close()


async def test_expired_lease_is_claimed_again_and_failed_rows_can_be_retried(tmp_path):
    db = await database(tmp_path)
    try:
        async with db.transaction() as s:
            await outbox.write(s, [outbox.row("webhook", "key", {"msgtype": "text"})])
        async with db.transaction() as s:
            [row] = await outbox.claim_due(s, 5, lease_s=0.05)
        async with db.transaction() as s:
            assert await outbox.claim_due(s, 5, lease_s=30) == []
        await asyncio.sleep(0.1)
        async with db.transaction() as s:
            assert [r.id for r in await outbox.claim_due(s, 5, lease_s=30)] == [row.id]
            await outbox.mark_failed(s, row.id, 3, "boom")
        async with db.transaction() as s:
            assert await outbox.claim_due(s, 5, lease_s=30) == []
            assert await outbox.retry_failed(s) == 1
        async with db.transaction() as s:
            assert [r.id for r in await outbox.claim_due(s, 5, lease_s=30)] == [row.id]
    finally:
        await db.close()
