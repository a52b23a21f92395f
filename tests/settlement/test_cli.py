"""`settle quote|split|plan`: the JSON on stdout is a public contract; bad input is one line + exit 2."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
import yaml

from handlers.config import interpolate
from settlement.cli import register

from .conftest import CONFIG_YAML, branches_mapping


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


# -- money across branches: settle joint | travel, split with price lists, hours and rating ----------

@pytest.fixture
def branches(run, tmp_path):
    """`run` against the test config plus price lists, the feihu squad and travel allowances."""
    path = tmp_path / "branches.yaml"
    path.write_text(yaml.safe_dump(branches_mapping(), allow_unicode=True), encoding="utf-8")
    return lambda *argv: run(*argv, "--config", str(path))


def test_joint_job_with_the_squad_and_travel(branches):
    out = ok(branches, "joint", "--template", "hvac_repair", "--host-region", "southwest", "--other-region", "east",
             "--hours", "3", "--engineer-region", "east", "--part", "压缩机=800.00@southwest")
    # quote 150.00 + 3 × 80.00 + 800.00 = 1190.00; east 70.00 + 150.00 + travel 200.00 = 420.00,
    # southwest 800.00 × 0.80 = 640.00; remainder 130.00 by 40/60 → east 52.00, southwest 78.00
    assert (out["currency"], out["subtotal"], out["squad"], out["costs"], out["remainder"]) == (
        "CNY", "1190.00", "feihu", "1060.00", "130.00")
    assert [(b["branch"], b["cost"], b["remainder"], b["amount"], b["branch_amount"]) for b in out["branches"]] == [
        ("southwest", "640.00", "78.00", "718.00", "718.00"), ("east", "420.00", "52.00", "472.00", "472.00")]
    assert [(w["basis"], w["amount"]) for w in out["branches"][1]["work"]] == [
        ("base", "70.00"), ("labour", "150.00"), ("travel", "200.00")]
    assert out["travel"] == {"engineer_region": "east", "job_region": "southwest", "amount": "200.00",
                             "currency": "CNY", "per": "day", "days": 1, "rule": "east/southwest"}


def test_joint_job_across_currencies(branches):
    out = ok(branches, "joint", "--template", "hvac_repair", "--host-region", "th", "--other-region", "east",
             "--hours", "2", "--engineer-region", "east", "--part", "压缩机=1000.00@th")
    # THB job 2500.00; east's 70.00 + 100.00 CNY at 4.9750 = 348.25 + 497.50 THB; th's part 800.00 THB;
    # remainder 854.25 equally (no squad) → 427.13 to the host, 427.12; east 1272.87 THB × 0.2010 = 255.85 CNY
    assert (out["subtotal"], out["squad"], out["remainder_weights"], out["travel"]) == ("2500.00", None, None, None)
    th, east = out["branches"]
    assert (th["amount"], th["branch_amount"], th["branch_currency"]) == ("1227.13", "1227.13", "THB")
    assert (east["amount"], east["branch_amount"], east["branch_currency"], east["rate"]["rate"]) == (
        "1272.87", "255.85", "CNY", "0.2010")
    assert [w["job_amount"] for w in east["work"]] == ["348.25", "497.50"]


def test_travel_across_currencies_is_the_engineers_branch_cost(branches):
    out = ok(branches, "joint", "--template", "pos_repair", "--host-region", "centre", "--other-region", "th",
             "--hours", "1", "--engineer-region", "th")
    # centre quote ×1.2: 99.99 → 119.99, 33.33 → 40.00: 159.99 CNY. The th engineer travels 2500 km: 800+ km,
    # 260.00 CNY paid to the engineer, booked by th at 4.9750 = 1293.50 THB, back at 0.2010 = 259.9935 → 259.99.
    # th costs 300.00 THB → 60.30, 220.00 → 44.22, travel 259.99: 364.51; remainder −204.52, equal: −102.26 each.
    # th 364.51 − 102.26 = 262.25 CNY × 4.9750 = 1304.69 THB; centre (the host, no work) −102.26.
    assert out["travel"]["amount"] == "260.00" and out["travel"]["rule"] == "800+ km"
    centre, th = out["branches"]
    assert [(w["basis"], w["amount"], w["job_amount"]) for w in th["work"]] == [
        ("base", "300.00", "60.30"), ("labour", "220.00", "44.22"), ("travel", "1293.50", "259.99")]
    assert (centre["amount"], th["amount"], th["branch_amount"], th["branch_currency"]) == (
        "-102.26", "262.25", "1304.69", "THB")


def test_a_loss_making_joint_job(branches):
    out = ok(branches, "joint", "--template", "hvac_repair", "--host-region", "southwest", "--other-region", "east",
             "--hours", "2.25", "--engineer-region", "east", "--part", "压缩机=800.03@southwest", "--days", "2")
    # 1130.03 against costs 582.50 + 640.02: −92.49, shared 60/40 → southwest −55.49, east −37.00
    assert (out["subtotal"], out["remainder"]) == ("1130.03", "-92.49")
    assert [(b["branch"], b["remainder"], b["amount"]) for b in out["branches"]] == [
        ("southwest", "-55.49", "584.53"), ("east", "-37.00", "545.50")]


def test_travel(branches):
    assert ok(branches, "travel", "--home", "east", "--job-region", "southwest", "--days", "3", "--currency", "CNY") == {
        "home": "east", "job_region": "southwest", "days": 3,
        "allowance": {"amount": "600.00", "currency": "CNY", "per": "day", "days": 3, "rule": "east/southwest"}}
    assert ok(branches, "travel", "--home", "east", "--job-region", "centre", "--currency", "THB")["allowance"] == {
        "amount": "400.00", "currency": "THB", "per": "trip", "days": 1, "rule": "0-800 km"}
    assert ok(branches, "travel", "--home", "east", "--job-region", "th", "--currency", "CNY")["allowance"] is None


def test_split_with_a_price_list_hours_and_rating(branches):
    # 149.99: sales 30.00 (transfer list, east); engineer (30 + 10 × 1.5) × 1.20 = 54, fund 10, service 60
    assert ok(branches, "split", "--amount", "149.99", "--currency", "CNY", "--rule", "pos_repair",
              "--region", "east", "--hours", "1.5", "--rating", "5") == {
        "currency": "CNY", "parts": {"sales": "30.00", "engineer": "52.25", "after_sales_fund": "9.68",
                                     "service_dept": "58.06"},
        "list_prices": {"sales": {"price_list": "transfer", "amount": "30.00"}},
        "weights": {"sales": "0", "engineer": "54", "after_sales_fund": "10", "service_dept": "60"}}
    # hours and rating on a plain rule change nothing, and add nothing to the output
    assert ok(branches, "split", "--amount", "100.01", "--currency", "CNY", "--parties", "a=60,b=40",
              "--hours", "2", "--rating", "1") == {"currency": "CNY", "parts": {"a": "60.01", "b": "40.00"}}


@pytest.mark.parametrize("argv,message", [
    (["joint", "--template", "hvac_repair", "--host-region", "southwest", "--other-region", "east", "--hours", "1",
      "--engineer-region", "th"], "--engineer-region th: must be the host (southwest) or the other branch (east)"),
    (["joint", "--template", "hvac_repair", "--host-region", "east", "--other-region", "east", "--hours", "1",
      "--engineer-region", "east"], "--other-region east: the same as --host-region"),
    (["joint", "--template", "hvac_repair", "--host-region", "mars", "--other-region", "east", "--hours", "1",
      "--engineer-region", "east"], "--host-region 'mars': unknown region"),
    (["joint", "--template", "hvac_repair", "--host-region", "southwest", "--other-region", "east", "--hours", "1",
      "--engineer-region", "east", "--part", "x=1.00@th"], "--part x: @th is not one of the job's branches"),
    (["joint", "--template", "hvac_repair", "--host-region", "th", "--other-region", "east", "--hours", "1",
      "--engineer-region", "east", "--squad", "feihu"], "--squad 'feihu': no joint squad of that code joins th and east"),
    (["joint", "--template", "hvac_repair", "--host-region", "southwest", "--other-region", "east", "--hours", "1",
      "--engineer-region", "east", "--days", "0"], "--days 0: at least 1"),
    (["joint", "--template", "hvac_repair", "--host-region", "southwest", "--other-region", "east", "--hours", "1",
      "--engineer-region", "east", "--price-list", "lead"], "unknown price list 'lead'"),
    (["travel", "--home", "east", "--job-region", "southwest", "--currency", "CNY", "--days", "0"],
     "days on the job must be a whole number of at least 1"),
    (["travel", "--home", "east", "--job-region", "mars", "--currency", "CNY"], "--job-region 'mars': unknown region"),
    (["split", "--amount", "149.99", "--currency", "CNY", "--rule", "pos_repair"],
     "--rule pos_repair: pays sales from 'transfer'; name the job's --region"),
    (["split", "--amount", "149.99", "--currency", "CNY", "--rule", "pos_repair", "--region", "th"],
     "--currency CNY: region th prices its lists in THB"),
    (["split", "--amount", "29.99", "--currency", "CNY", "--rule", "pos_repair", "--region", "east"],
     "less than the fixed amounts and list prices (30.00)"),
    (["split", "--amount", "1", "--currency", "CNY", "--parties", "a=1", "--rating", "6"], "invalid choice: 6"),
])
def test_branch_commands_bad_input_is_one_line_and_exit_2(branches, argv, message):
    rc, out, err = branches(*argv)
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
