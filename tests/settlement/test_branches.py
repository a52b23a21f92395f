"""Joint jobs between two branches (issue 15): the squads in config, and the branch split.

Every case is computed by hand below. The work is attributed as the desk and `settle joint` do:
call-out and labour at the ENGINEER's branch's cost list, parts at the cost list of the branch
whose warehouse they came from, travel as the engineer's branch's cost.

Test config (conftest): cost lists — east hvac_repair 70.00 + 50.00/h, southwest 50.00 + 40.00/h,
th 300.00 + 220.00/h THB; parts at 0.80. Rates CNY→THB 4.9750, THB→CNY 0.2010. The feihu squad
joins east and southwest with remainder 40/60; east/southwest travel pays 200.00 CNY a day.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from settlement import (
    BranchWork,
    CurrencyMismatchError,
    FxRate,
    Money,
    SettlementConfigError,
    SettlementError,
    allowance,
    branch_split,
    convert,
    price_work,
    quote_ticket,
    squad_for,
)
from settlement.ledger_config import LedgerConfig

from .conftest import branches_mapping


def engineer_work(lcfg, region, template, hours):
    w = price_work(lcfg, "cost", region=region, template=template, hours=hours)
    return [BranchWork(region, code, amount, w.currency, "cost") for code, amount in w.lines]


def parts_work(lcfg, region, template, parts):
    w = price_work(lcfg, "cost", region=region, template=template, parts=parts, include_base=False)
    return [BranchWork(region, code, amount, w.currency, "cost") for code, amount in w.lines]


def travel_work(lcfg, home, job_region, days):
    a = allowance(lcfg.travel, home=home, job_region=job_region, days=days, currency=lcfg.region(home).currency)
    return [BranchWork(home, "travel", a.amount, a.currency)]


def by_branch(shares):
    return {s.branch: (s.cost, s.remainder, s.amount, s.branch_amount, s.branch_currency) for s in shares}


# -- east (CNY) and th (THB) -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bangkok_job(lcfg):
    """A Shanghai customer's job at the Bangkok store, done by an east engineer with a th part.

    Quote (th list): 800.00 + 2 h × 350.00 + part 1000.00 = 2500.00 THB pre-tax.
    east: call-out 70.00 CNY, labour 2 × 50.00 = 100.00 CNY; th: part 1000.00 × 0.80 = 800.00 THB.
    No distance east/th is configured, so no travel."""
    q = quote_ticket(lcfg, "hvac_repair", "th", hours="2", parts=[("压缩机", "1000.00")])
    work = engineer_work(lcfg, "east", "hvac_repair", "2") + parts_work(lcfg, "th", "hvac_repair", [("压缩机", "1000.00")])
    return q, work


def test_east_and_th_equal_remainder(lcfg, bangkok_job):
    q, work = bangkok_job
    assert (q.currency, q.subtotal) == ("THB", 250000)
    shares = branch_split(q.subtotal, q.currency, branches=("th", "east"), work=work, remainder=None,
                          rate=lcfg.fx_rate)
    # east's cost in THB, each item converted once: 70.00 × 4.9750 = 348.25, 100.00 × 4.9750 = 497.50 → 845.75
    # costs 845.75 + 800.00 = 1645.75; remainder 2500.00 − 1645.75 = 854.25, equal: 427.125 each →
    #   427.12 + 427.12, the leftover satang to the host (th, listed first)
    # th   800.00 + 427.13 = 1227.13 THB
    # east 845.75 + 427.12 = 1272.87 THB → × 0.2010 = 255.846… → 255.85 CNY
    assert by_branch(shares) == {"th": (80000, 42713, 122713, 122713, "THB"),
                                 "east": (84575, 42712, 127287, 25585, "CNY")}
    east = shares[1]
    assert east.costs == (34825, 49750)
    assert (east.rate.from_currency, east.rate.to_currency, str(east.rate.rate)) == ("THB", "CNY", "0.2010")
    assert str(east.cost_rate.rate) == "4.9750" and shares[0].rate is None
    assert sum(s.amount for s in shares) == q.subtotal


def test_east_and_th_weighted_remainder(lcfg, bangkok_job):
    q, work = bangkok_job
    shares = branch_split(q.subtotal, q.currency, branches=("th", "east"), work=work,
                          remainder={"th": Decimal(3), "east": Decimal(1)}, rate=lcfg.fx_rate)
    # 854.25 by 3:1 → 640.6875 / 213.5625 → 640.68 / 213.56, 1 satang left → th (.75 > .25)
    # th 800.00 + 640.69 = 1440.69; east 845.75 + 213.56 = 1059.31 THB → × 0.2010 = 212.921… → 212.92 CNY
    assert by_branch(shares) == {"th": (80000, 64069, 144069, 144069, "THB"),
                                 "east": (84575, 21356, 105931, 21292, "CNY")}


def test_a_branch_that_did_no_work_still_gets_its_remainder_share_in_its_currency(lcfg):
    # An east engineer at a th store where the th branch only hosts: 1000.00 THB, east costs 348.25 THB
    east = [BranchWork("east", "base", 7000, "CNY", "cost")]
    shares = branch_split(100000, "THB", branches=("th", "east"), work=east, remainder=None, rate=lcfg.fx_rate)
    # remainder 651.75 → 325.88 (th, the tie) / 325.87; east 348.25 + 325.87 = 674.12 THB → 135.498… → 135.50 CNY
    assert by_branch(shares) == {"th": (0, 32588, 32588, 32588, "THB"), "east": (34825, 32587, 67412, 13550, "CNY")}
    # the other branch's currency when it did no work has to be told
    with pytest.raises(SettlementError, match="branch 'th' did no work on the job: pass its currency"):
        branch_split(100000, "CNY", branches=("east", "th"), work=east, remainder=None, rate=lcfg.fx_rate)
    assert branch_split(100000, "CNY", branches=("east", "th"), work=east, remainder=None, rate=lcfg.fx_rate,
                        currencies={"th": "THB"})[1].branch_currency == "THB"


# -- east and southwest (both CNY), the 飞虎队 -------------------------------------------------------

def chengdu_job(lcfg, hours, part, days):
    """A Shanghai customer at the Chengdu store: the feihu squad's east engineer travels `days`, the
    compressor comes from the Chengdu (southwest) warehouse."""
    squad = squad_for(lcfg.joint_squads, "southwest", "east")
    q = quote_ticket(lcfg, "hvac_repair", "southwest", hours=hours, parts=[("压缩机", part)])
    work = (engineer_work(lcfg, "east", "hvac_repair", hours) + travel_work(lcfg, "east", "southwest", days)
            + parts_work(lcfg, "southwest", "hvac_repair", [("压缩机", part)]))
    shares = branch_split(q.subtotal, q.currency, branches=("southwest", "east"), work=work,
                          remainder=squad.remainder, rate=lcfg.fx_rate)
    return squad, q, shares


def test_shanghai_customer_at_the_chengdu_store(lcfg):
    """Quote (southwest, template price): 150.00 + 3 h × 80.00 + part 800.00 = 1190.00 CNY; one day."""
    squad, q, shares = chengdu_job(lcfg, "3", "800.00", 1)
    # east: 70.00 + 3 × 50.00 + 1 day × 200.00 = 420.00; southwest: 800.00 × 0.80 = 640.00
    # remainder 1190.00 − 1060.00 = 130.00 by east 40 / southwest 60 → 52.00 / 78.00
    assert squad.code == "feihu" and q.subtotal == 119000
    assert by_branch(shares) == {"southwest": (64000, 7800, 71800, 71800, "CNY"),
                                 "east": (42000, 5200, 47200, 47200, "CNY")}
    assert [(w.basis, w.amount) for w in shares[1].work] == [("base", 7000), ("labour", 15000), ("travel", 20000)]
    assert shares[1].to_json()["work"][2] == {"basis": "travel", "price_list": None, "amount": "200.00",
                                              "currency": "CNY", "job_amount": "200.00"}


def test_a_loss_making_joint_job_shares_the_loss_by_the_same_ratio(lcfg):
    """2.25 h and a 800.03 part, two days' travel: the costs exceed what the customer pays."""
    _, q, shares = chengdu_job(lcfg, "2.25", "800.03", 2)
    # quote 150.00 + 2.25 × 80.00 + 800.03 = 1130.03
    # east 70.00 + 2.25 × 50.00 (112.50) + 2 × 200.00 = 582.50; southwest 800.03 × 0.80 = 640.024 → 640.02
    # remainder 1130.03 − 1222.52 = −92.49: |9249| fen by 60/40 → 5549.4 / 3699.6 → 5549 / 3699, 1 fen to
    #   east (.6) → southwest −55.49, east −37.00
    # southwest 640.02 − 55.49 = 584.53; east 582.50 − 37.00 = 545.50; Σ 1130.03
    assert q.subtotal == 113003
    assert by_branch(shares) == {"southwest": (64002, -5549, 58453, 58453, "CNY"),
                                 "east": (58250, -3700, 54550, 54550, "CNY")}


