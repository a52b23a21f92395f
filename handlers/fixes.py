"""Known fixes (issue 13 item 3): the top fixes for a ticket on the engineer's job card and on
request ("#12 怎么修", "#12 how to fix", "#12 comment réparer", "#12 ซ่อมยังไง"), a closed job's
note proposed as a new fix (or an update of the fix that was shown) for a manager to accept.

Matching is pure (handlers/fix_match.py); the tables and the first-time-fix figures are
storage/fixes.py's. Every fix shown is recorded (`fixes_shown`), so first-time fix can be split
by whether a known fix was shown.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import replace
from typing import Any

from handlers import permissions
from handlers.cards import Button, Card, Field, Link, task_id
from handlers.context import Context
from handlers.fix_match import TOP, Match, codes_in, norm_code, rank
from handlers.labels import skill_label
from handlers.messages import t
from handlers.registry import handles
from handlers.replies import Reply
from storage import fixes as kb
from storage import tickets as store
from storage.cache import CacheUnavailable
from storage.fixes import Fix
from storage.models import Ticket

STAFF = ("engineer", "manager", "admin")
MANAGERS = ("manager", "admin")
STEPS_ON_CARD = 2


def _model_of(ticket: Ticket) -> str:
    return str((ticket.data or {}).get("model") or "")


NONE_TTL_S = 60   # how long "this skill has no active fix" is believed (card_fix)


async def top_fixes(session: Any, ticket: Ticket, *, top: int = TOP) -> list[tuple[Fix, Match]]:
    """The best active fixes for a ticket (same skill; fault code, model, symptoms), best first."""
    return _ranked(await kb.active_for_skill(session, ticket.skill), ticket, top=top)


def _ranked(fixes: list[Fix], ticket: Ticket, *, top: int) -> list[tuple[Fix, Match]]:
    if not fixes:
        return []
    by_id = {f.id: f for f in fixes}
    return [(by_id[m.fix_id], m) for m in rank(fixes, ticket.description or "", skill=ticket.skill,
                                                model=_model_of(ticket), top=top)]


def _none_key(skill: str) -> str:
    return f"fixes:none:{skill}"


async def card_fix(ctx: Context, ticket: Ticket) -> tuple[Fix, Match] | None:
    """The one fix a job card shows (routing.deliver asks once for all the cards it sends).

    A skill with no active fix is remembered in the cache for NONE_TTL_S, so a desk without a
    knowledge base pays no query per ticket; accepting a fix forgets it at once, and a
    `wecom-desk fixes import` run by another process shows on cards within NONE_TTL_S."""
    try:
        if await ctx.cache.get(_none_key(ticket.skill)):
            return None
    except CacheUnavailable:   # a shortcut only: without the cache, ask the database
        pass
    fixes = await kb.active_for_skill(ctx.session, ticket.skill)
    if not fixes:
        with contextlib.suppress(CacheUnavailable):
            await ctx.cache.set(_none_key(ticket.skill), "1", ex=NONE_TTL_S)
        return None
    found = _ranked(fixes, ticket, top=1)
    return found[0] if found else None


def _steps_text(steps: list[str], n: int | None = None) -> str:
    return " ".join(f"{i}. {s}" for i, s in enumerate(steps[:n] if n else steps, start=1))


def _parts_text(lang: str, parts: list[Any]) -> str:
    return ("、" if lang == "zh" else ", ").join(str(p) for p in parts)


def on_card(ctx: Context, card: Card, ticket: Ticket, found: tuple[Fix, Match] | None, userid: str,
            lang: str) -> Card:
    """A job card with its top known fix: the fault code and the fix's title as the card's key
    figure, the first steps and the likely parts as two rows, the guide as a link. Recorded as
    shown to `userid`."""
    if found is None:
        return card
    fix, match = found
    title, steps = fix.text(lang)
    code = " ".join(match.codes) or "🔧"
    rows = [Field(t(lang, "fixes.field_steps"), _steps_text(steps, STEPS_ON_CARD) or title)]
    if fix.parts:
        rows.append(Field(t(lang, "fixes.field_parts"), _parts_text(lang, fix.parts)))
    links = (Link(t(lang, "fixes.guide"), fix.guide_url),) if fix.guide_url else ()
    kb.record_shown(ctx.session, ticket.id, [fix.id], userid=userid, where="card", at=ctx.now)
    return replace(card.with_fields(*rows), figure=(code, title), links=(*card.links, *links))


def fix_lines(lang: str, fix: Fix, match: Match | None, n: int) -> list[str]:
    """One fix in an answer: its title and codes, every step, the likely parts, the guide."""
    title, steps = fix.text(lang)
    lines = [t(lang, "fixes.line", n=n, title=title, codes=" ".join(match.codes if match and match.codes
                                                                     else fix.codes or []))]
    if steps:
        lines.append(t(lang, "fixes.steps_line", steps=_steps_text(steps)))
    if fix.parts:
        lines.append(t(lang, "fixes.parts_line", parts=_parts_text(lang, fix.parts)))
    if fix.guide_url:
        lines.append(t(lang, "fixes.guide_line", url=fix.guide_url))
    return lines


def _number(entities: dict[str, Any], *names: str) -> int | None:
    for name in names:
        v = entities.get(name)
        if v is None or isinstance(v, bool):
            continue
        try:
            return int(v)
        except (TypeError, ValueError):
            return None
    return None


@handles("how_to_fix", roles=STAFF, refusal="fixes.staff_only")
async def how_to_fix(ctx: Context, entities: dict[str, Any]) -> Reply:
    """`{"ticket": 12}`: the top known fixes for a ticket, to its engineer or a manager of its
    region. Asked in a store's group, the answer goes to the asker alone (the store reads no
    repair notes); the group is told it was sent."""
    number = _number(entities, "ticket")
    if number is None:
        return Reply(markdown=t(ctx.lang, "fixes.which_ticket", bot=ctx.bot_name), problem="ticket is required")
    ticket = await store.get_ticket(ctx.session, number)
    if ticket is None:
        return Reply(markdown=t(ctx.lang, "claim.no_ticket", id=number), problem=f"ticket: no ticket #{number}")
    if not (ticket.assignee == ctx.userid or permissions.manages(ctx, ticket.region)):
        hidden = permissions.can_view(ctx, ticket)
        return Reply(markdown=hidden or t(ctx.lang, "fixes.not_yours", id=ticket.id),
                     problem=f"ticket: #{ticket.id} is not yours")
    ctx.log["ticket"] = ticket.id
    lang = ctx.language_of(ctx.userid) if ctx.person else ctx.lang
    found = await top_fixes(ctx.session, ticket)
    if not found:
        return Reply(markdown=t(lang, "fixes.none", id=ticket.id, skill=skill_label(ctx, ticket.skill, lang)),
                     data={"ticket": ticket.id, "fixes": []})
    kb.record_shown(ctx.session, ticket.id, [f.id for f, _ in found], userid=ctx.userid, where="request", at=ctx.now)
    lines = [t(lang, "fixes.header", id=ticket.id, n=len(found))]
    for i, (fix, match) in enumerate(found, start=1):
        lines += fix_lines(lang, fix, match, i)
    text = "\n".join(lines)
    data = {"ticket": ticket.id, "fixes": [f.id for f, _ in found]}
    if ctx.group is not None and ctx.group.kind == "customer":
        ctx.send_text(ctx.userid, text, ticket.id)
        return Reply(markdown=t(ctx.lang, "fixes.sent_privately", id=ticket.id), data=data)
    return Reply(markdown=text, data=data)


# -- proposals from closed jobs ---------------------------------------------------------------------

_SPLIT = re.compile(r"[\s,，。.!！?？、;；:：()（）]+")


def _keywords(description: str, codes: list[str]) -> list[str]:
    """Symptom words to start a proposal with (a manager edits them): the report's phrases,
    without its fault codes."""
    out: list[str] = []
    for piece in _SPLIT.split(description or ""):
        piece = re.sub(r"@\S+", "", piece)
        for c in codes:
            piece = re.sub(re.escape(c), " ", piece, flags=re.I)
        piece = piece.strip()
        if 2 <= len(piece) <= 16 and piece not in out:
            out.append(piece)
    return out[:5]


async def propose(ctx: Context, ticket: Ticket, facts: dict[str, Any]) -> Fix | None:
    """A job just completed (handlers/completion.py finish): its engineer's note, parts and
    outcome become a `proposed` fix — an update of the fix shown on the job when there was one,
    else a new one — and the region's managers are asked to accept it. Nothing is proposed for a
    job closed without a note or named parts, nor twice for one ticket."""
    note = str(facts.get("note") or "").strip()
    default_part = {t(lang, "parts.default") for lang in ("zh", "en", "fr", "th")}
    parts = [str(p[0]) for p in facts.get("parts") or [] if p and str(p[0]) not in default_part]
    if not note and not parts:
        return None
    from sqlalchemy import select

    if (await ctx.session.scalars(select(Fix.id).where(Fix.source_ticket == ticket.id))).first() is not None:
        return None
    note_lang = str(facts.get("note_lang") or ticket.language or "zh")
    shown = await kb.shown_for(ctx.session, ticket.id)
    base = None
    for fid in shown:
        f = await kb.get(ctx.session, fid)
        if f is not None and f.status == "active":
            base = f
            break
    outcome = f"#{ticket.id} {ticket.status}, {facts.get('hours', '0')} h" + (f", {', '.join(parts)}" if parts else "")
    said = codes_in(ticket.description or "")
    if base is not None:
        steps = {k: list(v) for k, v in (base.steps or {}).items()}
        if note:
            steps[note_lang] = [*steps.get(note_lang, []), note]
        proposal = Fix(skill=base.skill, model=base.model, codes=list(dict.fromkeys([*base.codes, *said])),
                       keywords=list(base.keywords), title=dict(base.title), steps=steps,
                       parts=list(dict.fromkeys([*base.parts, *parts])), guide_url=base.guide_url,
                       updates_fix=base.id)
    else:
        title = note if len(note) <= 60 else note[:59] + "…"
        proposal = Fix(skill=ticket.skill, model=_model_of(ticket), codes=said,
                       keywords=_keywords(ticket.description or "", said),
                       title={note_lang: title or ", ".join(parts)}, steps={note_lang: [note]} if note else {},
                       parts=parts, guide_url="")
    proposal.status, proposal.source_ticket, proposal.proposed_by = "proposed", ticket.id, ticket.assignee or ctx.userid
    proposal.outcome, proposal.created_at, proposal.updated_at = outcome[:256], ctx.now, ctx.now
    ctx.session.add(proposal)
    await ctx.session.flush()
    for m in ctx.cfg.managers_of(ticket.region):
        lang = ctx.language_of(m.userid)
        title, _ = proposal.text(lang)
        key = "fixes.proposed_update" if base is not None else "fixes.proposed_new"
        card = Card(title=t(lang, "fixes.proposed_title", id=ticket.id),
                    desc=t(lang, key, skill=skill_label(ctx, ticket.skill, lang)),
                    quote=note or _parts_text(lang, parts), quote_lang=note_lang if note else None,
                    fields=(Field(t(lang, "fixes.field_fix"), title),
                            *((Field(t(lang, "fixes.field_parts"), _parts_text(lang, proposal.parts)),)
                              if proposal.parts else ())),
                    task_id=task_id(ticket.id, m.userid),
                    buttons=(Button(t(lang, "fixes.accept_button"), f"accept_fix:{proposal.id}", 1),))
        ctx.send_card(m.userid, card, ticket.id)
    return proposal


# -- a manager decides ------------------------------------------------------------------------------

async def _proposal(ctx: Context, fix_id: int | None) -> Fix | Reply:
    fix = await kb.get(ctx.session, fix_id) if fix_id is not None else None
    if fix is None:
        return Reply(markdown=t(ctx.lang, "fixes.no_fix", id=fix_id or 0), problem="fix: not found")
    if fix.source_ticket is not None:
        source = await store.get_ticket(ctx.session, fix.source_ticket)
        if source is not None and not permissions.manages(ctx, source.region):
            return Reply(markdown=t(ctx.lang, "fixes.not_your_region", id=fix.id), problem="fix: not your region")
    if fix.status != "proposed":
        return Reply(markdown=t(ctx.lang, "fixes.already", id=fix.id, status=t(ctx.lang, f"fixes.status.{fix.status}")),
                     button=t(ctx.lang, f"fixes.status.{fix.status}"))
    return fix


def accept(fix: Fix, *, by: str, now: Any, into: Fix | None = None) -> Fix:
    """An accepted proposal: active itself, or (an update) its content moved into the fix it updates."""
    if into is None:
        fix.status, fix.accepted_by, fix.accepted_at, fix.updated_at = "active", by, now, now
        return fix
    for k in ("model", "codes", "keywords", "title", "steps", "parts", "guide_url"):
        setattr(into, k, getattr(fix, k))
    into.accepted_by, into.accepted_at, into.updated_at = by, now, now
    fix.status, fix.accepted_by, fix.accepted_at, fix.updated_at = "merged", by, now, now
    return into


@handles("accept_fix", roles=MANAGERS, refusal="fixes.managers_only")
async def accept_fix(ctx: Context, entities: dict[str, Any]) -> Reply:
    """`{"fix": 7}` (the page), or a tap on a proposal card's `accept_fix:7` (read as `ticket`)."""
    found = await _proposal(ctx, _number(entities, "fix", "ticket"))
    if isinstance(found, Reply):
        return found
    into = await kb.get(ctx.session, found.updates_fix) if found.updates_fix else None
    if into is not None and into.status != "active":
        into = None
    active = accept(found, by=ctx.userid, now=ctx.now, into=into)
    with contextlib.suppress(CacheUnavailable):   # else the shortcut lapses within NONE_TTL_S
        await ctx.cache.delete(_none_key(active.skill))   # the next job card may show it
    title, _ = active.text(ctx.lang)
    return Reply(markdown=t(ctx.lang, "fixes.accepted", id=active.id, title=title),
                 button=t(ctx.lang, "fixes.accepted_button"), data={"fix": active.id})


