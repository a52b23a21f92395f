"""Known fixes (issue 13 item 3): a knowledge base of fault codes and symptoms per skill and
equipment model, which fixes were shown on which ticket, and the first-time-fix figures.

Tables (migration 0009):
- `fixes`: one fix — skill, a model pattern ("" any model, "KFR-35*" a glob), fault codes
  (normalised: upper case, no separator, no leading zeros: "E-05" → "E5"), symptom keywords,
  title and steps per language ({"zh": "…", "en": "…"}, {"zh": ["…", "…"]}), likely parts, the
  guide's link; `status` active | proposed | rejected | merged; a proposal made from a closed job keeps
  its `source_ticket` and, when it would update a fix that was shown on that job, `updates_fix`.
  `key` is the import's identifier: importing a file again updates the same rows.
- `fixes_shown`: a fix shown for a ticket, and where (`card`: the engineer's job card;
  `request`: an answer to "#12 怎么修"). First-time-fix is split by it.

First-time fix (`first_time_fix`), decided here and reported from the data, never assumed: of the
tickets completed in the period (status completed, confirmed or closed, `completed_at` in it), one
was fixed the first time when its audit trail shows
  1. at most one arrival on site (events to `on_site`),
  2. no return to work after waiting for parts (no event from `waiting_parts`: the part had to be
     fetched, a second visit),
  3. no completion sent back (no event from `awaiting_approval` to `in_progress`), and
  4. no follow-up ticket (no ticket whose `parent_id` is it, e.g. the one a low rating opens).
"Shown" means a `fixes_shown` row for the ticket at or before its completion.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, Ticket, TicketEvent, utcnow

STATUSES = ("active", "proposed", "rejected", "merged")   # merged: an update proposal, accepted into its fix
WHERE = ("card", "request")
DONE = ("completed", "confirmed", "closed")


class Fix(Base):
    __tablename__ = "fixes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str | None] = mapped_column(String(64), unique=True)
    skill: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(128), default="")
    codes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    keywords: Mapped[list[Any]] = mapped_column(JSON, default=list)
    title: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    steps: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    parts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    guide_url: Mapped[str] = mapped_column(String(512), default="")
    outcome: Mapped[str] = mapped_column(String(256), default="")   # a proposal: what the job's completion said
    status: Mapped[str] = mapped_column(String(16), default="active")
    source_ticket: Mapped[int | None] = mapped_column(Integer)
    updates_fix: Mapped[int | None] = mapped_column(Integer)
    proposed_by: Mapped[str | None] = mapped_column(String(64))
    accepted_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    __table_args__ = (Index("ix_fixes_skill_status", "skill", "status"),)

    def text(self, lang: str) -> tuple[str, list[str]]:
        """Title and steps in `lang`, else English, else Chinese, else whatever there is."""
        def pick(d: dict[str, Any]) -> Any:
            for k in (lang, "en", "zh", *sorted(d)):
                if d.get(k):
                    return d[k]
            return None
        steps = pick(self.steps or {}) or []
        return str(pick(self.title or {}) or ""), [str(s) for s in (steps if isinstance(steps, list) else [steps])]


class FixShown(Base):
    __tablename__ = "fixes_shown"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    fix_id: Mapped[int] = mapped_column(ForeignKey("fixes.id", ondelete="CASCADE"))
    userid: Mapped[str | None] = mapped_column(String(64))
    where: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (Index("ix_fixes_shown_ticket", "ticket_id", "fix_id"),)


# -- queries ------------------------------------------------------------------------------------------

async def active_for_skill(session: AsyncSession, skill: str) -> list[Fix]:
    return list((await session.scalars(select(Fix).where(Fix.skill == skill, Fix.status == "active")
                                       .order_by(Fix.id))).all())


async def get(session: AsyncSession, fix_id: int) -> Fix | None:
    return await session.get(Fix, fix_id)


async def listing(session: AsyncSession, *, skills: Iterable[str] | None = None,
                  statuses: Iterable[str] = ("active", "proposed")) -> list[Fix]:
    q = select(Fix).where(Fix.status.in_(list(statuses)))
    if skills is not None:
        q = q.where(Fix.skill.in_(list(skills)))
    return list((await session.scalars(q.order_by(Fix.skill, Fix.status, Fix.id))).all())


def record_shown(session: AsyncSession, ticket_id: int, fix_ids: Iterable[int], *, userid: str | None, where: str,
                 at: datetime) -> None:
    """Added to the caller's transaction (no flush needed: the card is queued in the same one)."""
    for fid in fix_ids:
        session.add(FixShown(ticket_id=ticket_id, fix_id=fid, userid=userid, where=where, at=at))


