"""consultation proceedings

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 01:30:00.000000

Booked speeches, remote remarks and the steps of a consultation meeting.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "confirmed_suggestion",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_confirmed_suggestion_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "position", name=op.f("pk_confirmed_suggestion")),
    )
    op.create_table(
        "meeting_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("started_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_meeting_step_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_meeting_step_staff_id_staff"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_step")),
        sa.UniqueConstraint("meeting_id", "step", name="uq_meeting_step_step"),
    )
    op.create_table(
        "remote_remark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("guest_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["guest_id"],
            ["meeting_guest.id"],
            name=op.f("fk_remote_remark_guest_id_meeting_guest"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_remote_remark_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_remote_remark_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remote_remark")),
    )
    with op.batch_alter_table("remote_remark", schema=None) as batch_op:
        batch_op.create_index("ix_remote_remark_meeting", ["meeting_id", "id"], unique=False)

    op.create_table(
        "speech_booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("guest_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("booked_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("called_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("spoken_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["guest_id"],
            ["meeting_guest.id"],
            name=op.f("fk_speech_booking_guest_id_meeting_guest"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_speech_booking_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_speech_booking_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speech_booking")),
    )
    with op.batch_alter_table("speech_booking", schema=None) as batch_op:
        batch_op.create_index("ix_speech_booking_order", ["meeting_id", "position"], unique=False)

    op.create_table(
        "meeting_proceedings",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("speech_minutes", sa.Integer(), nullable=False),
        sa.Column("remote_opens_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("remote_closes_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_meeting_proceedings_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["outcome.id"],
            name=op.f("fk_meeting_proceedings_outcome_id_outcome"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("meeting_id", name=op.f("pk_meeting_proceedings")),
        sa.UniqueConstraint("outcome_id", name=op.f("uq_meeting_proceedings_outcome_id")),
    )
    op.create_table(
        "outcome_guest",
        sa.Column("outcome_id", sa.Integer(), nullable=False),
        sa.Column("meeting_guest_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_guest_id"],
            ["meeting_guest.id"],
            name=op.f("fk_outcome_guest_meeting_guest_id_meeting_guest"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["outcome.id"],
            name=op.f("fk_outcome_guest_outcome_id_outcome"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("outcome_id", "meeting_guest_id", name=op.f("pk_outcome_guest")),
    )
    with op.batch_alter_table("outcome_guest", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outcome_guest_meeting_guest_id"), ["meeting_guest_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("outcome_guest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outcome_guest_meeting_guest_id"))

    op.drop_table("outcome_guest")
    op.drop_table("meeting_proceedings")
    with op.batch_alter_table("speech_booking", schema=None) as batch_op:
        batch_op.drop_index("ix_speech_booking_order")

    op.drop_table("speech_booking")
    with op.batch_alter_table("remote_remark", schema=None) as batch_op:
        batch_op.drop_index("ix_remote_remark_meeting")

    op.drop_table("remote_remark")
    op.drop_table("meeting_step")
    op.drop_table("confirmed_suggestion")
