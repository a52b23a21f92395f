"""The sandbox's hold on the service's cache: `POST /sandbox/api/cache {"away": true}` takes it away.

`create_app` wraps the cache it builds in a `SwitchedCache` when the sandbox is mounted. While the
switch says away, every call the service makes on its cache raises `CacheUnavailable`, exactly what
`storage.cache.RedisCache` raises when Redis cannot be reached; nothing is forwarded, so nothing is
half-written. Switched back, calls reach the real cache again, with what it held before.
"""

from __future__ import annotations

from typing import Any

from storage.cache import Cache, CacheUnavailable

AWAY_ERROR = "ConnectionError: cache unreachable (the sandbox took it away: POST /sandbox/api/cache)"


class CacheSwitch:
    def __init__(self) -> None:
        self.away = False
        self.refused = 0   # calls refused while away, for the driver to show

    def wrap(self, cache: Cache) -> "SwitchedCache":
        return SwitchedCache(cache, self)

    def check(self) -> None:
        if self.away:
            self.refused += 1
            raise CacheUnavailable(AWAY_ERROR)


class SwitchedCache:
    """A `storage.cache.Cache` that fails like an unreachable Redis while its switch is away."""

    def __init__(self, real: Cache, switch: CacheSwitch) -> None:
        self.real, self.switch = real, switch

    async def get(self, key: str) -> str | None:
        self.switch.check()
        return await self.real.get(key)

    async def set(self, key: str, value: str, ex: float | None = None) -> None:
        self.switch.check()
        await self.real.set(key, value, ex)

    async def set_nx(self, key: str, value: str, ex: float) -> bool:
        self.switch.check()
        return await self.real.set_nx(key, value, ex)

    async def delete(self, key: str) -> None:
        self.switch.check()
        await self.real.delete(key)

    async def delete_if(self, key: str, value: str) -> bool:
        self.switch.check()
        return await self.real.delete_if(key, value)

    async def hit(self, key: str, window_s: float) -> int:
        self.switch.check()
        return await self.real.hit(key, window_s)

    async def ping(self) -> None:
        self.switch.check()
        await self.real.ping()

    async def close(self) -> None:
        await self.real.close()   # shutting down always releases the real connection

    def __getattr__(self, name: str) -> Any:   # anything beyond the Cache protocol (e.g. `prefix`)
        return getattr(self.real, name)
