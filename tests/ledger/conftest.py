"""Ledger fixtures: the desk's config with the settlement sections pinned to round numbers, so every
expected figure in these tests is computed by hand (and does not move when config.yaml does).

Hand-computed jobs used throughout (east: CNY, tax 6 %; th: THB, tax 7 %):

  hvac_repair, east, 1.5 h, part 压缩机 180.00, urgent
      base 150.00 + labour 120.00 + urgent 67.50 + part 180.00 = subtotal 517.50, tax 31.05, total 548.55
      split hvac_repair: engineer fixed 120.00, rest 397.50 at 70/30 → sales 278.25, fund 119.25
  pos_repair, east, 2 h
      base 80.00 + labour 120.00 = 200.00, tax 12.00, total 212.00; default 60/30/10 → 120.00 / 60.00 / 20.00
  pos_repair, th, 1 h   (CNY template × CNY→THB 4.9750)
      base 398.00 + labour 298.50 = 696.50 THB, tax 48.76, total 745.26; 60/30/10 → 417.90 / 208.95 / 69.65
      in CNY at THB→CNY 0.2010: subtotal 140.00, tax 9.80; shares 84.00 / 42.00 / 14.00
  pos_repair, fr, 1 h   (fr's own EUR price list; no EUR→CNY rate, so never in a CNY total)
      base 50.00 + labour 40.00 = 90.00 EUR, tax 18.00; 60/30/10 → 54.00 / 27.00 / 9.00
"""

from __future__ import annotations

import datetime as dt
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncIterator

import pytest

from handlers.config import Config
from settlement.ledger_config import LedgerConfig
from storage import ledger
from storage import ledger_models  # noqa: F401  (tables on Base.metadata for the PostgreSQL reset)
from storage import tickets as store
from storage.db import Database
from tests.conftest import base_config_data, make_config, reset_postgres

OCT = dt.datetime(2026, 10, 15, 3, 0)   # naive UTC, inside October everywhere
NOV = dt.datetime(2026, 11, 10, 3, 0)
AFTER_OCT = dt.datetime(2026, 11, 22, 12, 0)


def pinned() -> dict[str, Any]:
    data = base_config_data()
    for t in data["templates"]:
        if t["code"] == "hvac_repair":
            t["pricing"] = {"base_fee": "150.00", "hourly_rate": "80.00"}
        elif t["code"] == "pos_repair":
            t["pricing"] = {"base_fee": "80.00", "hourly_rate": "60.00"}
    for r in data["regions"]:
        if r["code"] == "east":
            r.update(currency="CNY", tax_rate="0.06", multiplier="1", timezone="Asia/Shanghai", prices={})
        elif r["code"] == "th":
            r.update(currency="THB", tax_rate="0.07", multiplier="1", timezone="Asia/Bangkok", prices={})
        elif r["code"] == "fr":  # its own EUR price list, and deliberately no EUR→CNY rate
            r.update(currency="EUR", tax_rate="0.20", multiplier="1", timezone="Europe/Paris",
                     prices={"pos_repair": {"base_fee": "50.00", "hourly_rate": "40.00"}})
    return {
        "templates": data["templates"], "regions": data["regions"],
        "rounding": "ROUND_HALF_UP", "reporting_currency": "CNY",
        "surcharges": {"urgent": "0.25", "night": "0.20", "height": "0.15"},
        "split_rules": {
            "default": [{"party": "sales", "weight": 60}, {"party": "engineer", "weight": 30},
                        {"party": "after_sales_fund", "weight": 10}],
            "hvac_repair": [{"party": "engineer", "fixed": {"CNY": "120.00", "THB": "600.00"}},
                            {"party": "sales", "weight": 70}, {"party": "after_sales_fund", "weight": 30}]},
        "fx_rates": [
            {"from": "THB", "to": "CNY", "rate": "0.2010", "date": "2026-10-01", "source": "config"},
            {"from": "CNY", "to": "THB", "rate": "4.9750", "date": "2026-10-01", "source": "config"}],
        "plans": {
            "basic": {"model": "graduated", "currency": "CNY", "tiers": [
                {"up_to": 100, "unit": "20.00"}, {"up_to": 500, "unit": "15.00"}, {"up_to": None, "unit": "10.00"}]},
            "standard": {"model": "fixed_commission", "currency": "CNY", "fixed": "3000.00", "rate": "0.05"},
            "enterprise": {"model": "custom", "currency": "CNY", "items": [
                {"code": "api_calls", "unit_price": "0.002", "included": 10000},
                {"code": "storage_gb_month", "unit_price": "1.50", "included": 5}]}},
        "accounts": [
            {"code": "sh_stores", "name": "上海门店", "plan": "standard", "groups": ["wr_sh_xuhui"]},
            {"code": "api_co", "name": "API customer", "plan": "enterprise", "groups": []}],
    }


@dataclass
class Env:
    cfg: Config
    lcfg: LedgerConfig
    db: Database

    async def ticket(self, session: Any, *, region: str = "east", assignee: str | None = "zhangwei",
                     chatid: str | None = "wr_sh_xuhui", template: str = "hvac_repair", **fields: Any) -> int:
        t = await store.create_ticket(session, actor="storesh", reason="test", status="assigned", skill="hvac",
                                      region=region, chatid=chatid, assignee=assignee, template=template, **fields)
        return t.id

    async def job(self, session: Any, *, template: str = "hvac_repair", region: str = "east",
                  engineer: str | None = "zhangwei", hours: str = "1.5", parts: Any = (("压缩机", "180.00"),),
                  surcharges: Any = ("urgent",), at: dt.datetime = OCT, chatid: str | None = "wr_sh_xuhui",
                  **fields: Any) -> tuple[int, Any]:
        """A ticket completed and priced in one transaction, as the completion handler does."""
        tid = await self.ticket(session, region=region, assignee=engineer, chatid=chatid, template=template, **fields)
        q = await ledger.record_completion(session, self.lcfg, ticket_id=tid, template=template, region=region,
                                           engineer=engineer, hours=hours, parts=list(parts),
                                           surcharges=list(surcharges), language="zh", completed_at=at)
        return tid, q


@asynccontextmanager
async def ledger_env(tmp_path: Path, data: dict[str, Any]) -> AsyncIterator[Env]:
    """An Env on a fresh, migrated database of the backend under test, with the config `data`."""
    cfg = make_config(tmp_path, **data)
    if cfg.database.url.startswith("postgresql"):
        await reset_postgres(cfg.database.url)
    db = Database(cfg.database.url)
    if db.is_sqlite:
        await db.upgrade()
    try:
        yield Env(cfg, cfg.ledger, db)
    finally:
        await db.close()


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    async with ledger_env(tmp_path, pinned()) as e:
        yield e
