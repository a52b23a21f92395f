"""The cluster harness: wecom-desk as it runs in production, on loopback, for tests/cluster and bench/.

    WeCom (this test) ──callbacks──▶ serve A, serve B ──▶ PostgreSQL (a database of its own)
                                          │                 ▲
                                          └─▶ Redis ◀── front ── the TCP proxy that can cut it
    worker 1, worker 2 ──message/send…──▶ sandbox (python -m bot.sandbox: WeCom's API stand-in)
    sandbox driver ──card clicks──▶ front's HTTP balancer ──▶ serve A / serve B

Everything is a real process started the way an operator starts it (`python -m bot serve|worker
--config`, `python -m bot db upgrade`, `python -m bot.sandbox`), with the shipped sandbox secrets.
The "front" is this file run as a process (`python -m tests.cluster.harness front …`): a TCP proxy
in front of Redis that can drop every connection and refuse new ones (the cache "SIGKILLed"), a
round-robin HTTP balancer the sandbox's driver sends its callbacks through (as WeCom reaches
several servers behind one URL), and a small control API.

Nothing here imports pytest: bench/faults.py and bench/mixed.py use the same pieces.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Iterable

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable

# -- the directory: stores in eleven cities, three engineers per city and skill --------------------
CITIES = [("sh", "上海", "east"), ("hz", "杭州", "east"), ("nj", "南京", "east"), ("su", "苏州", "east"),
          ("nb", "宁波", "east"), ("hf", "合肥", "east"), ("gz", "广州", "south"), ("sz", "深圳", "south"),
          ("dg", "东莞", "south"), ("fs", "佛山", "south"), ("xm", "厦门", "south")]
# What a store writes for each skill (each parses as create_ticket with confidence ≥ 0.89 and opens
# without asking; elevators are left out: they are assigned, not offered).
REPORTS = {"hvac": "@小鲸 店里空调不制冷了", "pos": "@小鲸 收银机打不开", "network": "@小鲸 网络断了",
           "plumbing": "@小鲸 厕所马桶堵了", "electrical": "@小鲸 店里跳闸了", "appliance": "@小鲸 冰箱不制冷了",
           "cctv": "@小鲸 监控摄像头黑屏了"}
SKILLS = list(REPORTS)
SKILL_NAMES = {"hvac": "空调", "pos": "收银", "network": "网络", "plumbing": "水管", "electrical": "电路",
               "appliance": "电器", "cctv": "监控"}
PER_COMBO = 3            # = template_defaults.offer_k: every offer stays in the store's city
POOL = 47                # more east hvac engineers, for 50 claims on one job (3 offered + 47 others)
CAPACITY = 50


def engineer(code: str, skill: str, k: int) -> str:
    return f"e_{code}_{skill}_{k}"


def store(code: str) -> str:
    return f"store_{code}"


def group(code: str) -> str:
    return f"wr_cl_{code}"


def pool_engineer(i: int) -> str:
    return f"e_pool_{i:02d}"


def directory(base: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """People and groups: the shipped non-engineers and groups, plus a store and its group per city
    and PER_COMBO engineers per (city, skill). Offers never leave a city, and 1,000 job cards
    spread over 231 engineers stay well below WeCom's 30 messages a minute per member."""
    people = [p for p in base["people"] if "engineer" not in p["roles"]]
    groups = list(base["groups"])
    for code, city, region in CITIES:
        people.append({"userid": store(code), "name": f"{city}门店店长", "roles": ["customer"], "regions": [region],
                       "languages": ["zh"]})
        groups.append({"chatid": group(code), "name": f"{city}门店报修群", "kind": "customer", "region": region,
                       "city": city, "language": "zh", "webhook_key": f"sandbox-key-cl-{code}"})
        for skill in SKILLS:
            for k in range(PER_COMBO):
                people.append({"userid": engineer(code, skill, k), "name": f"{city}{SKILL_NAMES[skill]}{k + 1}号",
                               "roles": ["engineer"], "skills": [skill], "regions": [region], "city": city,
                               "languages": ["zh"], "capacity": CAPACITY})
    for i in range(POOL):
        people.append({"userid": pool_engineer(i), "name": f"华东空调机动{i + 1:02d}", "roles": ["engineer"],
                       "skills": ["hvac"], "regions": ["east"], "languages": ["zh"], "capacity": CAPACITY})
    return people, groups


