"""Joint jobs between two branches (issue 15): which tickets are joint, how they read, and what
their completion adds to the ledger.

A branch is a region. A ticket is joint when its reporter's home region is not the store's:
a customer's home is their own `people[*].regions[0]`, else the region of the account whose
groups hold the store's group (`accounts[*].region`). A manager may also add a branch ("#12 加分公司
华东", handlers/manage.py). The second branch is `tickets.joint_region`; routing prefers the pair's
joint squad (handlers/routing.py).

At completion (`after_completion`, in the completion's transaction, right after the ledger priced
the job):
* an engineer working outside their home region gets a `travel` ledger line (settlement/travel.py);
* a joint job's pre-tax subtotal is split between its two branches (settlement/branches.py): the
  engineer's branch gets the base fee and labour at its `cost` price list, the parts go to the
  branch whose warehouse they came from (else the engineer's), travel is the engineer's branch's
  cost, and what is left is shared by the squad's weights (equal without a squad).
The engineer's branch is their home region when it is one of the two, else the store's: a
third branch's engineer works for the store's branch on this job.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from handlers.config import Config
from handlers.context import Context
from settlement import Money, SettlementError, convert
from settlement.branches import BranchWork, squad_for
from settlement.periods import zone
from settlement.price_lists import price_work
from settlement.travel import allowance, days_on_job
from storage import ledger, parts as stock, tickets as store
from storage.models import Ticket

COST_LIST = "cost"   # the price list each branch's own work is valued at (config `price_lists`)


# -- which tickets are joint ------------------------------------------------------------------------

def home_region(ctx: Context, userid: str | None, chatid: str | None) -> str | None:
    """Where a reporter belongs: a customer's own first region, else their store's account's."""
    person = ctx.cfg.person(userid)
    if person is not None and "customer" in person.roles and person.regions:
        return person.regions[0]
    account = ctx.cfg.ledger.account_of_chat(chatid)   # the same account billing draws from
    return account.region if account is not None else None


def joint_region_of(ctx: Context, *, region: str, reporter: str | None, chatid: str | None) -> str | None:
    """The second branch of a new ticket in `region`, or None when it involves one branch."""
    home = home_region(ctx, reporter, chatid)
    return home if home and home != region and ctx.cfg.region(home) is not None else None


def resolve_region(ctx: Context, said: Any) -> str | None:
    """A region as a manager names it: its code, its name or an alias, in any language."""
    text = str(said or "").strip().casefold()
    if not text:
        return None
    for r in ctx.cfg.regions:
        if text in {r.code.casefold(), r.name.casefold(), *(a.casefold() for a in r.aliases),
                    *(n.casefold() for n in r.names.values())}:
            return r.code
    return None


# -- how a joint ticket reads -------------------------------------------------------------------------

def branches_text(cfg: Config, ticket: Ticket, lang: str) -> str:
    """"西南 ⇄ 华东": the store's branch, then the other; "" for a ticket of one branch."""
    if not ticket.joint_region or ticket.joint_region == ticket.region:
        return ""
    return " ⇄ ".join(r.name_in(lang) if r else code for code in (ticket.region, ticket.joint_region)
                      for r in [cfg.region(code)])


def squad_name(squad: Any, lang: str) -> str:
    return squad.names.get(lang) or squad.name


# -- completion ---------------------------------------------------------------------------------------

async def after_completion(ctx: Context, ticket: Ticket, quote: Any, facts: dict[str, Any]) -> None:
    """A travel line for an engineer away from home, and a joint job's branch lines. Errors
    (no rate between two currencies, a bad list) propagate: the completion is rolled back."""
    lcfg = ctx.settlement
    if lcfg is None or quote is None:
        return
    engineer = ctx.cfg.person(ticket.assignee)
    home = engineer.regions[0] if engineer is not None and engineer.regions else None
    travel = None
    if home and home != ticket.region and lcfg.travel is not None:
        days = days_on_job(await _started_at(ctx, ticket), ctx.now, lcfg.timezone_of(ticket.region))
        travel = allowance(lcfg.travel, home=home, job_region=ticket.region, days=days, currency=quote.currency)
        if travel is not None:
            await ledger.record_travel(ctx.session, lcfg, ticket_id=ticket.id, engineer=ticket.assignee,
                                       allowance=travel, home=home)
    if not ticket.joint_region or ticket.joint_region == ticket.region:
        return
    pair = (ticket.region, ticket.joint_region)
    own = home if home in pair else ticket.region
    day = ctx.now.replace(tzinfo=dt.timezone.utc).astimezone(zone(lcfg.timezone_of(ticket.region))).date()
    work = _work(lcfg, ticket, quote, own, await _parts_branch(ctx, ticket, pair) or own, travel, day)
    squad = squad_for(lcfg.joint_squads, *pair)
    await ledger.record_branches(ctx.session, lcfg, ticket_id=ticket.id, branches=pair, work=work,
                                 remainder=squad.remainder if squad is not None else None,
                                 squad=squad.code if squad is not None else None)


def _work(lcfg: Any, ticket: Ticket, quote: Any, own: str, parts_branch: str, travel: Any,
          day: dt.date) -> list[Any]:
    """Each branch's own work on this job at its cost price, in the branch's currency. What is
    known in the job's currency — the parts as the customer was charged for them, the travel
    allowance — is first converted to the branch's currency at the stored rate of the day."""
    def booked_by(branch: str, m: Money) -> Money:
        currency = lcfg.region(branch).currency
        if currency == m.currency:
            return m
        rate = ledger.rate_on(lcfg, m.currency, currency, day)
        if rate is None:
            raise SettlementError(f"fx_rates: no {m.currency}->{currency} rate to value ticket #{ticket.id}'s "
                                  f"work for the {branch} branch")
        return convert(m, rate)

    work: list[Any] = []
    if COST_LIST in lcfg.price_lists and ticket.template:
        labour = price_work(lcfg, COST_LIST, region=own, template=ticket.template, hours=quote.hours)
        work += [BranchWork(own, code, amount, labour.currency, COST_LIST) for code, amount in labour.lines
                 if code in ("base", "labour")]
        parts = [(ln.label, booked_by(parts_branch, Money(ln.amount, quote.currency)))
                 for ln in quote.lines if ln.code == "part"]
        if parts:
            at_cost = price_work(lcfg, COST_LIST, region=parts_branch, template=ticket.template, parts=parts,
                                 include_base=False)
            work.append(BranchWork(parts_branch, "parts", at_cost.line("parts"), at_cost.currency, COST_LIST))
    if travel is not None:
        paid = booked_by(own, Money(travel.amount, travel.currency))
        work.append(BranchWork(own, "travel", paid.amount, paid.currency, None))
    return [w for w in work if w.amount]


async def _started_at(ctx: Context, ticket: Ticket) -> dt.datetime:
    """When the engineer took the job (claimed or assigned; the latest, after a reassignment):
    travel counts the local days from then to the completion."""
    started = ticket.created_at
    for e in await store.events_of(ctx.session, ticket.id):
        if e.kind == "claimed" or (e.kind == "status" and e.to_status == "assigned"):
            started = e.at
    return started


async def _parts_branch(ctx: Context, ticket: Ticket, pair: tuple[str, str]) -> str | None:
    """The branch whose warehouse the job's reserved parts came from, when it is one of the two."""
    for r in await stock.reservations(ctx.session, ticket.id, status="consumed"):
        warehouse = ctx.cfg.parts.warehouse(r.warehouse)
        for region in warehouse.regions if warehouse is not None else ():
            if region in pair:
                return region
    return None
