"""Signed links a card or a message carries: the ticket page and the settlement report. The desk
makes them, the web pages (bot/pages.py, bot/reports.py) check them — one signing rule for both.

Ticket ids are guessable, so every link is an HMAC over what it shows (with the app secret);
a report link also expires, so a forwarded one shows no more than its card, and not for ever."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time
from typing import Sequence
from urllib.parse import urlencode

REPORT_TTL_S = 7 * 24 * 3600


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time equality of a presented secret (a signature, a token) and the expected one.
    Bytes, not str: `hmac.compare_digest` raises on non-ASCII str, and what people send is anything."""
    return hmac.compare_digest((given or "").encode(), expected.encode())


def ticket_signature(secret: str, ticket_id: int) -> str:
    return hmac.new(secret.encode(), f"ticket:{ticket_id}".encode(), hashlib.sha256).hexdigest()[:20]


def check_signature(secret: str, ticket_id: int, sig: str) -> bool:
    return same_secret(sig, ticket_signature(secret, ticket_id))


def _canonical(period: str, tz: str, regions: Sequence[str] | None, person: str | None, exp: int) -> bytes:
    scope = "*" if regions is None else ",".join(regions)
    return f"settlement|{period}|{tz}|{scope}|{person or ''}|{exp}".encode()


def report_signature(secret: str, *, period: str, timezone: str, regions: Sequence[str] | None,
                     person: str | None, exp: int) -> str:
    return hmac.new(secret.encode(), _canonical(period, timezone, regions, person, exp), hashlib.sha256).hexdigest()[:32]


def report_url(base: str, secret: str, *, period: str, timezone: str, regions: Sequence[str] | None = None,
               person: str | None = None, now: dt.datetime | None = None, ttl_s: int = REPORT_TTL_S) -> str:
    # `now` is the desk's clock (naive UTC or aware), so links made in a test move with its time.
    ref = time.time() if now is None else (now if now.tzinfo else now.replace(tzinfo=dt.timezone.utc)).timestamp()
    exp = int(ref) + ttl_s
    params: dict[str, str] = {"period": period, "tz": timezone}
    if regions is not None:
        params["region"] = ",".join(regions)
    if person:
        params["person"] = person
    params["exp"] = str(exp)
    params["sig"] = report_signature(secret, period=period, timezone=timezone, regions=regions, person=person, exp=exp)
    return f"{base}/reports/settlement?{urlencode(params)}"


def store_signature(secret: str, chatid: str) -> str:
    """A store's self-service report link (printed as a QR code in the store): names its group, so
    a store cannot report for another."""
    return hmac.new(secret.encode(), f"report-form:{chatid}".encode(), hashlib.sha256).hexdigest()[:20]


def check_store_signature(secret: str, chatid: str, sig: str) -> bool:
    return same_secret(sig, store_signature(secret, chatid))


def store_report_url(base: str, secret: str, chatid: str) -> str:
    return f"{base}/report?{urlencode({'store': chatid, 'sig': store_signature(secret, chatid)})}"
