"""The aiohttp application factory. Resources live in one cleanup context, in dependency order:
database → cache → WeCom client → desk → outbox worker and timers (when they run in-process)."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from typing import AsyncIterator

from aiohttp import web

from bot import api, callbacks, metrics, rasa_routes, report_form, reports, textcut
from bot import web as web_pages
from bot.web import session as web_session
from bot.media import MediaFetcher
from bot.pages import MissingKey, file_store
from handlers.clock import Clock
from handlers.config import AttachmentsConfig, Config, ConfigError
from bot.crypto import WeComCrypto
from bot.kf import KfReader
from bot.mailer import Mailer
from bot.sms import make_sms
from handlers import messages
from handlers.dispatch import check_registry
from handlers.desk import Desk, Services
from bot.scheduler import Scheduler
from bot.translate import Translator
from bot.translators import missing_secret
from bot.wecom_api import WeComClient
from bot.worker import OutboxWorker
from storage.attachments import FileStore
from storage.cache import Cache, CacheUnavailable, make_cache
from storage.db import Database, SchemaBehind, ensure_schema
from storage.directory import sync_directory
from storage.tickets import recount_open_jobs

log = logging.getLogger("wecom_desk")

DB = web.AppKey("db", Database)
CACHE = web.AppKey("cache", Cache)  # type: ignore[type-abstract]
WORKER = web.AppKey("worker", OutboxWorker)
CLIENT = web.AppKey("client", WeComClient)
SERVICES = web.AppKey("services", Services)


class StartupError(Exception):
    """A problem an operator must fix before the service can start (printed as one line)."""


# The secrets config.yaml ships (tests/bot/test_sandbox_guard.py checks they match the file). The
# sandbox's driver signs callbacks with whatever the service uses, so with anything else loaded it
# would forge real WeCom traffic.
SANDBOX_SECRETS = {
    "wecom.corp_id": "wwsandbox0000000001",
    "wecom.app.secret": "sandbox-app-secret",
    "wecom.app.token": "sandboxAppToken",
    "wecom.app.encoding_aes_key": "vZtqXOdoacziPvJnpvUcdagfzi5nS8yxrbkH0ubgYCQ",
    "wecom.bot.token": "sandboxBotToken",
    "wecom.bot.encoding_aes_key": "JzQEpCNOxeYFRhNQlnZWbJNxSOWR/WTrdqCRFc0XbV0",
}


def _is_loopback(host: str) -> bool:
    host = host.strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # "", another name, or not an address: may be reachable from elsewhere
        return False


def sandbox_hazards(cfg: Config) -> list[str]:
    """Why mounting the sandbox with this config would expose it: each reason names its key, never a
    secret's value."""
    reasons = []
    if not _is_loopback(cfg.server.host):
        reasons.append(f"server.host {cfg.server.host!r} is not loopback")
    for key in ("api_base", "oauth_base", "login_base"):
        if getattr(cfg.wecom, key):
            reasons.append(f"wecom.{key} is set (the sandbox plays WeCom itself; leave it empty)")
    for key, shipped in SANDBOX_SECRETS.items():
        value: object = cfg
        for part in key.split("."):
            value = getattr(value, part)
        if value != shipped:
            reasons.append(f"{key} is not the shipped sandbox value")
    return reasons


def guard_sandbox(cfg: Config) -> None:
    """With the sandbox on, anyone who reaches the port can act as anyone and read every message:
    refuse to start where that reaches beyond this machine or real credentials, unless
    `sandbox.allow_unsafe` says so (then warn, naming each reason)."""
    if not cfg.sandbox.enabled:
        return
    reasons = sandbox_hazards(cfg)
    if not reasons:
        return
    if not cfg.sandbox.allow_unsafe:
        raise StartupError(
            "refusing to mount the sandbox (sandbox.enabled): " + "; ".join(reasons)
            + " — it lets anyone who reaches the port act as anyone; turn it off (WECOM_DESK_SANDBOX=false)"
            " or set sandbox.allow_unsafe: true (WECOM_DESK_SANDBOX_UNSAFE=true) to run it anyway")
    log.warning("UNSAFE: sandbox mounted at /sandbox under sandbox.allow_unsafe although %s — anyone who "
                "reaches the port can act as anyone and read every message", "; ".join(reasons))


def public_url(cfg: Config) -> str:
    host = "127.0.0.1" if cfg.server.host in ("0.0.0.0", "::", "") else cfg.server.host
    return cfg.server.public_url.rstrip("/") or f"http://{host}:{cfg.server.port}"


