"""spare parts: catalog, warehouses, stock, reservations, movements, purchase requests (filled in by the parts work)

The catalog and the warehouses are config (`parts:`); these tables hold the quantities: stock per
(warehouse, part) with a CHECK that it never goes negative, reservations per ticket, the movements
that changed stock (the audit) and purchase requests.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'part_stock',
        sa.Column('warehouse', sa.String(length=32), nullable=False),
        sa.Column('part', sa.String(length=32), nullable=False),
        sa.Column('on_hand', sa.Integer(), nullable=False),
        sa.Column('reserved', sa.Integer(), nullable=False),
        sa.Column('alerted', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('reserved >= 0 AND on_hand >= reserved', name='ck_part_stock_never_negative'),
        sa.PrimaryKeyConstraint('warehouse', 'part'))
    with op.batch_alter_table('part_stock', schema=None) as batch_op:
        batch_op.create_index('ix_part_stock_part', ['part'], unique=False)
    op.create_table(
        'part_reservations',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('part', sa.String(length=32), nullable=False),
        sa.Column('warehouse', sa.String(length=32), nullable=False),
        sa.Column('qty', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('actor', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'))
    with op.batch_alter_table('part_reservations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_part_reservations_ticket_id'), ['ticket_id'], unique=False)
    op.create_table(
        'part_movements',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('part', sa.String(length=32), nullable=False),
        sa.Column('warehouse', sa.String(length=32), nullable=False),
        sa.Column('to_warehouse', sa.String(length=32), nullable=True),
        sa.Column('qty', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    with op.batch_alter_table('part_movements', schema=None) as batch_op:
        batch_op.create_index('ix_part_movements_part_at', ['part', 'warehouse', 'at'], unique=False)
    op.create_table(
        'purchase_requests',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('part', sa.String(length=32), nullable=False),
        sa.Column('region', sa.String(length=32), nullable=True),
        sa.Column('qty', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('requested_by', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'))
    with op.batch_alter_table('purchase_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_requests_ticket_id'), ['ticket_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('purchase_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_requests_ticket_id'))
    op.drop_table('purchase_requests')
    with op.batch_alter_table('part_movements', schema=None) as batch_op:
        batch_op.drop_index('ix_part_movements_part_at')
    op.drop_table('part_movements')
    with op.batch_alter_table('part_reservations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_part_reservations_ticket_id'))
    op.drop_table('part_reservations')
    with op.batch_alter_table('part_stock', schema=None) as batch_op:
        batch_op.drop_index('ix_part_stock_part')
    op.drop_table('part_stock')
