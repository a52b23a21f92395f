"""Email out, through a real SMTP server (aiosmtplib): the worker's `email` rows."""

from __future__ import annotations

from email.message import EmailMessage

from bot.wecom_api import TransientError, WeComError
from handlers.config import MailConfig


class Mailer:
    def __init__(self, cfg: MailConfig | None) -> None:
        self.cfg = cfg

    async def send(self, to: str, subject: str, text: str) -> None:
        """Sent, or TransientError (the worker retries: the server was away, busy, or said 4xx),
        or a permanent WeComError-shaped failure (no mail server configured, address refused)."""
        import aiosmtplib

        cfg = self.cfg
        if cfg is None or not cfg.smtp_host:
            raise WeComError(-4, "no mail server configured (mail.smtp_host)", retryable=False)
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = cfg.sender, to, subject
        msg.set_content(text)
        try:
            await aiosmtplib.send(msg, hostname=cfg.smtp_host, port=cfg.smtp_port, use_tls=cfg.tls,
                                  start_tls=cfg.starttls and not cfg.tls, username=cfg.username or None,
                                  password=cfg.password or None, timeout=cfg.timeout_s)
        except aiosmtplib.SMTPRecipientsRefused as e:
            raise WeComError(-5, f"mail refused for the recipient: {e}", retryable=False) from None
        except aiosmtplib.SMTPResponseException as e:
            if 400 <= e.code < 500:
                raise TransientError(f"SMTP {e.code}") from None
            raise WeComError(-5, f"SMTP {e.code}: {e.message}", retryable=False) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as e:
            raise TransientError(f"SMTP {type(e).__name__}") from None
