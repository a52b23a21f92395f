"""mail_digested: held notices already sent in an email digest

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'mail_digested',
        sa.Column('outbox_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('digested_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('outbox_id'))


def downgrade() -> None:
    op.drop_table('mail_digested')
