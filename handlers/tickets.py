"""Customers' side (and staff on a customer's behalf): report, ask where it stands, cancel."""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Any

from handlers.cards import Button, Card, Field, ticket_card, ticket_fields
from handlers.duplicates import SEPARATE_ACTION, asks_about_progress
from handlers.messages import t
from handlers import joint, notify, parts as spare_parts, permissions
from handlers.context import Context
from handlers.labels import location_of, skill_label, template_name
from handlers.lifecycle import Impossible, next_status
from handlers.registry import handles
from handlers.replies import Reply
from handlers.routing import deliver, find_route, offers_ended
from handlers.service_templates import ServiceTemplate
from handlers.words import Words, words_of
from nlu.language import language_of
from storage import tickets as store
from storage.models import Ticket


def ticket_reply_card(ctx: Context, ticket: Ticket, title: str, desc: str) -> Card:
    engineer = ctx.cfg.person(ticket.assignee)
    fields = ticket_fields(ctx.lang, id=ticket.id, skill=template_name(ctx, ticket, ctx.lang) or skill_label(ctx, ticket.skill),
                           location=location_of(ctx, ticket), urgency=ticket.urgency, status=ticket.status,
                           engineer=engineer.name if engineer else ticket.assignee)
    sla = notify.sla_text(ctx, ticket, ctx.lang)
    if sla:
        fields.append(Field("SLA", sla))
    # A joint job says so under its title (the card's rows are full): both branches, the store's first.
    branches = joint.branches_text(ctx.cfg, ticket, ctx.lang)
    return ticket_card(ctx.lang, title=title, desc=desc, url=ctx.ticket_url(ticket.id), fields=fields,
                       quote=t(ctx.lang, "joint.line", branches=branches) if branches else "")


def _ask(ctx: Context, key: str, entities: dict[str, Any], problem: str) -> Reply:
    """Chat asks for what is missing and remembers the rest; an entry that cannot ask back
    (REST) answers `problem` instead."""
    return Reply(markdown=t(ctx.lang, key), pending={"intent": "create_ticket", "entities": entities}, problem=problem)


