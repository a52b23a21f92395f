"""First-time fix (storage/fixes.py `first_time_fix`) on a small set of tickets, computed by hand.

Completed in the window, east unless said:
  #1 hvac, fix shown on the card, one visit                         → first time   (hvac/east/shown)
  #2 hvac, fix shown, waited for parts (waiting_parts → in_progress) → repeat       (hvac/east/shown)
  #3 hvac, no fix shown, one visit                                  → first time   (hvac/east/not shown)
  #4 hvac, no fix shown, arrived on site twice                      → repeat       (hvac/east/not shown)
  #5 hvac, no fix shown, a follow-up ticket #6 points at it         → repeat       (hvac/east/not shown)
  #7 pos, south, fix shown only AFTER completion, completion rejected once → repeat (pos/south/not shown)
  #8 hvac, completed before the window                               → not counted
  #9 hvac, cancelled                                                 → not counted
hvac/east/shown 1 of 2 (50 %); hvac/east/not shown 1 of 3 (33.33 %); pos/south/not shown 0 of 1.
"""

from __future__ import annotations

import datetime as dt


from storage import fixes as kb
from storage import tickets as store

T0 = dt.datetime(2026, 11, 10, 2, 0)
START, END = dt.datetime(2026, 11, 1), dt.datetime(2026, 12, 1)


async def _job(s, *, skill="hvac", region="east", status="completed", done=T0, moves=(), parent=None):
    t = await store.create_ticket(s, actor="storesh", reason="test", status="assigned", skill=skill, region=region,
                                  assignee="zhangwei", now=done - dt.timedelta(hours=3), parent_id=parent)
    for frm, to in [("assigned", "on_site"), *moves, ("in_progress", status)]:
        await store.add_event(s, t.id, "status", actor="zhangwei", from_status=frm, to_status=to, at=done)
    await store.transition(s, t, status, actor="zhangwei", now=done)
    if status != "cancelled":
        await store.update_fields(s, t, completed_at=done)
    return t.id


async def test_first_time_fix_by_skill_region_and_shown(db):
    async with db.transaction() as s:
        fix, _ = await kb.upsert(s, {"key": "e5", "skill": "hvac", "title": {"zh": "E5"}, "codes": ["E5"]}, now=T0)
        t1 = await _job(s)
        t2 = await _job(s, moves=[("on_site", "waiting_parts"), ("waiting_parts", "in_progress")])
        t3 = await _job(s)
        t4 = await _job(s, moves=[("in_progress", "on_site")])   # a second arrival
        t5 = await _job(s)
        await _job(s, status="new", done=T0 + dt.timedelta(days=1), parent=t5)  # the follow-up (open)
        t7 = await _job(s, skill="pos", region="south",
                        moves=[("in_progress", "awaiting_approval"), ("awaiting_approval", "in_progress")])
        await _job(s, done=dt.datetime(2026, 10, 20))
        await _job(s, status="cancelled")
        kb.record_shown(s, t1, [fix.id], userid="zhangwei", where="card", at=T0 - dt.timedelta(hours=3))
        kb.record_shown(s, t2, [fix.id], userid="zhangwei", where="request", at=T0 - dt.timedelta(hours=1))
        kb.record_shown(s, t7, [fix.id], userid="zhangwei", where="request", at=T0 + dt.timedelta(hours=1))
    async with db.sessions() as s:
        got = await kb.first_time_fix(s, start=START, end=END)
    table = {(r.skill, r.region, r.shown): (r.closed, r.first_time, r.rate, r.tickets, r.repeats) for r in got}
    assert table == {
        ("hvac", "east", True): (2, 1, 0.5, [t1, t2], [t2]),
        ("hvac", "east", False): (3, 1, 0.3333, [t3, t4, t5], [t4, t5]),
        ("pos", "south", False): (1, 0, 0.0, [t7], [t7]),
    }
    async with db.sessions() as s:
        only_south = await kb.first_time_fix(s, start=START, end=END, regions=["south"])
    assert [(r.skill, r.closed) for r in only_south] == [("pos", 1)]
