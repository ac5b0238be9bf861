"""hotline records and hotspots

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 01:30:00.000000

The 12345 hotline's records, imported by ticket id, and the monthly hotspots found across
them and residents' cases.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('hotline_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.String(length=64), nullable=False),
    sa.Column('received_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('category_text', sa.String(length=80), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('district', sa.String(length=80), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('batch', sa.String(length=200), nullable=False),
    sa.Column('imported_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['issue_category.id'], name=op.f('fk_hotline_record_category_id_issue_category'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotline_record')),
    sa.UniqueConstraint('ticket_id', name=op.f('uq_hotline_record_ticket_id'))
    )
    with op.batch_alter_table('hotline_record', schema=None) as batch_op:
        batch_op.create_index('ix_hotline_record_received', ['received_at'], unique=False)

    op.create_table('hotspot_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('ran_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('cases', sa.Integer(), nullable=False),
    sa.Column('hotline_records', sa.Integer(), nullable=False),
    sa.Column('hotspots', sa.Integer(), nullable=False),
    sa.Column('parameters', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotspot_run')),
    sa.UniqueConstraint('month', name=op.f('uq_hotspot_run_month'))
    )
    op.create_table('hotspot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('cases', sa.Integer(), nullable=False),
    sa.Column('size_last_month', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('area', sa.String(length=80), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('top_words', sa.String(length=200), nullable=False),
    sa.Column('examples', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['issue_category.id'], name=op.f('fk_hotspot_category_id_issue_category'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['run_id'], ['hotspot_run.id'], name=op.f('fk_hotspot_run_id_hotspot_run'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_hotspot_station_id_station'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotspot'))
    )
    with op.batch_alter_table('hotspot', schema=None) as batch_op:
        batch_op.create_index('ix_hotspot_run_rank', ['run_id', 'rank'], unique=False)

    op.create_table('hotspot_member',
    sa.Column('hotspot_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ref_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.ForeignKeyConstraint(['hotspot_id'], ['hotspot.id'], name=op.f('fk_hotspot_member_hotspot_id_hotspot'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('hotspot_id', 'kind', 'ref_id', name=op.f('pk_hotspot_member'))
    )
    with op.batch_alter_table('hotspot_member', schema=None) as batch_op:
        batch_op.create_index('ix_hotspot_member_ref', ['kind', 'ref_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('hotspot_member', schema=None) as batch_op:
        batch_op.drop_index('ix_hotspot_member_ref')

    op.drop_table('hotspot_member')
    with op.batch_alter_table('hotspot', schema=None) as batch_op:
        batch_op.drop_index('ix_hotspot_run_rank')

    op.drop_table('hotspot')
    op.drop_table('hotspot_run')
    with op.batch_alter_table('hotline_record', schema=None) as batch_op:
        batch_op.drop_index('ix_hotline_record_received')

    op.drop_table('hotline_record')
