"""Money as a reader sees it: in the job's currency, and in their own beside it at the stored
rate when the two differ ("1650.21 THB ≈ 331.70 CNY"). The job's currency stays the amount of
record; the other is a reading aid, converted once with the rate the ledger would use."""

from __future__ import annotations

import datetime as dt

from handlers.config import Config
from handlers.context import Context
from handlers.messages import t


def reader_currency(cfg: Config, userid: str | None) -> str | None:
    person = cfg.person(userid)
    if person is None:
        return None
    if person.currency:
        return person.currency
    region = cfg.region(person.regions[0]) if person.regions else None
    return region.currency if region else None


def also_in_own(ctx: Context, minor: int, currency: str, userid: str, on: dt.date | None = None) -> str:
    """" ≈ 331.70 CNY" for a reader who counts in another currency; "" when it is the same, or
    when no rate is configured (an amount is never guessed)."""
    own = reader_currency(ctx.cfg, userid)
    if ctx.settlement is None or own is None or own == currency:
        return ""
    from settlement import Money, convert, format_minor
    from storage.ledger import rate_on

    rate = rate_on(ctx.settlement, currency, own, on or ctx.now.date())
    if rate is None:
        return ""
    return " " + t(ctx.language_of(userid), "money.approx",
                   amount=format_minor(convert(Money(minor, currency), rate).amount, own), currency=own)