def build_parser(cfg: Config):  # type: ignore[no-untyped-def]
    from nlu import Lexicon, Parser

    options = {"confirm_below": cfg.nlu.confirm_below, "ask_above": cfg.nlu.ask_above}
    if cfg.nlu.backend == "embedded" and cfg.nlu.processes:
        from nlu.pooled import PooledParser

        return PooledParser(Lexicon.from_config(cfg), cfg.nlu.processes, **options)
    embedded = Parser(Lexicon.from_config(cfg), **options)
    if cfg.nlu.backend == "rasa":
        from nlu.rasa_backend import RasaParser

        return RasaParser(cfg.nlu.rasa_url, fallback=embedded, timeout_s=cfg.nlu.timeout_ms / 1000)
    if cfg.nlu.backend == "llm":
        import os

        from nlu.llm_backend import LlmParser

        key_env = cfg.nlu.llm_api_key_env
        api_key = os.environ.get(key_env) or None
        if api_key is None:
            log.info("nlu backend llm: $%s is not set; calling %s without a key", key_env, cfg.nlu.llm_url)
        return LlmParser(fallback=embedded, url=cfg.nlu.llm_url, model=cfg.nlu.llm_model, api_key=api_key,
                         timeout_s=cfg.nlu.llm_timeout_ms / 1000, cache_size=cfg.nlu.llm_cache_size)
    return embedded


async def prepare_database(cfg: Config, db: Database) -> None:
    """The schema (see `ensure_schema`), then the people and groups from config."""
    try:
        await ensure_schema(db)
    except SchemaBehind as e:
        raise StartupError(str(e)) from None
    async with db.exclusive("sync-config") as session:
        await sync_directory(session, cfg.people, cfg.groups)
        await recount_open_jobs(session)  # whatever a crash or a manual edit did, routing starts true


def make_client(cfg: Config, cache: Cache) -> WeComClient:
    return WeComClient(cfg.api_base, cfg.wecom.corp_id, cfg.wecom.app.secret, cfg.wecom.app.agent_id, cache,
                       timeout_s=cfg.wecom.api_timeout_s)


def make_worker(cfg: Config, db: Database, cache: Cache, client: WeComClient, clock: Clock) -> OutboxWorker:
    translator = Translator(cfg.translation, cfg.translation_url, cache, glossary=cfg.translation_terms)
    return OutboxWorker(db, cache, client, cfg.worker, clock=clock, translator=translator, mailer=Mailer(cfg.mail),
                        sms=make_sms(cfg.sms))


