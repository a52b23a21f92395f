"""`wecom-desk parts import|stock|move|report`: spare-parts stock on the command line.

JSON lines on stdout; bad input is one line on stderr and exit status 2, with nothing changed.

    parts import FILE.csv                        CSV header warehouse,part,quantity: on_hand set to
                                                 the counted quantity (the difference is an in/out movement)
    parts stock  [--warehouse W] [--part P]      on hand, reserved and free per warehouse and part
    parts move   PART QTY --from W1 --to W2      transfer free units; refused if W1 has fewer free
    parts report [--days N]                      consumption over N days (default: reorder.window_days),
                                                 reorder points, and which rows are below them
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
from typing import Any, Awaitable, Callable

from bot.cli_runner import BadInput, Loader, runner


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _runner(work: Callable[[Any, Any, argparse.Namespace], Awaitable[int]],
            load_config: Loader) -> Callable[[argparse.Namespace], int]:
    from storage.parts import StockError

    return runner(work, load_config, errors=(StockError,))


def _known(cfg: Any, warehouse: str | None = None, part: str | None = None) -> None:
    if warehouse is not None and cfg.parts.warehouse(warehouse) is None:
        known = ", ".join(w.code for w in cfg.parts.warehouses) or "none configured"
        raise BadInput(f"unknown warehouse {warehouse!r} (parts.warehouses: {known})")
    if part is not None and cfg.parts.part(part) is None:
        known = ", ".join(p.code for p in cfg.parts.catalog) or "none configured"
        raise BadInput(f"unknown part {part!r} (parts.catalog: {known})")


async def _alert(session: Any, cfg: Any, pairs: list[tuple[str, str]], now: dt.datetime) -> None:
    """A count or a transfer that leaves a part below its reorder point tells the keeper, as the
    desk does after a reservation: through the outbox, in the same transaction."""
    from handlers.context import Context
    from handlers.parts import check_threshold
    from storage import outbox

    ctx = Context(cfg=cfg, session=session, cache=None, userid="cli", chatid=None, channel="cli", now=now)  # type: ignore[arg-type]
    for warehouse, part in dict.fromkeys(pairs):
        await check_threshold(ctx, warehouse, part)
    await outbox.write(session, ctx.outbox)


def _read_csv(path: str, cfg: Any) -> list[tuple[str, str, int]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        if not reader.fieldnames or {"warehouse", "part", "quantity"} - {h.strip() for h in reader.fieldnames}:
            raise BadInput(f"{path}: the header must be warehouse,part,quantity")
        out = []
        for n, row in enumerate(reader, start=2):
            row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            try:
                _known(cfg, row["warehouse"], row["part"])
                qty = int(row["quantity"])
                if qty < 0:
                    raise ValueError
            except BadInput as e:
                raise BadInput(f"{path} line {n}: {e}") from None
            except ValueError:
                raise BadInput(f"{path} line {n}: quantity {row['quantity']!r} is not a whole number ≥ 0") from None
            out.append((row["warehouse"], row["part"], qty))
    return out


async def _import(db: Any, cfg: Any, args: argparse.Namespace) -> int:
    from storage import parts as store

    counted = _read_csv(args.file, cfg)   # every line checked before anything is written
    changed, now = 0, _now()
    async with db.transaction() as session:
        for warehouse, part, qty in counted:
            changed += bool(await store.set_on_hand(session, warehouse=warehouse, part=part, quantity=qty,
                                                    actor="cli", reason=f"import {args.file}", now=now))
        await _alert(session, cfg, [(w, p) for w, p, _ in counted], now)
    print(json.dumps({"imported": f"{len(counted)} rows", "changed": changed}, ensure_ascii=False))
    return 0


async def _stock(db: Any, cfg: Any, args: argparse.Namespace) -> int:
    from storage import parts as store

    _known(cfg, args.warehouse, args.part)
    async with db.sessions() as session:
        for r in await store.stock_rows(session, warehouses=[args.warehouse] if args.warehouse else None, part=args.part):
            print(json.dumps({"warehouse": r.warehouse, "part": r.part, "on_hand": r.on_hand, "reserved": r.reserved,
                              "free": r.on_hand - r.reserved}, ensure_ascii=False))
    return 0


async def _move(db: Any, cfg: Any, args: argparse.Namespace) -> int:
    from storage import parts as store

    _known(cfg, args.source, args.part)
    _known(cfg, args.target)
    now = _now()
    async with db.transaction() as session:
        await store.transfer(session, part=args.part, qty=args.qty, source=args.source, target=args.target,
                             actor="cli", reason=args.reason, now=now)
        await _alert(session, cfg, [(args.source, args.part), (args.target, args.part)], now)
    print(json.dumps({"moved": args.qty, "part": args.part, "from": args.source, "to": args.target}))
    return 0


async def _report(db: Any, cfg: Any, args: argparse.Namespace) -> int:
    from handlers.parts import thresholds
    from storage import parts as store

    days = args.days or cfg.parts.reorder.window_days
    if days < 1:
        raise BadInput("--days must be at least 1")
    now = _now()
    async with db.sessions() as session:
        points = await thresholds(session, cfg, now)
        used = await store.consumed(session, since=now - dt.timedelta(days=days))
        held = {(r.warehouse, r.part): r for r in await store.stock_rows(session)}
    for (warehouse, part), (_, point) in points.items():
        row = held.get((warehouse, part))
        on_hand, reserved = (row.on_hand, row.reserved) if row else (0, 0)
        print(json.dumps({"warehouse": warehouse, "part": part, "on_hand": on_hand, "reserved": reserved,
                          "free": on_hand - reserved, "consumed": used.get((warehouse, part), 0), "days": days,
                          "threshold": point, "below": on_hand - reserved < point}, ensure_ascii=False))
    return 0


def register(subparsers: Any, load_config: Loader) -> None:
    """Add `wecom-desk parts …`."""
    parts = subparsers.add_parser("parts", help="spare parts: import counts, stock, transfers, reorder report")
    sub = parts.add_subparsers(dest="parts_command", required=True)

    def command(name: str, work: Any, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help)
        p.add_argument("--config", help="config file (default: $WECOM_DESK_CONFIG or ./config.yaml)")
        p.set_defaults(func=_runner(work, load_config))
        return p

    p = command("import", _import, "set on-hand quantities from a CSV (warehouse,part,quantity)")
    p.add_argument("file", metavar="FILE.csv")
    p = command("stock", _stock, "on hand, reserved and free per warehouse and part (JSON lines)")
    p.add_argument("--warehouse", metavar="W")
    p.add_argument("--part", metavar="P")
    p = command("move", _move, "transfer free units between warehouses")
    p.add_argument("part", metavar="PART")
    p.add_argument("qty", type=int, metavar="QTY")
    p.add_argument("--from", dest="source", required=True, metavar="W1")
    p.add_argument("--to", dest="target", required=True, metavar="W2")
    p.add_argument("--reason", default="transfer", help="kept on the movement (the audit)")
    p = command("report", _report, "consumption, reorder points and what is below them (JSON lines)")
    p.add_argument("--days", type=int, metavar="N", help="consumption window (default: parts.reorder.window_days)")
