"""Spare parts: stock per warehouse, reservations for tickets, the movements that changed stock
(the audit), and purchase requests when no warehouse has a part. The catalog and the warehouses
are config (handlers/config.py `PartsConfig`); quantities live here.

**Stock never goes negative.** Every change is one conditional UPDATE whose WHERE clause says
what must still hold afterwards (`on_hand - reserved >= n` to reserve, `reserved >= n` to release
…), and the caller reads the rowcount: no read-modify-write, so concurrent reservations of the
last units cannot both win, on SQLite (one writer) as on PostgreSQL (the row lock orders the
UPDATEs and each re-checks its WHERE clause). A CHECK constraint says it once more.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (BigInteger, Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text,
                        and_, func, select, update)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow

_ID = BigInteger().with_variant(Integer, "sqlite")


class PartStock(Base):
    """One row per (warehouse, part). `on_hand` is on the shelf; `reserved` of it is held for
    tickets; `on_hand - reserved` may be reserved. `alerted`: the keeper was told it fell below the
    reorder threshold (cleared when it is back above), so one crossing is one alert."""

    __tablename__ = "part_stock"
    warehouse: Mapped[str] = mapped_column(String(32), primary_key=True)
    part: Mapped[str] = mapped_column(String(32), primary_key=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    alerted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (CheckConstraint("reserved >= 0 AND on_hand >= reserved", name="ck_part_stock_never_negative"),
                      Index("ix_part_stock_part", "part"))


class PartReservation(Base):
    """Units held for a ticket: reserved → consumed (the job completed) or released (cancelled)."""

    __tablename__ = "part_reservations"
    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    part: Mapped[str] = mapped_column(String(32))
    warehouse: Mapped[str] = mapped_column(String(32))
    qty: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="reserved")   # reserved | consumed | released
    actor: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PartMovement(Base):
    """Every change of `on_hand`, append-only: in / out (import, correction), transfer (from
    `warehouse` to `to_warehouse`), consume (a completed ticket). Who and why."""

    __tablename__ = "part_movements"
    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    part: Mapped[str] = mapped_column(String(32))
    warehouse: Mapped[str] = mapped_column(String(32))
    to_warehouse: Mapped[str | None] = mapped_column(String(32))
    qty: Mapped[int] = mapped_column(Integer)
    ticket_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (Index("ix_part_movements_part_at", "part", "warehouse", "at"),)


class PurchaseRequest(Base):
    """No warehouse serving the ticket's region had the part: the region's managers buy it.
    open → received (the engineer said the parts arrived) or cancelled (the ticket was)."""

    __tablename__ = "purchase_requests"
    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    part: Mapped[str] = mapped_column(String(32))
    region: Mapped[str | None] = mapped_column(String(32))
    qty: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="open")
    requested_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)


class StockError(Exception):
    """A change that would take stock below zero (or below what is reserved)."""


_S = PartStock.__table__.c


def _key(warehouse: str, part: str) -> Any:
    return and_(_S.warehouse == warehouse, _S.part == part)


async def _ensure_row(session: AsyncSession, warehouse: str, part: str, now: datetime) -> None:
    """The (warehouse, part) row exists afterwards, whoever inserted it first."""
    table = PartStock.__table__
    values = {"warehouse": warehouse, "part": part, "on_hand": 0, "reserved": 0, "alerted": False, "updated_at": now}
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        await session.execute(pg_insert(table).values(values).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        await session.execute(sqlite_insert(table).values(values).on_conflict_do_nothing())


# -- reservations ---------------------------------------------------------------------------------

async def reserve(session: AsyncSession, *, ticket_id: int, part: str, warehouse: str, qty: int, actor: str | None,
                  now: datetime | None = None) -> PartReservation | None:
    """Hold `qty` units for a ticket if that many are free there: one conditional UPDATE. None: not
    enough free (nothing changed)."""
    now = now or utcnow()
    done = await session.execute(update(PartStock.__table__).where(
        _key(warehouse, part), _S.on_hand - _S.reserved >= qty).values(reserved=_S.reserved + qty, updated_at=now))
    if done.rowcount != 1:
        return None
    row = PartReservation(ticket_id=ticket_id, part=part, warehouse=warehouse, qty=qty, status="reserved",
                          actor=actor, created_at=now, updated_at=now)
    session.add(row)
    await session.flush()
    return row


async def reservations(session: AsyncSession, ticket_id: int, status: str | None = "reserved") -> list[PartReservation]:
    q = select(PartReservation).where(PartReservation.ticket_id == ticket_id).order_by(PartReservation.id)
    if status is not None:
        q = q.where(PartReservation.status == status)
    return list((await session.scalars(q)).all())


async def _settle(session: AsyncSession, r: PartReservation, status: str, now: datetime) -> bool:
    """A held reservation ends (consumed or released), once: one conditional UPDATE, so a second
    completion or cancel of the same ticket finds nothing to do."""
    marked = await session.execute(update(PartReservation.__table__).where(
        PartReservation.__table__.c.id == r.id, PartReservation.__table__.c.status == "reserved").values(
        status=status, updated_at=now))
    return marked.rowcount == 1


async def consume(session: AsyncSession, r: PartReservation, *, actor: str, now: datetime | None = None) -> bool:
    """A completed job used its reserved units: on_hand and reserved both go down by qty, with a
    `consume` movement. False: this reservation was not (or no longer) held."""
    now = now or utcnow()
    if not await _settle(session, r, "consumed", now):
        return False
    done = await session.execute(update(PartStock.__table__).where(
        _key(r.warehouse, r.part), _S.reserved >= r.qty, _S.on_hand >= r.qty).values(
        on_hand=_S.on_hand - r.qty, reserved=_S.reserved - r.qty, updated_at=now))
    if done.rowcount != 1:
        raise StockError(f"reservation {r.id}: {r.qty} × {r.part} is not held in {r.warehouse}")
    session.add(PartMovement(kind="consume", part=r.part, warehouse=r.warehouse, qty=r.qty, ticket_id=r.ticket_id,
                             actor=actor, reason=f"ticket #{r.ticket_id} completed", at=now))
    r.status = "consumed"
    return True


async def release(session: AsyncSession, r: PartReservation, *, now: datetime | None = None) -> bool:
    """A cancelled ticket gives its units back to the shelf's free stock."""
    now = now or utcnow()
    if not await _settle(session, r, "released", now):
        return False
    await session.execute(update(PartStock.__table__).where(_key(r.warehouse, r.part), _S.reserved >= r.qty).values(
        reserved=_S.reserved - r.qty, updated_at=now))
    r.status = "released"
    return True


