"""record_completion: price + split stored in the caller's transaction, figures computed by hand."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from settlement import SettlementConfig
from storage import ledger
from storage.ledger_models import ChargeLine, LedgerLine, SettlementPeriod, TicketCharge

from .conftest import NOV, OCT, pinned


async def _all(session, model, *order):
    return list((await session.scalars(select(model).order_by(*order))).all())


async def test_completion_stores_charge_lines_and_split(env):
    async with env.db.transaction() as s:
        tid, q = await env.job(s)
    assert (q.subtotal, q.tax, q.total, q.currency) == (51750, 3105, 54855, "CNY")
    async with env.db.sessions() as s:
        [charge] = await _all(s, TicketCharge, TicketCharge.id)
        lines = await _all(s, ChargeLine, ChargeLine.position)
        ledger_lines = await _all(s, LedgerLine, LedgerLine.id)
    assert (charge.ticket_id, charge.template, charge.region, charge.currency) == (tid, "hvac_repair", "east", "CNY")
    assert (charge.subtotal, charge.tax, charge.total) == (51750, 3105, 54855)
    assert (charge.reporting_currency, charge.reporting_subtotal, charge.reporting_total) == ("CNY", 51750, 54855)
    assert (charge.engineer, charge.period) == ("zhangwei", "2026-10")
    assert charge.audit["factor_source"] == "multiplier" and charge.audit["split"]["rule"] == "hvac_repair"
    assert [(ln.code, ln.label, ln.amount) for ln in lines] == [
        ("base", "基础服务费", 15000), ("labour", "工时费", 12000), ("urgent", "加急费", 6750),
        ("part", "配件：压缩机", 18000), ("tax", "税", 3105)]
    assert [(ln.party, ln.person, ln.amount, ln.kind, ln.settled, ln.period) for ln in ledger_lines] == [
        ("engineer", "zhangwei", 12000, "split", False, "2026-10"),
        ("sales", None, 27825, "split", False, "2026-10"),
        ("after_sales_fund", None, 11925, "split", False, "2026-10")]
    assert sum(ln.amount for ln in ledger_lines) == charge.subtotal  # the split is of the pre-tax subtotal


async def test_cross_border_job_is_priced_in_thb_and_converted_once(env):
    async with env.db.transaction() as s:
        _, q = await env.job(s, template="pos_repair", region="th", engineer="somchai", hours="1", parts=(),
                             surcharges=(), chatid="wr_bkk_siam")
    assert (q.currency, q.subtotal, q.tax, q.total) == ("THB", 69650, 4876, 74526)
    async with env.db.sessions() as s:
        [charge] = await _all(s, TicketCharge, TicketCharge.id)
        lines = await _all(s, LedgerLine, LedgerLine.id)
    assert charge.audit["fx"] == {"from": "CNY", "to": "THB", "rate": "4.9750", "date": "2026-10-01", "source": "config"}
    assert charge.audit["reporting_fx"]["rate"] == "0.2010"
    assert (charge.reporting_subtotal, charge.reporting_tax, charge.reporting_total) == (14000, 980, 14980)
    assert [(ln.party, ln.amount, ln.currency, ln.reporting_amount) for ln in lines] == [
        ("sales", 41790, "THB", 8400), ("engineer", 20895, "THB", 4200), ("after_sales_fund", 6965, "THB", 1400)]


async def test_period_is_the_month_in_the_regions_time_zone(env):
    # 16:30 UTC on 31 October is 00:30 on 1 November in Shanghai (UTC+8), 23:30 on 31 October in Bangkok.
    import datetime as dt

    at = dt.datetime(2026, 10, 31, 16, 30)
    async with env.db.transaction() as s:
        await env.job(s, at=at)
        await env.job(s, template="pos_repair", region="th", engineer="somchai", hours="1", parts=(), surcharges=(),
                      at=at, chatid="wr_bkk_siam")
    async with env.db.sessions() as s:
        periods = {(c.region, c.period) for c in await _all(s, TicketCharge, TicketCharge.id)}
    assert periods == {("east", "2026-11"), ("th", "2026-10")}


async def test_nothing_is_written_when_the_callers_transaction_fails(env):
    with pytest.raises(RuntimeError):
        async with env.db.transaction() as s:
            await env.job(s)
            raise RuntimeError("the completion handler failed after pricing")
    async with env.db.sessions() as s:
        assert await _all(s, TicketCharge, TicketCharge.id) == []
        assert await _all(s, LedgerLine, LedgerLine.id) == []


async def test_a_ticket_is_priced_once(env):
    async with env.db.transaction() as s:
        tid, _ = await env.job(s)
    with pytest.raises(ledger.AlreadyPriced, match="correction"):
        async with env.db.transaction() as s:
            await ledger.record_completion(s, env.lcfg, ticket_id=tid, template="hvac_repair", region="east",
                                           engineer="zhangwei", hours="1", parts=[], surcharges=[], language="zh",
                                           completed_at=NOV)


async def test_bad_facts_are_a_settlement_error_and_write_nothing(env):
    from settlement import SettlementError

    with pytest.raises(SettlementError):
        async with env.db.transaction() as s:
            await env.job(s, surcharges=("weekend",))  # not configured
    async with env.db.sessions() as s:
        assert await _all(s, LedgerLine, LedgerLine.id) == []
        assert await _all(s, SettlementPeriod, SettlementPeriod.period) == []


async def test_a_plain_settlement_config_is_refused_with_the_fix_in_the_message(env):
    plain = SettlementConfig.from_mapping(pinned())
    async with env.db.transaction() as s:
        tid = await env.ticket(s)
        with pytest.raises(TypeError, match="LedgerConfig.from_mapping"):
            await ledger.record_completion(s, plain, ticket_id=tid, template="hvac_repair", region="east",
                                           engineer="zhangwei", hours="1", parts=[], surcharges=[], language="zh",
                                           completed_at=OCT)


def test_quote_markdown_is_the_customers_breakdown_line_by_line(env):
    from settlement import quote_ticket

    q = quote_ticket(env.lcfg, "hvac_repair", "east", hours="1.5", parts=[("压缩机", "180.00")], surcharges=["urgent"])
    assert ledger.quote_markdown(q, "zh") == "\n".join([
        "> 基础服务费\u3000150.00", "> 工时费\u3000120.00", "> 加急费\u300067.50", "> 配件：压缩机\u3000180.00",
        "> 小计\u3000517.50", "> 税\u300031.05", "**合计\u3000548.55 CNY**"])
    th = quote_ticket(env.lcfg, "pos_repair", "th", hours="1", language="en")
    assert ledger.quote_markdown(th, "en").splitlines()[-1] == "**Total — 745.26 THB**"
