"""Several processes starting at once on one database (a deploy restarting every unit) sync the
config's people, groups and templates one after the other, never into each other."""

from __future__ import annotations

import asyncio

from bot.app import prepare_database, sync_templates
from handlers.desk import Services
from storage.db import Database
from storage.models import Person, PersonSkill
from tests.conftest import PG_URL, make_config, reset_postgres, rows


async def test_processes_starting_together_sync_the_config_without_colliding(tmp_path):
    cfg = make_config(tmp_path)
    if PG_URL:
        await reset_postgres(PG_URL)
    dbs = [Database(cfg.database.url) for _ in range(4)]   # four processes' engines
    try:
        await prepare_database(cfg, dbs[0])                 # the schema and a first sync
        services = Services.from_config(cfg)
        await asyncio.gather(*(prepare_database(cfg, db) for db in dbs),
                             *(sync_templates(db, services) for db in dbs))
    finally:
        for db in dbs:
            await db.close()
    people = await rows(cfg, Person)
    assert sorted(p.userid for p in people) == sorted(p.userid for p in cfg.people)
    skills = await rows(cfg, PersonSkill)
    assert len(skills) == len({(p.userid, s) for p in cfg.people for s in p.skills})
