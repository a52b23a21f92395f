"""REST entry for systems (工单三大入口 #3): an e-commerce order that needs installation, an IoT
alarm. `POST /api/tickets` with a bearer token; an `Idempotency-Key` header makes retries safe:
the same key and body get the first response, the same key with another body is refused."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.exc import IntegrityError

from bot.auth import require_api_token
from bot.callbacks import CONFIG, DESK
from storage.models import ApiRequest


class TicketRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    skill: str | None = None
    template: str | None = None
    city: str | None = None
    region: str | None = None
    store: str | None = Field(None, max_length=128)
    description: str = Field("", max_length=4000)
    urgency: Literal["urgent", "normal"] = "normal"
    chatid: str | None = None              # the customer group to keep informed
    reporter: str | None = Field(None, max_length=64)
    source: str = Field("api", max_length=16)
    external_ref: str | None = Field(None, max_length=128)
    # With `chatid`, a report for a store and skill that already has an open ticket is added to it
    # (answered 200 with "attached": true); `separate: true` opens a ticket of its own anyway.
    separate: bool = False


def _bad(reason: str, status: int = 400) -> web.Response:
    return web.json_response({"error": reason}, status=status)


async def create_ticket(request: web.Request) -> web.Response:
    cfg = request.app[CONFIG]
    require_api_token(request, cfg.server.api_token)
    raw = await request.read()
    try:
        body = TicketRequest.model_validate(json.loads(raw or b"null"))
    except ValueError as e:
        if isinstance(e, ValidationError):
            err = e.errors()[0]
            return _bad(f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}")
        return _bad("body must be a JSON object")
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (1 <= len(key) <= 200):
        return _bad("Idempotency-Key must be 1–200 characters")
    digest = hashlib.sha256(raw).hexdigest()
    desk = request.app[DESK]
    if key:
        async with desk.db.sessions() as session:
            seen = await session.get(ApiRequest, key)
        if seen is not None:
            return _replay(seen, digest)
    try:
        status, payload = await _create(desk, cfg, body, key, digest)
    except IntegrityError:
        async with desk.db.sessions() as session:  # a concurrent request with the same key won
            seen = await session.get(ApiRequest, key)
        if seen is None:
            raise
        return _replay(seen, digest)
    return web.json_response(payload, status=status)


def _replay(seen: ApiRequest, digest: str) -> web.Response:
    if seen.request_hash != digest:
        return _bad("Idempotency-Key was already used with a different body", 422)
    return web.json_response(seen.response, status=seen.status, headers={"Idempotent-Replayed": "true"})


async def _create(desk: Any, cfg: Any, body: TicketRequest, key: str | None, digest: str) -> tuple[int, dict[str, Any]]:
    """Through the same dispatch and handler as a ticket reported in chat."""
    from handlers.dispatch import dispatch
    from storage import tickets as store

    entities = {k: v for k, v in body.model_dump().items() if v is not None and k != "description"}
    entities["_text"] = body.description
    async with desk.work(userid=body.reporter or "api", channel="api") as ctx:
        reply = await dispatch(ctx, "create_ticket", entities)
        if reply.problem or not reply.data:
            return 400, {"error": reply.problem or "the ticket could not be opened"}
        ticket = await store.get_ticket(ctx.session, reply.data["ticket"])
        assert ticket is not None
        payload = {"id": ticket.id, "status": ticket.status, "template": ticket.template,
                   "template_version": ticket.template_version, "region": ticket.region, "city": ticket.city,
                   "urgency": ticket.urgency, "assignee": ticket.assignee, "offered_to": reply.data["offered_to"],
                   "url": ctx.ticket_url(ticket.id)}
        status = 201
        if reply.data.get("attached"):
            status, payload["attached"] = 200, True
        if key:
            ctx.session.add(ApiRequest(key=key, request_hash=digest, status=status, response=payload))
    return status, payload


async def get_ticket(request: web.Request) -> web.Response:
    cfg = request.app[CONFIG]
    require_api_token(request, cfg.server.api_token)
    from storage import tickets as store

    try:
        ticket_id = int(request.match_info["id"])
    except ValueError:
        return _bad("ticket id must be a number", 404)
    async with request.app[DESK].db.sessions() as session:
        ticket = await store.get_ticket(session, ticket_id)
    if ticket is None:
        return _bad("no such ticket", 404)
    return web.json_response({"id": ticket.id, "status": ticket.status, "skill": ticket.skill, "region": ticket.region,
                              "city": ticket.city, "urgency": ticket.urgency, "assignee": ticket.assignee,
                              "template": ticket.template, "template_version": ticket.template_version,
                              "sla_breached": ticket.sla_breached, "rating": ticket.rating})


def routes() -> list[web.RouteDef]:
    return [web.post("/api/tickets", create_ticket), web.get("/api/tickets/{id}", get_ticket)]
