"""People and groups: config is the source of truth, mirrored into tables for indexed routing."""

from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Group, Person, PersonRegion, PersonSkill


async def sync_directory(session: AsyncSession, people: Iterable[Any], groups: Iterable[Any]) -> None:
    """Upsert people and groups from config; people no longer in config are deactivated."""
    people = list(people)
    known = {p.userid for p in people}
    existing = {p.userid: p for p in (await session.scalars(select(Person))).all()}
    for p in people:
        row = existing.get(p.userid) or Person(userid=p.userid)
        row.name, row.roles, row.city = p.name, list(p.roles), p.city
        row.languages, row.capacity, row.active = list(p.languages), p.capacity, True
        row.timezone, row.working_hours = p.timezone, p.working_hours
        session.add(row)
    for userid, row in existing.items():
        if userid not in known:
            row.active = False
    await session.flush()
    await session.execute(delete(PersonSkill).where(PersonSkill.userid.in_(known)))
    await session.execute(delete(PersonRegion).where(PersonRegion.userid.in_(known)))
    session.add_all(PersonSkill(userid=p.userid, skill=s) for p in people for s in set(p.skills))
    session.add_all(PersonRegion(userid=p.userid, region=r) for p in people for r in set(p.regions))
    for g in groups:
        row = await session.get(Group, g.chatid) or Group(chatid=g.chatid)
        row.name, row.kind, row.region, row.city = g.name, g.kind, g.region, g.city
        row.language, row.webhook_key = g.language, g.webhook_key
        session.add(row)
