"""known fixes: fault codes and symptoms per skill and model, fixes shown per ticket, proposals (filled in by the known-fixes work)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'fixes',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('key', sa.String(length=64), nullable=True),
        sa.Column('skill', sa.String(length=32), nullable=False),
        sa.Column('model', sa.String(length=128), nullable=False),
        sa.Column('codes', sa.JSON(), nullable=False),
        sa.Column('keywords', sa.JSON(), nullable=False),
        sa.Column('title', sa.JSON(), nullable=False),
        sa.Column('steps', sa.JSON(), nullable=False),
        sa.Column('parts', sa.JSON(), nullable=False),
        sa.Column('guide_url', sa.String(length=512), nullable=False),
        sa.Column('outcome', sa.String(length=256), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('source_ticket', sa.Integer(), nullable=True),
        sa.Column('updates_fix', sa.Integer(), nullable=True),
        sa.Column('proposed_by', sa.String(length=64), nullable=True),
        sa.Column('accepted_by', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('accepted_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'))
    op.create_index('ix_fixes_skill_status', 'fixes', ['skill', 'status'], unique=False)
    op.create_table(
        'fixes_shown',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('fix_id', sa.Integer(), nullable=False),
        sa.Column('userid', sa.String(length=64), nullable=True),
        sa.Column('where', sa.String(length=16), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['fix_id'], ['fixes.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_fixes_shown_ticket', 'fixes_shown', ['ticket_id', 'fix_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_fixes_shown_ticket', table_name='fixes_shown')
    op.drop_table('fixes_shown')
    op.drop_index('ix_fixes_skill_status', table_name='fixes')
    op.drop_table('fixes')
