"""`GET /metrics`: the desk in the Prometheus text format, for the operator's Prometheus.

What it says (every name starts with `wecom_desk_`):

- `callbacks_total{channel, outcome}` and `callback_duration_seconds{channel}`: every POST to
  /wecom/bot, /wecom/app and /wecom/kf, counted where bot/callbacks.py `_log` writes its access
  line. `channel` is the delivery's own (bot | app | kf), or the endpoint's when the request was
  refused before it could be read. `outcome`: handled (the desk acted), duplicate (a re-delivery),
  refresh (an AI-bot stream refresh), deferred (still working when the answer was due), ignored,
  error (the desk apologised), kf_read (a 微信客服 notice read), unauthorized (signature or
  timestamp refused: 403), bad_request (400), too_large (413), unavailable (503: the cache or a
  微信客服 read failed; WeCom retries), crashed (the handler raised: 500).
- `outbox_sends_total{kind, result}`: what the outbox worker did with each row it tried: sent,
  retry (a transient failure, tried again later), failed (for good, listed on /outbox), dropped
  (on purpose: its offer ended). Counted by the worker of this process only: with
  `worker.in_process: false` the separate `wecom-desk worker` processes serve no /metrics, and
  this counter stays at zero; the outbox gauges below still show what they leave behind.
- Read from the database at scrape time (one grouped query each, `DatabaseCollector`), so every
  process reports the same truth and a restart loses nothing:
  `outbox_rows{kind, status}` (pending, sending and failed rows; a status with none is one
  series `kind=""` at 0, so a rule on it never meets "no data"), `outbox_oldest_pending_age_seconds`
  (since the oldest pending or sending row was written; quiet hours hold rows back on purpose, so
  alert on `outbox_overdue_seconds`: how long the most overdue due row has waited for a worker),
  `tickets{status}`, and the SLA breaches: `tickets_sla_breached{region}` counts every ticket
  that ever broke a promise (it only grows, so `increase()` gives the breaches of a period) and
  `open_tickets_sla_breached{region}` those still open. Breaches are read from the tickets'
  `sla_breached` flag rather than counted where the timer records them: the flag is the truth
  the summaries use, and it is the same in every process. `metrics_database_up` is 0 when that
  read failed (the counters are still served).

Instrumentation never fails a callback or a send: an error in it is logged and dropped.

Access: /metrics tells how busy the desk is and where it fails, so it is not public. It answers
a loopback client that came straight to the process (no `X-Forwarded-For`, `X-Real-IP` or
`Forwarded` header: through nginx on the same host every request arrives from 127.0.0.1, so a
proxied request never counts as local), or any client with `Authorization: Bearer
<server.api_token>` (bot/auth.py `require_api_token`); anyone else gets 401/403. Those headers are
never trusted to grant access, only to withhold it. Scrape each instance at 127.0.0.1:PORT/metrics
on its host; nginx denies /metrics (deploy/nginx/wecom-desk.conf).

Each app keeps its own `CollectorRegistry` (app[METRICS].registry), never the process-wide default:
tests start many apps in one process, and two desks must not share counts.
"""

from __future__ import annotations

import asyncio
import contextvars
import ipaddress
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Iterator

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from bot.auth import require_api_token
from storage import outbox
from storage.db import Database
from storage.models import Ticket, utcnow
from storage.statuses import OPEN_STATUSES

log = logging.getLogger("wecom_desk.metrics")

CHANNELS = frozenset({"bot", "app", "kf"})
OUTCOMES = {"ok": "handled", "duplicate": "duplicate", "refresh": "refresh", "deferred": "deferred",
            "ignored": "ignored", "error": "error", "kf-read": "kf_read", "unavailable": "unavailable"}
BY_STATUS = {400: "bad_request", 401: "unauthorized", 403: "unauthorized", 413: "too_large", 503: "unavailable"}
SEND_RESULTS = frozenset({"sent", "retry", "failed", "dropped"})
# WeCom waits 5 s; the AI bot's answer is due at server.reply_deadline_ms, the app's at 4 s.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0)
PROXY_HEADERS = ("X-Forwarded-For", "X-Real-IP", "Forwarded")
SCRAPE_TIMEOUT_S = 5.0


def callback_outcome(status: str | None, http_status: int) -> str:
    """The `outcome` label of one callback: the refusal its HTTP status says, else what the desk did."""
    if http_status in BY_STATUS:
        return BY_STATUS[http_status]
    if http_status >= 500:
        return "crashed"
    if http_status >= 400:
        return "bad_request"
    return OUTCOMES.get(status or "", "other")


