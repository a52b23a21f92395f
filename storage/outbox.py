"""The transactional outbox: rows written in the caller's transaction; workers claim rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import INSERT_OUTBOX, OutboxMessage, utcnow

# The worker's statements run on the callbacks' loop and writer: plain Core on the table.
_OUTBOX = OutboxMessage.__table__
_O = _OUTBOX.c


def row(kind: str, dest: str, payload: dict[str, Any], ticket_id: int | None = None, *,
        not_before: datetime | None = None) -> dict[str, Any]:
    """One message to send, as the row `write` stores. `not_before` holds it (quiet hours)."""
    now = utcnow()
    return {"kind": kind, "dest": dest, "payload": payload, "ticket_id": ticket_id, "status": "pending",
            "attempts": 0, "next_attempt_at": not_before or now, "created_at": now, "last_error": ""}


async def write(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Store a transaction's messages in one multi-row INSERT, in that transaction: the caller
    that owns the transaction calls this last, so the messages exist exactly when the change does."""
    if rows:
        await session.execute(INSERT_OUTBOX, rows)


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    dest: str
    payload: dict[str, Any]
    attempts: int


async def claim_due(session: AsyncSession, limit: int, lease_s: float,
                    now: datetime | None = None) -> list[Claimed]:
    """Claim up to `limit` due rows in one statement. The UPDATE re-checks that each row is still
    due, so two workers (or processes) never both own one (PostgreSQL also skips rows another
    claim has locked); a dead worker's lease expires and the row is retried."""
    now = now or utcnow()
    res = await session.execute(_CLAIM[session.bind.dialect.name == "postgresql"],
                                {"now": now, "limit": limit, "until": now + timedelta(seconds=lease_s)})
    rows = sorted(res.all(), key=lambda r: (r.next_attempt_at, r.id))
    return [Claimed(r.id, r.kind, r.dest, dict(r.payload), r.attempts) for r in rows]


def _claim_statement(skip_locked: bool) -> Any:
    # Core on the table, built once: through the ORM entity every claim paid for the ORM's
    # bulk-update path, on the same loop and writer as the callbacks.
    now = bindparam("now")
    due = or_(_O.status == "pending", (_O.status == "sending") & (_O.claimed_until < now))
    pick = (select(_O.id).where(due, _O.next_attempt_at <= now)
            .order_by(_O.next_attempt_at, _O.id).limit(bindparam("limit")))
    if skip_locked:
        pick = pick.with_for_update(skip_locked=True)
    return (_OUTBOX.update().where(_O.id.in_(pick.scalar_subquery()), due)
            .values(status="sending", claimed_until=bindparam("until"))
            .returning(_O.id, _O.kind, _O.dest, _O.payload, _O.attempts, _O.next_attempt_at))


_CLAIM = {skip_locked: _claim_statement(skip_locked) for skip_locked in (False, True)}


async def mark_sent(session: AsyncSession, row_ids: list[int]) -> None:
    """Rows delivered: one statement for however many finished together (each was claimed with
    its attempts unchanged, so the delivering attempt is attempts + 1)."""
    if row_ids:
        await session.execute(_OUTBOX.update().where(_O.id.in_(row_ids)).values(
            status="sent", attempts=_O.attempts + 1, sent_at=utcnow(), claimed_until=None))


async def mark_retry(session: AsyncSession, row_id: int, attempts: int, delay_s: float, error: str) -> None:
    await session.execute(_OUTBOX.update().where(_O.id == row_id).values(
        status="pending", attempts=attempts, claimed_until=None, last_error=error[:2000],
        next_attempt_at=utcnow() + timedelta(seconds=delay_s)))


async def mark_failed(session: AsyncSession, row_id: int, attempts: int, error: str) -> None:
    await session.execute(_OUTBOX.update().where(_O.id == row_id).values(
        status="failed", attempts=attempts, claimed_until=None, last_error=error[:2000]))


async def mark_dropped(session: AsyncSession, row_id: int, attempts: int, why: str) -> None:
    """Not sent, on purpose: what it says stopped being true before it went out (a job card
    whose offer ended). Final, like sent; `last_error` says why."""
    await session.execute(_OUTBOX.update().where(_O.id == row_id).values(
        status="dropped", attempts=attempts, claimed_until=None, last_error=why[:2000]))


