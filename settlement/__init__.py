"""Settlement: pure money arithmetic — prices, splits, plans, statements. Imports nothing from bot/ or handlers/.

Public API (handlers and storage call these; names are a contract):

    cfg = SettlementConfig.from_mapping(whole_config_dict)
    q = quote_ticket(cfg, template="hvac_repair", region="east", hours="1.5",
                     parts=[("压缩机", "180.00")], surcharges=["urgent"], language="zh")
    split_amount(q.subtotal, q.currency, cfg.split_rule(q.template))   # {party: minor units}
    bill_plan(cfg, plan="basic", tickets=650)                           # Bill(currency, amount, lines)
    convert(q.money("total"), cfg.fx_rate("THB", "CNY"))                # Money, rate keeps date/source

Across branches (issue 15; `lcfg` = LedgerConfig.from_mapping(...), which also reads price_lists,
joint_squads and travel_allowances):

    price_work(lcfg, "cost", region="east", template="hvac_repair", hours="2")   # Work: lines, amount
    split_amount(q.subtotal, q.currency, rule, hours="2", rating=5,
                 list_prices=rule_list_prices(lcfg, rule, region=q.region, template=q.template, hours="2"))
    allowance(lcfg.travel, home="east", job_region="southwest", days=2, currency="CNY")  # Allowance | None
    branch_split(q.subtotal, q.currency, branches=("southwest", "east"), work=[BranchWork(...)],
                 remainder=squad_for(lcfg.joint_squads, "east", "southwest").remainder, rate=lcfg.fx_rate)
"""

from .branches import BranchShare, BranchWork, JointSquad, branch_split, squad_for
from .config import SettlementConfig
from .errors import AmountError, CurrencyError, CurrencyMismatchError, SettlementConfigError, SettlementError
from .fx import FxRate, convert
from .money import Money, exponent, format_minor, parse_money, to_decimal, to_minor
from .plans import Bill, BillLine, Item, Plan, Tier, bill_plan
from .price_lists import PriceList, Work, price_work
from .pricing import Line, Quote, quote_ticket
from .split import Share, SplitRule, rule_list_prices, split_amount, weighted_on
from .travel import Allowance, TravelConfig, allowance, days_on_job

__all__ = [
    "Allowance", "AmountError", "Bill", "BillLine", "BranchShare", "BranchWork", "CurrencyError",
    "CurrencyMismatchError", "FxRate", "Item", "JointSquad", "Line", "Money", "Plan", "PriceList", "Quote",
    "SettlementConfig", "SettlementConfigError", "SettlementError", "Share", "SplitRule", "Tier", "TravelConfig",
    "Work", "allowance", "bill_plan", "branch_split", "convert", "days_on_job", "exponent", "format_minor",
    "parse_money", "price_work", "quote_ticket", "rule_list_prices", "split_amount", "squad_for", "to_decimal",
    "to_minor", "weighted_on",
]