def test_a_remainder_of_one_unit_either_way(lcfg):
    work = [BranchWork("east", "labour", 100, "CNY"), BranchWork("southwest", "parts", 100, "CNY")]
    equal = dict(branches=("southwest", "east"), work=work, remainder=None, rate=lcfg.fx_rate)
    assert [s.amount for s in branch_split(201, "CNY", **equal)] == [101, 100]  # +1 fen: the host
    assert [s.amount for s in branch_split(199, "CNY", **equal)] == [99, 100]   # −1 fen: the host too


def test_bad_input(lcfg):
    ok = dict(branches=("southwest", "east"), remainder=None, rate=lcfg.fx_rate)
    with pytest.raises(SettlementError, match=r"work by 'th', which is not one of the job's branches"):
        branch_split(100, "CNY", work=[BranchWork("th", "labour", 1, "THB")], **ok)
    with pytest.raises(CurrencyMismatchError, match="east's parts work is in THB, the branch books in CNY"):
        branch_split(100, "CNY", work=[BranchWork("east", "labour", 1, "CNY"), BranchWork("east", "parts", 1, "THB")],
                     **ok)
    with pytest.raises(SettlementError, match="two different branches"):
        branch_split(100, "CNY", work=[], **{**ok, "branches": ("east", "east")})
    with pytest.raises(SettlementError, match="remainder weights must name exactly the job's branches"):
        branch_split(100, "CNY", work=[], **{**ok, "remainder": {"east": Decimal(1), "th": Decimal(1)}})
    with pytest.raises(SettlementError, match="basis must be one of base, labour, parts, travel"):
        BranchWork("east", "fuel", 1, "CNY")
    with pytest.raises(SettlementError, match="no fx rate CNY->EUR in fx_rates"):
        branch_split(100, "CNY", work=[], **{**ok, "branches": ("east", "fr")}, currencies={"fr": "EUR"})


