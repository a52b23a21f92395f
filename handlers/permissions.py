"""Who may do what, in one place. Each check returns None (allowed) or the sentence that says why
not, in the asker's language. Roles come from config: customer, engineer, manager, admin;
managers act only within their regions."""

from __future__ import annotations

from handlers.messages import t
from handlers.context import Context
from handlers.lifecycle import BEFORE_SITE, DONE
from storage.models import Ticket

STAFF = {"engineer", "manager", "admin"}


def _roles(ctx: Context) -> set[str]:
    return set(ctx.roles)


def manages(ctx: Context, region: str | None) -> bool:
    roles = _roles(ctx)
    if "admin" in roles:
        return True
    return "manager" in roles and ctx.person is not None and region in ctx.person.regions


def is_customer_of(ctx: Context, ticket: Ticket) -> bool:
    return ticket.reporter == ctx.userid or (ticket.chatid is not None and ticket.chatid == ctx.chatid)


def can_view(ctx: Context, ticket: Ticket) -> str | None:
    roles = _roles(ctx)
    if is_customer_of(ctx, ticket) or manages(ctx, ticket.region) or ticket.assignee == ctx.userid:
        return None
    if "engineer" in roles and ctx.person is not None and ticket.region in ctx.person.regions:
        return None
    # Same answer as a ticket that does not exist: a customer must not learn other stores' tickets.
    return t(ctx.lang, "claim.no_ticket", id=ticket.id)


def can_claim(ctx: Context, ticket: Ticket, skill_name: str, region_name: str, *, offered: bool = False) -> str | None:
    """`offered`: the desk offered this engineer the job (routing may widen to a neighbouring region
    when the ticket's own has nobody), so their region is not a reason to refuse."""
    if "engineer" not in _roles(ctx) or ctx.person is None:
        return t(ctx.lang, "claim.not_engineer")
    if ticket.skill not in ctx.person.skills or not (offered or ticket.region in ctx.person.regions):
        return t(ctx.lang, "claim.not_qualified", id=ticket.id, skill=skill_name, region=region_name)
    return None


def can_work(ctx: Context, ticket: Ticket) -> str | None:
    """Report progress, parts, delay or completion: the assignee, or a manager of the region."""
    if ticket.assignee == ctx.userid or manages(ctx, ticket.region):
        return None
    if "engineer" not in _roles(ctx) and not manages(ctx, ticket.region):
        return t(ctx.lang, "perm.staff_only", id=ticket.id)
    return t(ctx.lang, "perm.not_assignee", id=ticket.id)


def can_cancel(ctx: Context, ticket: Ticket) -> str | None:
    if manages(ctx, ticket.region) or ticket.assignee == ctx.userid or ticket.status in DONE:
        return None  # (a finished ticket gets "not possible now" from the lifecycle instead)
    if is_customer_of(ctx, ticket) and not (STAFF & _roles(ctx)):
        if ticket.status in BEFORE_SITE:
            return None
        return t(ctx.lang, "cancel.too_late", id=ticket.id)
    return t(ctx.lang, "perm.cancel", id=ticket.id)


def can_rate(ctx: Context, ticket: Ticket) -> str | None:
    if is_customer_of(ctx, ticket) and not (STAFF & _roles(ctx)):
        return None
    return t(ctx.lang, "perm.rate", id=ticket.id)


def can_approve(ctx: Context, ticket: Ticket, role: str) -> str | None:
    if role == "admin" and "admin" not in _roles(ctx):
        return t(ctx.lang, "perm.approve", id=ticket.id)
    if manages(ctx, ticket.region):
        return None
    return t(ctx.lang, "perm.approve", id=ticket.id)


def can_report_for_others(ctx: Context) -> bool:
    return bool(STAFF & _roles(ctx))
