"""`wecom-desk fixes import FILE.yaml|FILE.csv` and `wecom-desk fixes list`: the known-fixes
knowledge base on the command line (handlers/fixes.py, storage/fixes.py).

    fixes import fixes.example.yaml     → {"file": …, "created": 8, "updated": 0}; importing again updates
                                          the fixes with the same `key` (no duplicates)
    fixes list [--status active|proposed|rejected|merged|all] [--skill hvac]   → one JSON line per fix

Bad input (a file that cannot be read, an unknown skill, a fix without a title) is one line on
stderr and exit status 2; nothing is imported then.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Awaitable, Callable

from bot.cli_runner import Loader, runner


def _runner(work: Callable[[Any, Any, argparse.Namespace], Awaitable[int]], load_config: Loader
            ) -> Callable[[argparse.Namespace], int]:
    from handlers.fix_match import FileError

    return runner(work, load_config, errors=(FileError,))


async def import_file(db: Any, cfg: Any, path: Path) -> dict[str, Any]:
    """Read and store one file (also what the sandbox's `fixes.seed_file` would call)."""
    from handlers.fix_match import parse_file
    from storage import fixes as kb
    from storage.models import utcnow

    entries = parse_file(path.name, path.read_text(encoding="utf-8"), skills=[s.code for s in cfg.skills])
    created = updated = 0
    async with db.transaction() as session:
        for e in entries:
            _, new = await kb.upsert(session, e, now=utcnow())
            created += new
            updated += not new
    return {"file": str(path), "created": created, "updated": updated}


async def _import(db: Any, cfg: Any, args: argparse.Namespace) -> int:
    print(json.dumps(await import_file(db, cfg, Path(args.file)), ensure_ascii=False))
    return 0


async def _list(db: Any, cfg: Any, args: argparse.Namespace) -> int:
    from storage import fixes as kb

    statuses = kb.STATUSES if args.status == "all" else (args.status,)
    async with db.sessions() as session:
        rows = await kb.listing(session, skills=[args.skill] if args.skill else None, statuses=statuses)
    for f in rows:
        print(json.dumps({"id": f.id, "key": f.key, "skill": f.skill, "model": f.model, "codes": f.codes,
                          "keywords": f.keywords, "title": f.title, "steps": f.steps, "parts": f.parts,
                          "guide_url": f.guide_url, "status": f.status, "source_ticket": f.source_ticket,
                          "updates_fix": f.updates_fix, "accepted_by": f.accepted_by}, ensure_ascii=False))
    return 0


def register(sub: Any, load_config: Loader) -> None:
    """Add `fixes import` and `fixes list` to the top-level subparsers (bot/cli.py build_cli)."""
    fx = sub.add_parser("fixes", help="known fixes: fault codes and symptoms per skill and model").add_subparsers(
        dest="fixes_command", required=True)
    p = fx.add_parser("import", help="import a YAML or CSV knowledge base (same key: updated)")
    p.add_argument("file", metavar="FILE.yaml|FILE.csv")
    p.add_argument("--config", help="config file (default: $WECOM_DESK_CONFIG or ./config.yaml)")
    p.set_defaults(func=_runner(_import, load_config))
    p = fx.add_parser("list", help="list fixes (JSON lines)")
    p.add_argument("--status", choices=("active", "proposed", "rejected", "merged", "all"), default="active")
    p.add_argument("--skill", metavar="CODE")
    p.add_argument("--config", help="config file (default: $WECOM_DESK_CONFIG or ./config.yaml)")
    p.set_defaults(func=_runner(_list, load_config))