@handles("create_ticket", action="action_create_ticket")
async def create_ticket(ctx: Context, entities: dict[str, Any]) -> Reply:
    # A system over REST states what chat cannot: the template, the group to keep informed, its
    # own reference. Nothing a chat message says can set those.
    api = ctx.channel == "api"
    skill, found = entities.get("skill"), None
    if api and entities.get("template"):
        found = await ctx.templates.active(ctx.session, entities["template"]) if ctx.templates else None
        if found is None:
            return _ask(ctx, "ask.skill", entities, f"template: unknown template {entities['template']!r}")
        skill = found[1].skill
    if not skill or ctx.cfg.skill(skill) is None:
        return _ask(ctx, "ask.skill", entities,
                    f"skill: unknown skill {skill!r}" if skill else "skill or template is required")
    on_behalf = not api and permissions.can_report_for_others(ctx)
    # Staff report from their own rooms: the place comes from the message, not from the room.
    group = None if on_behalf or api else ctx.group
    city = entities.get("city") or (group.city if group else None)
    if city and ctx.cfg.region_of_city(city) is None and api:
        return _ask(ctx, "ask.city", {**entities, "skill": skill}, f"city: unknown city {city!r}")
    region = entities.get("region")
    if city and not region:
        r = ctx.cfg.region_of_city(city)
        region = r.code if r else None
    region = region or (group.region if group else None)
    if not region or ctx.cfg.region(region) is None:
        return _ask(ctx, "ask.city", {**entities, "skill": skill}, "region: give a known city or region")
    # The store: its group (a WeChat customer's is their store's group; the report page's is the page's).
    chatid = entities.get("chatid") if api else _customer_group(ctx, entities, city) if on_behalf else ctx.chatid
    if chatid and ctx.cfg.routing.attach_repeat_reports and not (entities.get("_separate") or (api and entities.get("separate"))):
        twin = await store.open_twin(ctx.session, chatid, skill)
        if twin is not None:   # the store already has this job open: no second ticket
            return await _to_open_twin(ctx, twin, {**entities, "skill": skill, "city": city, "region": region})
    if found is None:
        found = await ctx.templates.for_skill(ctx.session, skill) if ctx.templates else None
    version, tpl = found if found else (None, ServiceTemplate(code=f"{skill}_repair", skill=skill))
    description = entities.get("_text") or ""
    values = {"city": city, "store": entities.get("store"), "description": description}
    missing = [f.key for f in tpl.fields if f.required and not values.get(f.key)]
    if "city" in missing and region:
        missing.remove("city")  # a region named directly is place enough to route
    if missing:
        return _ask(ctx, f"ask.{missing[0]}" if missing[0] in ("city", "store") else "ask.field",
                    {**entities, "skill": skill}, f"{missing[0]}: required by template {tpl.code!r}")
    urgency = entities.get("urgency") or "normal"
    earlier = await _came_back(ctx, entities)
    extra: dict[str, Any] | None = None
    if api:
        if chatid and ctx.cfg.group(chatid) is None:
            return _ask(ctx, "ask.field", entities, f"chatid: unknown group {chatid!r}")
        ref = entities.get("external_ref")
        reason, source = f"opened through the REST API{' (' + ref + ')' if ref else ''}", entities.get("source") or "api"
        extra = {"external_ref": ref} if ref else None
    else:
        reason = (f"reported by {ctx.name} on behalf of {entities.get('store') or city or region}" if on_behalf
                  else f"reported through 微信客服 by a WeChat customer{' of group ' + ctx.chatid if ctx.chatid else ''}"
                  if ctx.kf_contact else f"reported in {'group ' + ctx.chatid if ctx.chatid else 'a 1:1 chat'}")
        source = "wechat" if ctx.kf_contact else "chat"
        # A WeChat customer is told about progress where they wrote, as a store's group is.
        extra = {"kf": ctx.kf_contact} if ctx.kf_contact else None
        if ctx.channel == "web":   # the store's report page: whoever filled it in, and how to call them
            contact = entities.get("contact") or {}
            reason, source, extra = f"reported on the store's report page by {contact.get('name') or 'a visitor'}", "web", {
                "contact": contact}
    if earlier is not None:
        reason = f"{reason}; follows #{earlier.id}, reported again under its card"
    ticket, people = await open_ticket(ctx, tpl=tpl, version=version, skill=skill, region=region, city=city,
                                       urgency=urgency, description=description, chatid=chatid,
                                       source=source, reason=reason, store=entities.get("store"), extra=extra,
                                       parent_id=earlier.id if earlier is not None else None)
    reply = created_reply(ctx, ticket, len(people), follows=earlier.id if earlier is not None else None)
    if earlier is not None:
        await store.add_event(ctx.session, earlier.id, "came_back", actor=ctx.userid, at=ctx.now,
                              reason=f"reported again as #{ticket.id}", data={"ticket": ticket.id})
    return replace(reply, data={"ticket": ticket.id, "offered_to": [p.userid for p in people]
                                if ticket.status == "offered" else []})


# A job that can come back: finished, not withdrawn.
_CAN_COME_BACK = ("completed", "confirmed", "closed")


async def _came_back(ctx: Context, entities: dict[str, Any]) -> Ticket | None:
    """The finished job a new report names ("「小鲸：#26118 已完工」 同一台空调又不制冷了" — the
    parser takes the number from the pasted card): the new ticket follows it (`parent_id`), which
    is how a fix that did not hold is counted (storage/fixes.py). A number the reporter may not
    see, or a job still open or cancelled, links nothing."""
    number = entities.get("ticket")
    if number is None or ctx.channel == "api":
        return None
    try:
        earlier = await store.get_ticket(ctx.session, int(number))
    except (TypeError, ValueError, OverflowError):
        return None
    if earlier is None or earlier.status not in _CAN_COME_BACK or permissions.can_view(ctx, earlier) is not None:
        return None
    return earlier


# What a repeat report keeps for opening it as a ticket of its own later ("另开新单").
_TWIN_KEEP = ("skill", "city", "region", "store", "urgency")