# -- stock ----------------------------------------------------------------------------------------

async def stock(session: AsyncSession, warehouse: str, part: str) -> PartStock | None:
    return await session.get(PartStock, (warehouse, part), populate_existing=True)


async def stock_rows(session: AsyncSession, *, warehouses: list[str] | None = None,
                     part: str | None = None) -> list[PartStock]:
    q = select(PartStock).order_by(PartStock.warehouse, PartStock.part)
    if warehouses is not None:
        q = q.where(PartStock.warehouse.in_(warehouses))
    if part is not None:
        q = q.where(PartStock.part == part)
    return list((await session.scalars(q)).all())


async def set_on_hand(session: AsyncSession, *, warehouse: str, part: str, quantity: int, actor: str, reason: str,
                      now: datetime | None = None) -> int:
    """A count (`parts import`): on_hand becomes `quantity`, recorded as the in/out movement of the
    difference. Refused below what is reserved there. Returns the difference."""
    if quantity < 0:
        raise StockError(f"{warehouse}/{part}: a quantity cannot be negative ({quantity})")
    now = now or utcnow()
    await _ensure_row(session, warehouse, part, now)
    before = await session.scalar(select(_S.on_hand).where(_key(warehouse, part)))
    done = await session.execute(update(PartStock.__table__).where(
        _key(warehouse, part), _S.on_hand == before, _S.reserved <= quantity).values(on_hand=quantity, updated_at=now))
    if done.rowcount != 1:
        held = await session.scalar(select(_S.reserved).where(_key(warehouse, part)))
        raise StockError(f"{warehouse}/{part}: {held} reserved, cannot count {quantity}")
    delta = quantity - int(before or 0)
    if delta:
        session.add(PartMovement(kind="in" if delta > 0 else "out", part=part, warehouse=warehouse, qty=abs(delta),
                                 actor=actor, reason=reason, at=now))
    return delta


