"""Billing fixtures: the ledger's pinned config (tests/ledger/conftest.py — its hand-computed jobs)
plus two accounts with terms, so every figure in these tests is worked out by hand.

  sh_credit   the Shanghai store (wr_sh_xuhui): plan `basic` (20.00 CNY a ticket), credit terms net
              30 month-end, SLA credit 10 % of the job's total; manager 赵敏 (zh)
  bkk_prepaid the Bangkok store (wr_bkk_siam): plan `zero` (a custom plan with no usage: bills 0, so
              the draws stand alone), prepaid in THB, low balance 5,000.00, rebates 2 % from 20,000.00
              and 5 % from 50,000.00, SLA credit fixed THB 200.00; manager Somchai's colleague
              `storebkk` reads Thai and English, so the notice is in Thai

Jobs (pos_repair in th, 1 h, tax 7 %): base 398.00 + labour 298.50 = 696.50 THB before parts, so a
part of P makes subtotal 696.50 + P, tax round(7 % of it), total = subtotal + tax.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any, AsyncIterator

import pytest

from storage import billing  # noqa: F401  (its tables on Base.metadata for the PostgreSQL reset)
from tests.ledger.conftest import Env, ledger_env, pinned

CREDIT = {"code": "sh_credit", "name": "上海门店", "plan": "basic", "groups": ["wr_sh_xuhui"], "region": "east",
          "manager": "zhaomin", "terms": {"kind": "credit", "net_days": 30, "month_end": True},
          "sla_credit": {"percent": "0.10"}}
PREPAID = {"code": "bkk_prepaid", "name": "Siam store", "plan": "zero", "groups": ["wr_bkk_siam"], "region": "th",
           "timezone": "Asia/Bangkok", "manager": "storebkk",
           "terms": {"kind": "prepaid", "currency": "THB", "low_balance": "5000.00",
                     "rebates": [{"from": "20000.00", "rate": "0.02"}, {"from": "50000.00", "rate": "0.05"}]},
           "sla_credit": {"fixed": {"THB": "200.00"}}}


def billing_config(**changes: Any) -> dict[str, Any]:
    data = pinned()
    data["plans"]["zero"] = {"model": "custom", "currency": "CNY", "items": [
        {"code": "api_calls", "unit_price": "0.002", "included": 10000}]}
    data["accounts"] = [copy.deepcopy(CREDIT), copy.deepcopy(PREPAID)]
    data["payment_terms"] = {}
    for code, change in changes.items():
        acct = next(a for a in data["accounts"] if a["code"] == code)
        acct.update(change)
    return data


def at(y: int, m: int, d: int, h: int = 3) -> dt.datetime:
    return dt.datetime(y, m, d, h, 0)   # naive UTC, 10:00 in Bangkok and Shanghai


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    async with ledger_env(tmp_path, billing_config()) as e:
        yield e
