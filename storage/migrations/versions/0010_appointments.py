"""appointments: an engineer's proposed and confirmed visit slots (storage/appointments.py), and
people.booked_until, the end of an engineer's latest confirmed slot (routing's shortcut)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'appointments',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('engineer', sa.String(length=64), nullable=False),
        sa.Column('start_at', sa.DateTime(), nullable=False),
        sa.Column('end_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('proposed_by', sa.String(length=64), nullable=False),
        sa.Column('proposed_at', sa.DateTime(), nullable=False),
        sa.Column('confirmed_by', sa.String(length=64), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(), nullable=True),
        sa.Column('remind_at', sa.DateTime(), nullable=True),
        sa.Column('reminded', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'))
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointments_ticket_id'), ['ticket_id'], unique=False)
        batch_op.create_index('ix_appointments_engineer', ['engineer', 'status', 'start_at'], unique=False)
        batch_op.create_index('ix_appointments_remind_at', ['remind_at'], unique=False)
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('booked_until', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('booked_until')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index('ix_appointments_remind_at')
        batch_op.drop_index('ix_appointments_engineer')
        batch_op.drop_index(batch_op.f('ix_appointments_ticket_id'))
    op.drop_table('appointments')
