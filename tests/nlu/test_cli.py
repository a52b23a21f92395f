"""`nlu parse --jsonl` output is a public contract; `nlu eval` must run and exit 0."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from handlers.config import load_config
from nlu.cli import register

from .conftest import CASES_PATH, CONFIG_PATH, ROOT

HARNESS = (
    "import argparse, sys\n"
    "from handlers.config import load_config\n"
    "from nlu.cli import register\n"
    "ap = argparse.ArgumentParser(prog='wecom-desk')\n"
    "sub = ap.add_subparsers(dest='cmd', required=True)\n"
    "register(sub, load_config)\n"
    "args = ap.parse_args()\n"
    "sys.exit(args.func(args))\n"
)


def run_cli(*argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", HARNESS, *argv], input=stdin, capture_output=True,
                          text=True, encoding="utf-8", cwd=ROOT, timeout=60)


def test_parse_jsonl_contract():
    lines = [
        json.dumps({"text": "@小鲸 上海徐汇店空调不制冷了"}, ensure_ascii=False),
        "1024 完工 工时2.5小时 配件180元",
        "",
        json.dumps({"text": "本月结算"}, ensure_ascii=False),
    ]
    res = run_cli("nlu", "parse", "--jsonl", "--config", str(CONFIG_PATH), "--now", "2024-05-10T10:00:00",
                  stdin="\n".join(lines) + "\n")
    assert res.returncode == 0, res.stderr
    out = [json.loads(line) for line in res.stdout.splitlines()]
    assert len(out) == 3
    for rec in out:
        assert set(rec) == {"text", "intent", "confidence", "entities"}
        assert isinstance(rec["confidence"], float) and 0 <= rec["confidence"] <= 1
    assert out[0]["text"] == "@小鲸 上海徐汇店空调不制冷了"
    assert out[0]["intent"] == "create_ticket"
    assert out[0]["entities"]["city"] == "上海"
    assert "上海" in res.stdout  # ensure_ascii=False
    assert out[1]["entities"] == {"ticket": 1024, "labor_hours": 2.5, "parts_amount": 180}
    assert out[2]["entities"]["period"] == "this_month"


def test_parse_text_arguments_in_process(capsys):
    ap = argparse.ArgumentParser()
    register(ap.add_subparsers(dest="cmd"), load_config)
    args = ap.parse_args(["nlu", "parse", "接单 1024", "5星", "--config", str(CONFIG_PATH)])
    assert args.func(args) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["intent"] for o in out] == ["claim_job", "rate_service"]
    assert out[1]["entities"] == {"rating": 5}


def test_parse_without_input_is_usage_error(capsys):
    ap = argparse.ArgumentParser()
    register(ap.add_subparsers(dest="cmd"), load_config)
    args = ap.parse_args(["nlu", "parse", "--config", str(CONFIG_PATH)])
    assert args.func(args) == 2


def test_eval_human_and_json():
    res = run_cli("nlu", "eval", str(CASES_PATH), "--config", str(CONFIG_PATH))
    assert res.returncode == 0, res.stderr
    assert "intent accuracy" in res.stdout and "confusion" in res.stdout
    res = run_cli("nlu", "eval", str(CASES_PATH), "--config", str(CONFIG_PATH), "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["total"] >= 300
    assert {"intent_accuracy", "entity_accuracy", "confusion", "misses", "per_intent"} <= set(data)
