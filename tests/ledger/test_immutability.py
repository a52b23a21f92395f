"""Settled lines and statements never change: refused in Python (ORM) with a clear error, and by
database triggers for raw SQL — on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import IntegrityError

from storage import ledger
from storage.ledger_models import LedgerLine, SettledLineError, Statement

from .conftest import AFTER_OCT, NOV


@pytest.fixture
async def settled(env):
    """October closed (3 settled lines) and one open November job (3 unsettled lines)."""
    async with env.db.transaction() as s:
        await env.job(s)
        await env.job(s, at=NOV)
    async with env.db.transaction() as s:
        await ledger.close_period(s, env.lcfg, "2026-10", now=AFTER_OCT)
    async with env.db.sessions() as s:
        lines = (await s.scalars(select(LedgerLine).order_by(LedgerLine.id))).all()
    env.settled_id = next(ln.id for ln in lines if ln.settled)
    env.open_id = next(ln.id for ln in lines if not ln.settled)
    return env


async def _line(s, line_id):
    return (await s.scalars(select(LedgerLine).where(LedgerLine.id == line_id))).one()


async def test_orm_update_of_a_settled_line_is_refused(settled):
    with pytest.raises(SettledLineError, match="is settled .* post a correction"):
        async with settled.db.transaction() as s:
            line = await _line(s, settled.settled_id)
            line.amount += 1
            await s.flush()


async def test_orm_delete_of_a_settled_line_is_refused(settled):
    with pytest.raises(SettledLineError, match="cannot be deleted"):
        async with settled.db.transaction() as s:
            await s.delete(await _line(s, settled.settled_id))
            await s.flush()


async def test_orm_unsettling_is_refused_too(settled):
    with pytest.raises(SettledLineError):
        async with settled.db.transaction() as s:
            line = await _line(s, settled.settled_id)
            line.settled = False
            await s.flush()


@pytest.mark.parametrize("sql", [
    "UPDATE ledger_lines SET amount = amount + 1 WHERE id = :id",
    "UPDATE ledger_lines SET settled = false WHERE id = :id",
    "UPDATE ledger_lines SET amount = amount WHERE id = :id",  # even a change of nothing
    "DELETE FROM ledger_lines WHERE id = :id",
])
async def test_raw_sql_on_a_settled_line_is_refused_by_the_database(settled, sql):
    with pytest.raises(IntegrityError, match="settled"):
        async with settled.db.transaction() as s:
            await s.execute(text(sql), {"id": settled.settled_id})
    async with settled.db.sessions() as s:
        line = await _line(s, settled.settled_id)
    assert line.settled and line.amount == 12000


async def test_core_bulk_statements_cannot_slip_past_the_orm_guard(settled):
    with pytest.raises(IntegrityError):
        async with settled.db.transaction() as s:
            await s.execute(update(LedgerLine).where(LedgerLine.period == "2026-10").values(reason="oops"))
    with pytest.raises(IntegrityError):
        async with settled.db.transaction() as s:
            await s.execute(delete(LedgerLine).where(LedgerLine.period == "2026-10"))


async def test_statements_are_final(settled):
    with pytest.raises(IntegrityError, match="final"):
        async with settled.db.transaction() as s:
            await s.execute(text("UPDATE statements SET amount = 0"))
    with pytest.raises(IntegrityError, match="final"):
        async with settled.db.transaction() as s:
            await s.execute(text("DELETE FROM statements"))
    with pytest.raises(SettledLineError, match="final"):
        async with settled.db.transaction() as s:
            st = (await s.scalars(select(Statement).limit(1))).one()
            st.amount = 1
            await s.flush()


async def test_open_lines_are_still_ordinary_rows(settled):
    async with settled.db.transaction() as s:
        await s.execute(text("UPDATE ledger_lines SET reason = 'note' WHERE id = :id"), {"id": settled.open_id})
        line = await _line(s, settled.open_id)
        line.reason = "edited before the close"
    async with settled.db.sessions() as s:
        assert (await _line(s, settled.open_id)).reason == "edited before the close"
