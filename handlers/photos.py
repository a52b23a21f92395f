"""Photos and files sent in chat, attached to the ticket they belong to.

The edge fetched them (bot/media.py: the AI bot's encrypted download, the app's media/get), checked
what the bytes are and how big, and the desk wrote them to the file store before this transaction
(handlers/desk.py); here the desk decides which ticket they belong to and records the rows. When
no row is recorded (no ticket found, a refusal), the desk deletes the files again.

Which ticket: the one the message quotes (a job card, the bot's answer), else "#12" in the text
that came with it, else the sender's newest open ticket in that chat (an engineer's newest open
job, in a 1:1), else — when the text reads as a report — the ticket that report opens. "完工" sent
with photos records them as after-photos (`AFTER`) and then completes; a template with
`require_after_photos` refuses a completion without any (handlers/completion.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Awaitable, Callable

from handlers.completion import AFTER   # … sent with "完工": an after-photo
from handlers.context import Context
from handlers.event import Inbound
from handlers.messages import t
from handlers import permissions
from handlers.dispatch import dispatch
from handlers.registry import handles
from handlers.replies import Reply
from handlers.tickets import find_ticket
from storage import attachments
from storage import tickets as store
from storage.attachments import Upload
from storage.models import Ticket

ATTACH = "attach_photo"
CHAT = "chat"          # attachments.source of a photo or file sent in chat
REPORTS = ("create_ticket", "confirm_report")
# The text's own intent also runs when it is one of these; anything else ("#12" alone reads as a
# status question) only names the ticket.
WITH_TEXT = ("update_progress",)


@dataclass(frozen=True)
class Fetched:
    """What the edge got for a message's media: the accepted files, or why none is taken (a
    catalog key, its variables). One bad file refuses the message: nothing of it is stored."""
    uploads: list[Upload] = field(default_factory=list)
    refused: str | None = None
    values: dict[str, Any] = field(default_factory=dict)


MediaFetch = Callable[[Inbound], Awaitable[Fetched]]


def received(lang: str, ticket_id: int, files: list[Upload]) -> str:
    key = "photo.received" if all(u.is_image for u in files) else "photo.files_received"
    return t(lang, key, id=ticket_id, n=len(files))


@handles(ATTACH)   # anyone who may write to the desk; the ticket's own rules apply below
async def attach_photo(ctx: Context, entities: dict[str, Any]) -> Reply:
    files: list[Upload] = entities["_files"]
    intent = entities.get("_intent") or "unknown"
    rest = {k: v for k, v in entities.items() if k not in ("_files", "_intent")}
    if intent == "complete_job":
        return await _complete_with(ctx, rest, files)
    if intent in REPORTS and rest.get("ticket") is None:
        return await _report_with(ctx, rest, files)
    found = await _ticket_for(ctx, rest)
    if isinstance(found, Reply):
        return found
    text_reply = await dispatch(ctx, intent, rest) if intent in WITH_TEXT else None
    said = await attach(ctx, found, files, source=CHAT)
    return Reply(markdown="\n".join(filter(None, [text_reply.markdown if text_reply else "", said])))


async def attach(ctx: Context, ticket: Ticket, files: list[Upload], *, source: str) -> str:
    """Record the files on the ticket (rows and an audit event) and tell who should know: the
    ticket's group when the sender wrote elsewhere, its engineer with the ticket page's link.
    Returns what the sender is told."""
    await attachments.record(ctx.session, ticket.id, files, source=source, uploaded_by=ctx.userid)
    await store.add_event(ctx.session, ticket.id, "attachment", actor=ctx.userid,
                          reason=f"{len(files)} file(s) from {ctx.channel} chat" + (" (after)" if source == AFTER else ""),
                          data={"source": source, "files": [u.key for u in files]}, at=ctx.now)
    ctx.log["ticket"], ctx.log["attached"] = ticket.id, len(files)
    group = ctx.cfg.group(ticket.chatid)
    if group is not None and ticket.chatid != ctx.chatid:   # in its own group the reply says it already
        ctx.push_group(ticket.chatid, received(group.language, ticket.id, files), ticket.id)
    if ticket.assignee and ticket.assignee != ctx.userid:
        lang = ctx.language_of(ticket.assignee)
        ctx.send_text(ticket.assignee, received(lang, ticket.id, files) + "\n" + t(
            lang, "photo.see_page", url=ctx.ticket_url(ticket.id)), ticket.id)
    return received(ctx.lang, ticket.id, files)


async def _ticket_for(ctx: Context, entities: dict[str, Any]) -> Ticket | Reply:
    if entities.get("ticket") is not None:   # quoted or "#12": that one, if the sender may see it
        return await find_ticket(ctx, {"ticket": entities["ticket"]})
    ticket = await store.latest_open_of_reporter(ctx.session, ctx.userid, ctx.chatid)
    if ticket is None and "engineer" in ctx.roles:
        jobs = [tk for tk in await store.open_tickets_of_assignee(ctx.session, ctx.userid)
                if not ctx.chatid or tk.chatid == ctx.chatid]
        ticket = jobs[0] if jobs else None
    return ticket if ticket is not None else Reply(markdown=t(ctx.lang, "photo.no_ticket"))


async def _report_with(ctx: Context, entities: dict[str, Any], files: list[Upload]) -> Reply:
    """A report with its photo: a picture of the broken thing makes it no doubtful report, so it
    is not asked about first. The photos go to the ticket it opens; a report that still lacks
    something (a city) asks for it, and the photos are not kept."""
    reply = await dispatch(ctx, "create_ticket", {**entities, "_confirmed": True})
    opened = ctx.log.get("ticket")
    ticket = await store.get_ticket(ctx.session, int(opened)) if opened is not None and reply.pending is None else None
    if ticket is None:
        return replace(reply, markdown="\n".join(filter(None, [reply.markdown, t(ctx.lang, "photo.no_ticket")])))
    said = await attach(ctx, ticket, files, source=CHAT)
    return replace(reply, markdown=reply.markdown + "\n" + said)


async def _complete_with(ctx: Context, entities: dict[str, Any], files: list[Upload]) -> Reply:
    """"#12 完工" with photos: they are the after-photos, recorded before the completion so that
    a template requiring them sees them."""
    found = await find_ticket(ctx, entities, mine=True)
    if isinstance(found, Reply):
        return found
    refusal = permissions.can_work(ctx, found)
    if refusal:
        return Reply(markdown=refusal)
    said = await attach(ctx, found, files, source=AFTER)
    reply = await dispatch(ctx, "complete_job", {**entities, "ticket": found.id})
    return replace(reply, markdown="\n".join(filter(None, [reply.markdown, said])))
