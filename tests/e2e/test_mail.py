"""Email when chat is quiet, through a real SMTP server on loopback (aiosmtpd): the morning digest
of notices quiet hours held, and SLA breaches and escalations by mail as well as in WeCom."""

from __future__ import annotations

import asyncio
import email
import email.policy
from email.message import EmailMessage as Message
from typing import Any, Iterator

import pytest

from tests.conftest import base_config_data, free_port
from tests.e2e.test_dispatch_and_sla import _night_offset, templates_with

STORE, GROUP = "storesh", "wr_sh_xuhui"
ADDRESSES = {"zhangwei": "zhangwei@example.com", "zhaomin": "zhaomin@example.com"}


class Inbox:
    """What a real SMTP server received (aiosmtpd runs it in a thread of its own)."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:   # aiosmtpd's hook
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        msg["X-Rcpt"] = ",".join(envelope.rcpt_tos)
        self.messages.append(msg)
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in m["X-Rcpt"]]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    from aiosmtpd.controller import Controller

    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def with_email(**extra: Any) -> dict[str, Any]:
    people = [dict(p, email=ADDRESSES[p["userid"]]) if p["userid"] in ADDRESSES else p
              for p in base_config_data()["people"]]
    return {"people": people, **extra}


def body(msg: Message) -> str:
    return msg.get_content()


async def wait_mail(inbox: Inbox, address: str, n: int = 1, timeout: float = 10) -> list[Message]:
    for _ in range(int(timeout / 0.05)):
        if len(inbox.to(address)) >= n:
            return inbox.to(address)
        await asyncio.sleep(0.05)
    return inbox.to(address)


async def test_notices_held_overnight_arrive_as_one_morning_email(start, smtp):
    inbox, port = smtp
    desk = await start(**with_email(quiet_hours={"enabled": True, "start": "22:00", "end": "08:00"},
                                    mail={"smtp_host": "127.0.0.1", "smtp_port": port, "starttls": False}))
    sb = desk.sandbox
    await sb.advance(_night_offset())  # 23:00 in Shanghai
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    await sb.wait_for(lambda: sb.job_cards("zhangwei"))
    await sb.say("zhangwei", "@小鲸 接单 1", chatid="wr_east_dispatch")
    await sb.say(STORE, "@小鲸 取消工单 1 不用修了", chatid=GROUP)   # zhangwei's notice waits for 08:00
    await asyncio.sleep(0.5)
    assert inbox.to(ADDRESSES["zhangwei"]) == [], "nothing by mail during the night"
    await sb.advance(9 * 3600 + 60)  # 08:01
    [mail] = await wait_mail(inbox, ADDRESSES["zhangwei"])
    assert "1" in mail["Subject"] and "暂缓" in mail["Subject"]
    text = body(mail)
    assert "张伟" in text and "取消" in text and "/tickets/1?sig=" in text
    await asyncio.sleep(0.5)   # many scheduler passes later: still one mail
    assert len(inbox.to(ADDRESSES["zhangwei"])) == 1


async def test_an_sla_breach_reaches_the_manager_by_mail_too(start, smtp):
    inbox, port = smtp
    desk = await start(**with_email(templates=templates_with(hvac_repair={"sla": "critical", "offer_timeout_s": 86400}),
                                    mail={"smtp_host": "127.0.0.1", "smtp_port": port, "starttls": False}))
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    await sb.advance(25 * 60)   # the 80 % nudge: chat only
    await asyncio.sleep(0.5)
    assert inbox.messages == []
    await sb.advance(6 * 60)    # past the deadline: the breach
    [mail] = await wait_mail(inbox, ADDRESSES["zhaomin"])
    assert "#1" in mail["Subject"] and "超时" in body(mail) and "/tickets/1?sig=" in body(mail)


async def test_with_the_mail_server_away_the_mail_waits_and_nothing_else_does(start, smtp):
    inbox, port = smtp
    dead = free_port()   # nothing listens here
    desk = await start(**with_email(templates=templates_with(hvac_repair={"sla": "critical", "offer_timeout_s": 86400}),
                                    mail={"smtp_host": "127.0.0.1", "smtp_port": dead, "starttls": False},
                                    worker={"max_attempts": 50}))
    sb = desk.sandbox
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    await sb.advance(31 * 60)
    breach = await sb.wait_for(lambda: sb.texts("zhaomin"))
    assert breach, "WeCom still gets the breach at once"
    from storage.models import OutboxMessage
    from tests.conftest import rows

    async def retried():
        mails = [m for m in await rows(desk.cfg, OutboxMessage) if m.kind == "email"]
        return mails if mails and all(m.attempts >= 2 and m.status in ("pending", "sending") for m in mails) else None

    mails = await sb.wait_for(retried, timeout=10)
    assert mails and "SMTP" in mails[0].last_error, "kept for a retry, with the reason"


async def test_with_an_sms_provider_a_breach_is_texted_to_the_managers_mobile(start, caplog):
    import logging

    people = [dict(p, mobile="+86 138 0000 5678") if p["userid"] == "zhaomin" else p
              for p in base_config_data()["people"]]
    desk = await start(people=people, sms={"provider": "log"},
                       templates=templates_with(hvac_repair={"sla": "critical", "offer_timeout_s": 86400}))
    sb = desk.sandbox
    caplog.set_level(logging.INFO, logger="wecom_desk.sms")
    await sb.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    await sb.advance(31 * 60)

    async def texted():
        return [r.getMessage() for r in caplog.records if r.name == "wecom_desk.sms"] or None

    [line] = await sb.wait_for(texted, timeout=10)
    assert line.startswith("SMS to …5678:") and "#1" in line and "超时" in line
    assert "138" not in line, "the number itself is not logged"
