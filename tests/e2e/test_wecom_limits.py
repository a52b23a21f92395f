"""WeCom's own limits, met by the worker: app messages beyond a per-member rate are dropped
silently (doc 90454), so the worker holds them — an engineer flooded with job cards gets every
one, late rather than never; a card's response code works once, so a retry refused as "already
used" means an earlier attempt did the update."""

from __future__ import annotations

import asyncio
from collections import Counter

from storage.models import OutboxMessage

GROUP = "wr_sh_xuhui"


async def test_messages_beyond_the_per_member_rate_wait_instead_of_being_dropped(start):
    desk = await start(worker={"app_per_member_minute": 2})
    for i, text in enumerate(("空调不制冷", "空调漏水", "空调异响", "空调不出风")):
        await desk.sandbox.say("storesh", f"@小鲸 徐汇店{text}", chatid=GROUP)
        if i:   # the same store and device while #1 is open: opened as a ticket of its own anyway
            await desk.sandbox.say("storesh", "@小鲸 另开新单", chatid=GROUP)

    async def sent_to_zhangwei():
        calls = [c for c in await desk.sandbox.calls("message/send") if not c.get("fault")]
        n = Counter(u for c in calls for u in c["touser"])
        return n if n["zhangwei"] >= 2 else None

    assert await desk.sandbox.wait_for(sent_to_zhangwei, timeout=10)
    await asyncio.sleep(1.0)   # the worker polls many times meanwhile; the limit holds
    sent = await sent_to_zhangwei()
    assert sent["zhangwei"] == 2 and sent["liqiang"] == 2
    from tests.conftest import rows

    held = [m for m in await rows(desk.cfg, OutboxMessage) if m.kind == "app_message" and m.status == "pending"]
    assert sorted(m.dest for m in held) == ["liqiang", "liqiang", "zhangwei", "zhangwei"]
    assert all(m.attempts == 0 for m in held), "a held message has not used up its retries"


async def test_a_card_update_whose_answer_was_lost_is_done_not_failed(desk):
    """A response code works once: when WeCom updated the card but its answer was lost, the retry
    is refused as "already used" — which means done, not a failure to report."""
    sb = desk.sandbox
    await sb.say("storesh", "@小鲸 徐汇店空调不制冷", chatid=GROUP)
    [card] = await sb.wait_for(lambda: sb.job_cards("zhangwei"))
    await sb.fault("lost_reply", api="message/update_template_card", dest="zhangwei")
    await sb.click("zhangwei", card["task_id"], card["button_list"][0]["key"])

    async def settled():
        from tests.conftest import rows

        # The clicked card's update (liqiang's card, greyed by the claim, is another row).
        msgs = [m for m in await rows(desk.cfg, OutboxMessage) if m.kind == "update_card" and m.dest == "zhangwei"]
        return msgs if msgs and all(m.status in ("sent", "failed") for m in msgs) else None

    [row] = await sb.wait_for(settled, timeout=10)
    assert row.status == "sent" and row.attempts == 2
    updates = [c for c in await sb.calls("message/update_template_card")
               if not c.get("fault") and c["touser"] == ["zhangwei"]]
    assert len(updates) == 1
