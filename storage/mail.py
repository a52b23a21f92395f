"""Which held notices went out in an email digest."""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import MailDigested, OutboxMessage


async def held_and_due(session: AsyncSession, userids: Sequence[str], now: datetime,
                       since: datetime) -> list[OutboxMessage]:
    """Notices to these people that quiet hours held (`_held` in the payload) and whose morning
    came since `since`, not yet in a digest. By the morning, not by when they were written: the
    row's creation time is the machine's, while mornings are the desk's clock's."""
    if not userids:
        return []
    done = select(MailDigested.outbox_id)
    rows = (await session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "app_message", OutboxMessage.dest.in_(list(userids)),
        OutboxMessage.next_attempt_at <= now, OutboxMessage.next_attempt_at >= since,
        OutboxMessage.id.not_in(done)).order_by(OutboxMessage.id))).all()
    return [r for r in rows if (r.payload or {}).get("_held")]


async def mark_digested(session: AsyncSession, outbox_ids: Sequence[int], at: datetime) -> None:
    session.add_all(MailDigested(outbox_id=i, digested_at=at) for i in outbox_ids)
    await session.flush()