async def shown_for(session: AsyncSession, ticket_id: int) -> list[int]:
    """The fixes shown for a ticket, first shown first (each once)."""
    rows = (await session.execute(select(FixShown.fix_id, func.min(FixShown.id).label("first"))
                                  .where(FixShown.ticket_id == ticket_id).group_by(FixShown.fix_id)
                                  .order_by("first"))).all()
    return [r[0] for r in rows]


async def upsert(session: AsyncSession, data: dict[str, Any], *, now: datetime) -> tuple[Fix, bool]:
    """One fix from an import (data as handlers.fix_match.parse_file yields it): the row with the
    same `key` is updated, else a new active one is added. Returns (fix, created)."""
    row = None
    if data.get("key"):
        row = (await session.scalars(select(Fix).where(Fix.key == data["key"]))).first()
    created = row is None
    if row is None:
        row = Fix(key=data.get("key"), created_at=now, status="active")
        session.add(row)
    for k in ("skill", "model", "codes", "keywords", "title", "steps", "parts", "guide_url"):
        if k in data:
            setattr(row, k, data[k])
    row.status = data.get("status", row.status or "active")
    row.updated_at = now
    await session.flush()
    return row, created


# -- first-time fix ---------------------------------------------------------------------------------

@dataclass
class FtfRow:
    skill: str
    region: str | None
    shown: bool
    closed: int = 0
    first_time: int = 0
    tickets: list[int] = field(default_factory=list)
    repeats: list[int] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return round(self.first_time / self.closed, 4) if self.closed else None


async def first_time_fix(session: AsyncSession, *, start: datetime, end: datetime,
                         regions: Iterable[str] | None = None) -> list[FtfRow]:
    """First-time fix by (skill, region, shown) for tickets completed in [start, end): see the
    module's docstring for the definition. Sorted by skill, region, shown first."""
    q = select(Ticket.id, Ticket.skill, Ticket.region, Ticket.completed_at).where(
        Ticket.status.in_(DONE), Ticket.completed_at.is_not(None), Ticket.completed_at >= start,
        Ticket.completed_at < end)
    if regions is not None:
        q = q.where(Ticket.region.in_(list(regions)))
    tickets = (await session.execute(q.order_by(Ticket.id))).all()
    if not tickets:
        return []
    ids = [r.id for r in tickets]
    repeat: set[int] = set()
    arrivals: dict[int, int] = {}
    events = (await session.execute(select(TicketEvent.ticket_id, TicketEvent.from_status, TicketEvent.to_status)
                                    .where(TicketEvent.ticket_id.in_(ids)))).all()
    for tid, frm, to in events:
        if to == "on_site":
            arrivals[tid] = arrivals.get(tid, 0) + 1
        if frm == "waiting_parts" or (frm == "awaiting_approval" and to == "in_progress"):
            repeat.add(tid)
    repeat |= {tid for tid, n in arrivals.items() if n > 1}
    repeat |= set((await session.scalars(select(Ticket.parent_id).where(Ticket.parent_id.in_(ids)))).all())
    done_at = {r.id: r.completed_at for r in tickets}
    shown_rows = (await session.execute(select(FixShown.ticket_id, FixShown.at).where(FixShown.ticket_id.in_(ids)))).all()
    shown = {tid for tid, at in shown_rows if at <= done_at[tid]}
    out: dict[tuple[str, str | None, bool], FtfRow] = {}
    for r in tickets:
        k = (r.skill, r.region, r.id in shown)
        row = out.setdefault(k, FtfRow(*k))
        row.closed += 1
        row.tickets.append(r.id)
        if r.id in repeat:
            row.repeats.append(r.id)
        else:
            row.first_time += 1
    return [out[k] for k in sorted(out, key=lambda k: (k[0], k[1] or "", not k[2]))]
