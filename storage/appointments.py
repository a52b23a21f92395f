"""Visit slots (预约): an engineer proposes a time for a ticket, the store confirms it. A confirmed
slot blocks the engineer's calendar, is reminded once (`remind_at`, a timer column claimed with a
conditional UPDATE like the tickets' timers) and counts against routing capacity.

Times are naive UTC, like every other table. A slot only counts while its ticket is open and still
assigned to that engineer: a completed, cancelled or reassigned ticket frees the time without a
hook in those paths (the reminder pass then files the row as done or cancelled).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Sequence

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, Person, Ticket
from storage.statuses import OPEN_STATUSES

STATUSES = ("proposed", "confirmed", "cancelled", "done")


class Appointment(Base):
    __tablename__ = "appointments"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    engineer: Mapped[str] = mapped_column(String(64))
    start_at: Mapped[datetime] = mapped_column(DateTime)
    end_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16))          # proposed | confirmed | cancelled | done
    proposed_by: Mapped[str] = mapped_column(String(64))
    proposed_at: Mapped[datetime] = mapped_column(DateTime)
    confirmed_by: Mapped[str | None] = mapped_column(String(64))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The reminder timer: set on confirmation, cleared by the one scheduler pass that claims it.
    remind_at: Mapped[datetime | None] = mapped_column(DateTime)
    reminded: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (Index("ix_appointments_engineer", "engineer", "status", "start_at"),
                      Index("ix_appointments_remind_at", "remind_at"))


_T = Appointment.__table__


async def propose(session: AsyncSession, *, ticket_id: int, engineer: str, start: datetime, end: datetime,
                  by: str, now: datetime) -> Appointment:
    """A new proposal; an earlier proposal for the same ticket that was never confirmed lapses."""
    await session.execute(update(Appointment).where(Appointment.ticket_id == ticket_id,
                                                    Appointment.status == "proposed")
                          .values(status="cancelled").execution_options(synchronize_session=False))
    values = {"ticket_id": ticket_id, "engineer": engineer, "start_at": start, "end_at": end, "status": "proposed",
              "proposed_by": by, "proposed_at": now, "reminded": False}
    new_id = (await session.execute(insert(Appointment).values(**values).returning(Appointment.id))).scalar_one()
    return Appointment(id=new_id, **values)


async def get(session: AsyncSession, appointment_id: int) -> Appointment | None:
    return await session.get(Appointment, appointment_id, populate_existing=True)


async def latest(session: AsyncSession, ticket_id: int, statuses: Iterable[str]) -> Appointment | None:
    return (await session.scalars(select(Appointment).where(Appointment.ticket_id == ticket_id,
                                                            Appointment.status.in_(list(statuses)))
                                  .order_by(Appointment.id.desc()).limit(1))).first()


def _live(q: Any) -> Any:
    """Only slots whose ticket is open and still held by the slot's engineer count."""
    return q.join(Ticket, Ticket.id == Appointment.ticket_id).where(
        Appointment.status == "confirmed", Ticket.status.in_(OPEN_STATUSES), Ticket.assignee == Appointment.engineer)


async def clash(session: AsyncSession, engineer: str, start: datetime, end: datetime, *,
                other_than_ticket: int | None = None) -> Appointment | None:
    """The engineer's confirmed slot overlapping [start, end), if any."""
    q = _live(select(Appointment)).where(Appointment.engineer == engineer, Appointment.start_at < end,
                                         Appointment.end_at > start)
    if other_than_ticket is not None:
        q = q.where(Appointment.ticket_id != other_than_ticket)
    return (await session.scalars(q.order_by(Appointment.start_at).limit(1))).first()


async def booked(session: AsyncSession, userids: Sequence[str], start: datetime, end: datetime) -> set[str]:
    """Who of `userids` has a confirmed slot overlapping [start, end) (routing: one job's room less)."""
    if not userids:
        return set()
    q = _live(select(Appointment.engineer)).where(Appointment.engineer.in_(list(userids)),
                                                  Appointment.start_at < end, Appointment.end_at > start)
    return set((await session.scalars(q.distinct())).all())


async def confirm(session: AsyncSession, appointment: Appointment, *, by: str, now: datetime,
                  remind_at: datetime | None) -> bool:
    """proposed → confirmed, once: one conditional UPDATE, so two taps (or two processes) confirm once."""
    res = await session.execute(_T.update().where(_T.c.id == appointment.id, _T.c.status == "proposed")
                                .values(status="confirmed", confirmed_by=by, confirmed_at=now, remind_at=remind_at))
    if res.rowcount != 1:
        return False
    people = Person.__table__
    await session.execute(people.update().where(
        people.c.userid == appointment.engineer,
        or_(people.c.booked_until.is_(None), people.c.booked_until < appointment.end_at))
        .values(booked_until=appointment.end_at))
    return True


async def set_status(session: AsyncSession, appointment: Appointment, status: str, *, was: str) -> bool:
    assert status in STATUSES
    res = await session.execute(_T.update().where(_T.c.id == appointment.id, _T.c.status == was)
                                .values(status=status, remind_at=None))
    return res.rowcount == 1


async def confirmed_for(session: AsyncSession, ticket_id: int) -> Appointment | None:
    """The ticket's confirmed slot (what its cards show)."""
    return await latest(session, ticket_id, ("confirmed",))


async def due_reminders(session: AsyncSession, now: datetime, limit: int = 200) -> Sequence[Appointment]:
    return (await session.scalars(select(Appointment).where(Appointment.remind_at <= now)
                                  .order_by(Appointment.remind_at).limit(limit))).all()


async def claim_reminder(session: AsyncSession, appointment: Appointment) -> bool:
    """Take a reminder for this scheduler pass: of several workers scanning at once, one gets it."""
    res = await session.execute(_T.update().where(_T.c.id == appointment.id, _T.c.remind_at == appointment.remind_at)
                                .values(remind_at=None, reminded=True))
    return res.rowcount == 1
