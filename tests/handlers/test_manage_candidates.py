"""`handlers.manage.candidates`: who the web's assign form offers for a ticket — the router's own
ranking for those it would pick, then everyone else with what rules them out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from handlers.context import Context
from handlers.manage import Candidate, candidates
from handlers.routing import find_route
from storage import tickets as store
from storage.db import Database
from tests.conftest import base_config_data, make_config
from tests.handlers.conftest import prepared

NOW = datetime(2026, 3, 2, 4, 0)   # naive UTC: 12:00 in Shanghai
MIKE = {"userid": "mike", "name": "Mike", "roles": ["engineer"], "skills": ["hvac"], "regions": ["east"],
        "city": "上海", "languages": ["en"], "capacity": 3}


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[tuple[Any, Database]]:
    people = base_config_data()["people"] + [MIKE]
    for p in people:
        if p["userid"] == "liqiang":
            p["working_hours"] = "20:00-21:00"   # off duty at NOW
        if p["userid"] == "zhangwei":
            p["capacity"] = 2
    cfg = make_config(tmp_path, people=people)
    async with prepared(cfg) as db:
        yield cfg, db


async def _ticket(session: Any, *, city: str = "上海", region: str = "east", **fields: Any) -> Any:
    return await store.create_ticket(session, actor="storesh", reason="test", skill="hvac", region=region, city=city,
                                     now=NOW, **fields)


def _ctx(cfg: Any, session: Any) -> Context:
    return Context(cfg=cfg, session=session, cache=None, userid="desk", chatid=None, channel="test",  # type: ignore[arg-type]
                   now=NOW)


def _by_id(found: list[Candidate]) -> dict[str, Candidate]:
    return {c.userid: c for c in found}


async def test_the_routers_order_first_then_everyone_else_with_the_reason(env):
    cfg, db = env
    async with db.transaction() as session:
        ticket = await _ticket(session)
        found = await candidates(session, cfg, ticket, now=NOW)
        routed = await find_route(_ctx(cfg, session), skill="hvac", region="east", city="上海", mode="offer", k=10)
    eligible = [c.userid for c in found if c.eligible]
    assert eligible == [c.userid for c in routed.people], "the router's ranking, not a second one"
    assert set(eligible) == {"zhangwei", "mike"}
    first = found[0]
    assert first.eligible and {"skill hvac", "region east", "same city", "next in rotation", "on duty",
                               "never assigned"} <= set(first.reasons)
    assert f"load 0/{first.capacity}" in first.reasons
    by = _by_id(found)
    # Off duty: ranked by the database, skipped by the router.
    assert not by["liqiang"].eligible and "off duty" in by["liqiang"].reasons
    # Everyone else, with what rules them out: the region, the skill.
    assert not by["liuyang"].eligible and "not in region east" in by["liuyang"].reasons
    assert "no skill hvac" in by["wangfang"].reasons and "no skill hvac" in by["chenjie"].reasons
    assert [c.userid for c in found[-2:]] == ["chenjie", "wangfang"], "those without the skill last"
    assert "zhaomin" not in by and "storesh" not in by, "engineers only"


async def test_load_capacity_declines_and_the_current_assignee(env):
    cfg, db = env
    async with db.transaction() as session:
        for _ in range(2):   # zhangwei's capacity is 2: now full
            await _ticket(session, status="assigned", assignee="zhangwei")
        ticket = await _ticket(session, status="assigned", assignee="mike", data={"declined": ["liqiang"]})
        found = _by_id(await candidates(session, cfg, ticket, now=NOW))
    assert not found["zhangwei"].eligible and "full 2/2" in found["zhangwei"].reasons
    assert (found["zhangwei"].load, found["zhangwei"].capacity) == (2, 2)
    assert not found["mike"].eligible and "current assignee" in found["mike"].reasons
    assert "load 1/3" in found["mike"].reasons
    assert not found["liqiang"].eligible and "declined this job" in found["liqiang"].reasons
    assert not any(c.eligible for c in found.values())


async def test_a_region_without_anyone_widens_to_its_neighbours_as_the_router_does(env):
    cfg, db = env
    async with db.transaction() as session:
        ticket = await _ticket(session, city="武汉", region="central")
        found = await candidates(session, cfg, ticket, now=NOW)
        routed = await find_route(_ctx(cfg, session), skill="hvac", region="central", city="武汉", mode="offer", k=10)
    assert routed.widened_to == "east"
    assert [c.userid for c in found if c.eligible] == [c.userid for c in routed.people]
    assert all("neighbour region east" in c.reasons for c in found if c.eligible)
    # South, central's second neighbour, is tried only when nobody in the east can take it: 刘洋 is
    # listed, not eligible.
    by = _by_id(found)
    assert not by["liuyang"].eligible and "only when nobody in the region can" in by["liuyang"].reasons
