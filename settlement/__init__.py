"""Settlement: pure money arithmetic — prices, splits, plans, statements. Imports nothing from bot/ or handlers/.

Public API (handlers and storage call these; names are a contract):

    cfg = SettlementConfig.from_mapping(whole_config_dict)
    q = quote_ticket(cfg, template="hvac_repair", region="east", hours="1.5",
                     parts=[("压缩机", "180.00")], surcharges=["urgent"], language="zh")
    split_amount(q.subtotal, q.currency, cfg.split_rule(q.template))   # {party: minor units}
    bill_plan(cfg, plan="basic", tickets=650)                           # Bill(currency, amount, lines)
    convert(q.money("total"), cfg.fx_rate("THB", "CNY"))                # Money, rate keeps date/source
"""

from .config import SettlementConfig
from .errors import AmountError, CurrencyError, CurrencyMismatchError, SettlementConfigError, SettlementError
from .fx import FxRate, convert
from .money import Money, exponent, format_minor, parse_money, to_decimal, to_minor
from .plans import Bill, BillLine, Item, Plan, Tier, bill_plan
from .pricing import Line, Quote, quote_ticket
from .split import Share, SplitRule, split_amount

__all__ = [
    "AmountError", "Bill", "BillLine", "CurrencyError", "CurrencyMismatchError", "FxRate", "Item", "Line",
    "Money", "Plan", "Quote", "SettlementConfig", "SettlementConfigError", "SettlementError", "Share",
    "SplitRule", "Tier", "bill_plan", "convert", "exponent", "format_minor", "parse_money", "quote_ticket",
    "split_amount", "to_decimal", "to_minor",
]
