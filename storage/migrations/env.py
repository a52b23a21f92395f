"""Alembic environment: always run through storage.db.Database, which hands us a connection."""

from alembic import context

import storage.ledger_models  # noqa: F401  (its tables belong to the same metadata)
import storage.billing_models  # noqa: F401  (invoices, prepaid entries, SLA credits: migration 0012)
import storage.branches  # noqa: F401  (branch_lines, migration 0011)
import storage.drafts  # noqa: F401  (close_drafts, migration 0013)
from storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("run migrations with `wecom-desk db upgrade`, which supplies the connection")

context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
with context.begin_transaction():
    context.run_migrations()