@dataclass
class Snapshot:
    """What the database said at one scrape."""
    ok: bool = False
    outbox_rows: dict[tuple[str, str], int] = field(default_factory=dict)
    oldest_pending_s: float = 0.0
    overdue_s: float = 0.0
    tickets: dict[str, int] = field(default_factory=dict)
    breached: dict[str, int] = field(default_factory=dict)
    open_breached: dict[str, int] = field(default_factory=dict)


async def read_snapshot(db: Database) -> Snapshot:
    now = utcnow()
    snap = Snapshot()
    async with db.sessions() as session:
        rows = await outbox.depth(session, now)
        # One pass over the tickets: by status, region and breach.
        res = await session.execute(select(Ticket.status, Ticket.region, Ticket.sla_breached, func.count())
                                    .group_by(Ticket.status, Ticket.region, Ticket.sla_breached))
        tickets = res.all()
    oldest = [r.oldest_created for r in rows if r.status in ("pending", "sending") and r.oldest_created]
    due = [r.oldest_due for r in rows if r.status in ("pending", "sending") and r.oldest_due]
    snap.outbox_rows = {(r.kind, r.status): r.count for r in rows}
    snap.oldest_pending_s = max(0.0, (now - min(oldest)).total_seconds()) if oldest else 0.0
    snap.overdue_s = max(0.0, (now - min(due)).total_seconds()) if due else 0.0
    by_status: dict[str, int] = defaultdict(int)
    breached: dict[str, int] = defaultdict(int)
    open_breached: dict[str, int] = defaultdict(int)
    for status, region, was_breached, n in tickets:
        by_status[status] += n
        if was_breached:
            breached[region or "none"] += n
            if status in OPEN_STATUSES:
                open_breached[region or "none"] += n
    snap.tickets, snap.breached, snap.open_breached = dict(by_status), dict(breached), dict(open_breached)
    snap.ok = True
    return snap


class DatabaseCollector(Collector):
    """The scrape-time gauges: `collect` yields the snapshot the handler has just read (reading is
    async, `collect` is not), so one scrape's numbers all come from one moment."""

    def __init__(self) -> None:
        self.snapshot = Snapshot()

    def describe(self) -> list[Any]:
        return []   # no names claimed at registration: the families vary with the data

    def collect(self) -> Iterator[GaugeMetricFamily]:
        s = self.snapshot
        up = GaugeMetricFamily("wecom_desk_metrics_database_up", "1 when this scrape could read the database")
        up.add_metric([], 1.0 if s.ok else 0.0)
        yield up
        if not s.ok:
            return
        rows = GaugeMetricFamily("wecom_desk_outbox_rows", "Outbox rows waiting (pending, sending) or failed",
                                 labels=["kind", "status"])
        for (kind, status), n in sorted(s.outbox_rows.items()):
            rows.add_metric([kind, status], n)
        for status in outbox.WAITING:   # always present, so a rule on it never meets "no data"
            if not any(st == status for _, st in s.outbox_rows):
                rows.add_metric(["", status], 0)
        yield rows
        yield GaugeMetricFamily("wecom_desk_outbox_oldest_pending_age_seconds",
                                "Age of the oldest pending or sending outbox row (0: none)", value=s.oldest_pending_s)
        yield GaugeMetricFamily("wecom_desk_outbox_overdue_seconds",
                                "How long the most overdue due outbox row has waited for a worker (0: none)",
                                value=s.overdue_s)
        tickets = GaugeMetricFamily("wecom_desk_tickets", "Tickets by status", labels=["status"])
        for status, n in sorted(s.tickets.items()):
            tickets.add_metric([status], n)
        yield tickets
        breached = GaugeMetricFamily("wecom_desk_tickets_sla_breached",
                                     "Tickets that broke an SLA promise, ever, by region", labels=["region"])
        for region, n in sorted(s.breached.items()):
            breached.add_metric([region], n)
        yield breached
        open_breached = GaugeMetricFamily("wecom_desk_open_tickets_sla_breached",
                                          "Open tickets that broke an SLA promise, by region", labels=["region"])
        for region, n in sorted(s.open_breached.items()):
            open_breached.add_metric([region], n)
        yield open_breached


