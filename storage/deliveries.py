"""Stored replies of callbacks we handled: a re-delivery gets exactly what the first got."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import INSERT_INBOUND, InboundCallback, utcnow


async def stored(session: AsyncSession, key: str) -> InboundCallback | None:
    return await session.get(InboundCallback, key)


async def by_stream(session: AsyncSession, stream_id: str) -> InboundCallback | None:
    return (await session.scalars(select(InboundCallback).where(InboundCallback.stream_id == stream_id))).first()


async def record(session: AsyncSession, *, key: str, channel: str, userid: str | None, chatid: str | None,
                 intent: str | None, outcome: str, reply: str | None, stream_id: str | None) -> None:
    """Raises IntegrityError when another delivery of the same message was stored first."""
    await session.execute(INSERT_INBOUND, {
        "key": key, "channel": channel, "userid": userid, "chatid": chatid, "intent": intent, "outcome": outcome,
        "reply": reply, "stream_id": stream_id, "received_at": utcnow()})
