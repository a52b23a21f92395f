"""Template versions: config changes and rollbacks become new versions; nothing is overwritten."""

from __future__ import annotations

from typing import Any, Iterable, Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ServiceTemplateVersion, ServiceTemplateHead, utcnow


class TemplateLike(Protocol):
    code: str

    def content(self) -> dict[str, Any]: ...
    def content_hash(self) -> str: ...


async def _next_version(session: AsyncSession, code: str) -> int:
    current = await session.scalar(select(func.max(ServiceTemplateVersion.version)).where(ServiceTemplateVersion.code == code))
    return (current or 0) + 1


async def sync_from_config(session: AsyncSession, defs: Iterable[TemplateLike]) -> list[tuple[str, int]]:
    """A template whose config content changed since last start gets a new active version."""
    created = []
    for d in defs:
        digest = d.content_hash()
        head = await session.get(ServiceTemplateHead, d.code)
        if head is not None and head.config_hash == digest:
            continue
        version = await _next_version(session, d.code)
        session.add(ServiceTemplateVersion(code=d.code, version=version, content=d.content(), content_hash=digest,
                                    source="config", created_at=utcnow()))
        if head is None:
            session.add(ServiceTemplateHead(code=d.code, active_version=version, config_hash=digest))
        else:
            head.active_version, head.config_hash = version, digest
        created.append((d.code, version))
    await session.flush()
    return created


async def active_all(session: AsyncSession) -> list[tuple[str, int, dict[str, Any]]]:
    rows = await session.execute(
        select(ServiceTemplateVersion.code, ServiceTemplateVersion.version, ServiceTemplateVersion.content)
        .join(ServiceTemplateHead, (ServiceTemplateHead.code == ServiceTemplateVersion.code)
              & (ServiceTemplateHead.active_version == ServiceTemplateVersion.version)))
    return [(c, v, content) for c, v, content in rows.all()]


async def history(session: AsyncSession, code: str) -> list[dict[str, Any]]:
    head = await session.get(ServiceTemplateHead, code)
    rows = (await session.scalars(select(ServiceTemplateVersion).where(ServiceTemplateVersion.code == code)
                                  .order_by(ServiceTemplateVersion.version))).all()
    return [{"code": r.code, "version": r.version, "source": r.source, "active": bool(head and head.active_version == r.version),
             "created_at": r.created_at.isoformat(timespec="seconds"), "content": r.content} for r in rows]


class UnknownVersion(LookupError):
    pass


async def rollback(session: AsyncSession, code: str, version: int) -> int:
    """Apply an old version again, as a new version (history stays linear and complete)."""
    old = await session.get(ServiceTemplateVersion, (code, version))
    head = await session.get(ServiceTemplateHead, code)
    if old is None or head is None:
        raise UnknownVersion(f"template {code!r} has no version {version}")
    new_version = await _next_version(session, code)
    session.add(ServiceTemplateVersion(code=code, version=new_version, content=old.content, content_hash=old.content_hash,
                                source=f"rollback:{version}", created_at=utcnow()))
    head.active_version = new_version
    await session.flush()
    return new_version
