"""微信客服: each account's sync cursor, and each WeChat customer's store and answer window

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'kf_cursors',
        sa.Column('open_kfid', sa.String(length=64), nullable=False),
        sa.Column('cursor', sa.String(length=128), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('open_kfid'))
    op.create_table(
        'kf_contacts',
        sa.Column('open_kfid', sa.String(length=64), nullable=False),
        sa.Column('external_userid', sa.String(length=64), nullable=False),
        sa.Column('chatid', sa.String(length=128), nullable=True),
        sa.Column('scene_param', sa.String(length=128), nullable=True),
        sa.Column('last_customer_at', sa.DateTime(), nullable=True),
        sa.Column('sent_since', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('open_kfid', 'external_userid'))


def downgrade() -> None:
    op.drop_table('kf_contacts')
    op.drop_table('kf_cursors')
