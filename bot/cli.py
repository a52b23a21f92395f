"""`wecom-desk` — serve, worker, db, outbox, nlu and settle commands.

Operator errors (bad config, schema not migrated) print one line and exit 2; no traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from typing import Any, Callable

from handlers.config import ConfigError, load_config

EXIT_USAGE = 2


def _config(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    return load_config(getattr(args, "config", None))


def _config_mapping(path: str | None) -> dict[str, Any]:
    """The whole config as plain data (for modules that validate their own sections)."""
    import yaml

    from handlers.config import DEFAULT_CONFIG_ENV, interpolate

    path = path or os.environ.get(DEFAULT_CONFIG_ENV) or "config.yaml"
    try:
        with open(path, encoding="utf-8") as f:
            return interpolate(yaml.safe_load(f) or {})
    except OSError as e:
        raise ConfigError(f"cannot read config file {path!r}: {e.strerror}") from None


def _logging(level: str = "INFO") -> None:
    logging.basicConfig(level=getattr(logging, level.upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # aiohttp's access log repeats what our one-line-per-callback log says, with the query string
    # (msg_signature, nonce): keep it quiet.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)


# -- serve / worker -------------------------------------------------------------------------------
def cmd_serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.app import create_app

    cfg = _config(args)
    _logging(args.log_level)
    app = create_app(cfg)
    logging.getLogger("wecom_desk").info(
        "serving on http://%s:%s (database %s, cache %s, sandbox %s, nlu %s)", cfg.server.host, cfg.server.port,
        cfg.database.url.split("://", 1)[0], "redis" if cfg.redis.url else "in-process",
        ("on at /sandbox, UNSAFE override" if cfg.sandbox.allow_unsafe else "on at /sandbox")
        if cfg.sandbox.enabled else "off",
        f"{cfg.nlu.backend}, {cfg.nlu.processes} parser process(es)" if cfg.nlu.backend == "embedded" and cfg.nlu.processes
        else f"{cfg.nlu.backend}, on the event loop" if cfg.nlu.backend == "embedded" else cfg.nlu.backend)
    web.run_app(app, host=cfg.server.host, port=cfg.server.port, print=None, access_log=None)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from bot.app import build_parser, make_client, make_worker, prepare_database, public_url
    from handlers.desk import Desk, Services
    from bot.kf import KfReader
    from bot.scheduler import Scheduler
    from storage.cache import make_cache
    from storage.db import Database

    cfg = _config(args)
    services = Services.from_config(cfg)
    _logging(args.log_level)

    async def main() -> None:
        db, cache = Database(cfg.database.url), make_cache(cfg.redis.url, cfg.redis.prefix)
        await prepare_database(cfg, db)  # same schema rules as serve: SQLite migrated, PostgreSQL checked
        client = make_client(cfg, cache)
        worker = make_worker(cfg, db, cache, client, services.clock)
        desk = Desk(cfg, db, cache, build_parser(cfg), public_url(cfg), services)
        scheduler = Scheduler(desk, cfg.worker.timer_interval_s, KfReader(cfg, db, cache, client, desk))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            if args.once:
                await scheduler.run_once()
                await worker.run_once()
            else:
                await asyncio.gather(worker.run(stop), scheduler.run(stop))
        finally:
            worker.close()
            if hasattr(desk.parser, "close"):
                await desk.parser.close()
            await client.close()
            await cache.close()
            await db.close()

    asyncio.run(main())
    return 0


# -- db -------------------------------------------------------------------------------------------
def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from storage.db import Database

    cfg = _config(args)

    async def main() -> str | None:
        db = Database(cfg.database.url)
        try:
            await db.upgrade(args.revision)
            return await db.current_revision()
        finally:
            await db.close()

    print(f"database at revision {asyncio.run(main())}")
    return 0


# -- outbox ---------------------------------------------------------------------------------------
def cmd_outbox_list(args: argparse.Namespace) -> int:
    from storage import outbox
    from storage.db import Database

    cfg = _config(args)

    async def main() -> list[dict[str, Any]]:
        db = Database(cfg.database.url)
        try:
            async with db.sessions() as session:
                rows = await outbox.list_messages(session, "failed" if args.failed else args.status, args.limit)
                return [{"id": r.id, "kind": r.kind, "dest": r.dest if r.kind in ("app_message", "update_card")
                         else r.dest[:6] + "…", "status": r.status, "attempts": r.attempts,
                         "ticket": r.ticket_id, "last_error": r.last_error,
                         "created_at": r.created_at.isoformat(timespec="seconds")} for r in rows]
        finally:
            await db.close()

    for row in asyncio.run(main()):
        print(json.dumps(row, ensure_ascii=False))
    return 0


def cmd_outbox_retry(args: argparse.Namespace) -> int:
    from storage import outbox
    from storage.db import Database

    cfg = _config(args)

    async def main() -> int:
        db = Database(cfg.database.url)
        try:
            async with db.transaction() as session:
                return await outbox.retry_failed(session, args.id)
        finally:
            await db.close()

    print(f"{asyncio.run(main())} message(s) queued again")
    return 0


# -- templates ------------------------------------------------------------------------------------
def _templates_db(args: argparse.Namespace, action):  # type: ignore[no-untyped-def]
    from bot.app import prepare_database, sync_templates
    from handlers.desk import Services
    from storage.db import Database

    cfg = _config(args)
    services = Services.from_config(cfg)

    async def main():  # type: ignore[no-untyped-def]
        db = Database(cfg.database.url)
        try:
            await prepare_database(cfg, db)
            await sync_templates(db, services)
            async with db.transaction() as session:
                return await action(session)
        finally:
            await db.close()

    return asyncio.run(main())


def cmd_templates_history(args: argparse.Namespace) -> int:
    from storage import service_templates as store

    rows = _templates_db(args, lambda s: store.history(s, args.code))
    if not rows:
        print(f"wecom-desk: no template {args.code!r}", file=sys.stderr)
        return EXIT_USAGE
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))
    return 0


def cmd_templates_rollback(args: argparse.Namespace) -> int:
    from storage import service_templates as store

    try:
        version = _templates_db(args, lambda s: store.rollback(s, args.code, args.version))
    except store.UnknownVersion as e:
        print(f"wecom-desk: {e}", file=sys.stderr)
        return EXIT_USAGE
    print(json.dumps({"code": args.code, "active_version": version, "content_of": args.version}))
    return 0


# -- stores ---------------------------------------------------------------------------------------
def cmd_report_links(args: argparse.Namespace) -> int:
    """Each store's self-service report link, to print as a QR code in the store."""
    from bot.app import public_url
    from handlers.links import store_report_url

    cfg = _config(args)
    groups = [g for g in cfg.groups if g.kind == "customer" and (not args.store or g.chatid == args.store)]
    if args.store and not groups:
        print(f"wecom-desk: no customer group {args.store!r} in the config", file=sys.stderr)
        return EXIT_USAGE
    for g in groups:
        print(json.dumps({"store": g.store or g.name, "chatid": g.chatid,
                          "url": store_report_url(public_url(cfg), cfg.wecom.app.secret, g.chatid)}, ensure_ascii=False))
    return 0


