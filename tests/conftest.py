"""Shared fixtures. The backend comes from the environment, so one suite runs on both:

  WECOM_DESK_TEST_DATABASE_URL  postgresql+asyncpg://…  (default: a fresh SQLite file per test)
  WECOM_DESK_TEST_REDIS_URL     redis://…               (default: the in-process cache)

A configured backend that cannot be reached fails the run; nothing is skipped for it.
"""

from __future__ import annotations

import copy
import os
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncIterator

import pytest
import yaml
from aiohttp import web

from bot.app import create_app
from handlers.config import Config, interpolate, parse_config
from bot.sandbox.client import SandboxClient

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("WECOM_DESK_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("WECOM_DESK_TEST_REDIS_URL", "")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_config_data() -> dict[str, Any]:
    return interpolate(yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8")), env={})


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in over.items():
        out[k] = deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def make_config(tmp_path: Path, **overrides: Any) -> Config:
    data = deep_merge(base_config_data(), {
        # Generous: these tests are about behaviour, not the deadline (one test sets its own).
        "server": {"port": free_port(), "reply_deadline_ms": 4000},
        "database": {"url": PG_URL or f"sqlite+aiosqlite:///{tmp_path}/desk.db"},
        "redis": {"url": REDIS_URL, "prefix": f"test-{uuid.uuid4().hex[:12]}:"},
        "wecom": {"api_base": "", "api_timeout_s": 1.0},
        "sandbox": {"enabled": True},
        "worker": {"poll_interval_s": 0.05, "backoff_base_s": 0.05, "backoff_max_s": 0.5, "timer_interval_s": 0.05},
        # Tests run at any hour: quiet hours are switched on by the tests about them.
        "quiet_hours": {"enabled": False},
        "attachments": {"dir": str(tmp_path / "attachments")},
    })
    return parse_config(deep_merge(data, overrides), env={})


async def reset_postgres(url: str) -> None:
    """Migrate once per run, then empty every table (and restart ticket numbers) per test."""
    from sqlalchemy import text

    from storage.db import Database
    from storage.models import Base

    db = Database(url)
    try:
        if not getattr(reset_postgres, "migrated", False):
            async with db.engine.begin() as conn:
                await conn.execute(text("DROP SCHEMA public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
            await db.upgrade()
            reset_postgres.migrated = True  # type: ignore[attr-defined]
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        async with db.engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        await db.close()


@dataclass
class Running:
    cfg: Config
    app: web.Application
    url: str
    sandbox: SandboxClient


async def rows(cfg: Config, model: Any, **where: Any) -> list[Any]:
    """Read a table straight from the database, as an operator would."""
    from sqlalchemy import select

    from storage.db import Database

    db = Database(cfg.database.url)
    try:
        async with db.sessions() as session:
            q = select(model).filter_by(**where)
            return list((await session.scalars(q)).all())
    finally:
        await db.close()


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return make_config(tmp_path)


@pytest.fixture
async def start(tmp_path: Path, aiohttp_server: Any) -> AsyncIterator[Any]:
    """start(**config_overrides) → a running desk on a real loopback port, with its sandbox."""
    clients: list[SandboxClient] = []

    async def _start(cfg: Config | None = None, *, reset: bool = True, **overrides: Any) -> Running:
        cfg = cfg or make_config(tmp_path, **overrides)
        if reset and cfg.database.url.startswith("postgresql"):
            await reset_postgres(cfg.database.url)
        app = create_app(cfg)
        server = await aiohttp_server(app, host="127.0.0.1", port=cfg.server.port)
        url = str(server.make_url("")).rstrip("/")
        client = SandboxClient(url)
        clients.append(client)
        return Running(cfg, app, url, client)

    yield _start
    for c in clients:
        await c.close()


@pytest.fixture
async def desk(start: Any) -> Running:
    return await start()


# Tests that touch no database and no cache — the parser and the pure settlement module — give
# the same answer whatever the backends are; a run on PostgreSQL or Redis leaves them to the
# embedded run (CI's first pass), which is most of the NLU's minutes not spent twice.
BACKEND_FREE = ("nlu", "settlement")


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    if not (PG_URL or REDIS_URL) or os.environ.get("WECOM_DESK_TEST_ALL"):
        return
    here = Path(__file__).resolve().parent
    keep, drop = [], []
    for item in items:
        parts = Path(str(item.fspath)).resolve().relative_to(here).parts
        (drop if parts[0] in BACKEND_FREE else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_report_header(config: Any) -> str:
    backends = (f"wecom-desk backends: database={'postgresql' if PG_URL else 'sqlite'}, "
                f"cache={'redis' if REDIS_URL else 'in-process'}")
    if (PG_URL or REDIS_URL) and not os.environ.get("WECOM_DESK_TEST_ALL"):
        backends += (f"; tests/{{{','.join(BACKEND_FREE)}}} touch neither and are left to the embedded run"
                     " (WECOM_DESK_TEST_ALL=1 runs them too)")
    return backends