async def _to_open_twin(ctx: Context, twin: Ticket, entities: dict[str, Any]) -> Reply:
    """A report for a store and skill that already has an open ticket. A question about it ("师傅
    什么时候到？") is answered with its status; anything else is added to it (the assignee is told)
    and the reply names it, with one tap to open a separate ticket anyway."""
    ctx.log["ticket"] = twin.id
    text = entities.get("_text") or ""
    if ctx.channel != "api" and asks_about_progress(text):
        return status_reply(ctx, twin)
    await store.add_event(ctx.session, twin.id, "duplicate_report", actor=ctx.userid, reason=text, at=ctx.now,
                          data={"entities": {k: entities[k] for k in _TWIN_KEEP if entities.get(k)},
                                "channel": ctx.channel})
    said = words_of(text, ctx.lang) or (Words(text, language_of(text, ctx.lang)) if text.strip() else None)
    if twin.assignee and said is not None:
        lang = ctx.language_of(twin.assignee)
        ctx.send_text(twin.assignee, notify.with_words(
            t(lang, "duplicate.to_engineer", id=twin.id, location=location_of(ctx, twin, lang)), said), twin.id,
            urgent=twin.urgency == "urgent", words=said)
    engineer = ctx.cfg.person(twin.assignee)
    markdown = t(ctx.lang, "duplicate.attached", id=twin.id,
                 skill=template_name(ctx, twin, ctx.lang) or skill_label(ctx, twin.skill),
                 status=t(ctx.lang, f"status.{twin.status}"),
                 engineer=(engineer.name if engineer else twin.assignee) or "")
    card = ticket_reply_card(ctx, twin, t(ctx.lang, "duplicate.title", id=twin.id), markdown)
    if ctx.channel in ("bot", "kf", "app"):   # they can answer: one tap (or "另开新单") opens a separate one
        markdown = f"{markdown}\n{t(ctx.lang, 'duplicate.separate_hint')}"
        card = replace(card, task_id=f"dup-{secrets.token_hex(8)}", buttons=(
            Button(t(ctx.lang, "duplicate.separate_button"), f"{SEPARATE_ACTION}:{twin.id}", 2),))
    return Reply(markdown=markdown, card=card, data={"ticket": twin.id, "attached": True, "offered_to": []})


async def answer_about_open_job(ctx: Context, entities: dict[str, Any]) -> Reply | None:
    """A message read as a (doubtful) report that asks how the store's open job of its skill
    stands: that job's status, so that it never opens another (handlers/confirm.py)."""
    skill, text = entities.get("skill"), entities.get("_text") or ""
    if not ctx.chatid or not skill or not asks_about_progress(text):
        return None
    twin = await store.open_twin(ctx.session, ctx.chatid, skill)
    if twin is None:
        return None
    ctx.log["ticket"] = twin.id
    return status_reply(ctx, twin)


@handles("open_separate")
async def open_separate(ctx: Context, entities: dict[str, Any]) -> Reply:
    """The tap (or "另开新单") after a report was added to an open ticket: open it as its own
    ticket after all — once per report."""
    number = entities.get("ticket")
    reports = await store.events_of_kind(ctx.session, "duplicate_report", actor=ctx.userid, limit=1,
                                         ticket_id=int(number) if number is not None else None,
                                         chatid=None if number is not None else ctx.chatid)
    if not reports:
        return Reply(markdown=t(ctx.lang, "duplicate.nothing"))
    report = reports[0]
    done = [e for e in await store.events_of_kind(ctx.session, "duplicate_separated", ticket_id=report.ticket_id)
            if (e.data or {}).get("report") == report.id]
    if done:
        return Reply(markdown=t(ctx.lang, "duplicate.already", id=done[0].data.get("ticket")))
    kept = (report.data or {}).get("entities") or {}
    reply = await create_ticket(ctx, {**kept, "_text": report.reason, "_separate": True, "_confirmed": True})
    opened = (reply.data or {}).get("ticket")
    if opened:
        await store.add_event(ctx.session, report.ticket_id, "duplicate_separated", actor=ctx.userid, at=ctx.now,
                              reason=f"the report was opened as #{opened} after all",
                              data={"report": report.id, "ticket": opened})
    return reply


