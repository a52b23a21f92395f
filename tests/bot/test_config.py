"""Config: interpolation, validation at start-up, one-line errors with exit status 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from handlers.config import ConfigError, interpolate, load_config, parse_config
from tests.conftest import ROOT, base_config_data, deep_merge


def test_shipped_config_is_valid_and_embedded_by_default():
    cfg = load_config(ROOT / "config.yaml", env={})
    assert cfg.database.url == "sqlite+aiosqlite:///var/wecom-desk.db"
    assert cfg.redis.url == "" and cfg.sandbox.enabled is False  # `make run` asks for it (issue 11)
    assert cfg.server.port == 8080 and cfg.api_base == "https://qyapi.weixin.qq.com"
    assert load_config(ROOT / "config.yaml", env={"WECOM_DESK_SANDBOX": "true"}).api_base \
        == "http://127.0.0.1:8080/sandbox"
    assert {r.code for r in cfg.regions} >= {"east", "south", "north", "central", "southwest", "th", "sg", "fr"}
    assert {s.code for s in cfg.skills} == {"hvac", "elevator", "pos", "network", "plumbing", "electrical",
                                            "appliance", "cctv"}


def test_interpolation_with_defaults_and_types():
    env = {"PORT": "9090", "SECRET": "s3cret"}
    data = interpolate({"a": "${PORT:-8080}", "b": "${MISSING:-x}", "c": "pre-${SECRET}-post", "d": "${FLAG:-true}"},
                       env=env)
    assert data == {"a": 9090, "b": "x", "c": "pre-s3cret-post", "d": True}
    with pytest.raises(ConfigError, match="NOPE"):
        interpolate({"a": "${NOPE}"}, env={})


def test_environment_overrides_reach_the_config():
    cfg = load_config(ROOT / "config.yaml", env={"WECOM_DESK_DATABASE_URL": "postgresql+asyncpg://u@h/db",
                                                 "WECOM_DESK_REDIS_URL": "redis://127.0.0.1:6379/3",
                                                 "WECOM_DESK_SANDBOX": "false"})
    assert cfg.database.url.startswith("postgresql+asyncpg://")
    assert cfg.redis.url.endswith("/3") and cfg.sandbox.enabled is False
    assert cfg.api_base == "https://qyapi.weixin.qq.com"


@pytest.mark.parametrize("override,path", [
    ({"server": {"port": 70000}}, "server.port"),
    ({"wecom": {"bot": {"encoding_aes_key": "short"}}}, "wecom.bot.encoding_aes_key"),
    ({"database": {"url": "mysql://x"}}, "database.url"),
    ({"server": {"prot": 1}}, "server.prot"),
    ({"regions": [{"code": "x", "name": "X", "timezone": "Mars/Base"}]}, "regions.0.timezone"),
    ({"regions": [{"code": "x", "name": "X", "tax_rate": 0.06}]}, "regions.0.tax_rate"),
])
def test_invalid_values_name_the_key_path(override, path):
    with pytest.raises(ConfigError) as err:
        parse_config(deep_merge(base_config_data(), override), env={})
    assert str(err.value).startswith(path), str(err.value)


def test_a_persons_time_zone_is_checked_with_its_path():
    data = base_config_data()
    data["people"][1]["timezone"] = "Asia/Atlantis"
    with pytest.raises(ConfigError, match=r"people\.1\.timezone: unknown time zone 'Asia/Atlantis'"):
        parse_config(data, env={})


def test_cross_references_are_checked():
    data = base_config_data()
    data["people"][0]["skills"] = ["teleportation"]
    with pytest.raises(ConfigError, match=r"people\.0\.skills: unknown skill 'teleportation'"):
        parse_config(data, env={})


def test_cli_exits_2_with_one_line_on_invalid_config(tmp_path: Path):
    data = deep_merge(base_config_data(), {"server": {"port": "not-a-port"}})
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "bot", "serve", "--config", str(path)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "server.port" in lines[0] and "Traceback" not in out.stderr
    missing = subprocess.run([sys.executable, "-m", "bot", "serve", "--config", str(tmp_path / "nope.yaml")],
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "cannot read config file" in missing.stderr


@pytest.mark.parametrize("override,message", [
    # A misspelt section used to be ignored: SLA silently off, pricing silently off.
    ({"sla_policy": {}}, "sla_policy: unknown key (did you mean 'sla_policies'?)"),
    ({"split_rule": {}}, "split_rule: unknown key (did you mean 'split_rules'?)"),
    ({"server": {"prot": 1}}, "server.prot: unknown key (did you mean 'port'?)"),
    ({"wecom": {"app": {"secrett": "x"}}}, "wecom.app.secrett: unknown key (did you mean 'secret'?)"),
    ({"colour": "blue"}, "colour: unknown key"),
])
def test_unknown_keys_are_refused_with_a_near_miss(override, message):
    with pytest.raises(ConfigError) as err:
        parse_config(deep_merge(base_config_data(), override), env={})
    assert str(err.value).startswith(message), str(err.value)
    if "did you mean" not in message:
        assert "did you mean" not in str(err.value)
