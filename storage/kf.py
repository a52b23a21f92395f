"""微信客服 state: each account's read position, each customer's store and answer window."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import KfContact, KfCursor, utcnow

WINDOW = timedelta(hours=48)   # WeCom: answers only within 48 h of the customer's last message …
PER_WINDOW = 5                 # … and at most 5 of them (doc 94677; errcodes 95001 / 95002)


async def cursor(session: AsyncSession, open_kfid: str) -> str:
    row = await session.get(KfCursor, open_kfid)
    return row.cursor if row is not None else ""


async def save_cursor(session: AsyncSession, open_kfid: str, value: str) -> None:
    row = await session.get(KfCursor, open_kfid)
    if row is None:
        session.add(KfCursor(open_kfid=open_kfid, cursor=value, updated_at=utcnow()))
    else:
        row.cursor, row.updated_at = value, utcnow()


async def contact(session: AsyncSession, open_kfid: str, external_userid: str) -> KfContact | None:
    return await session.get(KfContact, (open_kfid, external_userid))


async def customer_wrote(session: AsyncSession, open_kfid: str, external_userid: str, at: datetime | None, *,
                         chatid: str | None = None, scene_param: str | None = None) -> KfContact:
    """A message (at = its time: the window reopens) or an entry through a store's QR code
    (chatid, scene_param: the customer is that store's from now on)."""
    row = await contact(session, open_kfid, external_userid)
    if row is None:
        row = KfContact(open_kfid=open_kfid, external_userid=external_userid, sent_since=0)
        session.add(row)
    if at is not None and (row.last_customer_at is None or at >= row.last_customer_at):
        row.last_customer_at, row.sent_since = at, 0
    if chatid is not None:
        row.chatid, row.scene_param = chatid, scene_param
    row.updated_at = utcnow()
    await session.flush()
    return row


async def take_slot(session: AsyncSession, open_kfid: str, external_userid: str,
                    now: datetime | None = None) -> str | None:
    """Use one of the window's answers; None if taken, else why the window is closed. One
    conditional UPDATE, so two workers never both take the fifth."""
    now = now or utcnow()
    res = await session.execute(
        update(KfContact).where(KfContact.open_kfid == open_kfid, KfContact.external_userid == external_userid,
                                KfContact.last_customer_at >= now - WINDOW, KfContact.sent_since < PER_WINDOW)
        .values(sent_since=KfContact.sent_since + 1).execution_options(synchronize_session=False))
    if res.rowcount == 1:
        return None
    row = (await session.execute(select(KfContact.last_customer_at, KfContact.sent_since).where(
        KfContact.open_kfid == open_kfid, KfContact.external_userid == external_userid))).first()
    if row is None or row.last_customer_at is None:
        return "the customer has not written to us"
    if row.last_customer_at < now - WINDOW:
        return "more than 48 h since the customer's last message"
    return f"{PER_WINDOW} messages already sent since the customer's last message"
