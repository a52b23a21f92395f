"""Draft statements: a month's close, reviewed before it is final (issue 15).

`draft_close` runs the real close (storage.ledger.close_period: statements, and the invoices the
billing close writes) inside a SAVEPOINT, keeps what it produced and rolls it back, so a draft is
exactly what the close would write and nothing else. The draft stores that result, the digest of
its figures and who asked; a newer draft of the month supersedes the older ones.

`finalise` runs the same close for real and keeps it only when its figures equal the confirmed
draft's: a completion, correction or usage record that landed since the draft changes them, and
then nothing is written (DraftMoved names what moved; the reviewer makes a new draft). Closing a
month that is already closed stays what it always was: a no-op that says when it was closed.

Digests cover figures, not bookkeeping: ids (a rolled-back insert's ids are gone), timestamps and
the close's note are left out, so the same ledger gives the same digest at any time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any, Mapping

from sqlalchemy import JSON, DateTime, Index, Integer, String, UniqueConstraint, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from settlement.ledger_config import LedgerConfig
from storage import ledger
from storage.ledger_models import ID, LedgerError, SettlementPeriod
from storage.models import Base

__all__ = ["CloseDraft", "Draft", "DraftMoved", "NoDraft", "Outcome", "closed_at", "draft_close", "drafts_of", "finalise",
           "get", "latest", "version"]

# Keys that are bookkeeping, not figures (at any depth): a draft's ids were rolled back, and the
# close's time and note differ between the draft and the final by construction.
_NOT_FIGURES = frozenset({"id", "closed_at", "created_at", "note", "already_closed", "written"})
MOVED_SHOWN = 3   # differences named in a refusal; the rest are counted


class DraftMoved(LedgerError):
    """The figures the close would write differ from the confirmed draft's; nothing was written."""


class NoDraft(LedgerError):
    """Nothing to finalise: the month has no draft (or not the one named)."""


class CloseDraft(Base):
    __tablename__ = "close_drafts"
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(7))
    version: Mapped[int] = mapped_column(Integer)           # 1, 2 … per month
    status: Mapped[str] = mapped_column(String(12))         # draft | final | superseded
    digest: Mapped[str] = mapped_column(String(64))         # sha256 of the figures (see _digest)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)   # the close's JSON: statements, invoices …
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finalised_by: Mapped[str | None] = mapped_column(String(64))
    finalised_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    __table_args__ = (UniqueConstraint("period", "version", name="uq_close_drafts_period_version"),
                      Index("ix_close_drafts_period_status", "period", "status"))


@dataclass(frozen=True)
class Draft:
    id: int
    period: str
    version: int
    status: str
    digest: str
    content: dict[str, Any]
    created_by: str
    created_at: dt.datetime
    finalised_by: str | None = None
    finalised_at: dt.datetime | None = None

    @classmethod
    def of(cls, row: Any) -> "Draft":
        return cls(row.id, row.period, row.version, row.status, row.digest, dict(row.content), row.created_by,
                   row.created_at, row.finalised_by, row.finalised_at)

    def to_json(self) -> dict[str, Any]:
        at = lambda v: v.isoformat(timespec="seconds") + "Z" if v else None  # noqa: E731
        return {"draft_id": self.id, "period": self.period, "version": self.version, "status": self.status,
                "digest": self.digest, "created_by": self.created_by, "created_at": at(self.created_at),
                "finalised_by": self.finalised_by, "finalised_at": at(self.finalised_at), **self.content}


@dataclass(frozen=True)
class Outcome:
    """What a draft or a finalise did: `result` is the close (rolled back for a draft; for a month
    already closed, its statements and when it closed); `draft` the stored draft (None: already
    closed before this call, nothing drafted or finalised)."""
    result: ledger.CloseResult
    draft: Draft | None

    @property
    def already_closed(self) -> bool:
        return self.result.already_closed

    def to_json(self) -> dict[str, Any]:
        if self.draft is None:
            return self.result.to_json()
        d = self.draft
        out = d.to_json()
        if d.status == "final":
            out["note"] = f"period {d.period} closed: draft {d.version} finalised, {self.result.written} statement(s) written"
        else:
            out["note"] = (f"draft {d.version} of period {d.period}: {self.result.written} statement(s) and "
                           f"{len(self.result.invoices)} invoice(s) would be written; nothing is final until "
                           f"`wecom-desk settle finalise --period {d.period} --draft {d.version}`")
        return out


