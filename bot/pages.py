"""The ticket page a card links to: status, priced lines, photos and audit trail — every number a
reader sees on a card can be explained here. Links are signed: ticket ids are guessable. A photo's
address carries the ticket's own signature, so whoever may see the page may see its photos."""

from __future__ import annotations

import logging
import os
from typing import Mapping

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select

from bot.callbacks import CONFIG, DESK
from handlers.config import AttachmentsConfig, Config
from handlers.links import check_signature, ticket_signature
from handlers.messages import TEMPLATES, t
from settlement import format_minor
from storage import attachments
from storage import tickets as store
from storage.db import Database
from storage.ledger_models import ChargeLine, TicketCharge
from storage.models import OutboxMessage

log = logging.getLogger("wecom_desk.pages")
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


class MissingKey(Exception):
    """attachments.backend s3 without its key in the environment: names the variable, never a value."""


def s3_location(cfg: AttachmentsConfig, env: Mapping[str, str] = os.environ) -> attachments.S3Location:
    s3 = cfg.s3
    keys = []
    for name in (s3.access_key_env, s3.secret_key_env):
        if not env.get(name, "").strip():
            raise MissingKey(f"the environment variable {name} is unset or empty")
        keys.append(env[name].strip())
    return attachments.S3Location(
        bucket=s3.bucket, access_key=keys[0], secret_key=keys[1], endpoint_url=s3.endpoint_url, region=s3.region,
        prefix=s3.prefix, addressing_style=s3.addressing_style, connect_timeout_s=s3.connect_timeout_s,
        read_timeout_s=s3.read_timeout_s)


def file_store(cfg: AttachmentsConfig) -> attachments.FileStore:
    """The configured file store. `create_app` makes the one the app uses, checks it at start (a
    directory that cannot be made or a bucket out of reach stops the start) and hands it to the
    Desk; pages and the report form use `Desk.files`."""
    s3 = s3_location(cfg) if cfg.backend == "s3" else None
    return attachments.make_file_store(cfg.backend, cfg.dir, s3)


def file_url(ticket_id: int, attachment_id: int, secret: str) -> str:
    return f"/tickets/{ticket_id}/files/{attachment_id}?sig={ticket_signature(secret, ticket_id)}"


async def render_ticket(db: Database, cfg: Config, ticket_id: int) -> str | None:
    async with db.sessions() as session:
        ticket = await store.get_ticket(session, ticket_id)
        if ticket is None:
            return None
        events = await store.events_of(session, ticket_id)
        charge = (await session.scalars(
            select(TicketCharge).where(TicketCharge.ticket_id == ticket_id))).first()
        lines = (await session.scalars(select(ChargeLine).where(ChargeLine.ticket_id == ticket_id)
                                       .order_by(ChargeLine.position))).all() if charge else []
        # What the WeChat customer did not get: WeCom allows answers only within 48 h of their
        # last message, 5 at most; the staff reading this page should know to call instead.
        undelivered = (await session.scalars(select(OutboxMessage).where(
            OutboxMessage.ticket_id == ticket_id, OutboxMessage.kind == "kf_message",
            OutboxMessage.status == "failed").order_by(OutboxMessage.id))).all()
        files = await attachments.of_ticket(session, ticket_id)
        photos = [file_url(ticket_id, a.id, cfg.wecom.app.secret) for a in files if a.content_type.startswith("image/")]
        documents = [file_url(ticket_id, a.id, cfg.wecom.app.secret) for a in files
                     if not a.content_type.startswith("image/")]   # PDFs sent in chat: links, not pictures
    lang = ticket.language
    skill = cfg.skill(ticket.skill)
    engineer = cfg.person(ticket.assignee)
    return _env.get_template("ticket.html").render(
        ticket=ticket, events=events, lang=lang, skill=skill.name_in(lang) if skill else ticket.skill,
        status=t(lang, f"status.{ticket.status}"), urgency=t(lang, f"urgency.{ticket.urgency}"),
        engineer=engineer.name if engineer else ticket.assignee, t=t,
        charge=charge, lines=[(ln.label, format_minor(ln.amount, ln.currency)) for ln in lines],
        total=format_minor(charge.total, charge.currency) if charge else None,
        undelivered=[(m.created_at, m.last_error) for m in undelivered], photos=photos,
        documents=documents)


async def ticket_file(request: web.Request) -> web.Response:
    """`GET /tickets/{id}/files/{attachment_id}?sig=…`: one of the ticket's files, to whoever holds
    the ticket page's link."""
    cfg = request.app[CONFIG]
    try:
        ticket_id, attachment_id = int(request.match_info["id"]), int(request.match_info["attachment_id"])
    except ValueError:
        raise web.HTTPNotFound(text="no such file") from None
    if not check_signature(cfg.wecom.app.secret, ticket_id, request.query.get("sig", "")):
        raise web.HTTPForbidden(text="this link is not valid")
    async with request.app[DESK].db.sessions() as session:
        row = await attachments.get(session, attachment_id)
    if row is None or row.ticket_id != ticket_id:   # another ticket's file: this signature does not cover it
        raise web.HTTPNotFound(text="no such file")
    data = await request.app[DESK].files.get(row.key)
    if data is None:
        log.error("attachment %s of ticket %s: its file %s is missing", row.id, ticket_id, row.key)
        raise web.HTTPNotFound(text="no such file")
    ext = row.key.rsplit(".", 1)[-1]
    return web.Response(body=data, content_type=row.content_type, headers={
        "Content-Disposition": f'inline; filename="ticket-{ticket_id}-{row.id}.{ext}"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=3600",
        "Content-Security-Policy": "default-src 'none'; sandbox"})


def routes() -> list[web.RouteDef]:
    return [web.get("/tickets/{id}/files/{attachment_id}", ticket_file)]
