"""SMS out, for escalations: a provider per gateway behind one small interface. `log` writes each
message to the log (the sandbox, a trial run) — a real gateway is another class with `send`."""

from __future__ import annotations

import logging
from typing import Protocol

from handlers.config import SmsConfig

log = logging.getLogger("wecom_desk.sms")


class SmsProvider(Protocol):
    async def send(self, mobile: str, text: str) -> None: ...


class LogSms:
    async def send(self, mobile: str, text: str) -> None:
        log.info("SMS to …%s: %s", mobile[-4:], text)   # a number is personal: its last digits say enough


class NoSms:
    async def send(self, mobile: str, text: str) -> None:
        from bot.wecom_api import WeComError

        raise WeComError(-4, "no SMS provider configured (sms.provider)", retryable=False)


def make_sms(cfg: SmsConfig) -> SmsProvider:
    return LogSms() if cfg.provider == "log" else NoSms()
