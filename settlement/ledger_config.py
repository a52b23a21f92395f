"""What the ledger needs beyond pricing: each region's time zone, and the billed accounts.

`LedgerConfig` *is* a SettlementConfig (quote_ticket, bill_plan … accept it unchanged) with two
more sections read from the same whole-config mapping:

* `regions[*].timezone` — a ledger line's month is computed in its region's zone (default
  Asia/Shanghai, as in the desk's own config).
* `accounts` — who is billed by a plan each period (config.yaml documents the shape):

      accounts:
        - {code: sh_stores, name: 上海门店, plan: enterprise, groups: [wr_sh_xuhui], timezone: Asia/Shanghai}

  `groups` are the customer chats whose priced tickets count for the account's plan (tickets,
  revenues); usage of custom items is recorded per account. Every error starts with its key path.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Mapping

from .config import SettlementConfig, _list, _mapping, _text, coded_entries
from .errors import SettlementConfigError, SettlementError
from .periods import PeriodError, zone
from .plans import Plan

DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True, slots=True)
class Account:
    code: str
    name: str
    plan: Plan
    groups: tuple[str, ...] = ()
    timezone: str = DEFAULT_TIMEZONE
    region: str | None = None      # home branch (joint jobs)
    manager: str | None = None     # a userid told about low balances and overdue invoices
    terms: Any = None              # settlement.terms.CreditTerms | PrepaidTerms | None (then the region's payment_terms)
    sla_credit: Any = None         # settlement.terms.SlaCreditPolicy | None

    def items(self) -> dict[str, Any]:
        """Custom usage items the plan (and its components) bills, by code."""
        out: dict[str, Any] = {}
        stack = [self.plan]
        while stack:
            p = stack.pop()
            out.update({it.code: it for it in p.items})
            stack.extend(p.components)
        return out


def _timezone(v: Any, path: str) -> str:
    name = _text(v, path)
    try:
        zone(name)
    except PeriodError:
        raise SettlementConfigError(f"{path}: unknown time zone {name!r}") from None
    return name


def _accounts(v: Any, cfg: SettlementConfig, path: str) -> Mapping[str, Account]:
    from .terms import parse_sla_credit, parse_terms

    out: dict[str, Account] = {}
    for p, code, a in coded_entries(v, path, {"code", "name", "plan", "groups", "timezone", "region", "manager", "terms", "sla_credit"}, required=("code", "plan")):
        try:
            plan = cfg.plan(_text(a["plan"], f"{p}.plan"))
        except SettlementConfigError:
            raise
        except SettlementError as e:
            raise SettlementConfigError(f"{p}.plan: {e}") from None
        groups = tuple(_text(g, f"{p}.groups.{j}") for j, g in enumerate(_list(a.get("groups") or [], f"{p}.groups")))
        tz = _timezone(a["timezone"], f"{p}.timezone") if a.get("timezone") is not None else DEFAULT_TIMEZONE
        region = _text(a["region"], f"{p}.region") if a.get("region") is not None else None
        if region is not None and region not in cfg.regions:
            raise SettlementConfigError(f"{p}.region: unknown region {region!r}")
        manager = _text(a["manager"], f"{p}.manager") if a.get("manager") is not None else None
        terms = parse_terms(a["terms"], f"{p}.terms") if a.get("terms") is not None else None
        sla = parse_sla_credit(a["sla_credit"], f"{p}.sla_credit") if a.get("sla_credit") is not None else None
        if sla is not None and terms is None and getattr(cfg, "payment_terms", {}).get(region) is None:
            # A credit is paid out on an invoice; with no terms there is none, and it would wait forever.
            raise SettlementConfigError(f"{p}.sla_credit: the account has no terms (its own `terms` or "
                                        f"payment_terms.{region or '<region>'}), so no invoice would carry the credit")
        out[code] = Account(code, str(a.get("name") or code), plan, groups, tz, region=region, manager=manager,
                            terms=terms, sla_credit=sla)
    return MappingProxyType(out)


@dataclass(frozen=True)
class LedgerConfig(SettlementConfig):
    timezones: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # region -> zone
    accounts: Mapping[str, Account] = field(default_factory=lambda: MappingProxyType({}))
    # Money across branches (issue 15): each section is parsed by its own module.
    price_lists: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))    # settlement/price_lists.py
    joint_squads: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))   # settlement/branches.py
    travel: Any = None                                                                       # settlement/travel.py
    payment_terms: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))  # settlement/terms.py, by region

    @classmethod
    def from_mapping(cls, data: Any) -> "LedgerConfig":
        base = SettlementConfig.from_mapping(data)
        d = _mapping(data, "(root)")
        zones = {}
        for i, r in enumerate(_list(d.get("regions") or [], "regions")):
            r = _mapping(r, f"regions.{i}")
            if r.get("code") in base.regions:
                tz = r.get("timezone")
                zones[r["code"]] = _timezone(tz, f"regions.{i}.timezone") if tz is not None else DEFAULT_TIMEZONE
        fields = {f: getattr(base, f) for f in SettlementConfig.__dataclass_fields__}
        cfg = cls(**fields, timezones=MappingProxyType(zones))
        from .branches import parse_joint_squads
        from .price_lists import parse_price_lists
        from .terms import parse_payment_terms
        from .travel import parse_travel

        cfg = replace(cfg, price_lists=parse_price_lists(d.get("price_lists"), cfg, "price_lists"),
                      travel=parse_travel(d.get("travel_allowances"), cfg, "travel_allowances"),
                      payment_terms=parse_payment_terms(d.get("payment_terms"), cfg, "payment_terms"))
        cfg = replace(cfg, joint_squads=parse_joint_squads(d.get("joint_squads"), cfg, "joint_squads"))
        return replace(cfg, accounts=_accounts(d.get("accounts") or [], cfg, "accounts"))

    def timezone_of(self, region: str) -> str:
        self.region(region)  # unknown region: the same one-line error as pricing
        return self.timezones.get(region, DEFAULT_TIMEZONE)

    def all_timezones(self) -> list[str]:
        zones = list(self.timezones.values()) + [a.timezone for a in self.accounts.values()]
        return list(dict.fromkeys(zones)) or [DEFAULT_TIMEZONE]

    def account(self, code: str) -> Account:
        try:
            return self.accounts[code]
        except (KeyError, TypeError):
            raise SettlementError(f"unknown account {code!r} (known: {', '.join(self.accounts) or 'none configured'})") from None

    def terms_of(self, account: str) -> Any:
        """The account's payment terms: its own, else its region's `payment_terms`, else None."""
        acct = self.account(account)
        return acct.terms if acct.terms is not None else self.payment_terms.get(acct.region or "")

    def account_of_chat(self, chatid: str | None) -> Account | None:
        """The account whose `groups` hold this customer chat (the first listed, if several do)."""
        return next((a for a in self.accounts.values() if chatid and chatid in a.groups), None)
