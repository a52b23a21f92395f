"""`settle quote|split|plan`: the JSON on stdout is a public contract; bad input is one line + exit 2."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
import yaml

from handlers.config import interpolate
from settlement.cli import register

from .conftest import CONFIG_YAML


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.delenv("SETTLE_TEST_EAST", raising=False)
    path = tmp_path / "config.yaml"
    # ${VAR} interpolation goes through the real loader: the region code comes from the environment.
    path.write_text(CONFIG_YAML.replace("code: east,", 'code: "${SETTLE_TEST_EAST:-east}",'), encoding="utf-8")
    return path


@pytest.fixture
def run(config_file, capsys):
    def load(path: str | None) -> dict:
        return interpolate(yaml.safe_load(Path(path or config_file).read_text(encoding="utf-8")))

    def run(*argv: str):
        parser = argparse.ArgumentParser(prog="wecom-desk")
        register(parser.add_subparsers(dest="command"), load)
        try:
            args = parser.parse_args(["settle", *argv])
            rc = args.func(args)
        except SystemExit as e:  # argparse usage errors
            rc = e.code
        out, err = capsys.readouterr()
        return rc, out, err

    return run


def ok(run, *argv):
    rc, out, err = run(*argv)
    assert (rc, err) == (0, "")
    return json.loads(out)


def test_quote(run):
    assert ok(run, "quote", "--template", "hvac_repair", "--region", "east", "--hours", "1.5",
              "--part", "压缩机=180.00", "--surcharge", "urgent") == {
        "currency": "CNY",
        "lines": [{"code": "base", "label": "基础服务费", "amount": "150.00"},
                  {"code": "labour", "label": "工时费", "amount": "120.00"},
                  {"code": "urgent", "label": "加急费", "amount": "67.50"},
                  {"code": "part", "label": "配件：压缩机", "amount": "180.00"},
                  {"code": "tax", "label": "税", "amount": "31.05"}],
        "subtotal": "517.50", "tax": "31.05", "total": "548.55",
    }


def test_quote_zero_exponent_and_language(run):
    out = ok(run, "quote", "--template", "hvac_repair", "--region", "jp", "--hours", "1.5", "--language", "fr")
    assert (out["currency"], out["total"], out["lines"][0]) == (
        "JPY", "6347", {"code": "base", "label": "Forfait de base", "amount": "3206"})


def test_split(run):
    assert ok(run, "split", "--amount", "100.01", "--currency", "CNY",
              "--parties", "sales=60,engineer=30,after_sales_fund=10") == {
        "currency": "CNY", "parts": {"sales": "60.01", "engineer": "30.00", "after_sales_fund": "10.00"}}
    assert ok(run, "split", "--amount", "-0.01", "--currency", "CNY", "--parties", "a=1,b=1,c=1") == {
        "currency": "CNY", "parts": {"a": "-0.01", "b": "0.00", "c": "0.00"}}
    assert ok(run, "split", "--amount", "548.55", "--currency", "CNY", "--rule", "hvac_repair")["parts"] == {
        "engineer": "120.00", "sales": "299.99", "after_sales_fund": "128.56"}


def test_plan(run):
    out = ok(run, "plan", "--plan", "basic", "--tickets", "650")
    assert (out["currency"], out["amount"]) == ("CNY", "9500.00")
    assert out["lines"][0] == {"code": "tier.1", "label": "阶梯1（1–100）", "quantity": "100",
                               "unit_price": "20.00", "amount": "2000.00"}
    assert ok(run, "plan", "--plan", "standard", "--revenue", "10000.00", "--revenue", "33.30")["amount"] == "3501.67"
    ent = ok(run, "plan", "--plan", "enterprise", "--usage", "api_calls=12000", "--usage", "storage_gb_month=12.5")
    assert ent["amount"] == "15.25" and [ln["code"] for ln in ent["lines"]] == ["item.api_calls", "item.storage_gb_month"]


def test_plan_as_json(run):
    plan = {"model": "graduated", "currency": "CNY",
            "tiers": [{"up_to": 100, "unit": "20.00", "flat": "99.00"}, {"up_to": None, "unit": "10.00"}]}
    assert ok(run, "plan", "--plan", json.dumps(plan), "--tickets", "101")["amount"] == "2109.00"
    # JSON numbers are read as exact decimals, never floats
    assert ok(run, "plan", "--plan", '{"model":"volume","currency":"JPY","tiers":[{"up_to":null,"unit":250.5}]}',
              "--tickets", "3")["amount"] == "752"


def test_interpolated_config(run, config_file, monkeypatch):
    monkeypatch.setenv("SETTLE_TEST_EAST", "east_zone")
    args = ("quote", "--template", "hvac_repair", "--region", "east_zone", "--config", str(config_file))
    assert ok(run, *args)["total"] == "159.00"  # 150.00 + 6 % tax


@pytest.mark.parametrize("argv,message", [
    (["quote", "--template", "nope", "--region", "east"], "unknown template 'nope'"),
    (["quote", "--template", "hvac_repair", "--region", "east", "--part", "x=1.001"], "more decimals than CNY"),
    (["quote", "--template", "hvac_repair", "--region", "east", "--part", "no-amount"], "--part 'no-amount': expected NAME=VALUE"),
    (["quote", "--template", "hvac_repair", "--region", "east", "--hours", "1,5"], "hours is not a decimal"),
    (["quote", "--template", "hvac_repair", "--region", "east", "--surcharge", "weekend"], "unknown surcharge"),
    (["quote", "--template", "hvac_repair", "--region", "fr"], "no fx rate CNY->EUR"),
    (["split", "--amount", "1.001", "--currency", "CNY", "--parties", "a=1"], "--amount 1.001 has more decimals"),
    (["split", "--amount", "1", "--currency", "XYZ", "--parties", "a=1"], "unknown currency 'XYZ'"),
    (["split", "--amount", "1", "--currency", "CNY", "--parties", "a=x"], "not a decimal"),
    (["split", "--amount", "1", "--currency", "CNY", "--parties", ","], "--parties: expected"),
    (["split", "--amount", "1", "--currency", "CNY", "--rule", "hvac_repair"], "less than the fixed amounts"),
    (["plan", "--plan", "gold"], "unknown plan 'gold'"),
    (["plan", "--plan", "{not json"], "--plan: invalid JSON"),
    (["plan", "--plan", '{"model":"graduated","tiers":[{"up_to":100,"unit":"x"}]}'], "plan.tiers.0.unit: not a decimal"),
    (["plan", "--plan", "basic", "--tickets", "-1"], "must not be negative"),
    (["plan", "--plan", "standard", "--revenue", "1.001"], "--revenue 1.001 has more decimals"),
    (["plan", "--plan", "enterprise", "--usage", "sms=1"], "no usage item 'sms'"),
    (["quote", "--template", "hvac_repair", "--region", "east", "--config", "/nonexistent/config.yaml"], "No such file"),
])
def test_bad_input_is_one_line_and_exit_2(run, argv, message):
    rc, out, err = run(*argv)
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


@pytest.mark.parametrize("argv", [
    ["quote", "--region", "east"],                      # missing --template
    ["bogus"],                                           # unknown subcommand
    [],                                                  # no subcommand
    ["plan", "--plan", "basic", "--tickets", "many"],   # not an int
    ["split", "--amount", "1", "--currency", "CNY"],    # neither --parties nor --rule
])
def test_usage_errors_are_one_line_too(run, argv):
    rc, out, err = run(*argv)
    assert rc == 2 and out == "" and err.count("\n") == 1 and "error:" in err


def test_broken_config_names_the_key(run, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(CONFIG_YAML.replace('unit: "15.00"}, {up_to: null, unit: "10.00"}]}\n  basic_volume',
                                       'unit: "15.0x"}, {up_to: null, unit: "10.00"}]}\n  basic_volume', 1),
                   encoding="utf-8")
    rc, out, err = run("plan", "--plan", "basic", "--tickets", "1", "--config", str(bad))
    assert rc == 2 and err.strip() == "error: plans.basic.tiers.1.unit: not a decimal ('15.0x')"
