"""A minimal chat page: play customer, engineer or manager against the sandbox in a browser."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

PAGE = Path(__file__).resolve().parents[2] / "templates" / "sandbox.html"


async def index(request: web.Request) -> web.Response:
    return web.Response(text=PAGE.read_text(encoding="utf-8"), content_type="text/html")


def routes() -> list[web.RouteDef]:
    return [web.get("", index), web.get("/", index)]