def _customer_group(ctx: Context, entities: dict[str, Any], city: str | None) -> str | None:
    """Staff reporting for a store: its group, if one of the configured customer groups matches."""
    store = (entities.get("store") or "").casefold()
    for g in ctx.cfg.groups:
        if g.kind == "customer" and ((store and store in g.name.casefold()) or (not store and city and g.city == city)):
            return g.chatid
    return None


async def open_ticket(ctx: Context, *, tpl: ServiceTemplate, version: int | None, skill: str, region: str,
                      city: str | None, urgency: str, description: str, chatid: str | None, source: str,
                      reason: str, store: str | None = None, reporter: str | None = None,
                      extra: dict[str, Any] | None = None, parent_id: int | None = None) -> tuple[Ticket, list[Any]]:
    """The one way a ticket is born, whatever the entry (chat, staff, REST): stored with its
    template version and SLA deadlines, then routed."""
    deadlines = ctx.sla.deadlines(tpl.sla, urgency, ctx.now, region) if ctx.sla else None
    data: dict[str, Any] = {**(extra or {})}
    if store:
        data["store"] = store
    # A reporter from another branch makes it a joint job, which its pair's joint squad takes first.
    joint_region = joint.joint_region_of(ctx, region=region, reporter=reporter or ctx.userid, chatid=chatid)
    # Routed before it is stored, so the row is written once, already offered or assigned.
    routed = await find_route(ctx, skill=skill, region=region, city=city, mode=tpl.dispatch, k=tpl.offer_k,
                              joint_region=joint_region)
    group = ctx.cfg.group(chatid)
    # The ticket speaks its store's language, whoever opened it (staff, a system, the store itself).
    language = group.language if group is not None else ctx.lang
    ticket = await store_create(ctx, skill=skill, region=region, city=city, urgency=urgency, description=description,
                                reporter=reporter or ctx.userid, chatid=chatid, source=source, language=language,
                                template=tpl.code, template_version=version, dispatch_mode=tpl.dispatch,
                                sla_policy=deadlines.policy if deadlines else None,
                                response_due=deadlines.response if deadlines else None,
                                onsite_due=deadlines.onsite if deadlines else None,
                                resolution_due=deadlines.resolution if deadlines else None,
                                next_check_at=deadlines.next_check if deadlines else None, joint_region=joint_region,
                                data=data, reason=reason, parent_id=parent_id,
                                **routed.initial(ctx.now, tpl.offer_timeout_s))
    await deliver(ctx, ticket, routed)
    ctx.log["ticket"] = ticket.id
    return ticket, routed.people


async def store_create(ctx: Context, *, reason: str, **fields: Any) -> Ticket:
    return await store.create_ticket(ctx.session, actor=ctx.userid, reason=reason, now=ctx.now, **fields)


def created_reply(ctx: Context, ticket: Ticket, offered: int, follows: int | None = None) -> Reply:
    # Where the reporter will hear of it: this group, the store's group (the report page), or
    # here (a WeChat customer's own chat).
    where = "_store" if ctx.channel == "web" else "_here" if ctx.kf_contact else ""
    if ticket.status == "offered":
        note = t(ctx.lang, f"ticket.created.offered{where}", n=offered)
    elif ticket.status == "assigned":
        engineer = ctx.cfg.person(ticket.assignee)
        note = t(ctx.lang, f"ticket.created.assigned{where}", name=engineer.name if engineer else ticket.assignee)
    else:
        note = t(ctx.lang, "ticket.created.no_engineer")
    if follows is not None:
        note = f"{t(ctx.lang, 'ticket.created.follows', earlier=follows)}\n{note}"
    title = t(ctx.lang, "ticket.created.title", id=ticket.id)
    name = template_name(ctx, ticket, ctx.lang) or skill_label(ctx, ticket.skill)
    markdown = t(ctx.lang, "ticket.created.markdown", id=ticket.id, skill=name, location=location_of(ctx, ticket),
                 urgency=t(ctx.lang, f"urgency.{ticket.urgency}"), status=t(ctx.lang, f"status.{ticket.status}"),
                 note=note)
    return Reply(markdown=markdown, card=ticket_reply_card(ctx, ticket, title, note))


