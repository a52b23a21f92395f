"""Dedup, locks, rate limits and a small cache — on Redis, or in-process when no Redis is set.

Both implementations honour the same contract (tests/storage/test_cache.py runs against both):
values are strings, TTLs are seconds, `set_nx` is the dedup primitive (Redis SET NX EX).
The in-process one is correct for a single process only; production with several processes
must use Redis.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from contextlib import asynccontextmanager
from typing import AsyncIterator, Protocol


class LockTimeout(Exception):
    pass


class CacheUnavailable(Exception):
    """Redis cannot be reached right now. Callers decide: a callback answers 503 so that WeCom
    retries (never 200 for unfinished work), the worker tries the row again later."""


class Cache(Protocol):
    async def get(self, key: str) -> str | None: ...
    async def set(self, key: str, value: str, ex: float | None = None) -> None: ...
    async def set_nx(self, key: str, value: str, ex: float) -> bool: ...
    async def delete(self, key: str) -> None: ...
    async def delete_if(self, key: str, value: str) -> bool: ...
    async def hit(self, key: str, window_s: float) -> int: ...
    async def ping(self) -> None: ...
    async def close(self) -> None: ...


class MemoryCache:
    def __init__(self) -> None:
        self._data: dict[str, tuple[str, float | None]] = {}

    def _live(self, key: str) -> str | None:
        item = self._data.get(key)
        if item is None:
            return None
        value, expires = item
        if expires is not None and expires <= time.monotonic():
            del self._data[key]
            return None
        return value

    async def get(self, key: str) -> str | None:
        return self._live(key)

    async def set(self, key: str, value: str, ex: float | None = None) -> None:
        self._data[key] = (value, time.monotonic() + ex if ex else None)

    async def set_nx(self, key: str, value: str, ex: float) -> bool:
        if self._live(key) is not None:
            return False
        self._data[key] = (value, time.monotonic() + ex)
        return True

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def delete_if(self, key: str, value: str) -> bool:
        if self._live(key) == value:
            del self._data[key]
            return True
        return False

    async def hit(self, key: str, window_s: float) -> int:
        """Count one event in a fixed window; returns the count so far in this window."""
        value = self._live(key)
        count = int(value) + 1 if value is not None else 1
        expires = self._data[key][1] if value is not None else time.monotonic() + window_s
        self._data[key] = (str(count), expires)
        return count

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        self._data.clear()


_DELETE_IF = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"
_HIT = ("local n = redis.call('incr', KEYS[1]) "
        "if n == 1 then redis.call('pexpire', KEYS[1], ARGV[1]) end return n")


def _reachable(method):  # type: ignore[no-untyped-def]
    """Redis's connection and timeout errors become CacheUnavailable; the client reconnects by
    itself on a later call, so nothing else is needed to recover."""
    async def call(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        from redis.exceptions import (ConnectionError as RedisConnectionError, ResponseError,
                                      TimeoutError as RedisTimeout)

        try:
            return await method(self, *args, **kwargs)
        except (RedisConnectionError, RedisTimeout, OSError) as e:
            raise CacheUnavailable(f"{type(e).__name__}: {e}") from None
        except ResponseError as e:
            # A full Redis under `noeviction` refuses writes ("OOM command not allowed"): as good
            # as gone for dedup, so callbacks answer 503 rather than fail.
            if str(e).startswith(("OOM", "READONLY", "LOADING", "MASTERDOWN")):
                raise CacheUnavailable(f"{type(e).__name__}: {e}") from None
            raise
    call.__name__, call.__doc__ = method.__name__, method.__doc__
    return call


class RedisCache:
    def __init__(self, url: str, prefix: str = "") -> None:
        import redis.asyncio as redis

        self.prefix = prefix
        self._r = redis.from_url(url, decode_responses=True, health_check_interval=30, socket_connect_timeout=2,
                                 socket_timeout=5)

    def _k(self, key: str) -> str:
        return self.prefix + key

    @_reachable
    async def get(self, key: str) -> str | None:
        return await self._r.get(self._k(key))

    @_reachable
    async def set(self, key: str, value: str, ex: float | None = None) -> None:
        await self._r.set(self._k(key), value, px=int(ex * 1000) if ex else None)

    @_reachable
    async def set_nx(self, key: str, value: str, ex: float) -> bool:
        return bool(await self._r.set(self._k(key), value, nx=True, px=int(ex * 1000)))

    @_reachable
    async def delete(self, key: str) -> None:
        await self._r.delete(self._k(key))

    @_reachable
    async def delete_if(self, key: str, value: str) -> bool:
        return bool(await self._r.eval(_DELETE_IF, 1, self._k(key), value))

    @_reachable
    async def hit(self, key: str, window_s: float) -> int:
        return int(await self._r.eval(_HIT, 1, self._k(key), int(window_s * 1000)))

    @_reachable
    async def ping(self) -> None:
        await self._r.ping()

    async def close(self) -> None:
        await self._r.aclose()


def make_cache(url: str, prefix: str = "") -> Cache:
    return RedisCache(url, prefix) if url else MemoryCache()


@asynccontextmanager
async def lock(cache: Cache, name: str, *, ttl: float = 10, wait: float = 5) -> AsyncIterator[None]:
    """A lease lock: released only by its holder; expires if the holder dies."""
    token = uuid.uuid4().hex
    deadline = time.monotonic() + wait
    delay = 0.005
    while not await cache.set_nx(f"lock:{name}", token, ttl):
        if time.monotonic() >= deadline:
            raise LockTimeout(name)
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.1)
    try:
        yield
    finally:
        await cache.delete_if(f"lock:{name}", token)
