"""微信客服 (WeChat customer service): customers outside the company, writing from plain WeChat.

WeCom's callback (`kf_msg_or_event`) only says that an account has something new; the messages
are read with kf/sync_msg from the account's stored cursor (doc 94670). Each customer message
becomes an `Inbound(channel="kf")` that the Desk handles like any other, answered through the
outbox (`kf_message`, kf/send_msg). The message's own msgid is its dedup key, so a page read
twice — two callbacks at once, a process that died before saving the cursor — is handled once;
the cursor is saved only after its page was handled, so nothing is skipped either.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timezone
from typing import Any

from handlers.config import Config
from handlers.dispatch import is_menu_tap
from handlers.desk import Desk
from handlers.event import Inbound
from handlers.messages import t
from bot.inbound import BadPayload, field as _field
from bot.wecom_api import WeComClient
from storage import deliveries, kf as kf_store, outbox
from storage.cache import Cache, lock
from storage.db import Database

log = logging.getLogger("wecom_desk.kf")
PAGE = 1000             # sync_msg's largest page
READ_LOCK_S = 60        # one reader per account at a time; a dead reader's lock lapses after this
CUSTOMER, EVENT = 3, 4  # sync_msg `origin`: a WeChat customer's message, a system event


def kf_event(fields: dict[str, str]) -> tuple[str, str | None] | None:
    """(open_kfid, token) of a decrypted app callback that is a 微信客服 notice, else None."""
    if fields.get("MsgType") != "event" or fields.get("Event") != "kf_msg_or_event":
        return None
    open_kfid = _field(fields.get("OpenKfId"), "open_kfid", required=True)
    assert open_kfid is not None
    return open_kfid, _field(fields.get("Token"), "token")


class KfReader:
    def __init__(self, cfg: Config, db: Database, cache: Cache, client: WeComClient, desk: Desk) -> None:
        self.cfg, self.db, self.cache, self.client, self.desk = cfg, db, cache, client, desk

    def known(self, open_kfid: str) -> bool:
        return any(a.open_kfid == open_kfid for a in self.cfg.wecom.kf.accounts)

    async def read(self, open_kfid: str, token: str | None = None) -> int:
        """Read and handle everything new on one account; returns how many items were read.
        CacheUnavailable, TransientError and WeComError reach the caller (the callback answers
        503 and WeCom delivers the notice again)."""
        handled = 0
        async with lock(self.cache, f"kf-read:{open_kfid}", ttl=READ_LOCK_S, wait=READ_LOCK_S):
            async with self.db.sessions() as session:
                cursor = await kf_store.cursor(session, open_kfid)
            while True:
                page = await self.client.kf_sync_msg(open_kfid, cursor, token, PAGE)
                for item in page.get("msg_list") or []:
                    if isinstance(item, dict):
                        await self._one(open_kfid, item)
                        handled += 1
                cursor = str(page.get("next_cursor") or cursor)
                async with self.db.transaction() as session:
                    await kf_store.save_cursor(session, open_kfid, cursor)
                # An empty page may still say has_more (doc 94670): follow has_more, not the page.
                if not page.get("has_more"):
                    return handled

    async def _one(self, open_kfid: str, item: dict[str, Any]) -> None:
        origin, msgtype = item.get("origin"), item.get("msgtype")
        if origin == EVENT and msgtype == "event":
            await self._event(open_kfid, item.get("event") or {}, item)
        elif origin == CUSTOMER:
            await self._message(open_kfid, item)
        # origin 5 is our own staff typing in WeCom's client: not a request to the desk.

    async def _message(self, open_kfid: str, item: dict[str, Any]) -> None:
        try:
            external = _field(item.get("external_userid"), "userid", required=True)
            msgid = _field(item.get("msgid"), "msgid", required=True)
            text = _field((item.get("text") or {}).get("content") if isinstance(item.get("text"), dict) else None,
                          "text") or ""
        except BadPayload as e:
            log.warning("kf %s: skipping a malformed message (%s)", open_kfid, e)
            return
        assert external is not None and msgid is not None
        async with self.db.transaction() as session:
            contact = await kf_store.customer_wrote(session, open_kfid, external, _when(item.get("send_time")))
            chatid = contact.chatid
        msgtype = str(item.get("msgtype") or "")
        kind = "text" if msgtype == "text" else "unsupported"
        # A tap on a menu item comes as text with the item's menu_id. The confirmation menu's ids
        # are the card buttons' ("answer:1"): read like a tap, whatever the item's text says.
        menu_id = (item.get("text") or {}).get("menu_id") if isinstance(item.get("text"), dict) else None
        event_key = menu_id if isinstance(menu_id, str) and is_menu_tap(menu_id) else None
        inbound = Inbound("kf", "card_click" if event_key else kind, f"kf:{msgid}", external,
                          chatid=chatid, text=text, msgid=msgid, msgtype=msgtype, account=open_kfid, event_key=event_key)
        await self.desk.receive(inbound)

    async def _event(self, open_kfid: str, event: dict[str, Any], item: dict[str, Any]) -> None:
        if not isinstance(event, dict) or event.get("event_type") != "enter_session":
            return
        external = event.get("external_userid")
        if not isinstance(external, str) or not external or len(external) > 64:
            return
        scene = event.get("scene_param") if isinstance(event.get("scene_param"), str) else None
        chatid = self.cfg.wecom.kf.scenes.get(scene or "")
        group = self.cfg.group(chatid)
        # Events may come without a msgid: their content is their identity.
        key = "kf:" + str(item.get("msgid") or hashlib.sha256(
            json.dumps(item, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:40])
        async with self.db.transaction() as session:
            if await deliveries.stored(session, key) is not None:
                return
            await kf_store.customer_wrote(session, open_kfid, external, None, chatid=chatid,
                                          scene_param=scene[:128] if scene else None)
            code = event.get("welcome_code")
            if isinstance(code, str) and code:
                lang = group.language if group is not None else "zh"
                text = (t(lang, "kf.welcome", store=group.store or group.name) if group is not None
                        else t(lang, "kf.welcome_any"))
                await outbox.write(session, [outbox.row("kf_welcome", code, {"msgtype": "markdown",
                                                                             "markdown": {"content": text}})])
            await deliveries.record(session, key=key, channel="kf", userid=external, chatid=chatid,
                                    intent=None, outcome="ignored", reply=None, stream_id=None)
        log.info("kf %s: %s entered%s", open_kfid, external, f" through {scene!r}" if scene else "")


def _when(send_time: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(send_time), tz=timezone.utc).replace(tzinfo=None)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