async def transfer(session: AsyncSession, *, part: str, qty: int, source: str, target: str, actor: str, reason: str = "",
                   now: datetime | None = None) -> None:
    """Move free units between warehouses; refused (StockError, nothing changed) when the source
    has fewer than `qty` free."""
    if qty <= 0:
        raise StockError(f"a transfer moves at least 1 unit, not {qty}")
    if source == target:
        raise StockError("a transfer needs two different warehouses")
    now = now or utcnow()
    done = await session.execute(update(PartStock.__table__).where(
        _key(source, part), _S.on_hand - _S.reserved >= qty).values(on_hand=_S.on_hand - qty, updated_at=now))
    if done.rowcount != 1:
        row = await stock(session, source, part)
        free = row.on_hand - row.reserved if row else 0
        raise StockError(f"{source} has {free} free {part}, cannot move {qty}")
    await _ensure_row(session, target, part, now)
    await session.execute(update(PartStock.__table__).where(_key(target, part)).values(
        on_hand=_S.on_hand + qty, updated_at=now))
    session.add(PartMovement(kind="transfer", part=part, warehouse=source, to_warehouse=target, qty=qty, actor=actor,
                             reason=reason, at=now))


# -- reorder thresholds ---------------------------------------------------------------------------

async def consumed(session: AsyncSession, *, since: datetime, warehouse: str | None = None,
                   part: str | None = None) -> dict[tuple[str, str], int]:
    """Units consumed since `since`, per (warehouse, part)."""
    m = PartMovement
    q = select(m.warehouse, m.part, func.sum(m.qty)).where(m.kind == "consume", m.at >= since).group_by(
        m.warehouse, m.part)
    if warehouse is not None:
        q = q.where(m.warehouse == warehouse)
    if part is not None:
        q = q.where(m.part == part)
    return {(w, p): int(n or 0) for w, p, n in (await session.execute(q)).all()}


def threshold(used_in_window: int, *, window_days: int, lead_days: int, floor: int) -> int:
    """Reorder point: what the lead time uses at the window's rate, never below the floor:
    max(floor, ceil(used / window_days × lead_days))."""
    return max(floor, -(-used_in_window * lead_days // window_days))


async def mark_alerted(session: AsyncSession, warehouse: str, part: str, below: bool) -> bool:
    """Flip the row's alert flag to `below`; True when this call flipped it (so a crossing is
    acted on once, even by concurrent writers)."""
    done = await session.execute(update(PartStock.__table__).where(
        _key(warehouse, part), _S.alerted == (not below)).values(alerted=below))
    return done.rowcount == 1


# -- purchase requests and movements ----------------------------------------------------------------

async def request_purchase(session: AsyncSession, *, ticket_id: int, part: str, region: str | None, qty: int,
                           actor: str | None, now: datetime | None = None) -> PurchaseRequest:
    row = PurchaseRequest(ticket_id=ticket_id, part=part, region=region, qty=qty, status="open", requested_by=actor,
                          created_at=now or utcnow())
    session.add(row)
    await session.flush()
    return row


async def close_purchases(session: AsyncSession, ticket_id: int, status: str, now: datetime | None = None) -> list[PurchaseRequest]:
    rows = list((await session.scalars(select(PurchaseRequest).where(
        PurchaseRequest.ticket_id == ticket_id, PurchaseRequest.status == "open"))).all())
    for r in rows:
        r.status, r.closed_at = status, now or utcnow()
    await session.flush()
    return rows


async def purchases(session: AsyncSession, *, ticket_id: int | None = None, status: str | None = None,
                    regions: list[str] | None = None) -> list[PurchaseRequest]:
    q = select(PurchaseRequest).order_by(PurchaseRequest.id.desc())
    if ticket_id is not None:
        q = q.where(PurchaseRequest.ticket_id == ticket_id)
    if status is not None:
        q = q.where(PurchaseRequest.status == status)
    if regions is not None:
        q = q.where(PurchaseRequest.region.in_(regions))
    return list((await session.scalars(q)).all())


async def movements(session: AsyncSession, *, warehouses: list[str] | None = None, limit: int = 50) -> list[PartMovement]:
    q = select(PartMovement).order_by(PartMovement.id.desc()).limit(limit)
    if warehouses is not None:
        q = q.where(PartMovement.warehouse.in_(warehouses) | PartMovement.to_warehouse.in_(warehouses))
    return list((await session.scalars(q)).all())

