"""CSAT: the customer rates a completed job; a low rating alerts the region's managers and opens
a follow-up ticket linked to the first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from handlers.messages import t
from handlers import earnings, notify, permissions
from handlers.context import Context
from handlers.registry import handles
from handlers.tickets import store_create
from handlers.replies import Reply
from handlers.words import Words, words_of
from storage import tickets as store
from storage.models import Person, Ticket


@handles("rate_service", action="action_rate_service")
async def rate_service(ctx: Context, entities: dict[str, Any]) -> Reply:
    rating = entities.get("rating")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        return Reply(markdown=t(ctx.lang, "csat.which"))
    ticket = await _ticket_to_rate(ctx, entities)
    if isinstance(ticket, Reply):
        return ticket
    refusal = permissions.can_rate(ctx, ticket)
    if refusal:
        return Reply(markdown=refusal)
    if ticket.rating is not None:
        return Reply(markdown=t(ctx.lang, "csat.already", id=ticket.id, rating=ticket.rating))
    if ticket.status != "completed":
        return Reply(markdown=t(ctx.lang, "csat.not_yet", id=ticket.id, status=t(ctx.lang, f"status.{ticket.status}")))
    await store.update_fields(ctx.session, ticket, rating=rating)
    await store.transition(ctx.session, ticket, "confirmed", actor=ctx.userid, reason=f"rated {rating}/5", now=ctx.now)
    await earnings.after_rating(ctx, ticket, rating)   # a split weighted by rating moves by correction lines
    comment = words_of(entities.get("_text", ""), ctx.lang)
    if ticket.assignee:
        await ctx.session.execute(update(Person).where(Person.userid == ticket.assignee).values(
            rating_sum=Person.rating_sum + rating, rating_count=Person.rating_count + 1))
        # The engineer hears how the job went, and what the customer said, in their language.
        ctx.send_text(ticket.assignee, notify.with_words(
            t(ctx.language_of(ticket.assignee), "csat.to_engineer", id=ticket.id, rating=rating), comment),
            ticket.id, words=comment)
    if rating <= ctx.cfg.escalation.csat_alert_at_or_below:
        follow_up = await _follow_up(ctx, ticket, rating, comment)
        return Reply(markdown=t(ctx.lang, "csat.low", id=ticket.id, follow_up=follow_up.id))
    return Reply(markdown=t(ctx.lang, "csat.thanks", id=ticket.id, rating=rating))


async def _ticket_to_rate(ctx: Context, entities: dict[str, Any]) -> Ticket | Reply:
    number = entities.get("ticket")
    if number is not None:
        ticket = await store.get_ticket(ctx.session, int(number))
        return ticket if ticket is not None else Reply(markdown=t(ctx.lang, "claim.no_ticket", id=number))
    if not ctx.chatid:
        return Reply(markdown=t(ctx.lang, "csat.which"))
    ticket = await store.latest_completed_unrated(ctx.session, ctx.chatid)
    return ticket if ticket is not None else Reply(markdown=t(ctx.lang, "csat.nothing"))


async def _follow_up(ctx: Context, ticket: Ticket, rating: int, comment: Words | None) -> Ticket:
    follow = await store_create(
        ctx, reason=f"follow-up of #{ticket.id} rated {rating}/5", skill=ticket.skill, region=ticket.region,
        city=ticket.city, urgency="urgent", description=t(ticket.language, "csat.follow_up_desc", id=ticket.id, rating=rating),
        reporter=ctx.userid, chatid=ticket.chatid, source="csat", language=ticket.language, template=ticket.template,
        template_version=ticket.template_version, dispatch_mode="assign", parent_id=ticket.id,
        data={"store": (ticket.data or {}).get("store")} if (ticket.data or {}).get("store") else {})
    # The follow-up goes to the managers, who decide who goes back.
    for m in ctx.cfg.managers_of(ticket.region):
        ctx.send_text(m.userid, notify.with_words(t(ctx.language_of(m.userid), "csat.alert", id=ticket.id, rating=rating,
                                                    follow_up=follow.id, engineer=notify.person_name(ctx, ticket.assignee)),
                                                  comment),
                      follow.id, urgent=True, words=comment)
    await store.add_event(ctx.session, ticket.id, "csat_alert", actor="desk", at=ctx.now,
                          reason=f"rated {rating}/5: managers alerted, follow-up #{follow.id}")
    return follow
