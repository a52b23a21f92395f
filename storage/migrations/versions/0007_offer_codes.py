"""offers.response_code, offers.code_at: the code message/send answered for a job card, to
update that card in place when the offer ends (claimed by someone else, cancelled, withdrawn)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_code', sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column('code_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_column('code_at')
        batch_op.drop_column('response_code')
