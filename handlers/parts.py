"""Spare parts on a job: "#12 缺配件 压缩机" (or the part's code) reserves it from the nearest
warehouse that has it and tells the engineer where to pick it up, or asks the region's managers
to buy it; "#12 配件到了" resumes the job; completion consumes the reservation and prices the part
from the catalog; a cancelled ticket gives its reservation back. Called from handlers/jobs.py,
handlers/completion.py and handlers/tickets.py; the catalog and the warehouses are config
(`parts:`), quantities are in storage/parts.py.

**Nearest** warehouse: among the warehouses serving the ticket's region, those in the ticket's
city first, then the others in the order config lists them (list the closer ones first). The
first of them with enough free units gets the reservation (one conditional UPDATE each, so
concurrent reservations never take stock below zero).

**Reorder point** per warehouse and part: max(floor, ceil(units consumed in the last
`reorder.window_days` / window_days × `reorder.lead_days`)); `floor` is the part's own or
`reorder.floor`. When a change leaves the free units (on hand − reserved) below it, the
warehouse's keeper is told once; the flag clears when stock is back at or above it.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from handlers.context import Context
from handlers.labels import location_of, region_label
from handlers.messages import t
from storage import parts as store
from storage.models import Ticket

if TYPE_CHECKING:
    from handlers.config import Config, PartConfig, WarehouseConfig

_QTY = re.compile(r"(?:[x×*]\s*(\d{1,3})(?!\d))|(?<![\d#])(\d{1,3})\s*(?:个|件|只|条|根|台|套|pcs?|pieces?|units?|ชิ้น|อัน)",
                  re.IGNORECASE)


# -- the catalog ----------------------------------------------------------------------------------

def _terms(part: "PartConfig") -> list[str]:
    return [part.code, *part.names.values(), *part.aliases]


def match_part(cfg: "Config", *texts: str | None) -> "PartConfig | None":
    """The catalog part named in the engineer's words: its code, its name in any language or one
    of its aliases, the longest match winning ("空调压缩机" is the compressor, "CMP-01" too)."""
    for text in texts:
        said = (text or "").strip().lower()
        if not said:
            continue
        best: tuple[int, PartConfig] | None = None
        for part in cfg.parts.catalog:
            for term in _terms(part):
                term = term.strip().lower()
                if term and term in said and (best is None or len(term) > best[0]):
                    best = (len(term), part)
        if best is not None:
            return best[1]
    return None


def quantity_of(text: str | None) -> int:
    """"2个", "×2", "2 pcs": how many; 1 when not said."""
    m = _QTY.search(text or "")
    n = int(m.group(1) or m.group(2)) if m else 1
    return max(1, min(n, 999))


def nearest(cfg: "Config", ticket: Ticket) -> "list[WarehouseConfig]":
    """The warehouses serving the ticket's region, nearest first (same city, then config order)."""
    serving = [w for w in cfg.parts.warehouses if ticket.region in w.regions]
    return sorted(serving, key=lambda w: 0 if w.city and w.city == ticket.city else 1)


def _group_lang(ctx: Context, ticket: Ticket) -> str:
    group = ctx.cfg.group(ticket.chatid)
    return group.language if group else ticket.language


def typed_label(ctx: Context, ticket: Ticket) -> str:
    """A parts amount the engineer typed is charged as such: "配件：手填金额"."""
    return t(_group_lang(ctx, ticket), "parts.typed")


def _place(cfg: "Config", w: "WarehouseConfig", lang: str) -> str:
    """Where to pick up: the warehouse's address, else its name and city in the reader's language."""
    if w.address:
        return w.address
    name = w.name_in(lang)
    city = next((c.name_in(lang) for r in cfg.regions for c in r.cities if c.name == w.city), None)
    return f"{name} ({city})" if city and city not in name else name


# -- parts needed ---------------------------------------------------------------------------------

async def needed(ctx: Context, ticket: Ticket, entities: dict[str, Any]) -> str | None:
    """The ticket just went to waiting_parts: reserve the part, or ask for it to be bought. Returns
    the line for the engineer's reply (None without a catalog: the step stays as it always was)."""
    if not ctx.cfg.parts.catalog:
        return None
    said = str(entities.get("parts") or "").strip()
    part = match_part(ctx.cfg, said, entities.get("_text"))
    if part is None:
        return t(ctx.lang, "parts.unknown", part=said or "…", example=ctx.cfg.parts.catalog[0].code) if said else None
    qty = quantity_of(entities.get("_text"))
    name = part.name_in(ctx.lang)
    for w in nearest(ctx.cfg, ticket):
        held = await store.reserve(ctx.session, ticket_id=ticket.id, part=part.code, warehouse=w.code, qty=qty,
                                   actor=ctx.userid, now=ctx.now)
        if held is None:
            continue
        ctx.log["reserved"] = f"{qty}×{part.code}@{w.code}"
        await check_threshold(ctx, w.code, part.code)
        return t(ctx.lang, "parts.reserved", id=ticket.id, part=name, qty=qty, warehouse=w.name_in(ctx.lang),
                 place=_place(ctx.cfg, w, ctx.lang))
    pr = await store.request_purchase(ctx.session, ticket_id=ticket.id, part=part.code, region=ticket.region, qty=qty,
                                      actor=ctx.userid, now=ctx.now)
    managers = ctx.cfg.managers_of(ticket.region)
    for m in managers:
        lang = ctx.language_of(m.userid)
        ctx.send_text(m.userid, t(lang, "parts.purchase_manager", pr=pr.id, id=ticket.id,
                                  location=location_of(ctx, ticket, lang), part=part.name_in(lang), qty=qty,
                                  region=region_label(ctx, ticket.region, lang), name=ctx.name),
                      ticket.id, urgent=ticket.urgency == "urgent")
    return t(ctx.lang, "parts.purchase_requested", id=ticket.id, part=name, pr=pr.id,
             managers=("、" if ctx.lang.startswith("zh") else ", ").join(m.name for m in managers)
             or region_label(ctx, ticket.region, ctx.lang))