# -- config -----------------------------------------------------------------------------------------

def test_the_squad_as_configured(lcfg):
    squad = lcfg.joint_squads["feihu"]
    assert (squad.name, squad.names["en"], squad.regions, squad.dispatch_group, squad.engineers) == (
        "沪蓉飞虎队", "Shanghai–Chengdu squad", ("east", "southwest"), "wr_feihu_dispatch", ("zhangwei", "wangjun"))
    assert squad_for(lcfg.joint_squads, "southwest", "east") is squad
    assert squad_for(lcfg.joint_squads, "east", "th") is None


SQUAD = {"code": "s", "regions": ["east", "th"], "dispatch_group": "wr_x"}


def error_of(*squads) -> str:
    with pytest.raises(SettlementConfigError) as e:
        LedgerConfig.from_mapping(branches_mapping(joint_squads=list(squads)))
    assert "\n" not in str(e.value)
    return str(e.value)


@pytest.mark.parametrize("squads,expected", [
    ([{**SQUAD, "regions": ["east", "mars"]}], "joint_squads.0.regions.1: unknown region 'mars'"),
    ([{**SQUAD, "regions": ["east", "east"]}], "joint_squads.0.regions: a joint squad joins two different regions"),
    ([{**SQUAD, "regions": ["east", "th", "fr"]}], "joint_squads.0.regions: expected the two branches' regions, got 3"),
    ([{**SQUAD, "dispatch_group": 12}], "joint_squads.0.dispatch_group: expected a non-empty string"),
    ([{k: v for k, v in SQUAD.items() if k != "dispatch_group"}], "joint_squads.0.dispatch_group: missing"),
    ([{**SQUAD, "remainder": {"east": 1}}], "joint_squads.0.remainder: needs a weight for exactly the squad's regions (east, th)"),
    ([{**SQUAD, "remainder": {"east": 1, "th": 1, "fr": 1}}], "joint_squads.0.remainder: needs a weight for exactly"),
    ([{**SQUAD, "remainder": {"east": 0, "th": 0}}], "joint_squads.0.remainder: the weights sum to 0"),
    ([{**SQUAD, "remainder": {"east": "-1", "th": 2}}], "joint_squads.0.remainder.east: must not be less than 0"),
    ([{**SQUAD, "engineers": ["a", "a"]}], "joint_squads.0.engineers: lists an engineer twice"),
    ([SQUAD, {**SQUAD, "code": "t", "regions": ["th", "east"]}], "joint_squads.1.regions: squad 's' already joins th and east"),
    ([SQUAD, SQUAD], "joint_squads.1.code: duplicate 's'"),
    ([{**SQUAD, "dispatch_grup": "wr_x"}], "joint_squads.0.dispatch_grup: unknown key (did you mean 'dispatch_group'?)"),
])
def test_config_errors_name_the_key_path(squads, expected):
    assert error_of(*squads).startswith(expected)


