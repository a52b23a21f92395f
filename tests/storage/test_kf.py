"""WeCom's answer window for a WeChat customer (微信客服): 5 answers within 48 h of their last
message, counted so that several workers never send a sixth."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from storage import kf
from storage.models import utcnow
from tests.storage.test_outbox import database

ACCOUNT, CUSTOMER = "wk_sandbox_service", "wm_customer_0001"


async def take(db, now=None):
    async with db.transaction() as s:
        return await kf.take_slot(s, ACCOUNT, CUSTOMER, now)


async def test_five_answers_per_message_then_the_customer_must_write_again(tmp_path):
    db = await database(tmp_path)
    try:
        assert await take(db) == "the customer has not written to us"
        async with db.transaction() as s:
            await kf.customer_wrote(s, ACCOUNT, CUSTOMER, utcnow())
        results = await asyncio.gather(*(take(db) for _ in range(8)))   # racing workers
        assert results.count(None) == 5
        assert all(r == "5 messages already sent since the customer's last message" for r in results if r)
        async with db.transaction() as s:
            await kf.customer_wrote(s, ACCOUNT, CUSTOMER, utcnow())
        assert await take(db) is None, "a new message from the customer reopens the window"
    finally:
        await db.close()


async def test_the_window_closes_48_hours_after_the_last_message(tmp_path):
    db = await database(tmp_path)
    try:
        wrote = utcnow() - timedelta(hours=47, minutes=59)
        async with db.transaction() as s:
            await kf.customer_wrote(s, ACCOUNT, CUSTOMER, wrote)
        assert await take(db) is None
        assert await take(db, utcnow() + timedelta(minutes=2)) == "more than 48 h since the customer's last message"
        async with db.transaction() as s:   # an older message read late does not reopen it
            await kf.customer_wrote(s, ACCOUNT, CUSTOMER, wrote - timedelta(hours=1))
        assert await take(db, utcnow() + timedelta(minutes=2)) is not None
    finally:
        await db.close()


async def test_the_read_position_is_kept_per_account(tmp_path):
    db = await database(tmp_path)
    try:
        async with db.transaction() as s:
            assert await kf.cursor(s, ACCOUNT) == ""
            await kf.save_cursor(s, ACCOUNT, "c1")
        async with db.transaction() as s:
            await kf.save_cursor(s, ACCOUNT, "c2")
            await kf.save_cursor(s, "wk_other", "x")
        async with db.transaction() as s:
            assert (await kf.cursor(s, ACCOUNT), await kf.cursor(s, "wk_other")) == ("c2", "x")
    finally:
        await db.close()
