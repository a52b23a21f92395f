"""A ticket's files: the configured file store (local directory or S3) and the route that serves a
ticket's photo or PDF to whoever holds the ticket page's signed link (the page itself is
bot/web/ticket.py). Ticket ids are guessable, so a file's address carries the ticket's signature."""

from __future__ import annotations

import logging
import os
from typing import Mapping

from aiohttp import web

from bot.callbacks import CONFIG, DESK
from handlers.config import AttachmentsConfig
from handlers.links import check_signature
from storage import attachments

log = logging.getLogger("wecom_desk.pages")


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
