"""Stock never goes negative: 20 reservations of the last 3 units, each in its own transaction
and all at once (on PostgreSQL truly concurrent, on SQLite through its one writer) → exactly 3."""

from __future__ import annotations

import asyncio

import pytest

from storage import parts as store
from storage import tickets
from storage.db import Database
from storage.parts import PartReservation, StockError


async def _tickets(db: Database, n: int) -> list[int]:
    async with db.transaction() as s:
        return [(await tickets.create_ticket(s, actor="test", reason="test", skill="hvac", region="east")).id
                for _ in range(n)]


async def test_twenty_concurrent_reservations_of_the_last_three_units(db):
    ids = await _tickets(db, 20)
    async with db.transaction() as s:
        await store.set_on_hand(s, warehouse="sh", part="CMP-01", quantity=3, actor="test", reason="count")
    start = asyncio.Event()

    async def one(ticket_id: int) -> bool:
        await start.wait()
        async with db.transaction() as s:
            held = await store.reserve(s, ticket_id=ticket_id, part="CMP-01", warehouse="sh", qty=1, actor="t")
            await asyncio.sleep(0.01)   # hold the transaction open while the others try
            return held is not None

    tasks = [asyncio.create_task(one(i)) for i in ids]
    await asyncio.sleep(0.05)
    start.set()
    won = await asyncio.gather(*tasks)
    assert sum(won) == 3
    async with db.sessions() as s:
        row = await store.stock(s, "sh", "CMP-01")
        assert (row.on_hand, row.reserved) == (3, 3)
        assert len(await store.reservations(s, ids[0], status=None)) <= 1
        held = [r for i in ids for r in await store.reservations(s, i)]
    assert len(held) == 3


async def test_consume_release_transfer_and_counts(db):
    [a, b] = await _tickets(db, 2)
    async with db.transaction() as s:
        assert await store.set_on_hand(s, warehouse="sh", part="CAP-35", quantity=5, actor="t", reason="count") == 5
        ra = await store.reserve(s, ticket_id=a, part="CAP-35", warehouse="sh", qty=2, actor="t")
        rb = await store.reserve(s, ticket_id=b, part="CAP-35", warehouse="sh", qty=2, actor="t")
        assert await store.reserve(s, ticket_id=b, part="CAP-35", warehouse="sh", qty=2, actor="t") is None
        assert await store.consume(s, ra, actor="t") and not await store.consume(s, ra, actor="t")
        assert await store.release(s, rb) and not await store.release(s, rb)
    async with db.transaction() as s:
        row = await store.stock(s, "sh", "CAP-35")
        assert (row.on_hand, row.reserved) == (3, 0)
        with pytest.raises(StockError, match="sh has 3 free CAP-35, cannot move 4"):
            await store.transfer(s, part="CAP-35", qty=4, source="sh", target="hz", actor="t")
        await store.transfer(s, part="CAP-35", qty=3, source="sh", target="hz", actor="t")
    async with db.transaction() as s:
        assert (await store.stock(s, "hz", "CAP-35")).on_hand == 3
        await store.reserve(s, ticket_id=a, part="CAP-35", warehouse="hz", qty=2, actor="t")
        with pytest.raises(StockError, match="2 reserved"):
            await store.set_on_hand(s, warehouse="hz", part="CAP-35", quantity=1, actor="t", reason="count")
    async with db.sessions() as s:
        used = await store.consumed(s, since=(await store.stock(s, "sh", "CAP-35")).updated_at.replace(year=2000))
        assert used == {("sh", "CAP-35"): 2}
        assert {r.status for r in await store.reservations(s, a, status=None)} == {"consumed", "reserved"}
        assert isinstance((await store.reservations(s, a))[0], PartReservation)


def test_threshold_rule():
    assert store.threshold(0, window_days=30, lead_days=7, floor=1) == 1
    assert store.threshold(30, window_days=30, lead_days=7, floor=1) == 7
    assert store.threshold(1, window_days=30, lead_days=7, floor=0) == 1      # ceil(7/30)
    assert store.threshold(60, window_days=30, lead_days=7, floor=20) == 20
