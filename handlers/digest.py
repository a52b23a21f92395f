"""Email when chat is quiet: the notices quiet hours held overnight, in one mail per person when
their morning comes — with a link to each ticket — beside the WeCom messages themselves."""

from __future__ import annotations

from datetime import timedelta

from handlers.context import Context
from handlers.messages import t
from storage import mail

WINDOW = timedelta(hours=24)   # a digest covers notices whose morning came in the last day


async def send_digests(ctx: Context) -> int:
    """One scheduler pass: every person with an email whose held notices came due gets them."""
    if not ctx.cfg.mail.smtp_host:
        return 0
    people = {p.userid: p for p in ctx.cfg.people if p.email}
    rows = await mail.held_and_due(ctx.session, list(people), ctx.now, ctx.now - WINDOW)
    by_person: dict[str, list] = {}
    for row in rows:
        by_person.setdefault(row.dest, []).append(row)
    for userid, held in by_person.items():
        person = people[userid]
        lang = ctx.language_of(userid)
        lines = []
        for row in held:
            lines.append("• " + _text(row.payload))
            if row.ticket_id:
                lines.append("  " + ctx.ticket_url(row.ticket_id))
        ctx.send_email(person.email or "", t(lang, "mail.digest.subject", n=len(held)),
                       t(lang, "mail.digest.intro", name=person.name) + "\n\n" + "\n".join(lines))
        await mail.mark_digested(ctx.session, [r.id for r in held], ctx.now)
    return len(rows)


def _text(payload: dict) -> str:
    if "card" in payload:
        card = payload["card"]
        return " — ".join(x for x in (card.get("title"), card.get("desc")) if x)
    return (payload.get("markdown") or {}).get("content", "").replace("**", "").strip()