async def find_ticket(ctx: Context, entities: dict[str, Any], *, mine: bool = False) -> Ticket | Reply:
    """The ticket a message is about: its number, else the only open one in this chat (or assigned
    to the asker). Several candidates → a question; none → a clear answer."""
    number = entities.get("ticket")
    if number is None and entities.get("last_ticket"):
        latest = await store.latest_open_of_reporter(ctx.session, ctx.userid, ctx.chatid)
        number = latest.id if latest is not None else None
    if number is not None:
        ticket = await store.get_ticket(ctx.session, int(number))
        if ticket is None:
            return Reply(markdown=t(ctx.lang, "claim.no_ticket", id=number))
        refusal = permissions.can_view(ctx, ticket)
        return Reply(markdown=refusal) if refusal else ticket
    if mine:
        open_tickets = await store.open_tickets_of_assignee(ctx.session, ctx.userid)
    else:
        open_tickets = await store.open_tickets_of_chat(ctx.session, ctx.chatid) if ctx.chatid else []
    if len(open_tickets) == 1:
        return open_tickets[0]
    if not open_tickets:
        return Reply(markdown=t(ctx.lang, "status.none"))
    return Reply(markdown=t(ctx.lang, "which_ticket", ids=", ".join(f"#{tk.id}" for tk in open_tickets),
                            first=open_tickets[0].id))


@handles("query_status", action="action_query_status")
async def query_status(ctx: Context, entities: dict[str, Any]) -> Reply:
    if entities.get("ticket") is None and not entities.get("last_ticket") and ctx.chatid:
        open_tickets = await store.open_tickets_of_chat(ctx.session, ctx.chatid)
        if len(open_tickets) > 1:
            lines = [t(ctx.lang, "status.list_header")] + ["- " + _status_line(ctx, tk) for tk in open_tickets]
            latest = open_tickets[0]
            return Reply(markdown="\n".join(lines),
                         card=ticket_reply_card(ctx, latest, _status_line(ctx, latest), "\n".join(lines[1:4])))
    found = await find_ticket(ctx, entities, mine="engineer" in ctx.roles and not ctx.chatid)
    if isinstance(found, Reply):
        return found
    return status_reply(ctx, found)


def status_reply(ctx: Context, ticket: Ticket) -> Reply:
    line = _status_line(ctx, ticket)
    return Reply(markdown=line, card=ticket_reply_card(ctx, ticket, line, template_name(ctx, ticket, ctx.lang) or ""))


def _status_line(ctx: Context, ticket: Ticket) -> str:
    engineer = ctx.cfg.person(ticket.assignee)
    eta = notify.local_time(ctx, ticket.eta_at, notify.group_timezone(ctx, ticket)) if ticket.eta_at else None
    return t(ctx.lang, "status.reply", id=ticket.id, status=t(ctx.lang, f"status.{ticket.status}"),
             engineer=engineer.name if engineer else ticket.assignee, eta=eta)


@handles("cancel_ticket", action="action_cancel_ticket")
async def cancel_ticket(ctx: Context, entities: dict[str, Any]) -> Reply:
    found = await find_ticket(ctx, entities)
    if isinstance(found, Reply):
        return found
    ticket = found
    refusal = permissions.can_cancel(ctx, ticket)
    if refusal:
        return Reply(markdown=refusal)
    try:
        to = next_status(ticket.status, "cancel")
    except Impossible:
        return notify.impossible(ctx, ticket)
    await store.transition(ctx.session, ticket, to, actor=ctx.userid, reason=entities.get("_text", ""), now=ctx.now)
    await store.update_fields(ctx.session, ticket, next_check_at=None, offer_expires_at=None)
    await spare_parts.release(ctx, ticket)   # its reserved parts go back on the shelf
    offers_ended(ctx, ticket, await store.withdraw_offers(ctx.session, ticket.id), "cancelled")
    headline = await notify.progress(ctx, ticket, "push.cancelled", name=ctx.name,
                                     words=words_of(entities.get("_text", ""), ctx.lang))
    return Reply(markdown=headline)
