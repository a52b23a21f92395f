"""Prepaid accounts: top-ups idempotent by key, jobs drawing the balance in the completion's
transaction, the manager told once when a draw crosses the low-balance mark, and the period's
rebate credited at close — once. Figures by hand (see conftest.py for the Thai job's price)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from handlers import billing as billing_handler
from handlers.context import Context
from storage import billing, ledger
from storage import tickets as store
from storage.billing_models import BillingError, PrepaidEntry
from storage.ledger import rate_on

from .conftest import at

CLOSE_OCT = dt.datetime(2026, 11, 22, 12, 0)


def rates(env):
    return lambda frm, to, day: rate_on(env.lcfg, frm, to, day)


async def thai_job(env, s, part: str | None, when: dt.datetime, **fields):
    """pos_repair in Bangkok, 1 h, for the Siam store, drawn as the completion handler does."""
    parts = ((("配件", part),) if part else ())
    tid, q = await env.job(s, template="pos_repair", region="th", engineer="somchai", hours="1", parts=parts,
                           surcharges=(), at=when, chatid="wr_bkk_siam", **fields)
    done = await billing.bill_completion(s, env.lcfg, ticket_id=tid, chatid="wr_bkk_siam",
                                         breached=bool(fields.get("sla_breached")), rates=rates(env))
    return tid, q, done


async def test_top_up_is_idempotent_by_key(env):
    async with env.db.transaction() as s:
        first, created = await billing.top_up(s, env.lcfg, account="bkk_prepaid", amount="60000.00", key="tt-1001",
                                              now=at(2026, 10, 1))
    assert created and (first["amount"], first["balance_after"], first["currency"]) == ("60000.00", "60000.00", "THB")
    async with env.db.transaction() as s:   # the bank's webhook retried: the first entry, nothing added
        again, created = await billing.top_up(s, env.lcfg, account="bkk_prepaid", amount="60000.00", key="tt-1001",
                                              now=at(2026, 10, 2))
    assert not created and again == first
    async with env.db.transaction() as s:
        with pytest.raises(BillingError, match=r"key 'tt-1001' was already used for a top-up of 60000.00 THB"):
            await billing.top_up(s, env.lcfg, account="bkk_prepaid", amount="50000.00", key="tt-1001",
                                 now=at(2026, 10, 2))
        with pytest.raises(BillingError, match=r"account 'sh_credit' is not prepaid \(its terms: credit\)"):
            await billing.top_up(s, env.lcfg, account="sh_credit", amount="1.00", key="x", now=at(2026, 10, 2))
        with pytest.raises(BillingError, match=r"amount 1.001 has more decimals than THB allows"):
            await billing.top_up(s, env.lcfg, account="bkk_prepaid", amount="1.001", key="y", now=at(2026, 10, 2))
    async with env.db.sessions() as s:
        bal = await billing.balance_of(s, env.lcfg, "bkk_prepaid")
    assert (bal["balance"], len(bal["entries"])) == ("60000.00", 1)


async def test_draw_down_with_a_rebate_tier_crossed_mid_period(env):
    async with env.db.transaction() as s:
        await billing.top_up(s, env.lcfg, account="bkk_prepaid", amount="60000.00", key="t1", now=at(2026, 10, 1))
    seen = []
    # Each job: 696.50 + part = subtotal; tax 7 %; total drawn.
    jobs = [("9303.50", at(2026, 10, 5)),    # 10,000.00 + 700.00 = 10,700.00 → 49,300.00 left, volume 10,700.00
            ("9303.50", at(2026, 10, 8)),    # 10,700.00 → 38,600.00; volume 21,400.00 reaches the 2 % tier
            ("18603.50", at(2026, 10, 12)),  # 19,300.00 + 1,351.00 = 20,651.00 → 17,949.00; volume 42,051.00
            ("13603.50", at(2026, 10, 20)),  # 14,300.00 + 1,001.00 = 15,301.00 → 2,648.00, below 5,000.00: told;
                                             #   volume 57,352.00 reaches the 5 % tier mid-month
            (None, at(2026, 10, 25))]        # 696.50 + 48.755→48.76 = 745.26 → 1,902.74: still low, not told again
    for part, when in jobs:
        async with env.db.transaction() as s:
            _, q, done = await thai_job(env, s, part, when)
        seen.append((q.total, done.draw["amount"], done.draw["balance_after"], done.crossed_low))
    assert seen == [(1070000, "-10700.00", "49300.00", False), (1070000, "-10700.00", "38600.00", False),
                    (2065100, "-20651.00", "17949.00", False), (1530100, "-15301.00", "2648.00", True),
                    (74526, "-745.26", "1902.74", False)]

    async with env.db.transaction() as s:
        closed = await ledger.close_period(s, env.lcfg, "2026-10", now=CLOSE_OCT)
    [inv] = [i for i in closed.to_json()["invoices"] if i["account"] == "bkk_prepaid"]
    # Volume 58,097.26 ≥ 50,000.00: the whole volume at 5 % = 2,904.863 → 2,904.86, credited to the
    # balance: 1,902.74 + 2,904.86 = 4,807.60. Amount = 58,097.26 − 2,904.86 = 55,192.40, all of it
    # covered by the balance, so nothing is due.
    assert (inv["kind"], inv["currency"], inv["amount"], inv["amount_due"], inv["status"]) == (
        "prepaid", "THB", "55192.40", "0.00", "nothing_due")
    assert (inv["issued_on"], inv["due_on"]) == ("2026-10-31", "2026-10-31")
    assert [(ln["kind"], ln["amount"]) for ln in inv["lines"]] == [
        ("draw", "10700.00"), ("draw", "10700.00"), ("draw", "20651.00"), ("draw", "15301.00"), ("draw", "745.26"),
        ("rebate", "-2904.86")]
    assert inv["detail"] == {"drawn": "58097.26", "rebate_tier": {"from": "50000.00", "rate": "0.05"},
                             "balance": "4807.60"}

    async with env.db.transaction() as s:   # closing again credits nothing twice
        again = await ledger.close_period(s, env.lcfg, "2026-10", now=CLOSE_OCT)
    assert again.already_closed and again.to_json()["invoices"] == closed.to_json()["invoices"]
    async with env.db.sessions() as s:
        bal = await billing.balance_of(s, env.lcfg, "bkk_prepaid")
        rebates = await s.scalar(select(func.count()).select_from(PrepaidEntry).where(PrepaidEntry.kind == "rebate"))
    assert (bal["balance"], bal["below_low_balance"], rebates) == ("4807.60", True, 1)


async def test_the_manager_is_told_once_in_their_language(env):
    async with env.db.transaction() as s:
        await billing.top_up(s, env.lcfg, account="bkk_prepaid", amount="6000.00", key="t1", now=at(2026, 10, 1))
    told = []
    for when in (at(2026, 10, 5), at(2026, 10, 6), at(2026, 10, 7)):
        async with env.db.transaction() as s:
            # 745.26 a job: 6,000.00 → 5,254.74 (above) → 4,509.48 (crossed: told) → 3,764.22 (still low: not told)
            tid, q = await env.job(s, template="pos_repair", region="th", engineer="somchai", hours="1", parts=(),
                                   surcharges=(), at=when, chatid="wr_bkk_siam")
            ticket = await store.get_ticket(s, tid)
            ctx = Context(cfg=env.cfg, session=s, cache=None, userid="somchai", chatid=None,  # type: ignore[arg-type]
                          channel="test", now=when, settlement=env.lcfg)
            await billing_handler.after_completion(ctx, ticket, q)
            told.append([(m["dest"], m["payload"]["markdown"]["content"]) for m in ctx.outbox])
    assert told[0] == [] and told[2] == []
    [(dest, text)] = told[1]
    assert dest == "storebkk"   # reads Thai first
    assert text == ("⚠️ ยอดเงินเติมล่วงหน้าของ Siam store ต่ำกว่าเกณฑ์แล้ว: งาน #2 หักไป 745.26 THB "
                    "เหลือ 4509.48 THB (เกณฑ์: 5000.00) กรุณาเติมเงิน")

    # A top-up lifts it above the mark again; the next crossing is told again.
    async with env.db.transaction() as s:
        await billing.top_up(s, env.lcfg, account="bkk_prepaid", amount="2000.00", key="t2", now=at(2026, 10, 8))
        _, _, done = await thai_job(env, s, None, at(2026, 10, 9))   # 5,764.22 → 5,018.96: above, not told
        assert not done.crossed_low
        _, _, done = await thai_job(env, s, None, at(2026, 10, 10))  # → 4,273.70: crossed again
        assert done.crossed_low and done.draw["balance_after"] == "4273.70"


async def test_a_job_in_another_currency_is_drawn_at_the_stored_rate(env):
    async with env.db.transaction() as s:
        await billing.top_up(s, env.lcfg, account="bkk_prepaid", amount="5000.00", key="t1", now=at(2026, 10, 1))
        # A Shanghai-priced job for the Siam store's chat: pos_repair east 2 h = 212.00 CNY with tax,
        # × CNY→THB 4.9750 = 1,054.70 THB, converted once.
        tid, q = await env.job(s, template="pos_repair", region="east", hours="2", parts=(), surcharges=(),
                               at=at(2026, 10, 5), chatid="wr_bkk_siam")
        done = await billing.bill_completion(s, env.lcfg, ticket_id=tid, chatid="wr_bkk_siam", breached=False,
                                             rates=rates(env))
    assert (q.total, q.currency) == (21200, "CNY")
    assert (done.draw["amount"], done.draw["balance_after"]) == ("-1054.70", "3945.30")
    assert done.draw["source"]["amount"] == "212.00" and done.draw["source"]["rate"]["rate"] == "4.9750"
    assert done.crossed_low   # 5,000.00 → 3,945.30


async def test_a_fixed_sla_credit_goes_back_on_the_balance_at_the_next_close(env):
    async with env.db.transaction() as s:
        await billing.top_up(s, env.lcfg, account="bkk_prepaid", amount="5000.00", key="t1", now=at(2026, 10, 1))
        _, _, done = await thai_job(env, s, None, at(2026, 10, 5), sla_breached=True)   # 5,000.00 − 745.26 = 4,254.74
        assert done.credit == {"ticket": 1, "amount": "200.00", "currency": "THB", "period": "2026-10"}
        # A breached CNY job: the fixed policy has no CNY amount, so no credit is written.
        tid, _ = await env.job(s, template="pos_repair", region="east", hours="2", parts=(), surcharges=(),
                               at=at(2026, 10, 6), chatid="wr_bkk_siam")
        done = await billing.bill_completion(s, env.lcfg, ticket_id=tid, chatid="wr_bkk_siam", breached=True,
                                             rates=rates(env))
        assert done.credit is None   # and 1,054.70 drawn: 4,254.74 → 3,200.04
    async with env.db.transaction() as s:
        oct_ = (await ledger.close_period(s, env.lcfg, "2026-10", now=CLOSE_OCT)).to_json()["invoices"]
        nov = (await ledger.close_period(s, env.lcfg, "2026-11", now=dt.datetime(2026, 12, 3))).to_json()["invoices"]
    # October: two draws (745.26 + 1,054.70 = 1,799.96), no rebate tier reached, the credit not yet.
    [o] = oct_
    assert [ln["kind"] for ln in o["lines"]] == ["draw", "draw"] and o["amount"] == "1799.96"
    # November: only the credit, back on the balance: 3,200.04 + 200.00 = 3,400.04.
    [n] = nov
    assert [(ln["kind"], ln["amount"]) for ln in n["lines"]] == [("sla_credit", "-200.00")]
    assert n["detail"]["balance"] == "3400.04"


async def test_a_negative_balance_is_due_on_the_statement(env):
    async with env.db.transaction() as s:
        await billing.top_up(s, env.lcfg, account="bkk_prepaid", amount="1000.00", key="t1", now=at(2026, 10, 1))
        await thai_job(env, s, "9303.50", at(2026, 10, 5))   # 1,000.00 − 10,700.00 = −9,700.00
    async with env.db.transaction() as s:
        [inv] = (await ledger.close_period(s, env.lcfg, "2026-10", now=CLOSE_OCT)).to_json()["invoices"]
    assert (inv["amount"], inv["amount_due"], inv["open"], inv["status"]) == ("10700.00", "9700.00", "9700.00", "open")
    async with env.db.transaction() as s:   # paying it puts the money back on the balance
        done, created = await billing.record_payment(s, env.lcfg, invoice_id=inv["id"], amount="9700.00",
                                                     key="bank-77", now=at(2026, 11, 25))
        bal = await billing.balance_of(s, env.lcfg, "bkk_prepaid")
    assert created and done["invoice"]["status"] == "paid" and bal["balance"] == "0.00"
    assert bal["entries"][-1]["kind"] == "payment"


async def test_a_draft_close_rolled_back_leaves_the_balance_as_it_was(env):
    async with env.db.transaction() as s:
        await billing.top_up(s, env.lcfg, account="bkk_prepaid", amount="30000.00", key="t1", now=at(2026, 10, 1))
        await thai_job(env, s, "18603.50", at(2026, 10, 5))   # 20,651.00: the 2 % tier → rebate 413.02
    async with env.db.transaction() as s:
        nested = await s.begin_nested()         # what a draft does (storage/drafts.py)
        draft = (await ledger.close_period(s, env.lcfg, "2026-10", now=CLOSE_OCT)).to_json()["invoices"]
        await nested.rollback()
        assert (await billing.balance_of(s, env.lcfg, "bkk_prepaid"))["balance"] == "9349.00"   # 30,000 − 20,651
        final = (await ledger.close_period(s, env.lcfg, "2026-10", now=CLOSE_OCT)).to_json()["invoices"]

    def figures(invoices):
        return [{k: v for k, v in i.items() if k != "id"} for i in invoices]
    assert figures(draft) == figures(final)
    assert final[0]["detail"]["balance"] == "9762.02"   # 9,349.00 + 413.02, once