# -- figures -----------------------------------------------------------------------------------------

def _figures(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _figures(v) for k, v in value.items()
                if k not in _NOT_FIGURES and not k.endswith(("_id", "_at"))}
    if isinstance(value, (list, tuple)):
        return [_figures(v) for v in value]
    return value


def _canonical(figures: Any) -> str:
    return json.dumps(figures, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _digest(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(_canonical(_figures(content)).encode()).hexdigest()


def _without_ids(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _without_ids(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def _draft_content(result: ledger.CloseResult) -> dict[str, Any]:
    """The close's JSON as a draft keeps it: every list the close returns (statements, invoices …)
    without the ids of rows that were rolled back."""
    content = result.to_json()
    for key in ("closed_at", "note", "already_closed"):
        content.pop(key, None)
    return _without_ids(content)


def _naive_utc(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo is None else at.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _row_key(item: Mapping[str, Any]) -> str:
    parts = [str(item[k]) for k in ("kind", "owner", "account", "number", "currency") if item.get(k) is not None]
    return " ".join(parts) or _canonical(_figures(item))[:60]


def _moved(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """What differs between two drafts' figures, one short phrase each ("statement earnings zhangwei
    CNY: 120.00 → 240.00", "invoice sh_stores CNY: new")."""
    out: list[str] = []
    a, b = _figures(before), _figures(after)
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key), b.get(key)
        if x == y:
            continue
        if not (isinstance(x, list) or isinstance(y, list)):
            out.append(f"{key}: {x} → {y}")
            continue
        kind = key[:-1] if key.endswith("s") else key
        old = {_row_key(i): i for i in x or [] if isinstance(i, Mapping)}
        new = {_row_key(i): i for i in y or [] if isinstance(i, Mapping)}
        for k in sorted(set(old) | set(new)):
            if k not in old:
                out.append(f"{kind} {k}: new ({new[k].get('amount', '')})".replace(" ()", ""))
            elif k not in new:
                out.append(f"{kind} {k}: gone")
            elif old[k] != new[k]:
                was, now = old[k].get("amount"), new[k].get("amount")
                out.append(f"{kind} {k}: {was} → {now}" if was != now else f"{kind} {k}: changed")
    return out


# -- reads -------------------------------------------------------------------------------------------

async def get(session: AsyncSession, draft_id: int) -> Draft | None:
    row = (await session.execute(select(CloseDraft).where(CloseDraft.id == draft_id))).scalar_one_or_none()
    return Draft.of(row) if row is not None else None


async def version(session: AsyncSession, period: str, number: int) -> Draft | None:
    row = (await session.execute(select(CloseDraft).where(CloseDraft.period == period, CloseDraft.version == number))
           ).scalar_one_or_none()
    return Draft.of(row) if row is not None else None


async def latest(session: AsyncSession, period: str) -> Draft | None:
    row = (await session.execute(select(CloseDraft).where(CloseDraft.period == period)
                                 .order_by(CloseDraft.version.desc()).limit(1))).scalar_one_or_none()
    return Draft.of(row) if row is not None else None


async def closed_at(session: AsyncSession, period: str) -> dt.datetime | None:
    """When the month was closed (None: still open), without locking it."""
    return await session.scalar(select(SettlementPeriod.closed_at).where(SettlementPeriod.period == period))


async def drafts_of(session: AsyncSession, period: str) -> list[Draft]:
    rows = (await session.execute(select(CloseDraft).where(CloseDraft.period == period)
                                  .order_by(CloseDraft.version.desc()))).scalars().all()
    return [Draft.of(r) for r in rows]


# -- writes ------------------------------------------------------------------------------------------

async def _rehearse(session: AsyncSession, lcfg: LedgerConfig, period: str, now: dt.datetime) -> ledger.CloseResult:
    """The close as it would run now, rolled back: nothing it wrote survives."""
    savepoint = await session.begin_nested()
    try:
        return await ledger.close_period(session, lcfg, period, now=now, rehearsal=True)
    finally:
        await savepoint.rollback()


async def draft_close(session: AsyncSession, lcfg: LedgerConfig, period: str, *, now: dt.datetime,
                      by: str) -> Outcome:
    """A draft of the month's close, stored (superseding older drafts). Raises PeriodNotEnded and
    the close's other errors; a month already closed gives Outcome(draft=None), nothing stored."""
    result = await _rehearse(session, lcfg, period, now)
    if result.already_closed:
        return Outcome(result, None)
    content = _draft_content(result)
    version = int(await session.scalar(select(func.coalesce(func.max(CloseDraft.version), 0))
                                       .where(CloseDraft.period == period)) or 0) + 1
    await session.execute(update(CloseDraft).where(CloseDraft.period == period, CloseDraft.status == "draft")
                          .values(status="superseded").execution_options(synchronize_session=False))
    values = {"period": period, "version": version, "status": "draft", "digest": _digest(content),
              "content": content, "created_by": by, "created_at": _naive_utc(now)}
    try:
        async with session.begin_nested():
            new_id = (await session.execute(CloseDraft.__table__.insert().returning(CloseDraft.__table__.c.id),
                                            values)).scalar_one()
    except IntegrityError:
        raise LedgerError(f"period {period}: another draft was being made at the same moment; "
                          "ask again for the latest draft") from None
    return Outcome(result, Draft(id=new_id, **values))


async def finalise(session: AsyncSession, lcfg: LedgerConfig, period: str, *, now: dt.datetime, by: str,
                   draft_id: int | None = None) -> Outcome:
    """The real close of `period`, kept only if its figures are the confirmed draft's (`draft_id`,
    or the month's latest draft). Raises NoDraft, DraftMoved (nothing written either way); a month
    already closed is a no-op: Outcome(draft=None) with the month's statements."""
    draft = await (get(session, draft_id) if draft_id is not None else latest(session, period))
    if draft is not None and draft.period != period:
        raise NoDraft(f"draft {draft_id} is of period {draft.period}, not {period}")
    savepoint = await session.begin_nested()
    try:
        result = await ledger.close_period(session, lcfg, period, now=now)
        if not result.already_closed:
            _check(period, draft, draft_id, _draft_content(result), await latest(session, period))
    except BaseException:
        await savepoint.rollback()
        raise
    await savepoint.commit()
    if result.already_closed:
        return Outcome(result, None)
    assert draft is not None  # _check refused otherwise
    at = _naive_utc(now)
    await session.execute(update(CloseDraft).where(CloseDraft.id == draft.id)
                          .values(status="final", finalised_by=by, finalised_at=at)
                          .execution_options(synchronize_session=False))
    return Outcome(result, replace(draft, status="final", finalised_by=by, finalised_at=at))


def _check(period: str, draft: Draft | None, asked: int | None, content: Mapping[str, Any],
           newest: Draft | None) -> None:
    if draft is None:
        which = f"no draft {asked}" if asked is not None else "no draft"
        raise NoDraft(f"period {period} has {which} to finalise; make one first "
                      f"(wecom-desk settle close --period {period} --draft)")
    if draft.status != "draft":
        newer = f"; the latest is draft {newest.version} (id {newest.id})" if newest and newest.id != draft.id else ""
        raise NoDraft(f"period {period}: draft {draft.version} (id {draft.id}) was {draft.status}{newer}")
    if _digest(content) != draft.digest:
        moved = _moved(draft.content, content)
        shown = "; ".join(moved[:MOVED_SHOWN]) + (f"; +{len(moved) - MOVED_SHOWN} more" if len(moved) > MOVED_SHOWN else "")
        raise DraftMoved(f"period {period}: the figures moved since draft {draft.version} ({shown or 'changed'}); "
                         "nothing was written, make a new draft")

