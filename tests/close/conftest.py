"""Closing a month and engineers' earnings: the ledger's fixtures (hand-computed jobs, pinned
config: tests/ledger/conftest.py), shared here."""

from tests.ledger.conftest import env  # noqa: F401  (the fixture)