def create_app(cfg: Config, *, worker: bool | None = None, clock: Clock | None = None) -> web.Application:
    check_registry()  # before anything listens: an intent with no handler is a start-up error
    guard_sandbox(cfg)  # before anything is built: the sandbox never faces the network
    if (missing := missing_secret(cfg.translation)) is not None:
        raise StartupError(missing)   # at start, not as notes on every translated line at night
    services = Services.from_config(cfg, clock)
    app = web.Application(client_max_size=cfg.server.max_body_bytes)
    app[SERVICES] = services
    app[callbacks.CONFIG] = cfg
    app[callbacks.BOT_CRYPTO] = WeComCrypto(cfg.wecom.bot.token, cfg.wecom.bot.encoding_aes_key, "")
    app[callbacks.APP_CRYPTO] = WeComCrypto(cfg.wecom.app.token, cfg.wecom.app.encoding_aes_key, cfg.wecom.corp_id)
    app[callbacks.BACKGROUND] = set()
    run_worker = cfg.worker.in_process if worker is None else worker
    cache_switch = None
    if cfg.sandbox.enabled:   # the sandbox can take the cache away (POST /sandbox/api/cache)
        from bot.sandbox.switch import CacheSwitch

        cache_switch = CacheSwitch()

    async def resources(app: web.Application) -> AsyncIterator[None]:
        db = Database(cfg.database.url, echo=cfg.database.echo)
        cache = make_cache(cfg.redis.url, cfg.redis.prefix)
        if cache_switch is not None:
            cache = cache_switch.wrap(cache)
        try:
            await prepare_database(cfg, db)
            try:
                await cache.ping()
            except CacheUnavailable as e:
                raise StartupError(f"redis.url: cannot reach Redis ({e})") from None
            client = make_client(cfg, cache)
            app[DB], app[CACHE], app[CLIENT] = db, cache, client
            app[web_session.CLIENT] = client   # sign-in turns WeCom's code into a userid with it
            await sync_templates(db, services)
            files = await open_file_store(cfg.attachments)
            await asyncio.get_running_loop().run_in_executor(None, messages.warm)
            if "th" in {g.language for g in cfg.groups} | {lang for p in cfg.people for lang in p.languages}:
                await asyncio.get_running_loop().run_in_executor(None, textcut.warm)
            fetcher = MediaFetcher(cfg, client)   # photos and files sent in chat
            app[callbacks.DESK] = desk = Desk(cfg, db, cache, build_parser(cfg), public_url(cfg), services,
                                              fetch_media=fetcher, files=files)
            if hasattr(desk.parser, "warm"):   # parser processes load the model before the first message
                await desk.parser.warm()
            app[callbacks.KF_READER] = KfReader(cfg, db, cache, client, desk)
            app[WORKER] = make_worker(cfg, db, cache, client, services.clock)
            app[WORKER].observe = app[metrics.METRICS].send_result
            stop = asyncio.Event()
            tasks = [asyncio.create_task(app[WORKER].run(stop)),
                     asyncio.create_task(Scheduler(desk, cfg.worker.timer_interval_s, app[callbacks.KF_READER]).run(stop))] if run_worker else []
            yield
            stop.set()
            if app[callbacks.BACKGROUND]:
                await asyncio.wait(app[callbacks.BACKGROUND], timeout=5)
            if tasks:
                app[WORKER].wake()
                await asyncio.wait_for(asyncio.gather(*tasks), timeout=10)
            await client.close()
            await fetcher.close()
            app[WORKER].close()
            if hasattr(desk.parser, "close"):   # a remote NLU backend's HTTP session, parser processes
                await desk.parser.close()
        finally:
            await cache.close()
            await db.close()

    metrics.install(app, cfg.server.api_token, lambda: app.get(DB))   # GET /metrics, per-app registry
    app.cleanup_ctx.append(resources)
    app.on_response_prepare.append(_wake_worker)
    app.add_routes(callbacks.routes())
    app.add_routes(rasa_routes.routes())
    app.add_routes(api.routes())
    app.add_routes(reports.routes())
    app.add_routes(report_form.routes())
    app.add_routes([web.get("/healthz", healthz)])
    app.add_routes(web_pages.routes())   # the desk's pages: sign-in, board, ticket page, insights
    if cfg.sandbox.enabled:
        from bot.sandbox import create_sandbox

        app.add_subapp("/sandbox", create_sandbox(cfg, services.clock, cache_switch=cache_switch))
    return app


async def open_file_store(acfg: AttachmentsConfig) -> FileStore:
    """Made and checked at start: a photo directory nobody can write or a bucket out of reach is a
    start-up error, not a 503 later."""
    if acfg.backend == "s3":
        try:
            files = file_store(acfg)
        except MissingKey as e:
            raise StartupError(f"attachments.s3: {e}") from None
        try:
            await files.check()   # HeadBucket, with the configured timeouts
        except OSError as e:
            where = f"{acfg.s3.bucket!r} at {acfg.s3.endpoint_url or 'AWS ' + acfg.s3.region}"
            raise StartupError(f"attachments.s3: cannot reach bucket {where} ({e})") from None
        return files
    try:
        files = file_store(acfg)
        await files.check()
    except OSError as e:
        raise StartupError(f"attachments.dir: cannot use {acfg.dir!r} ({e.strerror})") from None
    return files


async def sync_templates(db: Database, services: Services) -> None:
    from storage import service_templates as template_store

    if services.templates is None:
        return
    async with db.exclusive("sync-config") as session:
        for code, version in await template_store.sync_from_config(session, services.templates.defs.values()):
            log.info("template %s: version %s from config is now active", code, version)
    services.templates.invalidate()


async def _wake_worker(request: web.Request, response: web.StreamResponse) -> None:
    # A callback usually leaves outbox rows behind; do not make them wait for the next poll.
    if request.path.startswith("/wecom/") and WORKER in request.app:
        request.app[WORKER].wake()


async def healthz(request: web.Request) -> web.Response:
    checks: dict[str, str] = {}
    for name, probe in (("database", request.app[DB].ping), ("cache", request.app[CACHE].ping)):
        try:
            await asyncio.wait_for(probe(), timeout=2)
            checks[name] = "ok"
        except Exception as e:  # health must report, not raise
            checks[name] = f"error: {type(e).__name__}"
    ok = all(v == "ok" for v in checks.values())
    return web.json_response({"status": "ok" if ok else "degraded", **checks}, status=200 if ok else 503)
