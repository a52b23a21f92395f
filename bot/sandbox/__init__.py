"""The local WeCom sandbox, mounted at /sandbox when `sandbox.enabled` is true (never in production),
or served alone by `python -m bot.sandbox` for desks running in other processes."""

from __future__ import annotations

from aiohttp import web

from handlers.clock import Clock
from handlers.config import Config
from bot.sandbox import driver, kf, login, page, translators, wecom
from bot.sandbox.switch import CacheSwitch
from bot.sandbox.wecom import STATE, SandboxState


def create_sandbox(cfg: Config, clock: Clock | None = None, *, cache_switch: CacheSwitch | None = None,
                   desk_url: str | None = None, standalone: bool = False) -> web.Application:
    """`cache_switch`: the desk's cache, for POST /sandbox/api/cache. `desk_url`: where the driver
    sends callbacks (default: the server the sandbox is mounted on)."""
    app = web.Application()
    app[STATE] = SandboxState(cfg, clock=clock or Clock(), cache_switch=cache_switch,
                              desk_url=desk_url.rstrip("/") if desk_url else None, standalone=standalone)
    # kf's routes are added here, not by wecom.routes(): kf builds on wecom and driver (no import cycle)
    app.add_routes(wecom.routes() + kf.routes() + driver.routes() + page.routes() + translators.routes()
                   + login.routes())
    return app


__all__ = ["create_sandbox", "CacheSwitch", "SandboxState", "STATE"]