def test_a_squad_without_weights_splits_the_remainder_equally():
    cfg = LedgerConfig.from_mapping(branches_mapping(joint_squads=[SQUAD]))
    assert dict(cfg.joint_squads["s"].remainder) == {"east": Decimal(1), "th": Decimal(1)}


# -- every branch split sums to its subtotal ----------------------------------------------------------

RATES = {("CNY", "THB"): "4.9750", ("THB", "CNY"): "0.2010", ("CNY", "JPY"): "21.37", ("JPY", "CNY"): "0.0468",
         ("THB", "JPY"): "4.3", ("JPY", "THB"): "0.23", ("CNY", "KWD"): "0.0431", ("KWD", "CNY"): "23.2",
         ("THB", "KWD"): "0.0087", ("KWD", "THB"): "115.1", ("JPY", "KWD"): "0.002", ("KWD", "JPY"): "497.7"}


def rate(frm: str, to: str) -> FxRate:
    return FxRate(frm, to, Decimal(RATES[frm, to]), None, "test")


currencies = st.sampled_from(["CNY", "THB", "JPY", "KWD"])
work_items = st.lists(st.tuples(st.booleans(), st.sampled_from(["base", "labour", "parts", "travel"]),
                                st.integers(0, 10**9)), max_size=8)
weights = st.one_of(st.none(), st.tuples(st.integers(0, 100), st.integers(0, 100)).filter(lambda w: sum(w) > 0))


@given(st.integers(-10**11, 10**11), currencies, currencies, currencies, work_items, weights)
def test_every_branch_split_sums_to_its_subtotal(subtotal, job, host_cur, other_cur, items, ws):
    cur = {"a": host_cur, "b": other_cur}
    work = [BranchWork("a" if host else "b", basis, amount, cur["a" if host else "b"]) for host, basis, amount in items]
    remainder = None if ws is None else {"a": Decimal(ws[0]), "b": Decimal(ws[1])}
    shares = branch_split(subtotal, job, branches=("a", "b"), work=work, remainder=remainder,
                          rate=rate, currencies=cur)
    assert sum(s.amount for s in shares) == subtotal
    left = subtotal - sum(s.cost for s in shares)
    w = [Fraction(1), Fraction(1)] if ws is None else [Fraction(x) for x in ws]
    for s, wi in zip(shares, w):
        # each work item converted once; the remainder within one unit of its exact share, same sign
        assert s.cost == sum(c for c in s.costs) and len(s.costs) == len(s.work)
        exact = abs(left) * wi / sum(w)
        assert int(exact) <= abs(s.remainder) <= int(exact) + 1 and s.remainder * left >= 0
        expected = s.amount if s.branch_currency == job else convert(Money(s.amount, job), rate(job, s.branch_currency)).amount
        assert s.branch_amount == expected
