"""joint_jobs: tickets' second branch, branch_lines (each branch's share of a joint job), ledger_lines.price_list

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'branch_lines',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('branch', sa.String(length=32), nullable=False),
        sa.Column('region', sa.String(length=32), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('basis', sa.JSON(), nullable=False),
        sa.Column('cost', sa.BigInteger(), nullable=False),
        sa.Column('remainder', sa.BigInteger(), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('branch_amount', sa.BigInteger(), nullable=False),
        sa.Column('branch_currency', sa.String(length=3), nullable=False),
        sa.Column('rate', sa.JSON(), nullable=True),
        sa.Column('reporting_currency', sa.String(length=3), nullable=False),
        sa.Column('reporting_amount', sa.BigInteger(), nullable=True),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('booked_at', sa.DateTime(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id']),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_branch_lines_summary', 'branch_lines',
                    ['period', 'branch', 'branch_currency', 'currency', 'region', 'kind', 'amount', 'branch_amount',
                     'reporting_currency', 'reporting_amount'], unique=False)
    op.create_index('ix_branch_lines_ticket', 'branch_lines', ['ticket_id'], unique=False)
    # Plain ADD COLUMN, never batch mode: recreating ledger_lines on SQLite would drop the
    # immutability triggers of migration 0002.
    op.add_column('tickets', sa.Column('joint_region', sa.String(length=32), nullable=True))
    op.add_column('ledger_lines', sa.Column('price_list', sa.String(length=32), nullable=True))


def downgrade() -> None:
    op.drop_column('ledger_lines', 'price_list')
    op.drop_column('tickets', 'joint_region')
    op.drop_index('ix_branch_lines_ticket', table_name='branch_lines')
    op.drop_index('ix_branch_lines_summary', table_name='branch_lines')
    op.drop_table('branch_lines')