async def statuses_to(session: AsyncSession, ticket_id: int, kind: str, dest: str) -> list[tuple[str, dict[str, Any]]]:
    """(status, payload) of the rows of one kind to one destination about one ticket, oldest first."""
    rows = await session.execute(select(OutboxMessage.status, OutboxMessage.payload).where(
        OutboxMessage.ticket_id == ticket_id, OutboxMessage.kind == kind, OutboxMessage.dest == dest)
        .order_by(OutboxMessage.id))
    return [(r.status, dict(r.payload)) for r in rows.all()]


async def defer(session: AsyncSession, row_ids: list[int], delay_s: float) -> None:
    """Postpone without counting an attempt (rate limit reached, our cache away: nothing went
    wrong with the message)."""
    if row_ids:
        await session.execute(_OUTBOX.update().where(_O.id.in_(row_ids)).values(
            status="pending", claimed_until=None, next_attempt_at=utcnow() + timedelta(seconds=delay_s)))


async def list_messages(session: AsyncSession, status: str | None = None, limit: int = 100) -> list[OutboxMessage]:
    q = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status:
        q = q.where(OutboxMessage.status == status)
    return list((await session.scalars(q)).all())


async def retry_failed(session: AsyncSession, row_id: int | None = None) -> int:
    q = update(OutboxMessage).where(OutboxMessage.status == "failed")
    if row_id is not None:
        q = q.where(OutboxMessage.id == row_id)
    res = await session.execute(q.values(status="pending", attempts=0, next_attempt_at=utcnow()))
    return res.rowcount or 0


# -- for operators (bot/metrics.py, the /outbox page) ---------------------------------------------

WAITING = ("pending", "sending", "failed")   # rows somebody may have to look at; sent and dropped are final


@dataclass(frozen=True)
class Depth:
    """Rows of one kind in one waiting status, with the oldest one's creation and, among those
    already due, the earliest `next_attempt_at` (None when none is due)."""
    kind: str
    status: str
    count: int
    oldest_created: datetime | None
    oldest_due: datetime | None


async def depth(session: AsyncSession, now: datetime | None = None) -> list[Depth]:
    """Waiting rows by kind and status, in one grouped query over the `ix_outbox_due` index's
    leading column (sent and dropped rows, the bulk of the table, are not read)."""
    now = now or utcnow()
    due = case((OutboxMessage.next_attempt_at <= now, OutboxMessage.next_attempt_at), else_=None)
    res = await session.execute(
        select(OutboxMessage.kind, OutboxMessage.status, func.count(), func.min(OutboxMessage.created_at),
               func.min(due))
        .where(OutboxMessage.status.in_(WAITING)).group_by(OutboxMessage.kind, OutboxMessage.status))
    return [Depth(r[0], r[1], int(r[2]), r[3], r[4]) for r in res.all()]


async def counts_by_status(session: AsyncSession) -> dict[str, int]:
    res = await session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    return {status: int(n) for status, n in res.all()}


async def rows_in(session: AsyncSession, status: str, limit: int = 200) -> list[OutboxMessage]:
    """One status's rows for the operator: what is waiting in the order the worker takes it
    (pending, sending), what ended most recent first (failed, dropped)."""
    q = select(OutboxMessage).where(OutboxMessage.status == status).limit(limit)
    if status in ("pending", "sending"):
        q = q.order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    else:
        q = q.order_by(OutboxMessage.id.desc())
    return list((await session.scalars(q)).all())


async def retry_rows(session: AsyncSession, row_ids: list[int] | None = None,
                     now: datetime | None = None) -> list[int]:
    """Failed rows back to pending, due now, with their attempts reset (all failed rows when
    `row_ids` is None). Only failed rows move: a row sent or retried meanwhile is left alone.
    Returns the ids that moved, for the audit line."""
    q = update(OutboxMessage).where(OutboxMessage.status == "failed")
    if row_ids is not None:
        if not row_ids:
            return []
        q = q.where(OutboxMessage.id.in_(row_ids))
    res = await session.execute(
        q.values(status="pending", attempts=0, next_attempt_at=now or utcnow(), claimed_until=None)
        .returning(OutboxMessage.id).execution_options(synchronize_session=False))
    return sorted(r[0] for r in res.all())
