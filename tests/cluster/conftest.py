"""The cluster fixture: real processes on PostgreSQL and Redis, or a skip that says why.

The cluster tests need the second CI run's backends (the variables tests/conftest.py reads):

  WECOM_DESK_TEST_DATABASE_URL  postgresql+asyncpg://…  the server the cluster creates its own
                                                       database on (and drops afterwards)
  WECOM_DESK_TEST_REDIS_URL     redis://…               the Redis it uses under its own key prefix

Without them (SQLite, in-process cache) several processes cannot share anything: the tests that
need processes are skipped with that reason, the harness's own tests still run. With them, a
cluster that cannot start is a failure, never a skip.
"""

from __future__ import annotations

import os
from typing import Iterator

import pytest

from tests.cluster.harness import Cluster, ClusterError

PG_URL = os.environ.get("WECOM_DESK_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("WECOM_DESK_TEST_REDIS_URL", "")


def _skip_reason() -> str | None:
    missing = []
    if not PG_URL.startswith("postgresql"):
        missing.append("WECOM_DESK_TEST_DATABASE_URL=postgresql+asyncpg://…"
                       + (f" (it is {PG_URL.split(':', 1)[0]})" if PG_URL else ""))
    if not REDIS_URL.startswith("redis"):
        missing.append("WECOM_DESK_TEST_REDIS_URL=redis://…")
    if not missing:
        return None
    return ("multi-process cluster (2 serve + 2 worker + sandbox) needs " + " and ".join(missing)
            + ": separate processes cannot share SQLite writes or the in-process cache")


SKIP_REASON = _skip_reason()
needs_cluster = pytest.mark.skipif(SKIP_REASON is not None, reason=SKIP_REASON or "")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One cluster for the module (start-up costs ~20 s): the scenarios run in file order, the
    one that kills processes last; each restarts what it killed."""
    if SKIP_REASON is not None:   # belt and braces: the tests carry the skip marker
        pytest.skip(SKIP_REASON)
    c = Cluster(PG_URL, REDIS_URL, tmp_path_factory.mktemp("cluster"))
    try:
        c.start()
    except ClusterError as e:
        c.stop()
        pytest.fail(f"the cluster did not start (backends are configured, so this is a failure):\n{e}",
                    pytrace=False)
    except Exception:
        c.stop()
        raise
    print(f"\ncluster up: database {c.dbname}, redis prefix {c.prefix!r}, logs in {c.tmp}")
    yield c
    alive = c.alive()
    c.stop()
    print(f"\ncluster down (processes alive at the end: {alive})")
