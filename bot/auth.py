"""Bearer-token check for the REST API (/api/*): systems, not people, call it."""

from __future__ import annotations

from aiohttp import web

from handlers.links import same_secret


def require_api_token(request: web.Request, token: str) -> None:
    """Raise 401/403 unless the request carries `Authorization: Bearer <server.api_token>`."""
    if not token:
        raise web.HTTPForbidden(text='{"error": "the REST API is disabled (server.api_token is empty)"}',
                                content_type="application/json")
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise web.HTTPUnauthorized(text='{"error": "missing bearer token"}', content_type="application/json",
                                   headers={"WWW-Authenticate": "Bearer"})
    if not same_secret(given.strip(), token):
        raise web.HTTPForbidden(text='{"error": "invalid token"}', content_type="application/json")
