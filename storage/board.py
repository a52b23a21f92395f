"""What the managers' board reads: open tickets, narrowed by the filters a manager picks, the
ones that need someone first (nobody on it, a promise broken), then by what is due soonest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Attachment, Ticket
from storage.statuses import CLAIMABLE, OPEN_STATUSES


@dataclass(frozen=True)
class BoardFilter:
    regions: tuple[str, ...] | None = None   # the viewer's regions; None: all
    region: str | None = None
    city: str | None = None
    chatid: str | None = None                # a store's group
    skill: str | None = None
    template: str | None = None
    engineer: str | None = None


async def open_tickets(session: AsyncSession, f: BoardFilter, limit: int = 500) -> Sequence[Ticket]:
    q = select(Ticket).where(Ticket.status.in_(OPEN_STATUSES))
    if f.regions is not None:
        q = q.where(Ticket.region.in_(f.regions))
    for column, value in ((Ticket.region, f.region), (Ticket.city, f.city), (Ticket.chatid, f.chatid),
                          (Ticket.skill, f.skill), (Ticket.template, f.template), (Ticket.assignee, f.engineer)):
        if value:
            q = q.where(column == value)
    unassigned = case((Ticket.status.in_(CLAIMABLE), 0), else_=1)
    breached = case((Ticket.sla_breached.is_(True), 0), else_=1)
    due = case((Ticket.status.in_(CLAIMABLE), Ticket.response_due),
               (Ticket.status.in_(("assigned", "departed")), Ticket.onsite_due), else_=Ticket.resolution_due)
    # NULLs last on both backends: a ticket with no deadline is not the most pressing.
    q = q.order_by(unassigned, breached, case((due.is_(None), 1), else_=0), due, Ticket.id).limit(limit)
    return (await session.scalars(q)).all()


async def file_counts(session: AsyncSession, ticket_ids: Sequence[int]) -> dict[int, int]:
    """How many photos and files each ticket has (the board shows a 📷 count, the page the files)."""
    if not ticket_ids:
        return {}
    q = select(Attachment.ticket_id, func.count()).where(Attachment.ticket_id.in_(ticket_ids)).group_by(Attachment.ticket_id)
    return {tid: n for tid, n in (await session.execute(q)).all()}
