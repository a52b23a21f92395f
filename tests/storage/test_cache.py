"""One contract, two implementations: the in-process cache and Redis (when configured)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from storage.cache import LockTimeout, MemoryCache, RedisCache, lock
from tests.conftest import REDIS_URL

BACKENDS = ["memory"] + (["redis"] if REDIS_URL else [])


@pytest.fixture(params=BACKENDS)
async def cache(request):
    c = MemoryCache() if request.param == "memory" else RedisCache(REDIS_URL, f"t-{uuid.uuid4().hex}:")
    await c.ping()
    yield c
    await c.close()


async def test_set_nx_is_first_writer_wins_and_expires(cache):
    assert await cache.set_nx("k", "a", 0.2) is True
    assert await cache.set_nx("k", "b", 0.2) is False
    assert await cache.get("k") == "a"
    await asyncio.sleep(0.3)
    assert await cache.get("k") is None
    assert await cache.set_nx("k", "c", 1) is True


async def test_concurrent_set_nx_has_exactly_one_winner(cache):
    results = await asyncio.gather(*(cache.set_nx("race", str(i), 5) for i in range(50)))
    assert results.count(True) == 1


async def test_delete_if_only_deletes_own_value(cache):
    await cache.set("k", "mine", 5)
    assert await cache.delete_if("k", "theirs") is False
    assert await cache.get("k") == "mine"
    assert await cache.delete_if("k", "mine") is True
    assert await cache.get("k") is None


async def test_hit_counts_within_a_window(cache):
    assert [await cache.hit("rate", 0.3) for _ in range(3)] == [1, 2, 3]
    await asyncio.sleep(0.35)
    assert await cache.hit("rate", 0.3) == 1


async def test_lock_excludes_and_times_out(cache):
    order = []

    async def worker(name):
        async with lock(cache, "L", ttl=5, wait=5):
            order.append(f"{name}-in")
            await asyncio.sleep(0.05)
            order.append(f"{name}-out")

    await asyncio.gather(worker("a"), worker("b"))
    assert order in (["a-in", "a-out", "b-in", "b-out"], ["b-in", "b-out", "a-in", "a-out"])
    async with lock(cache, "held", ttl=5, wait=1):
        with pytest.raises(LockTimeout):
            async with lock(cache, "held", ttl=5, wait=0.1):
                pass
