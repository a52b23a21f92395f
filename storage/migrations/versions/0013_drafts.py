"""drafts: a period close's draft statements, reviewed before they are final (storage/drafts.py)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'close_drafts',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('finalised_by', sa.String(length=64), nullable=True),
        sa.Column('finalised_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('period', 'version', name='uq_close_drafts_period_version'))
    with op.batch_alter_table('close_drafts', schema=None) as batch_op:
        batch_op.create_index('ix_close_drafts_period_status', ['period', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('close_drafts', schema=None) as batch_op:
        batch_op.drop_index('ix_close_drafts_period_status')
    op.drop_table('close_drafts')
