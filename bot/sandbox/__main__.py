"""`python -m bot.sandbox --config PATH --port N [--desk-url URL]`: the sandbox alone.

It serves only the sandbox (WeCom's API stand-in, the driver API and the page) at /sandbox on
127.0.0.1, for several `wecom-desk serve` processes that run with the sandbox off and
`wecom.api_base: http://127.0.0.1:N/sandbox`. The driver's callbacks (bot/message, app/click …) go
to --desk-url (default: the config's server.public_url, else its server host and port).

It has no desk in its process: the clock (POST /sandbox/api/clock) and the cache switch
(POST /sandbox/api/cache) answer 409 here. A bad config or a host other than 127.0.0.1 is one line
on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import logging
import sys

HOST = "127.0.0.1"   # anyone who reaches the sandbox can act as anyone: never beyond this machine
EXIT_USAGE = 2
log = logging.getLogger("wecom_desk.sandbox")


def _fail(message: str) -> int:
    print(f"wecom-desk sandbox: {message}", file=sys.stderr)
    return EXIT_USAGE


def default_desk_url(cfg) -> str:  # type: ignore[no-untyped-def]
    """The desk's own address as bot.app.public_url computes it (not imported: bot.app mounts us)."""
    host = HOST if cfg.server.host in ("0.0.0.0", "::", "") else cfg.server.host
    return cfg.server.public_url.rstrip("/") or f"http://{host}:{cfg.server.port}"


def build_cli() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.sandbox",
                                     description="Serve the local WeCom sandbox alone, at /sandbox on 127.0.0.1.")
    parser.add_argument("--config", help="config file (default: $WECOM_DESK_CONFIG or config.yaml)")
    parser.add_argument("--port", type=int, required=True, help="port to listen on")
    parser.add_argument("--host", default=HOST, help="only 127.0.0.1 is accepted")
    parser.add_argument("--desk-url", help="where callbacks go (default: from the config's server section)")
    parser.add_argument("--log-level", default="INFO")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_cli().parse_args(argv)
    if args.host != HOST:
        return _fail(f"refusing --host {args.host}: the sandbox serves {HOST} only "
                     "(anyone who reaches it can act as anyone and read every message)")
    if not 0 < args.port < 65536:
        return _fail(f"--port {args.port} is not a port")

    from aiohttp import web

    from handlers.config import ConfigError, load_config
    from bot.sandbox import create_sandbox

    try:
        cfg = load_config(args.config)
    except ConfigError as e:
        return _fail(f"config error: {e}")
    desk_url = (args.desk_url or default_desk_url(cfg)).rstrip("/")
    if not desk_url.startswith(("http://", "https://")):
        return _fail(f"--desk-url {desk_url!r} must start with http:// or https://")

    logging.basicConfig(level=getattr(logging, args.log_level.upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    app = web.Application()
    app.add_subapp("/sandbox", create_sandbox(cfg, desk_url=desk_url, standalone=True))
    log.info("sandbox alone on http://%s:%s/sandbox (point wecom.api_base there); callbacks go to %s",
             HOST, args.port, desk_url)
    try:
        web.run_app(app, host=HOST, port=args.port, print=None, access_log=None)
    except OSError as e:   # the port is taken, …
        return _fail(f"cannot listen on {HOST}:{args.port}: {e.strerror or e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