def report_of(i: int) -> tuple[str, str, str, str]:
    """The i-th report of a stream of reports: (store userid, chatid, text, skill), cycling through
    every city, then every skill, so that offers spread evenly over the engineers."""
    code = CITIES[i % len(CITIES)][0]
    skill = SKILLS[(i // len(CITIES)) % len(SKILLS)]
    return store(code), group(code), REPORTS[skill], skill


# -- config -----------------------------------------------------------------------------------------
def base_config() -> dict[str, Any]:
    import yaml

    from handlers.config import interpolate

    return interpolate(yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8")), env={})


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def cluster_config(*, port: int, database_url: str, redis_url: str, prefix: str, sandbox_url: str,
                   worker: dict[str, Any] | None = None, **over: Any) -> dict[str, Any]:
    """The shipped config.yaml (its sandbox secrets: the standalone sandbox checks the same values)
    for a multi-process layout: the sandbox off in the desk, WeCom's API at the standalone sandbox,
    outbox drained by separate workers."""
    base = base_config()
    people, groups = directory(base)
    data = _merge(base, {
        "server": {"host": "127.0.0.1", "port": port},
        "database": {"url": database_url},
        "redis": {"url": redis_url, "prefix": prefix},
        "wecom": {"api_base": sandbox_url + "/sandbox", "api_timeout_s": 3},
        "sandbox": {"enabled": False},
        "worker": {"in_process": False, "poll_interval_s": 0.2, "backoff_base_s": 0.2, "backoff_max_s": 2.0,
                   "max_attempts": 25, "lease_s": 10, "timer_interval_s": 1.0, **(worker or {})},
        "translation": {"base_url": sandbox_url + "/sandbox/translate/m"},
        # The runs happen at any hour: offers are never held anyway; answers should not be either.
        "quiet_hours": {"enabled": False},
        # Nothing here waits five minutes: no offer round may expire and re-offer in the middle.
        "template_defaults": {"offer_timeout_s": 3600},
        # The report streams repeat each store's jobs on purpose (one ticket per report, counted):
        # repeats are not folded into the open ticket here; tests/e2e/test_cards_and_duplicates.py
        # covers that rule.
        "routing": {**base["routing"], "attach_repeat_reports": False},
        "people": people, "groups": groups,
        "joint_squads": [],   # the shipped squad's engineers are not in this directory
    })
    return _merge(data, over)


def write_config(path: Path, data: dict[str, Any]) -> Path:
    import yaml

    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- WeCom's side of a callback ---------------------------------------------------------------------
class WeCom:
    """Seals callbacks as WeCom does (the desk's own keys, from the config) and opens its replies."""

    def __init__(self, cfg: Any) -> None:
        from bot.crypto import WeComCrypto

        self.cfg = cfg
        self.bot = WeComCrypto(cfg.wecom.bot.token, cfg.wecom.bot.encoding_aes_key, "")
        self.app = WeComCrypto(cfg.wecom.app.token, cfg.wecom.app.encoding_aes_key, cfg.wecom.corp_id)

    @staticmethod
    def bot_text(msgid: str, userid: str, chatid: str | None, text: str) -> str:
        msg: dict[str, Any] = {"msgid": msgid, "aibotid": "aib_cluster", "chattype": "group" if chatid else "single",
                               "from": {"userid": userid}, "msgtype": "text", "text": {"content": text}}
        if chatid:
            msg["chatid"] = chatid
        return json.dumps(msg, ensure_ascii=False)

    def seal_bot(self, plaintext: str) -> tuple[dict[str, str], str, dict[str, str]]:
        sealed = self.bot.seal(plaintext)
        return ({"msg_signature": sealed["msgsignature"], "timestamp": sealed["timestamp"], "nonce": sealed["nonce"]},
                json.dumps({"encrypt": sealed["encrypt"]}), {"Content-Type": "application/json"})

    def open_bot_reply(self, body: str) -> dict[str, Any] | None:
        if not body:
            return None
        sealed = json.loads(body)
        self.bot.verify(sealed["msgsignature"], sealed["timestamp"], sealed["nonce"], sealed["encrypt"])
        return json.loads(self.bot.decrypt(sealed["encrypt"]))

    def app_text(self, userid: str, text: str, msgid: str | None = None) -> str:
        from bot.sandbox.driver import app_xml

        return app_xml({"ToUserName": self.cfg.wecom.corp_id, "FromUserName": userid, "CreateTime": int(time.time()),
                        "MsgType": "text", "Content": text, "MsgId": msgid or str(secrets.randbelow(10 ** 18)),
                        "AgentID": self.cfg.wecom.app.agent_id})

    def app_click(self, userid: str, task_id: str, event_key: str, response_code: str) -> str:
        from bot.sandbox.driver import app_xml

        return app_xml({"ToUserName": self.cfg.wecom.corp_id, "FromUserName": userid, "CreateTime": int(time.time()),
                        "MsgType": "event", "Event": "template_card_event", "EventKey": event_key, "TaskId": task_id,
                        "CardType": "button_interaction", "ResponseCode": response_code,
                        "AgentID": self.cfg.wecom.app.agent_id})

    def seal_app(self, xml: str) -> tuple[dict[str, str], str, dict[str, str]]:
        from bot.sandbox.driver import _cdata

        sealed = self.app.seal(xml)
        body = (f"<xml><ToUserName>{_cdata(self.app.receive_id)}</ToUserName>"
                f"<Encrypt>{_cdata(sealed['encrypt'])}</Encrypt><AgentID>{_cdata('')}</AgentID></xml>")
        return ({"msg_signature": sealed["msgsignature"], "timestamp": sealed["timestamp"], "nonce": sealed["nonce"]},
                body, {"Content-Type": "text/xml"})


class Servers:
    """The servers behind WeCom's one callback URL, as a balancer spreads them: round robin, and
    the next server when nobody listens on one (a killed process). A request that breaks once
    connected is not sent elsewhere: like a POST through nginx, it fails, and WeCom retries it."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls
        self._next = 0
        self.inflight = [0] * len(urls)
        self.answered = [Counter() for _ in urls]   # per server: HTTP status (0 = no answer) → count

    async def post(self, http: Any, path: str, params: dict[str, str], body: str, headers: dict[str, str], *,
                   timeout: float = 5.0, pin: int | None = None) -> tuple[int, str, int]:
        import aiohttp

        if pin is None:
            start, self._next = self._next, (self._next + 1) % len(self.urls)
            order = [(start + k) % len(self.urls) for k in range(len(self.urls))]
        else:
            order = [pin]
        last = "no server"
        for idx in order:
            self.inflight[idx] += 1
            try:
                async with http.post(self.urls[idx] + path, params=params, data=body.encode(), headers=headers,
                                     timeout=aiohttp.ClientTimeout(total=timeout)) as resp:
                    text = await resp.text()
                    self.answered[idx][resp.status] += 1
                    return resp.status, text, idx
            except aiohttp.ClientConnectorError as e:     # refused: the balancer tries the next one
                last = f"{type(e).__name__}"
                continue
            except (aiohttp.ClientError, asyncio.TimeoutError) as e:
                self.answered[idx][0] += 1
                return 0, type(e).__name__, idx
            finally:
                self.inflight[idx] -= 1
        return 0, last, -1


@dataclass
class Delivery:
    """One message as WeCom delivered it: every attempt (server, HTTP status; 0 = no answer)."""

    msgid: str
    attempts: list[tuple[int, int]] = field(default_factory=list)
    reply: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return any(status == 200 for _, status in self.attempts)


async def deliver_bot(http: Any, wecom: WeCom, servers: Servers, *, msgid: str, userid: str, chatid: str | None,
                      text: str, retries: int = 3, retry_after: float = 5.0, timeout: float = 5.0,
                      pin: int | None = None) -> Delivery:
    """An AI-bot text callback with WeCom's delivery rules: wait at most `timeout` for an answer;
    anything but a 200 is delivered again after `retry_after`, at most `retries` more times."""
    plaintext = WeCom.bot_text(msgid, userid, chatid, text)
    rec = Delivery(msgid)
    for attempt in range(1 + retries):
        params, body, headers = wecom.seal_bot(plaintext)
        status, answer, idx = await servers.post(http, "/wecom/bot", params, body, headers, timeout=timeout, pin=pin)
        rec.attempts.append((idx, status))
        if status == 200:
            rec.reply = wecom.open_bot_reply(answer)
            return rec
        if attempt < retries:
            await asyncio.sleep(retry_after)
    return rec


TICKET_IN_REPLY = re.compile(r"#(\d+)")


def ticket_of_reply(reply_json: str | None) -> int | None:
    """The ticket a stored reply (inbound_callbacks.reply) is about: the first "#N" in it."""
    if not reply_json:
        return None
    m = TICKET_IN_REPLY.search(reply_json)
    return int(m.group(1)) if m else None


# -- what was sent, what WeCom delivered --------------------------------------------------------------
def row_key(kind: str, dest: str, payload: dict[str, Any]) -> tuple[str, ...]:
    """An outbox row's identity as WeCom would show it: a card by its task_id (unique per card),
    a text by its receiver and content."""
    if "card" in payload:
        return ("card", str(payload["card"].get("task_id")))
    msgtype = payload.get("msgtype", "")
    return ("text", kind, dest, str((payload.get(msgtype) or {}).get("content", "")))


def call_key(call: dict[str, Any]) -> tuple[str, ...] | None:
    body = call.get("body") or {}
    msgtype = body.get("msgtype")
    if msgtype == "template_card":
        return ("card", str((body.get("template_card") or {}).get("task_id")))
    if msgtype in ("markdown", "text"):
        kind = "app_message" if call["api"].startswith("message/send") else "webhook"
        dest = str(body.get("touser", "")) if kind == "app_message" else str(call.get("chatid", ""))
        return ("text", kind, dest, str((body.get(msgtype) or {}).get("content", "")))
    return None


@dataclass
class Tally:
    expected: int
    delivered: Counter              # key → true deliveries (api "message/send", no fault)
    suppressed: Counter             # key → re-sends WeCom's duplicate check swallowed
    dropped: Counter                # key → dropped by WeCom's per-member limit
    missing: list[tuple[str, ...]]
    twice: dict[tuple[str, ...], int]

    @property
    def once(self) -> int:
        return sum(1 for n in self.delivered.values() if n == 1)

    def line(self) -> str:
        return (f"expected {self.expected}, delivered exactly once {self.once}, missing {len(self.missing)}, "
                f"delivered twice or more {len(self.twice)}, re-sends suppressed by WeCom's duplicate check "
                f"{sum(self.suppressed.values())}, dropped by WeCom's per-member limit {sum(self.dropped.values())}")


def tally(expected: Iterable[tuple[str, ...]], calls: list[dict[str, Any]]) -> Tally:
    want = set(expected)
    delivered, suppressed, dropped = Counter(), Counter(), Counter()
    for call in calls:
        if call.get("fault") or not call["api"].startswith("message/send"):
            continue
        key = call_key(call)
        if key not in want:
            continue
        {"message/send": delivered, "message/send:duplicate": suppressed,
         "message/send:dropped": dropped}.get(call["api"], Counter())[key] += 1
    return Tally(len(want), delivered, suppressed, dropped, sorted(want - set(delivered)),
                 {k: n for k, n in delivered.items() if n > 1})


# -- WeCom misbehaving ------------------------------------------------------------------------------
# Per-call probabilities on message/send (30 % in all): faults that hit before WeCom processes the
# call, drawn in turn, then lost answers after it delivered. Each `p` is conditional on the
# earlier draws missing, so the shares below are shares of all calls.
FAULT_MIX = [  # (share of calls, spec)
    (0.05, {"mode": "http500"}),
    (0.04, {"mode": "hang", "seconds": 2.0}),
    (0.04, {"mode": "reset"}),
    (0.035, {"mode": "errcode", "errcode": 45009}),
    (0.035, {"mode": "errcode", "errcode": 42001}),
    (0.06, {"mode": "lost_reply", "reply": "502"}),
    (0.04, {"mode": "lost_reply", "reply": "reset"}),
]


async def set_fault_mix(sandbox: Any, mix: list[tuple[float, dict[str, Any]]], seed: int) -> float:
    """Set the faults so that each hits its share of all message/send calls; returns the total share."""
    left = {"before": 1.0, "after": 1.0}
    before_total = sum(share for share, spec in mix if spec["mode"] != "lost_reply")
    for i, (share, spec) in enumerate(mix):
        phase = "after" if spec["mode"] == "lost_reply" else "before"
        base = left[phase] * (1.0 - before_total if phase == "after" else 1.0)
        p = share / base
        left[phase] -= share / (1.0 - before_total if phase == "after" else 1.0)
        extra = {k: v for k, v in spec.items() if k not in ("mode", "errcode", "seconds")}
        await sandbox.fault(spec["mode"], api="message/send", probability=round(p, 6), errcode=spec.get("errcode"),
                            seconds=spec.get("seconds", 2.0), seed=seed + i, **extra)
    return sum(share for share, _ in mix)


# -- the front: a Redis that can be cut, a balancer, a control API ----------------------------------
class TcpProxy:
    """Forwards a port to Redis. `cut()` drops every connection and stops listening, so a new
    connection is refused at once, as if the Redis process had been SIGKILLed; `restore()`
    listens again."""

    def __init__(self, port: int, target: tuple[str, int]) -> None:
        self.port, self.target = port, target
        self.server: asyncio.base_events.Server | None = None
        self.transports: set[asyncio.BaseTransport] = set()
        self.accepted = self.cuts = self.dropped = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", self.port, reuse_address=True)

    async def cut(self) -> int:
        if self.server is not None:
            self.server.close()
            self.server = None
        dropped = len(self.transports)
        for t in list(self.transports):
            t.abort()
        self.transports.clear()
        self.cuts += 1
        self.dropped += dropped
        return dropped

    async def restore(self) -> None:
        if self.server is None:
            await self.start()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        if self.server is None:          # cut while we connected
            writer.transport.abort()
            up_writer.transport.abort()
            return
        self.accepted += 1
        pair = (writer.transport, up_writer.transport)
        self.transports.update(pair)
        try:
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        finally:
            for t in pair:
                self.transports.discard(t)
                t.abort()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.transport.abort()


async def run_front(args: argparse.Namespace) -> None:
    import aiohttp
    from aiohttp import web

    host, _, port = args.redis_target.rpartition(":")
    proxy = TcpProxy(args.redis_port, (host or "127.0.0.1", int(port)))
    await proxy.start()
    backends = [b.rstrip("/") for b in args.backends.split(",") if b]
    per_backend = [Counter() for _ in backends]
    rr = {"next": 0}
    http = aiohttp.ClientSession()

    async def balance(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        start = rr["next"]
        rr["next"] = (start + 1) % len(backends)
        for k in range(len(backends)):
            idx = (start + k) % len(backends)
            try:
                async with http.request(request.method, backends[idx] + request.path_qs, data=body,
                                        headers={"Content-Type": request.headers.get("Content-Type", "")},
                                        timeout=aiohttp.ClientTimeout(total=10)) as resp:
                    data = await resp.read()
                    per_backend[idx][str(resp.status)] += 1
                    return web.Response(status=resp.status, body=data,
                                        content_type=resp.content_type or "application/octet-stream")
            except aiohttp.ClientConnectorError:
                per_backend[idx]["refused"] += 1
                continue
            except (aiohttp.ClientError, asyncio.TimeoutError):
                per_backend[idx]["broken"] += 1
                return web.Response(status=502, text="bad gateway")
        return web.Response(status=502, text="no backend")

    async def cut(request: web.Request) -> web.Response:
        return web.json_response({"dropped": await proxy.cut()})

    async def restore(request: web.Request) -> web.Response:
        await proxy.restore()
        return web.json_response({"ok": True})

    async def stats(request: web.Request) -> web.Response:
        return web.json_response({"redis": {"cut": proxy.server is None, "connections": len(proxy.transports) // 2,
                                            "accepted": proxy.accepted, "cuts": proxy.cuts, "dropped": proxy.dropped},
                                  "balancer": [dict(c) for c in per_backend]})

    control = web.Application()
    control.add_routes([web.post("/redis/cut", cut), web.post("/redis/restore", restore), web.get("/stats", stats)])
    front = web.Application(client_max_size=1 << 20)
    front.add_routes([web.route("*", "/{tail:.*}", balance)])
    runners = []
    for app, port in ((control, args.control_port), (front, args.http_port)):
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        runners.append(runner)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await proxy.cut()
    await http.close()
    for runner in runners:
        await runner.cleanup()


# -- processes ----------------------------------------------------------------------------------------
class ClusterError(RuntimeError):
    """The cluster could not be brought up (the message carries the processes' last log lines)."""


@dataclass
class Proc:
    name: str
    cmd: list[str]
    log: Path
    popen: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def spawn(self) -> None:
        self.starts += 1
        out = self.log.open("ab")
        out.write(f"\n=== start {self.starts}: {' '.join(self.cmd)}\n".encode())
        out.flush()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.popen = subprocess.Popen(self.cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
        out.close()

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, whatever was in flight stays half-done."""
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.terminate()
        try:
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def tail(self, n: int = 25) -> str:
        try:
            lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(lines[-n:])


def _http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _pg_admin_url(url: str) -> Any:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql")


async def _admin(server_url: str, sql: str) -> None:
    """One statement on the server's maintenance connection (CREATE/DROP DATABASE cannot run in a
    transaction, nor inside the database they name)."""
    import asyncpg

    conn = await asyncpg.connect(_pg_admin_url(server_url).render_as_string(hide_password=False))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def create_database(server_url: str, name: str) -> str:
    """A new, empty database `name` on the server of `server_url`; returns its SQLAlchemy URL."""
    from sqlalchemy.engine import make_url

    await _admin(server_url, f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def drop_database(server_url: str, name: str) -> None:
    await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def clear_redis_prefix(redis_url: str, prefix: str) -> int:
    import redis

    r = redis.Redis.from_url(redis_url)
    try:
        keys = list(r.scan_iter(match=prefix + "*", count=1000))
        if keys:
            r.delete(*keys)
        return len(keys)
    finally:
        r.close()


WORKER_GRACE_S = 2.0   # a worker's start-up transaction (directory sync) commits well within this


def pg_connections(pid: int, port: int) -> int:
    """How many established TCP connections process `pid` holds to `port` (Linux /proc)."""
    try:
        inodes = set()
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                if link.startswith("socket:["):
                    inodes.add(link[8:-1])
    except OSError:
        return 0
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as f:
            next(f)
            for line in f:
                cols = line.split()
                remote_port = int(cols[2].rsplit(":", 1)[1], 16)
                if cols[3] == "01" and remote_port == port and cols[9] in inodes:
                    count += 1
    return count


class Cluster:
    """1 sandbox, `serves` × `wecom-desk serve`, `workers` × `wecom-desk worker`, the front (Redis
    proxy + balancer), on a database of its own that `stop()` drops, under its own Redis prefix."""

    def __init__(self, pg_url: str, redis_url: str, tmp: Path, *, serves: int = 2, workers: int = 2,
                 worker: dict[str, Any] | None = None, log_level: str | None = None, front: bool = True,
                 sandbox: bool = True, name: str = "cluster", **config: Any) -> None:
        """`front=False`: the services talk to Redis directly (no proxy to cut, no balancer);
        `sandbox=False`: no WeCom stand-in (for runs that start no worker). `config`: top-level
        config sections that replace the cluster's (e.g. people=[…])."""
        if not pg_url.startswith("postgresql"):
            raise ClusterError(f"the cluster needs PostgreSQL, not {pg_url.split(':', 1)[0]}")
        if not redis_url.startswith("redis"):
            raise ClusterError("the cluster needs Redis")
        self.pg_server_url, self.redis_real = pg_url, redis_url
        self.tmp = tmp
        self.dbname = f"wecom_desk_{name}_{uuid.uuid4().hex[:10]}"
        self.database_url = ""
        self.prefix = f"{name}-{uuid.uuid4().hex[:10]}:"
        self.with_front, self.with_sandbox = front, sandbox
        self.log_level = log_level or os.environ.get("WECOM_DESK_CLUSTER_LOG_LEVEL", "WARNING")
        self.n_serves, self.n_workers = serves, workers
        self.worker_overrides, self.config_overrides = worker or {}, config
        real = urllib.parse.urlsplit(redis_url)
        self.redis_target = f"{real.hostname or '127.0.0.1'}:{real.port or 6379}"
        self.redis_port, self.http_port, self.control_port = free_port(), free_port(), free_port()
        self.sandbox_port = free_port()
        self.serve_ports = [free_port() for _ in range(serves)]
        self.procs: dict[str, Proc] = {}
        self.config_paths: list[Path] = []
        self.cfg: Any = None
        self.started_at = 0.0

    # urls
    @property
    def sandbox_url(self) -> str:
        return f"http://127.0.0.1:{self.sandbox_port}"

    @property
    def serve_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p}" for p in self.serve_ports]

    @property
    def control_url(self) -> str:
        return f"http://127.0.0.1:{self.control_port}"

    @property
    def redis_url(self) -> str:
        """What the services use: Redis through the proxy (or Redis itself without the front)."""
        if not self.with_front:
            return self.redis_real
        real = urllib.parse.urlsplit(self.redis_real)
        auth = real.netloc.rpartition("@")[0]
        return urllib.parse.urlunsplit((real.scheme, f"{auth + '@' if auth else ''}127.0.0.1:{self.redis_port}",
                                        real.path, real.query, ""))

    def _proc(self, name: str, cmd: list[str]) -> Proc:
        proc = Proc(name, cmd, self.tmp / f"{name}.log")
        self.procs[name] = proc
        return proc

    def _serve_cmd(self, i: int) -> list[str]:
        return [PY, "-m", "bot", "serve", "--config", str(self.config_paths[i]), "--log-level", self.log_level]

    def _worker_cmd(self) -> list[str]:
        return [PY, "-m", "bot", "worker", "--config", str(self.config_paths[0]), "--log-level", self.log_level]

    def _fail(self, why: str) -> ClusterError:
        logs = "\n".join(f"--- {p.name} (alive: {p.alive}) ---\n{p.tail()}" for p in self.procs.values())
        return ClusterError(f"{why}\n{logs}")

    def _wait(self, what: str, probe: Any, procs: list[Proc], timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            dead = [p.name for p in procs if not p.alive]
            if dead:
                raise self._fail(f"{', '.join(dead)} exited while waiting for {what}")
            if probe():
                return
            time.sleep(0.2)
        raise self._fail(f"timed out after {timeout:.0f} s waiting for {what}")

    def start(self) -> "Cluster":
        """Everything up, one process at a time; on any failure, everything down again (database
        dropped) and the error raised."""
        atexit.register(self.stop)   # an interrupted run leaves no processes, database or keys behind
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> "Cluster":
        from handlers.config import parse_config

        self.started_at = time.monotonic()
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.database_url = asyncio.run(create_database(self.pg_server_url, self.dbname))
        for i, port in enumerate(self.serve_ports):
            data = cluster_config(port=port, database_url=self.database_url, redis_url=self.redis_url,
                                  prefix=self.prefix, sandbox_url=self.sandbox_url, worker=self.worker_overrides,
                                  **self.config_overrides)
            self.config_paths.append(write_config(self.tmp / f"config-{i}.yaml", data))
            if i == 0:
                self.cfg = parse_config(data, env={})
        waits: list[tuple[str, Any, list[Proc]]] = []
        if self.with_front:
            front = self._proc("front", [PY, "-m", "tests.cluster.harness", "front", "--redis-port",
                                         str(self.redis_port), "--redis-target", self.redis_target, "--http-port",
                                         str(self.http_port), "--control-port", str(self.control_port),
                                         "--backends", ",".join(self.serve_urls)])
            front.spawn()
            waits.append(("the front", lambda: _http_ok(self.control_url + "/stats"), [front]))
        upgrade = subprocess.run([PY, "-m", "bot", "db", "upgrade", "--config", str(self.config_paths[0])], cwd=ROOT,
                                 capture_output=True, text=True, timeout=120)
        if upgrade.returncode != 0:
            raise self._fail(f"`wecom-desk db upgrade` failed ({upgrade.returncode}): {upgrade.stderr[-2000:]}")
        if self.with_sandbox:
            desk_url = f"http://127.0.0.1:{self.http_port}" if self.with_front else self.serve_urls[0]
            sandbox = self._proc("sandbox", [PY, "-m", "bot.sandbox", "--config", str(self.config_paths[0]),
                                             "--port", str(self.sandbox_port), "--desk-url", desk_url,
                                             "--log-level", self.log_level])
            sandbox.spawn()
            waits.append(("the sandbox", lambda: _http_ok(self.sandbox_url + "/sandbox/api/faults"), [sandbox]))
        for what, probe, procs in waits:
            self._wait(what, probe, procs)
        # One process at a time: every serve and worker mirrors the directory and the templates
        # into the database at start, and two doing it at once collide (duplicate person_skills
        # rows, deadlocks on person_regions; see the report). A serve is up when /healthz answers;
        # a worker has no port, so: connected to PostgreSQL, then a grace period for its start-up
        # transaction to commit.
        for i in range(self.n_serves):
            self._start_serve(i)
        for i in range(1, self.n_workers + 1):
            self._start_worker(f"worker{i}")
        dead = [p.name for p in self.procs.values() if not p.alive]
        if dead:
            raise self._fail(f"{', '.join(dead)} exited during start-up")
        return self

    def _start_serve(self, i: int) -> None:
        proc = self.procs.get(f"serve{i}") or self._proc(f"serve{i}", self._serve_cmd(i))
        proc.spawn()
        self._wait(f"serve{i}", lambda: _http_ok(self.serve_urls[i] + "/healthz"), [proc])

    def _start_worker(self, name: str) -> None:
        proc = self.procs.get(name) or self._proc(name, self._worker_cmd())
        proc.spawn()
        assert proc.popen is not None
        pid = proc.popen.pid
        self._wait(name, lambda: pg_connections(pid, self.pg_port) > 0, [proc])
        deadline = time.monotonic() + WORKER_GRACE_S
        while time.monotonic() < deadline:
            if not proc.alive:
                raise self._fail(f"{name} exited during start-up")
            time.sleep(0.1)

    @property
    def pg_port(self) -> int:
        from sqlalchemy.engine import make_url

        return make_url(self.pg_server_url).port or 5432

    def stop(self) -> None:
        atexit.unregister(self.stop)
        for p in reversed(list(self.procs.values())):
            with contextlib.suppress(Exception):
                p.stop()
        if self.database_url:
            with contextlib.suppress(Exception):
                asyncio.run(drop_database(self.pg_server_url, self.dbname))
                self.database_url = ""
        with contextlib.suppress(Exception):
            clear_redis_prefix(self.redis_real, self.prefix)

    # -- misfortune -----------------------------------------------------------------------------------
    def kill(self, name: str) -> None:
        self.procs[name].kill()

    async def restart(self, name: str) -> None:
        """Start a killed process again, as its supervisor would, and wait until it is up (a serve
        answers /healthz; a worker is connected and past its start-up transaction)."""
        proc = self.procs[name]
        if proc.alive:
            proc.kill()
        if name.startswith("serve"):
            await asyncio.to_thread(self._start_serve, int(name.removeprefix("serve")))
        else:
            await asyncio.to_thread(self._start_worker, name)

    async def _control(self, method: str, path: str) -> dict[str, Any]:
        import aiohttp

        async with aiohttp.ClientSession() as http:
            async with http.request(method, self.control_url + path) as resp:
                resp.raise_for_status()
                return await resp.json()

    async def cut_cache(self) -> int:
        """Drop every Redis connection and refuse new ones; returns how many connections dropped."""
        return (await self._control("POST", "/redis/cut"))["dropped"]

    async def restore_cache(self) -> None:
        await self._control("POST", "/redis/restore")

    async def front_stats(self) -> dict[str, Any]:
        return await self._control("GET", "/stats")

    # -- looking --------------------------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def database(self) -> AsyncIterator[Any]:
        from storage.db import Database

        db = Database(self.database_url)
        try:
            yield db
        finally:
            await db.close()

    async def query(self, sql: str, **params: Any) -> list[Any]:
        from sqlalchemy import text

        async with self.database() as db:
            async with db.engine.connect() as conn:
                return list((await conn.execute(text(sql), params)).all())

    def grep(self, text: str, prefix: str = "") -> int:
        """How many times `text` appears in the logs of the processes whose name starts with `prefix`."""
        total = 0
        for name, proc in self.procs.items():
            if name.startswith(prefix):
                with contextlib.suppress(OSError):
                    total += proc.log.read_text(encoding="utf-8", errors="replace").count(text)
        return total

    def alive(self) -> dict[str, bool]:
        return {name: p.alive for name, p in self.procs.items()}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m tests.cluster.harness")
    sub = ap.add_subparsers(dest="command", required=True)
    f = sub.add_parser("front", help="Redis proxy that can be cut + HTTP balancer + control API")
    f.add_argument("--redis-port", type=int, required=True)
    f.add_argument("--redis-target", required=True, help="host:port of the real Redis")
    f.add_argument("--http-port", type=int, required=True)
    f.add_argument("--control-port", type=int, required=True)
    f.add_argument("--backends", required=True, help="comma-separated base URLs of the serve processes")
    args = ap.parse_args(argv)
    asyncio.run(run_front(args))


if __name__ == "__main__":
    main()