class Metrics:
    """One app's metrics: its registry, the counters the edge updates, the scrape-time collector."""

    def __init__(self, api_token: str, database: Callable[[], Database | None]) -> None:
        self.api_token = api_token
        self.database = database
        self.registry = CollectorRegistry()
        self.callbacks = Counter("wecom_desk_callbacks", "WeCom callbacks by channel and outcome",
                                 ["channel", "outcome"], registry=self.registry)
        self.callback_seconds = Histogram("wecom_desk_callback_duration_seconds",
                                          "Time from a callback's arrival to its answer", ["channel"],
                                          buckets=LATENCY_BUCKETS, registry=self.registry)
        self.sends = Counter("wecom_desk_outbox_sends", "Outbox rows tried by this process's worker, by result",
                             ["kind", "result"], registry=self.registry)
        self.state = DatabaseCollector()
        self.registry.register(self.state)
        self._scrape = asyncio.Lock()

    def callback(self, channel: str | None, outcome: str, seconds: float) -> None:
        try:
            channel = channel if channel in CHANNELS else "other"
            self.callbacks.labels(channel, outcome).inc()
            self.callback_seconds.labels(channel).observe(max(0.0, seconds))
        except Exception:
            log.exception("metrics: could not count a callback")

    def send_result(self, kind: str, result: str) -> None:
        """The worker's hook (OutboxWorker.observe)."""
        try:
            self.sends.labels(kind, result if result in SEND_RESULTS else "other").inc()
        except Exception:
            log.exception("metrics: could not count a send")

    async def exposition(self) -> bytes:
        async with self._scrape:   # concurrent scrapes take turns: each reads, then renders its own read
            db = self.database()
            try:
                if db is None:
                    raise RuntimeError("the database is not open yet")
                snap = await asyncio.wait_for(read_snapshot(db), SCRAPE_TIMEOUT_S)
            except Exception as e:
                log.warning("metrics: could not read the database (%s: %s)", type(e).__name__, e)
                snap = Snapshot()
            self.state.snapshot = snap
            return generate_latest(self.registry)


METRICS = web.AppKey("metrics", Metrics)

# The callback being answered: set by `middleware` around each /wecom/* POST, read by `observe_callback`
# (bot/callbacks.py `_log` has the outcome but not the request).
_CURRENT: contextvars.ContextVar["_Callback | None"] = contextvars.ContextVar("wecom_desk_callback", default=None)


@dataclass
class _Callback:
    metrics: Metrics
    channel: str
    counted: bool = False


def observe_callback(channel: str | None, status: str | None, http_status: int, seconds: float) -> None:
    """One callback answered (called from bot/callbacks.py `_log`). Never raises."""
    try:
        current = _CURRENT.get()
        if current is None or current.counted:
            return
        current.counted = True
        current.metrics.callback(channel or current.channel, callback_outcome(status, http_status), seconds)
    except Exception:
        log.exception("metrics: could not count a callback")


@web.middleware
async def middleware(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                     ) -> web.StreamResponse:
    """Around each /wecom/* POST: lets `_log`'s `observe_callback` find this app's metrics, and
    counts what `_log` did not see (a handler that raised, a path it does not log)."""
    metrics = request.app.get(METRICS)
    if metrics is None or request.method != "POST" or not request.path.startswith("/wecom/"):
        return await handler(request)
    current = _Callback(metrics, request.path.rsplit("/", 1)[-1])
    token = _CURRENT.set(current)
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as e:
        status = e.status
        raise
    finally:
        _CURRENT.reset(token)
        if not current.counted:
            metrics.callback(current.channel, callback_outcome(None, status), time.perf_counter() - started)


def _direct_loopback(request: web.Request) -> bool:
    """Straight from this machine: a loopback peer, and no proxy in between (see the docstring)."""
    if any(h in request.headers for h in PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address((request.remote or "").split("%", 1)[0]).is_loopback
    except ValueError:
        return False


async def metrics_page(request: web.Request) -> web.Response:
    metrics = request.app[METRICS]
    if not _direct_loopback(request):
        require_api_token(request, metrics.api_token)
    body = await metrics.exposition()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})


def install(app: web.Application, api_token: str, database: Callable[[], Database | None]) -> Metrics:
    """The app's registry, the callbacks' middleware and the /metrics route (bot/app.py)."""
    metrics = app[METRICS] = Metrics(api_token, database)
    app.middlewares.append(middleware)
    app.router.add_get("/metrics", metrics_page)
    return metrics