# -- parser -----------------------------------------------------------------------------------------
def build_cli() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wecom-desk", description="A chat-first field-service desk inside WeCom.")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, func: Callable[[argparse.Namespace], int], help: str,
                parent: Any = sub) -> argparse.ArgumentParser:
        p = parent.add_parser(name, help=help)
        p.add_argument("--config", help="config file (default: $WECOM_DESK_CONFIG or ./config.yaml)")
        p.set_defaults(func=func)
        return p

    p = command("serve", cmd_serve, "serve the WeCom callbacks (and the sandbox, if enabled)")
    p.add_argument("--log-level", default="INFO")
    p = command("worker", cmd_worker, "drain the outbox and run the timers (when serve runs with worker.in_process: false)")
    p.add_argument("--log-level", default="INFO")
    p.add_argument("--once", action="store_true", help="one pass, then exit")

    p = command("report-links", cmd_report_links, "each store's self-service report link (for its QR code)")
    p.add_argument("store", nargs="?", help="one store's group chatid")

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    p = command("upgrade", cmd_db_upgrade, "apply migrations", db)
    p.add_argument("revision", nargs="?", default="head")

    ob = sub.add_parser("outbox", help="outbound messages").add_subparsers(dest="outbox_command", required=True)
    p = command("list", cmd_outbox_list, "list outbound messages (newest first)", ob)
    p.add_argument("--failed", action="store_true", help="only permanently failed messages")
    p.add_argument("--status", choices=["pending", "sending", "sent", "failed", "dropped"])
    p.add_argument("--limit", type=int, default=100)
    p = command("retry", cmd_outbox_retry, "queue failed messages again", ob)
    p.add_argument("--id", type=int, help="only this message")

    tp = sub.add_parser("templates", help="service templates (预制项目库)").add_subparsers(
        dest="templates_command", required=True)
    p = command("history", cmd_templates_history, "every applied version of a template", tp)
    p.add_argument("code")
    p = command("rollback", cmd_templates_rollback, "make an old version active again (as a new version)", tp)
    p.add_argument("code")
    p.add_argument("version", type=int)

    from bot.ledger_cli import register as register_ledger
    from nlu.cli import register as register_nlu
    from settlement.cli import register as register_settle

    from bot.parts_cli import register as register_parts

    register_nlu(sub, load_config)
    register_parts(sub, load_config)
    settle = register_settle(sub, _config_mapping)
    register_ledger(settle, load_config)
    from bot.billing_cli import register as register_billing
    register_billing(settle, load_config)
    from bot.fixes_cli import register as register_fixes
    register_fixes(sub, load_config)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_cli().parse_args(argv)
    try:
        code = args.func(args)
    except ConfigError as e:
        print(f"wecom-desk: config error: {e}", file=sys.stderr)
        code = EXIT_USAGE
    except KeyboardInterrupt:
        code = 130
    except Exception as e:
        from bot.app import StartupError

        if not isinstance(e, StartupError):
            raise
        print(f"wecom-desk: {e}", file=sys.stderr)
        code = EXIT_USAGE
    sys.exit(code)
