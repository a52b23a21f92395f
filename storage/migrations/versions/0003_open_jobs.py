"""people.open_jobs: each engineer's open-ticket count, for routing without counting tickets

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

OPEN = "('new', 'offered', 'assigned', 'departed', 'on_site', 'in_progress', 'waiting_parts', 'awaiting_approval')"


def upgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('open_jobs', sa.Integer(), server_default='0', nullable=False))
    op.execute("UPDATE people SET open_jobs = (SELECT count(*) FROM tickets "
               f"WHERE tickets.assignee = people.userid AND tickets.status IN {OPEN})")


def downgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('open_jobs')
