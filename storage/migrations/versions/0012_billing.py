"""billing: invoices with terms and due dates, prepaid entries (top-ups, draws, rebates), SLA credits, credit notes

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05

Invoices, their lines, credit notes, payments, SLA credits and prepaid entries are refused UPDATE
and DELETE by triggers, as statements are (0002): a correction is a credit note, never an edit.
prepaid_balances is the one mutable table (the running balance a draw locks).
"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')

IMMUTABLE = ("invoices", "invoice_lines", "credit_notes", "invoice_payments", "sla_credits", "prepaid_entries")

_PG_FUNCTION = """
    CREATE FUNCTION billing_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '% row % is final and cannot be %; correct an invoice with a credit note',
        TG_TABLE_NAME, OLD.id, CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'changed' END
        USING ERRCODE = 'restrict_violation';
    END $$
"""


def _triggers(dialect: str) -> list[str]:
    out = []
    for table in IMMUTABLE:
        for op_name, verb in (("UPDATE", "changed"), ("DELETE", "deleted")):
            name = f"{table}_no_{op_name.lower()}"
            if dialect == 'postgresql':
                out.append(f"CREATE TRIGGER {name} BEFORE {op_name} ON {table} FOR EACH ROW "
                           "EXECUTE FUNCTION billing_refuse_change()")
            else:
                out.append(f"CREATE TRIGGER {name} BEFORE {op_name} ON {table} FOR EACH ROW BEGIN "
                           f"SELECT RAISE(ABORT, '{table} rows are final and cannot be {verb}; "
                           "correct an invoice with a credit note'); END")
    return out


def upgrade() -> None:
    op.create_table('invoices',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('amount_due', sa.BigInteger(), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account', 'period', 'currency', name='uq_invoices_account_period_currency'),
    )
    op.create_index('ix_invoices_period', 'invoices', ['period'])

    op.create_table('sla_credits',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('job_total', sa.BigInteger(), nullable=False),
    sa.Column('policy', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id']),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ticket_id'),
    )
    op.create_index('ix_sla_credits_account_period', 'sla_credits', ['account', 'period'])

    op.create_table('prepaid_entries',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('balance_after', sa.BigInteger(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=160), nullable=False),
    sa.Column('source', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id']),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key'),
    )
    op.create_index('ix_prepaid_entries_account_period', 'prepaid_entries', ['account', 'period', 'kind'])

    op.create_table('prepaid_balances',
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('balance', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('account'),
    )

    op.create_table('invoice_lines',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('invoice_id', ID, nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('statement_id', ID, nullable=True),
    sa.Column('sla_credit_id', ID, nullable=True),
    sa.Column('entry_id', ID, nullable=True),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['prepaid_entries.id']),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id']),
    sa.ForeignKeyConstraint(['sla_credit_id'], ['sla_credits.id']),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id']),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id']),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('invoice_id', 'position', name='uq_invoice_lines_invoice_position'),
    sa.UniqueConstraint('sla_credit_id'),
    )

    op.create_table('credit_notes',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('invoice_id', ID, nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id']),
    sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_credit_notes_invoice_id', 'credit_notes', ['invoice_id'])

    op.create_table('invoice_payments',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('invoice_id', ID, nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('idempotency_key', sa.String(length=128), nullable=False),
    sa.Column('paid_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id']),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key'),
    )
    op.create_index('ix_invoice_payments_invoice_id', 'invoice_payments', ['invoice_id'])

    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute(_PG_FUNCTION)
    elif dialect != 'sqlite':  # the desk supports these two; a third must get its own triggers, not silently none
        raise NotImplementedError(f"no immutability triggers for {dialect}")
    for sql in _triggers(dialect):
        op.execute(sql)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in IMMUTABLE:
        for name in (f"{table}_no_update", f"{table}_no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if dialect == 'postgresql' else ""))
    if dialect == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS billing_refuse_change()")
    op.drop_index('ix_invoice_payments_invoice_id', table_name='invoice_payments')
    op.drop_table('invoice_payments')
    op.drop_index('ix_credit_notes_invoice_id', table_name='credit_notes')
    op.drop_table('credit_notes')
    op.drop_table('invoice_lines')
    op.drop_table('prepaid_balances')
    op.drop_index('ix_prepaid_entries_account_period', table_name='prepaid_entries')
    op.drop_table('prepaid_entries')
    op.drop_index('ix_sla_credits_account_period', table_name='sla_credits')
    op.drop_table('sla_credits')
    op.drop_index('ix_invoices_period', table_name='invoices')
    op.drop_table('invoices')
