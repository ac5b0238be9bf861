"""topics and guests

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 01:22:39.366544

Consultation topics and what each came from, and the guests invited to one consultation.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('topic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=30), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('proposer_kind', sa.String(length=20), nullable=False),
    sa.Column('proposer_id', sa.Integer(), nullable=True),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('long_running', sa.Boolean(), nullable=False),
    sa.Column('continues_topic_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['continues_topic_id'], ['topic.id'], name=op.f('fk_topic_continues_topic_id_topic'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_topic_station_id_station'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_topic'))
    )
    with op.batch_alter_table('topic', schema=None) as batch_op:
        batch_op.create_index('ix_topic_station', ['station_id', 'created_at'], unique=False)
        batch_op.create_index('ix_topic_year_state', ['year', 'state'], unique=False)

    op.create_table('meeting_guest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('organisation', sa.String(length=120), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('identity_id', sa.Integer(), nullable=True),
    sa.Column('invited_by_staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('redeemed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_meeting_guest_department_id_department'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['identity_id'], ['chat_identity.id'], name=op.f('fk_meeting_guest_identity_id_chat_identity'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invited_by_staff_id'], ['staff.id'], name=op.f('fk_meeting_guest_invited_by_staff_id_staff'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_guest_meeting_id_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_guest')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_meeting_guest_token_hash'))
    )
    with op.batch_alter_table('meeting_guest', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_guest_identity', ['identity_id', 'meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_guest_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('topic_link',
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['topic_id'], ['topic.id'], name=op.f('fk_topic_link_topic_id_topic'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('topic_id', 'kind', 'ref_id', name=op.f('pk_topic_link'))
    )
    with op.batch_alter_table('topic_link', schema=None) as batch_op:
        batch_op.create_index('ix_topic_link_ref', ['kind', 'ref_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('topic_link', schema=None) as batch_op:
        batch_op.drop_index('ix_topic_link_ref')

    op.drop_table('topic_link')
    with op.batch_alter_table('meeting_guest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_guest_meeting_id'))
        batch_op.drop_index('ix_meeting_guest_identity')

    op.drop_table('meeting_guest')
    with op.batch_alter_table('topic', schema=None) as batch_op:
        batch_op.drop_index('ix_topic_year_state')
        batch_op.drop_index('ix_topic_station')

    op.drop_table('topic')
