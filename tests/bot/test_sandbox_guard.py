"""Issue 11: the sandbox never faces the network. It is off unless asked for; asked for, start-up
refuses it beyond loopback, next to a real WeCom API base or with real secrets (unless
`sandbox.allow_unsafe`, which warns)."""

from __future__ import annotations

import base64
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from bot.app import SANDBOX_SECRETS, StartupError, create_app, guard_sandbox
from handlers.config import load_config
from tests.conftest import ROOT, base_config_data, deep_merge, make_config

# Valid for their fields (43-character EncodingAESKeys), distinct from the sandbox values.
REAL = {
    "wecom.corp_id": "ww7f3c1e0d9a2b4c6e",
    "wecom.app.secret": "Real-App-Secret-4f9a1c2e7b",
    "wecom.app.token": "RealAppToken8d2e",
    "wecom.app.encoding_aes_key": base64.b64encode(bytes(range(1, 33))).decode().rstrip("="),
    "wecom.bot.token": "RealBotToken5a7c",
    "wecom.bot.encoding_aes_key": base64.b64encode(bytes(range(101, 133))).decode().rstrip("="),
}


def nested(key: str, value: Any) -> dict[str, Any]:
    out: Any = value
    for part in reversed(key.split(".")):
        out = {part: out}
    return out


def production_like() -> dict[str, Any]:
    over: dict[str, Any] = {"server": {"host": "0.0.0.0"}, "wecom": {"api_base": "https://qyapi.weixin.qq.com"}}
    for key, value in REAL.items():
        over = deep_merge(over, nested(key, value))
    return over


def sandbox_paths(app: Any) -> list[str]:
    return [r.canonical for r in app.router.resources() if r.canonical.startswith("/sandbox")]


def test_the_shipped_config_has_the_sandbox_off_and_the_guards_secrets_are_its_own():
    cfg = load_config(ROOT / "config.yaml", env={})
    assert cfg.sandbox.enabled is False and cfg.sandbox.allow_unsafe is False
    assert cfg.api_base == "https://qyapi.weixin.qq.com"
    for key, shipped in SANDBOX_SECRETS.items():
        value: Any = cfg
        for part in key.split("."):
            value = getattr(value, part)
        assert value == shipped, key
    # What `make run` sets: on, and nothing for the guard to refuse.
    asked = load_config(ROOT / "config.yaml", env={"WECOM_DESK_SANDBOX": "true"})
    assert asked.sandbox.enabled is True and asked.api_base == "http://127.0.0.1:8080/sandbox"
    guard_sandbox(asked)
    assert load_config(ROOT / "config.yaml", env={"WECOM_DESK_SANDBOX_UNSAFE": "true"}).sandbox.allow_unsafe


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.53", "::1", "localhost"])
def test_loopback_hosts_may_serve_the_sandbox(tmp_path: Path, host: str):
    app = create_app(make_config(tmp_path, server={"host": host}))
    assert sandbox_paths(app)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "", "10.0.0.5", "desk.example.com"])
def test_the_sandbox_beyond_loopback_is_refused(tmp_path: Path, host: str):
    with pytest.raises(StartupError) as err:
        create_app(make_config(tmp_path, server={"host": host}))
    message = str(err.value)
    assert "server.host" in message and "sandbox.allow_unsafe" in message and "\n" not in message


def test_a_real_api_base_is_refused(tmp_path: Path):
    with pytest.raises(StartupError) as err:
        create_app(make_config(tmp_path, wecom={"api_base": "https://user:pw@qyapi.weixin.qq.com"}))
    message = str(err.value)
    assert "wecom.api_base" in message and "pw@" not in message


@pytest.mark.parametrize("key", sorted(REAL))
def test_a_changed_secret_is_refused_by_name_never_by_value(tmp_path: Path, key: str):
    with pytest.raises(StartupError) as err:
        create_app(make_config(tmp_path, **nested(key, REAL[key])))
    message = str(err.value)
    assert key in message, message
    assert REAL[key] not in message and SANDBOX_SECRETS[key] not in message
    assert "\n" not in message


def test_every_reason_is_named_at_once(tmp_path: Path):
    with pytest.raises(StartupError) as err:
        create_app(make_config(tmp_path, **production_like()))
    message = str(err.value)
    for key in ("server.host", "wecom.api_base", *REAL):
        assert key in message, key
    assert not any(value in message for value in REAL.values())


def test_the_override_starts_with_a_warning_naming_each_reason(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    cfg = make_config(tmp_path, **deep_merge(production_like(), {"sandbox": {"allow_unsafe": True}}))
    with caplog.at_level(logging.WARNING, logger="wecom_desk"):
        app = create_app(cfg)
    assert sandbox_paths(app)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "UNSAFE" in warnings[0]
    for key in ("server.host", "wecom.api_base", *REAL):
        assert key in warnings[0], key
    assert not any(value in warnings[0] for value in REAL.values())


def test_a_safe_sandbox_logs_no_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.WARNING, logger="wecom_desk"):
        create_app(make_config(tmp_path))
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_sandbox_off_with_a_production_config_starts_and_mounts_no_sandbox(tmp_path: Path, start: Any):
    cfg = make_config(tmp_path, **deep_merge(production_like(), {"sandbox": {"enabled": False},
                                                                 "worker": {"in_process": False}}))
    assert cfg.api_base == "https://qyapi.weixin.qq.com"
    desk = await start(cfg)
    assert not sandbox_paths(desk.app)
    async with aiohttp.ClientSession() as http:
        async with http.get(desk.url + "/healthz") as r:
            assert r.status == 200
        for path in ("/sandbox", "/sandbox/", "/sandbox/api/inbox"):
            async with http.get(desk.url + path) as r:
                assert r.status == 404, path
        async with http.post(desk.url + "/sandbox/api/bot/message", json={"userid": "admin", "text": "hi"}) as r:
            assert r.status in (404, 405)


def test_serve_refuses_with_one_line_and_exit_2(tmp_path: Path):
    data = deep_merge(base_config_data(), {
        "server": {"host": "0.0.0.0"}, "sandbox": {"enabled": True},
        "database": {"url": f"sqlite+aiosqlite:///{tmp_path}/desk.db"},
        "wecom": {"app": {"secret": REAL["wecom.app.secret"]}}})
    path = tmp_path / "exposed.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "bot", "serve", "--config", str(path)],
                         capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("wecom-desk: ") and "server.host" in lines[0] and "wecom.app.secret" in lines[0]
    assert REAL["wecom.app.secret"] not in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "desk.db").exists()  # refused before anything was built
