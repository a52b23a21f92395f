"""The readers every settlement config section shares: one-line errors that start with the key path.

Kept apart from config.py so the sections parsed by their own modules (price lists, joint squads,
travel allowances, payment terms) read their keys the same way without importing the whole config
(config.py imports split.py, which prices internal lists: importing config back would be a cycle).
"""

from __future__ import annotations

import difflib
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Iterator, Mapping

from .errors import SettlementConfigError, SettlementError
from .money import decimal_setting, exact_minor, exponent, from_minor
from .pricing import Pricing


def _fail(path: str, msg: str) -> SettlementConfigError:
    return SettlementConfigError(f"{path}: {msg}")


def _mapping(v: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(v, Mapping):
        raise _fail(path, f"expected a mapping, got {type(v).__name__}")
    return v


def _list(v: Any, path: str) -> list[Any]:
    if not isinstance(v, list):
        raise _fail(path, f"expected a list, got {type(v).__name__}")
    return v


def unknown_key(key: str, known: Any) -> str:
    """"unknown key", with the nearest known one when the key looks like a slip of the keyboard."""
    near = difflib.get_close_matches(key, sorted(map(str, known)), n=1, cutoff=0.75)
    return f"unknown key (did you mean {near[0]!r}?)" if near else "unknown key"


def _keys(d: Mapping[str, Any], allowed: set[str], path: str, required: tuple[str, ...] = ()) -> None:
    for k in d:
        if k not in allowed:
            raise _fail(f"{path}.{k}", unknown_key(str(k), allowed))
    for k in required:
        if k not in d or d[k] is None:
            raise _fail(f"{path}.{k}", "missing")


def _text(v: Any, path: str) -> str:
    if not isinstance(v, str) or not v.strip():
        raise _fail(path, "expected a non-empty string")
    return v.strip()


def coded_entries(v: Any, path: str, allowed: set[str] | None = None,
                  required: tuple[str, ...] = ("code",)) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """A list of mappings each named by a unique `code`: (path, code, mapping) for each, in order."""
    seen: set[str] = set()
    for i, entry in enumerate(_list(v, path)):
        p = f"{path}.{i}"
        entry = _mapping(entry, p)
        if allowed is not None:
            _keys(entry, allowed, p, required=required)
        code = _text(entry.get("code"), f"{p}.code")
        if code in seen:
            raise _fail(f"{p}.code", f"duplicate {code!r}")
        seen.add(code)
        yield p, code, entry


def _names(v: Any, path: str) -> Mapping[str, str]:
    if v is None:
        return MappingProxyType({})
    return MappingProxyType({str(k): _text(t, f"{path}.{k}") for k, t in _mapping(v, path).items()})


def _currency(v: Any, path: str) -> str:
    try:
        exponent(v)
    except SettlementError as e:
        raise _fail(path, str(e)) from None
    return v


def _decimal(v: Any, path: str, *, minimum: Decimal | None = Decimal(0), positive: bool = False) -> Decimal:
    try:
        d = decimal_setting(v)
    except SettlementError as e:
        raise _fail(path, str(e)) from None
    if positive and d <= 0:
        raise _fail(path, f"must be greater than 0 ({v})")
    if minimum is not None and d < minimum:
        raise _fail(path, f"must not be less than {minimum} ({v})")
    return d


def _amount(v: Any, currency: str, path: str) -> int:
    """An amount in major units -> minor units; too many decimals is an error, never rounded."""
    if isinstance(v, int) and not isinstance(v, bool):
        v = str(v)  # YAML `fixed: 3000` plainly means 3000.00, not 3000 fen
    d = _decimal(v, path)
    try:
        return exact_minor(d, currency, "value")
    except SettlementError:
        raise _fail(path, f"{v} has more decimals than {currency} allows ({exponent(currency)})") from None


def _count(v: Any, path: str, minimum: int = 0) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise _fail(path, f"expected a whole number, got {v!r}")
    if v < minimum:
        raise _fail(path, f"must be at least {minimum} ({v})")
    return v


def _pricing(v: Any, default_currency: str, path: str, *, forced: str | None = None) -> Pricing:
    d = _mapping(v, path)
    _keys(d, {"base_fee", "hourly_rate", "currency"}, path, required=("base_fee", "hourly_rate"))
    cur = _currency(d["currency"], f"{path}.currency") if d.get("currency") is not None else default_currency
    if forced is not None and cur != forced:
        raise _fail(f"{path}.currency", f"a region's price list is in the region's currency ({forced})")
    # Validated as exact amounts in their currency, kept in major units for the price formula.
    base = from_minor(_amount(d["base_fee"], cur, f"{path}.base_fee"), cur)
    hourly = from_minor(_amount(d["hourly_rate"], cur, f"{path}.hourly_rate"), cur)
    return Pricing(base, hourly, cur)
