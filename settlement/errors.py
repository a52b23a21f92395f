"""Settlement errors.

All are ValueErrors so callers (handlers, the CLI) can answer "bad input" with one clause; type
mistakes that are programming errors (a float where a decimal string belongs) stay TypeErrors.
Every message is one line, fit to show a user or print on stderr.
"""

from __future__ import annotations


class SettlementError(ValueError):
    """Bad input to a settlement computation."""


class CurrencyError(SettlementError):
    """Unknown or malformed currency code."""


class CurrencyMismatchError(SettlementError):
    """Two amounts in different currencies were combined."""


class AmountError(SettlementError):
    """An amount or rate that is not a decimal, or has more decimals than its currency allows."""


class SettlementConfigError(SettlementError):
    """A settlement config section is wrong; the message starts with the key path."""