async def arrived(ctx: Context, ticket: Ticket) -> str:
    """"配件到了": a bought part came in (its request is received); the job resumes."""
    await store.close_purchases(ctx.session, ticket.id, "received", ctx.now)
    return t(ctx.lang, "parts.arrived", id=ticket.id)


# -- completion and cancellation --------------------------------------------------------------------

async def catalog_lines(ctx: Context, ticket: Ticket) -> list[list[str]]:
    """The parts this job holds (reserved) or had bought (received requests), priced from the
    catalog in the region's currency: [[label, "180.00"], …] for the quote's parts lines."""
    from settlement.money import format_minor

    region = ctx.cfg.region(ticket.region)
    if region is None or not ctx.cfg.parts.catalog:
        return []
    lang = _group_lang(ctx, ticket)
    used = [(r.part, r.qty) for r in await store.reservations(ctx.session, ticket.id)]
    used += [(p.part, p.qty) for p in await store.purchases(ctx.session, ticket_id=ticket.id, status="received")]
    lines = []
    for code, qty in used:
        part = ctx.cfg.parts.part(code)
        unit = part.price_minor(region.currency) if part else None
        if part is None or unit is None:
            ctx.send_text(ctx.userid, t(ctx.lang, "parts.no_price", part=part.name_in(ctx.lang) if part else code,
                                        currency=region.currency), ticket.id)
            continue
        label = f"{part.name_in(lang)} ({part.code})" + (f" ×{qty}" if qty > 1 else "")
        lines.append([label, format_minor(unit * qty, region.currency)])
    return lines


async def consume(ctx: Context, ticket: Ticket) -> None:
    """The job is completed: its reserved units leave the shelf (on_hand and reserved both go down)."""
    for r in await store.reservations(ctx.session, ticket.id):
        if await store.consume(ctx.session, r, actor=ctx.userid, now=ctx.now):
            await check_threshold(ctx, r.warehouse, r.part)


async def release(ctx: Context, ticket: Ticket) -> None:
    """The ticket was cancelled: its reservations go back to free stock, its purchase requests close."""
    for r in await store.reservations(ctx.session, ticket.id):
        if await store.release(ctx.session, r, now=ctx.now):
            await check_threshold(ctx, r.warehouse, r.part)
    await store.close_purchases(ctx.session, ticket.id, "cancelled", ctx.now)


# -- reorder points -------------------------------------------------------------------------------

async def thresholds(session: Any, cfg: "Config", now: datetime, warehouse: str | None = None,
                     part: str | None = None) -> dict[tuple[str, str], tuple[int, int]]:
    """(warehouse, part) → (units consumed in the window, reorder point), for every catalog part in
    every warehouse (or the one asked)."""
    rule = cfg.parts.reorder
    used = await store.consumed(session, since=now - timedelta(days=rule.window_days), warehouse=warehouse, part=part)
    out = {}
    for w in cfg.parts.warehouses:
        if warehouse is not None and w.code != warehouse:
            continue
        for p in cfg.parts.catalog:
            if part is not None and p.code != part:
                continue
            n = used.get((w.code, p.code), 0)
            floor = rule.floor if p.floor is None else p.floor
            out[(w.code, p.code)] = (n, store.threshold(n, window_days=rule.window_days, lead_days=rule.lead_days,
                                                        floor=floor))
    return out


async def check_threshold(ctx: Context, warehouse: str, part: str) -> None:
    """After a change of stock: when the free units fell below the reorder point, the keeper hears
    it once (until stock is back up)."""
    row = await store.stock(ctx.session, warehouse, part)
    w, p = ctx.cfg.parts.warehouse(warehouse), ctx.cfg.parts.part(part)
    if row is None or w is None or p is None:
        return
    _, point = (await thresholds(ctx.session, ctx.cfg, ctx.now, warehouse, part))[(warehouse, part)]
    free = row.on_hand - row.reserved
    if free >= point:
        await store.mark_alerted(ctx.session, warehouse, part, False)
        return
    if not await store.mark_alerted(ctx.session, warehouse, part, True):
        return   # already told
    alert(ctx, w, p, free, point)


def alert(ctx: Context, w: "WarehouseConfig", p: "PartConfig", free: int, point: int) -> None:
    if w.keeper_chat:
        group = ctx.cfg.group(w.keeper_chat)
        lang = group.language if group else "zh"
        ctx.push_group(w.keeper_chat, t(lang, "parts.low_stock", warehouse=w.name_in(lang), part=p.name_in(lang),
                                        free=free, threshold=point))
    if w.keeper:
        lang = ctx.language_of(w.keeper)
        ctx.send_text(w.keeper, t(lang, "parts.low_stock", warehouse=w.name_in(lang), part=p.name_in(lang),
                                  free=free, threshold=point), urgent=True)
