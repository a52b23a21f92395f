"""What every remote NLU backend (Rasa, an LLM) shares: one HTTP session, its own unless the
caller lends one, closed with the app."""

from __future__ import annotations

from typing import Any

import aiohttp


class RemoteBackend:
    _session: aiohttp.ClientSession | None = None
    _own_session: bool = True

    def _use_session(self, session: aiohttp.ClientSession | None) -> None:
        self._session = session
        self._own_session = session is None

    async def close(self) -> None:
        if self._session is not None and self._own_session:
            await self._session.close()
        self._session = None

    async def __aenter__(self) -> Any:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
            self._own_session = True
        return self._session
