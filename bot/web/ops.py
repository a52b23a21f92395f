"""Operators' pages, for admins only: `/outbox` lists the messages still waiting, failed for good
or dropped on purpose (kind, who they are for by name, ticket, attempts, last error, next try in
the admin's time zone), with counts by status; `POST /outbox/retry` (CSRF-checked) puts failed
rows back to pending, due now with their attempts reset, for the worker to send, and writes an
audit line to the log (`wecom_desk.web.ops`: who retried which rows). The numbers for machines
are at `/metrics` (bot/metrics.py)."""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

from bot.callbacks import CONFIG, DESK
from bot.web import session
from bot.web.render import local, render
from handlers.config import Config
from handlers.messages import t
from storage import outbox
from storage.models import OutboxMessage

log = logging.getLogger("wecom_desk.web.ops")

ADMINS = frozenset({"admin"})
SHOWN = ("failed", "pending", "sending", "dropped")     # the sections, in this order
STATUSES = ("pending", "sending", "sent", "failed", "dropped")
LIMIT = 200
KINDS = ("app_message", "update_card", "webhook", "response_url", "kf_message", "kf_welcome", "email", "sms")


def destination(cfg: Config, kind: str, dest: str, lang: str) -> str:
    """Who a row is for, as people call them: a person's or a group's name, never a webhook key,
    a response URL or a welcome code (those are credentials), nor a bare address."""
    if kind in ("app_message", "update_card"):
        return "、".join(p.name if (p := cfg.person(u)) else u for u in dest.split("|") if u)
    if kind == "webhook":
        group = next((g for g in cfg.groups if g.webhook_key and g.webhook_key == dest), None)
        return group.name if group else t(lang, "ops.dest.unknown_group")
    if kind == "email":
        person = next((p for p in cfg.people if p.email and p.email.lower() == dest.lower()), None)
        return person.name if person else "…@" + dest.rsplit("@", 1)[-1]
    if kind == "sms":
        person = next((p for p in cfg.people if p.mobile and p.mobile == dest), None)
        return person.name if person else "…" + dest[-4:]
    if kind == "kf_message":
        open_kfid, _, external = dest.partition("|")
        account = next((a.name for a in cfg.wecom.kf.accounts if a.open_kfid == open_kfid and a.name), open_kfid)
        return t(lang, "ops.dest.kf", account=account, customer="…" + external[-6:])
    if kind == "kf_welcome":
        return t(lang, "ops.dest.kf_welcome")
    if kind == "response_url":
        return t(lang, "ops.dest.response_url")
    return t(lang, "ops.dest.unknown_group") if not dest else dest[:6] + "…"


def _kind_label(lang: str, kind: str) -> str:
    return t(lang, f"ops.kind.{kind}") if kind in KINDS else kind


def _row(cfg: Config, m: OutboxMessage, viewer: session.Viewer) -> dict[str, Any]:
    return {"id": m.id, "kind": m.kind, "kind_label": _kind_label(viewer.lang, m.kind),
            "dest": destination(cfg, m.kind, m.dest, viewer.lang), "ticket": m.ticket_id,
            "attempts": m.attempts, "error": (m.last_error or "")[:300], "status": m.status,
            "next": local(m.next_attempt_at, viewer.timezone) if m.status in ("pending", "sending") else "",
            "created": local(m.created_at, viewer.timezone)}


async def outbox_page(request: web.Request) -> web.Response:
    viewer = session.require(request, roles=ADMINS)
    cfg, desk = request.app[CONFIG], request.app[DESK]
    async with desk.db.sessions() as s:
        counts = await outbox.counts_by_status(s)
        sections = {status: [_row(cfg, m, viewer) for m in await outbox.rows_in(s, status, LIMIT)]
                    for status in SHOWN}
    retried = request.query.get("retried", "")
    html = render("web/outbox.html", lang=viewer.lang, viewer=viewer, nav="outbox",
                  counts=[(st, counts.get(st, 0)) for st in STATUSES], sections=sections, limit=LIMIT,
                  retried=int(retried) if retried.isdigit() else None)
    return web.Response(text=html, content_type="text/html", headers={"Cache-Control": "no-store"})


async def retry(request: web.Request) -> web.Response:
    """`id=N` (one row, several `id` fields allowed) or `all=1` (every failed row)."""
    viewer = session.require(request, roles=ADMINS)
    await session.check_csrf(request, viewer)
    data = await request.post()   # read once by check_csrf; aiohttp keeps it
    ids: list[int] | None
    if data.get("all"):
        ids = None
    else:
        try:
            ids = [int(str(v)) for v in data.getall("id", [])]
        except ValueError:
            raise web.HTTPBadRequest(text=t(viewer.lang, "ops.bad_id")) from None
        if not ids:
            raise web.HTTPBadRequest(text=t(viewer.lang, "ops.bad_id"))
    async with request.app[DESK].db.transaction() as s:
        moved = await outbox.retry_rows(s, ids)
    log.info(json.dumps({"event": "outbox_retry", "by": viewer.userid, "asked": "all" if ids is None else ids,
                         "retried": moved}))
    raise web.HTTPSeeOther(f"/outbox?retried={len(moved)}")


def routes() -> list[web.RouteDef]:
    return [web.get("/outbox", outbox_page), web.post("/outbox/retry", retry)]
