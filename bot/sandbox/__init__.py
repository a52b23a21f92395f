"""The local WeCom sandbox, mounted at /sandbox when `sandbox.enabled` is true (never in production)."""

from __future__ import annotations

from aiohttp import web

from handlers.clock import Clock
from handlers.config import Config
from bot.sandbox import driver, page, wecom
from bot.sandbox.wecom import STATE, SandboxState


def create_sandbox(cfg: Config, clock: Clock | None = None) -> web.Application:
    app = web.Application()
    app[STATE] = SandboxState(cfg, clock=clock or Clock())
    app.add_routes(wecom.routes() + driver.routes() + page.routes())
    return app


__all__ = ["create_sandbox", "SandboxState", "STATE"]