async def reject_fix(ctx: Context, fix_id: int) -> Reply:
    found = await _proposal(ctx, fix_id)
    if isinstance(found, Reply):
        return found
    found.status, found.accepted_by, found.updated_at = "rejected", ctx.userid, ctx.now
    return Reply(markdown=t(ctx.lang, "fixes.rejected", id=found.id), data={"fix": found.id})


def edit(fix: Fix, form: dict[str, Any], *, lang: str, now: Any) -> None:
    """The page's edit form: title and steps in the editor's language, the rest as lists."""
    from handlers.fix_match import split_list

    if str(form.get("title") or "").strip():
        fix.title = {**(fix.title or {}), lang: str(form["title"]).strip()}
    if "steps" in form:
        steps = [s.strip() for s in str(form["steps"]).splitlines() if s.strip()]
        fix.steps = {**(fix.steps or {}), lang: steps}
    if "codes" in form:
        fix.codes = [norm_code(c) for c in split_list(str(form["codes"]).replace(",", "|"))]
    for k in ("keywords", "parts"):
        if k in form:
            setattr(fix, k, split_list(str(form[k]).replace(",", "|").replace("，", "|")))
    if "model" in form:
        fix.model = str(form["model"]).strip()
    if "guide_url" in form:
        fix.guide_url = str(form["guide_url"]).strip()
    fix.updated_at = now
