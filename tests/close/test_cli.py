"""`wecom-desk settle close --draft` and `settle finalise`: the review on the command line. JSON on
stdout; a refusal is one line on stderr and exit status 2, with nothing written."""

from __future__ import annotations

import json

from tests.ledger.conftest import OCT
from tests.ledger.test_cli import cli  # noqa: F401  (October's two jobs and November's, then the CLI)


def amounts(doc):
    return {(s["kind"], s["owner"], s["currency"]): s["amount"] for s in doc["statements"]}


async def test_draft_then_finalise(cli):
    rc, out, err = await cli("close", "--period", "2026-10", "--draft")
    assert (rc, err) == (0, "")
    draft = json.loads(out)
    assert (draft["period"], draft["version"], draft["status"], draft["created_by"]) == ("2026-10", 1, "draft", "cli")
    assert amounts(draft)[("earnings", "zhangwei", "CNY")] == "120.00"
    assert amounts(draft)[("plan", "sh_stores", "CNY")] == "3025.88"
    assert all("id" not in s for s in draft["statements"])   # a draft's rows were never kept
    rc, out, err = await cli("finalise", "--period", "2026-10", "--draft", "1")
    assert (rc, err) == (0, "")
    final = json.loads(out)
    assert (final["status"], final["version"], final["finalised_by"]) == ("final", 1, "cli")
    assert final["note"] == f"period 2026-10 closed: draft 1 finalised, {final['written']} statement(s) written"
    assert amounts(final) == amounts(draft)
    rc, out, err = await cli("finalise", "--period", "2026-10")
    again = json.loads(out)
    assert (rc, again["already_closed"], again["written"]) == (0, True, 0) and "was already closed" in again["note"]


async def test_finalise_refuses_moved_figures_in_one_line(cli, env):
    await cli("close", "--period", "2026-10", "--draft")
    async with env.db.transaction() as s:
        await env.job(s, at=OCT)
    rc, out, err = await cli("finalise", "--period", "2026-10")
    assert (rc, out) == (2, "") and err.count("\n") == 1
    assert err.startswith("error: period 2026-10: the figures moved since draft 1 (statement earnings zhangwei CNY: "
                          "120.00 → 240.00")
    # Nothing was written: the plain close still sees an open month.
    rc, out, _ = await cli("close", "--period", "2026-10")
    assert rc == 0 and json.loads(out)["already_closed"] is False


async def test_finalise_needs_a_draft(cli):
    rc, out, err = await cli("finalise", "--period", "2026-10")
    assert rc == 2 and "has no draft to finalise; make one first (wecom-desk settle close --period 2026-10 --draft)" in err
    rc, out, err = await cli("finalise", "--period", "2026-10", "--draft", "7")
    assert rc == 2 and err == "error: period 2026-10 has no draft 7\n"
    rc, out, err = await cli("close", "--period", "2999-01", "--draft")
    assert rc == 2 and err.startswith("error: period 2999-01 has not ended yet")


async def test_earnings_job_by_job(cli):
    # October: hvac_repair pays the engineer its fixed 120.00 whatever the subtotal; November:
    # pos_repair, 80.00 + 2 h × 60.00 = 200.00, engineer 30 % = 60.00.
    rc, out, err = await cli("earnings", "--person", "zhangwei", "--period", "2026-10")
    assert (rc, err) == (0, "")
    doc = json.loads(out)
    assert [(j["ticket"], j["template"], j["hours"], j["parts"], j["share"], j["total"]) for j in doc["jobs"]] == \
        [(1, "hvac_repair", "1.5", "180.00", "120.00", "120.00")]
    assert doc["totals"] == {"CNY": "120.00"}
    rc, out, _ = await cli("earnings", "--person", "zhangwei", "--period", "2026-11")
    doc = json.loads(out)
    assert [(j["template"], j["hours"], j["parts"], j["share"]) for j in doc["jobs"]] == [("pos_repair", "2", "0.00", "60.00")]
    rc, out, _ = await cli("earnings", "--person", "somchai", "--period", "2026-10")
    assert json.loads(out)["totals"] == {"THB": "208.95"}


async def test_earnings_of_nobody_is_one_line(cli):
    rc, out, err = await cli("earnings", "--person", "nobody", "--period", "2026-10")
    assert (rc, out) == (2, "") and err == "error: unknown person 'nobody' (people[*].userid)\n"
