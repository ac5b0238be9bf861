"""station sessions and duty

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 01:30:00.000000

Open sessions at liaison stations and the members' duty rota.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "station_duty_code",
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["station.id"],
            name=op.f("fk_station_duty_code_station_id_station"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("station_id", name=op.f("pk_station_duty_code")),
        sa.UniqueConstraint("token", name=op.f("uq_station_duty_code_token")),
    )
    op.create_table('station_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('venue', sa.String(length=120), nullable=False),
    sa.Column('starts_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('announced_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['issue_category.id'], name=op.f('fk_station_session_category_id_issue_category'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_staff_id'], ['staff.id'], name=op.f('fk_station_session_created_by_staff_id_staff'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_station_session_station_id_station'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_station_session'))
    )
    with op.batch_alter_table('station_session', schema=None) as batch_op:
        batch_op.create_index('ix_station_session_station_starts', ['station_id', 'starts_at'], unique=False)

    op.create_table('session_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_session_question_resident_id_resident'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['station_session.id'], name=op.f('fk_session_question_session_id_station_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_question'))
    )
    with op.batch_alter_table('session_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_question_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index('ix_session_question_session', ['session_id', 'created_at'], unique=False)

    op.create_table('duty_turn',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('starts_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('checked_in_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('created_by_staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_duty_turn_activity_id_activity'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_staff_id'], ['staff.id'], name=op.f('fk_duty_turn_created_by_staff_id_staff'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_duty_turn_member_id_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_duty_turn_station_id_station'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_turn'))
    )
    with op.batch_alter_table('duty_turn', schema=None) as batch_op:
        batch_op.create_index('ix_duty_turn_member_starts', ['member_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_duty_turn_station_day', ['station_id', 'day'], unique=False)

    op.create_table('session_point',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=True),
    sa.Column('created_by_staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_staff_id'], ['staff.id'], name=op.f('fk_session_point_created_by_staff_id_staff'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['issue_id'], ['issue.id'], name=op.f('fk_session_point_issue_id_issue'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['station_session.id'], name=op.f('fk_session_point_session_id_station_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_point'))
    )
    with op.batch_alter_table('session_point', schema=None) as batch_op:
        batch_op.create_index('ix_session_point_session', ['session_id', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_table("station_duty_code")
    with op.batch_alter_table('session_point', schema=None) as batch_op:
        batch_op.drop_index('ix_session_point_session')

    op.drop_table('session_point')
    with op.batch_alter_table('duty_turn', schema=None) as batch_op:
        batch_op.drop_index('ix_duty_turn_station_day')
        batch_op.drop_index('ix_duty_turn_member_starts')

    op.drop_table('duty_turn')
    with op.batch_alter_table('session_question', schema=None) as batch_op:
        batch_op.drop_index('ix_session_question_session')
        batch_op.drop_index(batch_op.f('ix_session_question_resident_id'))

    op.drop_table('session_question')
    with op.batch_alter_table('station_session', schema=None) as batch_op:
        batch_op.drop_index('ix_station_session_station_starts')

    op.drop_table('station_session')
