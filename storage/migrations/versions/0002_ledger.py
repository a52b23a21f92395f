"""settlement ledger: charges, ledger lines, usage, statements, periods; settled lines immutable

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

Settled ledger lines (and statements) are refused UPDATE and DELETE by triggers, so the rule holds
for raw SQL too, not only for the application. Any UPDATE of a settled line is refused, even one
that changes nothing: that keeps the trigger independent of the column list (a column added later
cannot slip through). TRUNCATE is not a row operation and is not blocked (tests reset with it).
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')

_SETTLED_LINE = "ledger line is settled and cannot be {}; post a correction instead"
_STATEMENT = "statements are final and cannot be {}"

_PG_FUNCTIONS = [
    """
    CREATE FUNCTION ledger_refuse_settled_line() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'ledger line % is settled (statement %, period %) and cannot be %; post a correction instead',
        OLD.id, OLD.statement_id, OLD.period, CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'changed' END
        USING ERRCODE = 'restrict_violation';
    END $$
    """,
    """
    CREATE FUNCTION ledger_refuse_statement_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'statement % (%, %, %) is final and cannot be %',
        OLD.id, OLD.owner, OLD.period, OLD.currency, CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'changed' END
        USING ERRCODE = 'restrict_violation';
    END $$
    """,
]

_PG_TRIGGERS = [
    "CREATE TRIGGER ledger_lines_settled_no_update BEFORE UPDATE ON ledger_lines FOR EACH ROW "
    "WHEN (OLD.settled) EXECUTE FUNCTION ledger_refuse_settled_line()",
    "CREATE TRIGGER ledger_lines_settled_no_delete BEFORE DELETE ON ledger_lines FOR EACH ROW "
    "WHEN (OLD.settled) EXECUTE FUNCTION ledger_refuse_settled_line()",
    "CREATE TRIGGER statements_no_update BEFORE UPDATE ON statements FOR EACH ROW "
    "EXECUTE FUNCTION ledger_refuse_statement_change()",
    "CREATE TRIGGER statements_no_delete BEFORE DELETE ON statements FOR EACH ROW "
    "EXECUTE FUNCTION ledger_refuse_statement_change()",
]

# SQLite: RAISE(ABORT, …) is reported as a constraint failure (IntegrityError), like PostgreSQL's
# restrict_violation above, so callers handle both backends with one except clause.
_SQLITE_TRIGGERS = [
    "CREATE TRIGGER ledger_lines_settled_no_update BEFORE UPDATE ON ledger_lines FOR EACH ROW "
    f"WHEN OLD.settled BEGIN SELECT RAISE(ABORT, '{_SETTLED_LINE.format('changed')}'); END",
    "CREATE TRIGGER ledger_lines_settled_no_delete BEFORE DELETE ON ledger_lines FOR EACH ROW "
    f"WHEN OLD.settled BEGIN SELECT RAISE(ABORT, '{_SETTLED_LINE.format('deleted')}'); END",
    "CREATE TRIGGER statements_no_update BEFORE UPDATE ON statements FOR EACH ROW "
    f"BEGIN SELECT RAISE(ABORT, '{_STATEMENT.format('changed')}'); END",
    "CREATE TRIGGER statements_no_delete BEFORE DELETE ON statements FOR EACH ROW "
    f"BEGIN SELECT RAISE(ABORT, '{_STATEMENT.format('deleted')}'); END",
]

_TRIGGER_NAMES = [("ledger_lines", "ledger_lines_settled_no_update"), ("ledger_lines", "ledger_lines_settled_no_delete"),
                  ("statements", "statements_no_update"), ("statements", "statements_no_delete")]


def upgrade() -> None:
    op.create_table('ticket_charges',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('template', sa.String(length=64), nullable=False),
    sa.Column('region', sa.String(length=32), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('subtotal', sa.BigInteger(), nullable=False),
    sa.Column('tax', sa.BigInteger(), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('reporting_currency', sa.String(length=3), nullable=False),
    sa.Column('reporting_subtotal', sa.BigInteger(), nullable=True),
    sa.Column('reporting_tax', sa.BigInteger(), nullable=True),
    sa.Column('reporting_total', sa.BigInteger(), nullable=True),
    sa.Column('engineer', sa.String(length=64), nullable=True),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=False),
    sa.Column('priced_at', sa.DateTime(), nullable=False),
    sa.Column('audit', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id']),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ticket_id'),
    )
    op.create_index('ix_ticket_charges_summary', 'ticket_charges', ['period', 'region', 'currency'])
    op.create_index('ix_ticket_charges_engineer', 'ticket_charges', ['engineer', 'period'])

    op.create_table('charge_lines',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket_charges.ticket_id']),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ticket_id', 'position', name='uq_charge_lines_ticket_position'),
    )

    op.create_table('statements',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=False),
    sa.Column('owner_kind', sa.String(length=16), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('owner', 'period', 'currency', 'kind', name='uq_statements_owner_period_currency_kind'),
    )

    op.create_table('ledger_lines',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('party', sa.String(length=32), nullable=False),
    sa.Column('person', sa.String(length=64), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('reporting_currency', sa.String(length=3), nullable=False),
    sa.Column('reporting_amount', sa.BigInteger(), nullable=True),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('region', sa.String(length=32), nullable=False),
    sa.Column('template', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('corrects_line_id', ID, nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('settled', sa.Boolean(), nullable=False),
    sa.Column('statement_id', ID, nullable=True),
    sa.Column('booked_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['corrects_line_id'], ['ledger_lines.id']),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id']),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id']),
    sa.PrimaryKeyConstraint('id'),
    postgresql_with={'fillfactor': 50},  # the close's one UPDATE per line stays HOT (see ledger_models)
    )
    op.create_index('ix_ledger_lines_summary', 'ledger_lines',
                    ['period', 'region', 'party', 'currency', 'person', 'kind', 'amount', 'reporting_currency',
                     'reporting_amount'])
    op.create_index('ix_ledger_lines_person', 'ledger_lines', ['person', 'period'])
    op.create_index('ix_ledger_lines_ticket', 'ledger_lines', ['ticket_id'])

    op.create_table('usage_records',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('item', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.String(length=40), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('idempotency_key', sa.String(length=128), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key'),
    )
    op.create_index('ix_usage_records_account_period', 'usage_records', ['account', 'period'])

    op.create_table('settlement_periods',
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('statement_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('period'),
    )

    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        for sql in _PG_FUNCTIONS + _PG_TRIGGERS:
            op.execute(sql)
    elif dialect == 'sqlite':
        for sql in _SQLITE_TRIGGERS:
            op.execute(sql)
    else:  # the desk supports these two; a third must get its own triggers, not silently none
        raise NotImplementedError(f"no immutability triggers for {dialect}")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table, name in _TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if dialect == 'postgresql' else ""))
    if dialect == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS ledger_refuse_settled_line()")
        op.execute("DROP FUNCTION IF EXISTS ledger_refuse_statement_change()")
    op.drop_table('settlement_periods')
    op.drop_index('ix_usage_records_account_period', table_name='usage_records')
    op.drop_table('usage_records')
    op.drop_index('ix_ledger_lines_ticket', table_name='ledger_lines')
    op.drop_index('ix_ledger_lines_person', table_name='ledger_lines')
    op.drop_index('ix_ledger_lines_summary', table_name='ledger_lines')
    op.drop_table('ledger_lines')
    op.drop_table('statements')
    op.drop_table('charge_lines')
    op.drop_index('ix_ticket_charges_engineer', table_name='ticket_charges')
    op.drop_index('ix_ticket_charges_summary', table_name='ticket_charges')
    op.drop_table('ticket_charges')
