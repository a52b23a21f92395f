"""`wecom-desk settle topup|balance|pay|credit-note|aging` and the invoices `settle close` prints:
JSON on stdout is a public contract; bad input is one line on stderr and exit status 2. These are
the README's worked examples."""

from __future__ import annotations

import asyncio
import json

import pytest

from storage import billing
from storage.ledger import rate_on
from tests.e2e.helpers import write_config
from tests.ledger.test_cli import _cli

from .conftest import at


@pytest.fixture
async def cli(env):
    """October: a breached hvac job (548.55) and a POS job (212.00) at the Shanghai store (credit
    terms), a POS job at the Siam store (prepaid, 745.26 THB); November: one more Shanghai POS job."""
    async with env.db.transaction() as s:
        for tid_at, kw, chat, breached in (
                (at(2026, 10, 15), {}, "wr_sh_xuhui", True),
                (at(2026, 10, 16), {"template": "pos_repair", "hours": "2", "parts": (), "surcharges": ()}, "wr_sh_xuhui", False),
                (at(2026, 10, 20), {"template": "pos_repair", "region": "th", "engineer": "somchai", "hours": "1",
                                    "parts": (), "surcharges": ()}, "wr_bkk_siam", False),
                (at(2026, 11, 10), {"template": "pos_repair", "hours": "2", "parts": (), "surcharges": ()}, "wr_sh_xuhui", False)):
            tid, _ = await env.job(s, at=tid_at, chatid=chat, sla_breached=breached, **kw)
            if chat == "wr_bkk_siam":
                continue   # drawn after the top-up below, through the CLI's balance
            await billing.bill_completion(s, env.lcfg, ticket_id=tid, chatid=chat, breached=breached,
                                          rates=lambda f, t, d: rate_on(env.lcfg, f, t, d))
    config = write_config(env.cfg)
    return lambda *argv: asyncio.to_thread(_cli, config, argv)


async def test_topup_balance_and_a_replayed_key(cli, env):
    rc, out, err = await cli("topup", "--account", "bkk_prepaid", "--amount", "6000.00", "--key", "bank-2026-10-01")
    assert (rc, err) == (0, "")
    first = json.loads(out)
    assert (first["kind"], first["amount"], first["balance_after"], first["key"], first["created"]) == (
        "topup", "6000.00", "6000.00", "bank-2026-10-01", True)
    rc, out, _ = await cli("topup", "--account", "bkk_prepaid", "--amount", "6000.00", "--key", "bank-2026-10-01")
    again = json.loads(out)
    assert rc == 0 and again["created"] is False and again["id"] == first["id"]
    rc, out, err = await cli("topup", "--account", "bkk_prepaid", "--amount", "7000.00", "--key", "bank-2026-10-01")
    assert (rc, out) == (2, "") and err.count("\n") == 1
    assert err.startswith("error: key 'bank-2026-10-01' was already used for a top-up of 6000.00 THB to bkk_prepaid")

    async with env.db.transaction() as s:   # the Siam job draws 745.26: 6,000.00 → 5,254.74
        await billing.bill_completion(s, env.lcfg, ticket_id=3, chatid="wr_bkk_siam", breached=False,
                                      rates=lambda f, t, d: rate_on(env.lcfg, f, t, d))
    rc, out, _ = await cli("balance", "--account", "bkk_prepaid")
    bal = json.loads(out)
    assert (bal["balance"], bal["currency"], bal["low_balance"], bal["below_low_balance"]) == (
        "5254.74", "THB", "5000.00", False)
    assert [(e["kind"], e["amount"], e["ticket"]) for e in bal["entries"]] == [("topup", "6000.00", None),
                                                                              ("draw", "-745.26", 3)]
    rc, out, err = await cli("balance", "--account", "sh_credit")
    assert rc == 2 and err.startswith("error: account 'sh_credit' is not prepaid (its terms: credit)")


async def test_close_pay_credit_note_and_aging(cli):
    rc, out, err = await cli("close", "--period", "2026-10")
    assert (rc, err) == (0, "")
    closed = json.loads(out)
    invoices = {i["account"]: i for i in closed["invoices"]}
    sh = invoices["sh_credit"]
    # 548.55 + 212.00 + plan 2 × 20.00 → 800.55, due 30 days after Oct 31.
    assert (sh["amount"], sh["open"], sh["issued_on"], sh["due_on"], sh["status"]) == (
        "800.55", "800.55", "2026-10-31", "2026-11-30", "open")
    assert "bkk_prepaid" not in invoices   # its job was never drawn (see the fixture): nothing to state

    rc, out, err = await cli("credit-note", "--invoice", str(sh["id"]), "--amount", "12.00",
                             "--reason", "POS job: 0.2 h too much")
    assert (rc, err) == (0, "")
    note = json.loads(out)
    assert (note["credit_note"]["amount"], note["invoice"]["amount"], note["invoice"]["open"]) == (
        "12.00", "800.55", "788.55")
    rc, out, err = await cli("pay", "--invoice", str(sh["id"]), "--amount", "500.00", "--key", "wire-881")
    paid = json.loads(out)
    assert (rc, paid["created"], paid["invoice"]["open"], paid["invoice"]["status"]) == (0, True, "288.55", "open")
    rc, out, _ = await cli("pay", "--invoice", str(sh["id"]), "--amount", "500.00", "--key", "wire-881")
    assert json.loads(out)["created"] is False and json.loads(out)["invoice"]["open"] == "288.55"

    rc, out, err = await cli("aging", "--today", "2027-01-15")   # 46 days after Nov 30
    assert (rc, err) == (0, "")
    report = json.loads(out)
    assert report["totals"]["CNY"]["31-60"] == "288.55"
    assert [(r["invoice"], r["account"], r["open"]) for r in report["buckets"]["31-60"]] == [(sh["id"], "sh_credit", "288.55")]

    rc, out, err = await cli("aging", "--today", "15/01/2027")
    assert (rc, out) == (2, "") and err == "error: --today: expected a date like 2026-12-31, got '15/01/2027'\n"
    rc, out, err = await cli("credit-note", "--invoice", "999", "--amount", "1.00", "--reason", "x")
    assert rc == 2 and err.startswith("error: no invoice 999")
