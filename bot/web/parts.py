"""`/parts` for managers: stock per warehouse serving the viewer's regions (on hand, reserved,
free, reorder point; rows below it highlighted), open purchase requests in their regions and
the latest movements, with names in the reader's language. Read-only: counts and transfers go
through `wecom-desk parts` (bot/parts_cli.py)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from aiohttp import web

from bot.callbacks import CONFIG, DESK
from bot.web import session
from bot.web.render import local, render
from handlers.config import Config
from handlers.parts import thresholds
from storage import parts as store


def _warehouses(cfg: Config, viewer: session.Viewer) -> list[Any]:
    return [w for w in cfg.parts.warehouses if any(viewer.sees(r) for r in w.regions)]


def _part_name(cfg: Config, code: str, lang: str) -> str:
    part = cfg.parts.part(code)
    return part.name_in(lang) if part else code


async def parts_page(request: web.Request) -> web.Response:
    viewer = session.require(request)
    cfg, desk = request.app[CONFIG], request.app[DESK]
    lang = viewer.lang
    houses = {w.code: w for w in _warehouses(cfg, viewer)}
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    async with desk.db.sessions() as s:
        points = await thresholds(s, cfg, now)
        stock = await store.stock_rows(s, warehouses=list(houses))
        regions = None if viewer.regions is None else list(viewer.regions)
        requests = await store.purchases(s, status="open", regions=regions)
        moves = await store.movements(s, warehouses=list(houses), limit=30)
    rows = []
    for r in stock:
        used, point = points.get((r.warehouse, r.part), (0, cfg.parts.reorder.floor))
        free = r.on_hand - r.reserved
        rows.append({"warehouse": houses[r.warehouse].name_in(lang), "code": r.part,
                     "part": _part_name(cfg, r.part, lang), "on_hand": r.on_hand, "reserved": r.reserved,
                     "free": free, "threshold": point, "used": used, "below": free < point})
    rows.sort(key=lambda x: (not x["below"], x["warehouse"], x["code"]))
    purchase_rows = [{"id": p.id, "ticket": p.ticket_id, "part": _part_name(cfg, p.part, lang), "code": p.part,
                      "qty": p.qty, "region": (cfg.region(p.region).name_in(lang) if cfg.region(p.region) else p.region),
                      "by": (cfg.person(p.requested_by).name if cfg.person(p.requested_by) else p.requested_by) or "",
                      "at": local(p.created_at, viewer.timezone, "%m-%d %H:%M")} for p in requests]

    def house(code: str | None) -> str:
        w = cfg.parts.warehouse(code)
        return w.name_in(lang) if w else (code or "")

    move_rows = [{"kind": m.kind, "part": _part_name(cfg, m.part, lang), "qty": m.qty,
                  "where": house(m.warehouse) + (f" → {house(m.to_warehouse)}" if m.to_warehouse else ""),
                  "ticket": m.ticket_id, "who": cfg.person(m.actor).name if cfg.person(m.actor) else m.actor,
                  "why": m.reason, "at": local(m.at, viewer.timezone, "%m-%d %H:%M")} for m in moves]
    rule = cfg.parts.reorder
    return web.Response(text=render("web/parts.html", lang=lang, viewer=viewer, nav="parts", rows=rows,
                                    purchases=purchase_rows, moves=move_rows, floor=rule.floor,
                                    window=rule.window_days, lead=rule.lead_days),
                        content_type="text/html")


def routes() -> list[web.RouteDef]:
    return [web.get("/parts", parts_page)]
