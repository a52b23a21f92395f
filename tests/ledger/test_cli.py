"""`wecom-desk settle close|report|usage`: JSON on stdout is a public contract; bad input is one
line on stderr and exit status 2."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from decimal import Decimal
from pathlib import Path

import pytest

from bot.cli import build_cli
from tests.conftest import ROOT
from tests.e2e.helpers import write_config

from .conftest import NOV


def _cli(config: Path, argv: tuple[str, ...]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            args = build_cli().parse_args(["settle", *argv, "--config", str(config)])
            rc = args.func(args)
        except SystemExit as e:  # argparse usage errors
            rc = e.code
    return rc, out.getvalue(), err.getvalue()


@pytest.fixture
async def cli(env):
    """Two October jobs (east CNY, Bangkok THB) and one in November, then the CLI on that database."""
    async with env.db.transaction() as s:
        await env.job(s)
        await env.job(s, template="pos_repair", region="th", engineer="somchai", hours="1", parts=(), surcharges=(),
                      chatid="wr_bkk_siam")
        await env.job(s, template="pos_repair", hours="2", parts=(), surcharges=(), at=NOV)
    config = write_config(env.cfg)

    async def run(*argv: str) -> tuple[int, str, str]:
        return await asyncio.to_thread(_cli, config, argv)

    run.config = config  # type: ignore[attr-defined]
    return run


async def test_close_twice_writes_one_set_of_statements(cli):
    rc, out, err = await cli("close", "--period", "2026-10")
    assert (rc, err) == (0, "")
    first = json.loads(out)
    assert (first["period"], first["already_closed"], first["written"]) == ("2026-10", False, 8)
    amounts = {(s["kind"], s["owner"], s["currency"]): s["amount"] for s in first["statements"]}
    assert amounts[("earnings", "zhangwei", "CNY")] == "120.00"
    assert amounts[("earnings", "somchai", "THB")] == "208.95"
    assert amounts[("share", "sales", "THB")] == "417.90"
    assert amounts[("plan", "sh_stores", "CNY")] == "3025.88"  # 3000.00 + 5 % of 517.50
    rc, out, err = await cli("close", "--period", "2026-10")
    second = json.loads(out)
    assert (rc, second["already_closed"], second["written"]) == (0, True, 0)
    assert "no statements written" in second["note"]
    assert second["statements"] == first["statements"]


async def test_close_refuses_an_open_month(cli):
    rc, out, err = await cli("close", "--period", "2999-01")
    assert (rc, out) == (2, "")
    assert err.startswith("error: period 2999-01 has not ended yet") and err.count("\n") == 1


async def test_report_json(cli):
    rc, out, err = await cli("report", "--period", "2026-10")
    assert (rc, err) == (0, "")
    report = json.loads(out)
    assert report["period"]["period"] == "2026-10" and report["period"]["months"] == ["2026-10"]
    cny, thb = report["currencies"]
    assert (cny["currency"], cny["gross"], cny["tax"], cny["shares"]) == (
        "CNY", "517.50", "31.05", {"after_sales_fund": "119.25", "engineer": "120.00", "sales": "278.25"})
    assert (thb["currency"], thb["gross"], thb["shares"]["sales"]) == ("THB", "696.50", "417.90")
    assert (report["total"]["currency"], report["total"]["gross"], report["total"]["tax"]) == ("CNY", "657.50", "40.85")
    assert report["tickets"] == 2


async def test_report_scoped_and_grouped(cli):
    rc, out, _ = await cli("report", "--period", "2026-10", "--region", "east", "--by", "person")
    report = json.loads(out)
    assert rc == 0 and report["scope"]["regions"] == ["east"]
    assert report["currencies"][0]["shares"] == {"after_sales_fund": "119.25", "sales": "278.25", "zhangwei": "120.00"}
    rc, out, _ = await cli("report", "--period", "2026-10", "--person", "somchai")
    assert json.loads(out)["currencies"][0]["shares"] == {"engineer": "208.95"}


async def test_report_csv(cli):
    rc, out, err = await cli("report", "--period", "2026-10", "--format", "csv")
    assert (rc, err) == (0, "")
    table = list(csv.DictReader(io.StringIO(out)))
    assert list(table[0]) == ["period", "region", "currency", "tickets", "gross", "tax", "total", "corrections", "net",
                              "sales", "engineer", "after_sales_fund"]
    east = next(r for r in table if r["region"] == "east")
    assert (east["currency"], east["tickets"], east["gross"], east["engineer"]) == ("CNY", "1", "517.50", "120.00")
    total = table[-1]
    assert (total["region"], total["currency"], total["gross"], total["sales"]) == ("TOTAL", "CNY", "657.50", "362.25")


async def test_report_xlsx(cli, tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "october.xlsx"
    rc, out, err = await cli("report", "--period", "2026-10", "--format", "xlsx", "--out", str(target))
    assert (rc, err) == (0, "")
    assert json.loads(out) == {"out": str(target), "format": "xlsx", "bytes": target.stat().st_size,
                               "period": "2026-10"}
    ws = load_workbook(target)["summary"]
    header = [c.value for c in ws[1]]
    last = dict(zip(header, [c.value for c in ws[ws.max_row]]))
    assert (last["region"], last["currency"]) == ("TOTAL", "CNY")
    assert Decimal(str(last["gross"])) == Decimal("657.50") and Decimal(str(last["sales"])) == Decimal("362.25")


async def test_report_bad_input_is_one_line(cli):
    for argv, message in ((("report", "--period", "next_month"), "unknown period"),
                          (("report", "--period", "2026-10", "--region", "atlantis"), "unknown region"),
                          (("report", "--period", "2026-10", "--by", "weather"), "invalid choice")):
        rc, out, err = await cli(*argv)
        assert (rc, out) == (2, "") and message in err and err.count("\n") == 1, err


async def test_usage_command(cli):
    rc, out, err = await cli("usage", "--account", "api_co", "--item", "api_calls", "--quantity", "1200",
                             "--period", "2026-11", "--idempotency-key", "cli-1")
    assert (rc, err) == (0, "")
    first = json.loads(out)
    assert (first["quantity"], first["created"]) == ("1200", True)
    rc, out, _ = await cli("usage", "--account", "api_co", "--item", "api_calls", "--quantity", "1200",
                           "--period", "2026-11", "--idempotency-key", "cli-1")
    assert (rc, json.loads(out)["created"], json.loads(out)["id"]) == (0, False, first["id"])
    rc, out, err = await cli("usage", "--account", "api_co", "--item", "api_calls", "--quantity", "1.5e3")
    assert rc == 2 and "not a decimal" in err


async def test_the_real_entry_point(cli):
    """Once through `python -m bot`, as an operator runs it: exit status, stdout and stderr."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", "settle", *argv, "--config", str(cli.config)],
                              capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)

    first = await asyncio.to_thread(run, "close", "--period", "2026-10")
    second = await asyncio.to_thread(run, "close", "--period", "2026-10")
    assert (first.returncode, first.stderr, second.returncode, second.stderr) == (0, "", 0, "")
    assert json.loads(first.stdout)["written"] == 8 and json.loads(second.stdout)["written"] == 0
    xlsx = await asyncio.to_thread(lambda: subprocess.run(
        [sys.executable, "-m", "bot", "settle", "report", "--period", "2026-10", "--format", "xlsx",
         "--config", str(cli.config)], capture_output=True, cwd=ROOT, env=env, timeout=60))
    assert xlsx.returncode == 0 and xlsx.stdout[:2] == b"PK"  # a zip: the workbook itself on stdout
