"""The embedded parser in a process of its own.

A parse is milliseconds of CPU (the model and a few hundred regular expressions). On the event
loop it holds every other callback's acknowledgement and every card click behind it, while a
second core sits idle; in a child process it runs beside them. The child builds the same `Parser`
from the same `Lexicon`, so the answers are the same; if the child dies, messages are parsed on
the loop (logged) while a new one starts.

Children are spawned, not forked (the parent has a running loop and threads), so a program that
builds one must keep its start-up under `if __name__ == "__main__":`, as `wecom-desk` does."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from typing import Any

from .lexicon import Lexicon
from .parse import Parse, Parser

log = logging.getLogger(__name__)

_child: Parser | None = None   # the parser of this process, when it is a pool's child


def _start(lexicon: Lexicon, options: dict[str, Any]) -> None:
    global _child
    _child = Parser(lexicon, **options)


def _parse(text: str, now: datetime | None) -> Parse:
    assert _child is not None, "a pool child parses only after _start"
    return _child.parse(text, now=now)


class PooledParser:
    """`await parse(text)`: the embedded parser's answer, computed in `processes` children."""

    def __init__(self, lexicon: Lexicon, processes: int = 1, **options: Any) -> None:
        self.lexicon, self.processes, self._options = lexicon, processes, options
        self._local: Parser | None = None
        self._pool = self._new_pool()
        # False from a child's death until its replacement has loaded the model: meanwhile messages
        # are parsed on the loop rather than wait seconds for a new child to start.
        self.ready = True
        self._warming: asyncio.Future[None] | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        # spawn, not fork: the parent has a running loop and threads by the time a pool is rebuilt
        return ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start, initargs=(self.lexicon, self._options))

    @property
    def local(self) -> Parser:
        """The same parser on the loop, built only when a child is gone."""
        if self._local is None:
            self._local = Parser(self.lexicon, **self._options)
        return self._local

    async def warm(self) -> None:
        """Wait for the children to load the model, so the first message is not the one that waits."""
        pool = self._pool
        loop = asyncio.get_running_loop()
        try:
            await asyncio.gather(*(loop.run_in_executor(pool, _parse, "", None) for _ in range(self.processes)))
        except BrokenProcessPool:
            log.error("nlu: a parser process died while starting; messages stay on the loop")
            return
        if self._pool is pool:
            self.ready = True

    async def parse(self, text: str, *, now: datetime | None = None) -> Parse:
        if not self.ready:
            return self.local.parse(text, now=now)
        loop = asyncio.get_running_loop()
        pool = self._pool
        try:
            return await loop.run_in_executor(pool, _parse, text, now)
        except BrokenProcessPool:
            if self._pool is pool:   # the first message to find it broken replaces it, once
                log.error("nlu: a parser process died; messages are parsed on the loop until a new one has started")
                pool.shutdown(wait=False)
                self._pool = self._new_pool()
                self.ready = False
                self._warming = asyncio.ensure_future(self.warm())
            return self.local.parse(text, now=now)

    async def close(self) -> None:
        if self._warming is not None:
            self._warming.cancel()
        self._pool.shutdown(wait=False, cancel_futures=True)
