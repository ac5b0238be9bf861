"""proposals and outcomes

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 22:31:01.727351

Proposals grow from the assessment's record into the whole pipeline: the member's text and
state, co-signers who confirm, attachments, the office's review. Consultation outcomes, the
numbered suggestions of both, each department's handling of each suggestion, requests for
more time, face-to-face meetings, ratings, and the timeline of every move. Proposals
recorded before are registered ones, entered from paper; their co-signers confirmed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pipeline_counter",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("series", sa.String(length=2), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", "series", name=op.f("pk_pipeline_counter")),
    )
    op.create_table(
        "pipeline_rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=30), nullable=False),
        sa.Column("purpose", sa.String(length=12), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("rater_kind", sa.String(length=10), nullable=False),
        sa.Column("rater_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_rating")),
        sa.UniqueConstraint(
            "subject",
            "purpose",
            "round",
            "department_id",
            "rater_kind",
            "rater_id",
            name="uq_pipeline_rating_once",
        ),
    )
    with op.batch_alter_table("pipeline_rating", schema=None) as batch_op:
        batch_op.create_index("ix_pipeline_rating_purpose", ["purpose", "created_at"], unique=False)

    op.create_table(
        "face_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("met_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_face_meeting_department_id_department"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_face_meeting_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_face_meeting")),
    )
    with op.batch_alter_table("face_meeting", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_face_meeting_proposal_id"), ["proposal_id"], unique=False
        )

    op.create_table(
        "proposal_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("file_id", sa.String(length=255), nullable=False),
        sa.Column("file_unique_id", sa.String(length=100), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("mime_type", sa.String(length=100), nullable=True),
        sa.Column("file_size", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_proposal_file_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_file")),
    )
    with op.batch_alter_table("proposal_file", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_file_proposal_id"), ["proposal_id"], unique=False
        )

    op.create_table(
        "outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("consultation", sa.String(length=40), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("topic", sa.String(length=120), nullable=True),
        sa.Column("key", sa.Boolean(), nullable=False),
        sa.Column("created_by_staff_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_staff_id"],
            ["staff.id"],
            name=op.f("fk_outcome_created_by_staff_id_staff"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_outcome_meeting_id_meeting"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["conditions_report.id"],
            name=op.f("fk_outcome_report_id_conditions_report"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome")),
        sa.UniqueConstraint("year", "number", name="uq_outcome_year_number"),
    )
    with op.batch_alter_table("outcome", schema=None) as batch_op:
        batch_op.create_index("ix_outcome_topic", ["topic", "year"], unique=False)

    op.create_table(
        "outcome_issue",
        sa.Column("outcome_id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("told_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["issue_id"],
            ["issue.id"],
            name=op.f("fk_outcome_issue_issue_id_issue"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["outcome.id"],
            name=op.f("fk_outcome_issue_outcome_id_outcome"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("outcome_id", "issue_id", name=op.f("pk_outcome_issue")),
    )
    with op.batch_alter_table("outcome_issue", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outcome_issue_issue_id"), ["issue_id"], unique=False)

    op.create_table(
        "outcome_member",
        sa.Column("outcome_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_outcome_member_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["outcome.id"],
            name=op.f("fk_outcome_member_outcome_id_outcome"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("outcome_id", "member_id", name=op.f("pk_outcome_member")),
    )
    with op.batch_alter_table("outcome_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outcome_member_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("outcome_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("stage_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_to", sa.String(length=20), nullable=True),
        sa.Column("review_by", sa.String(length=120), nullable=True),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("review_text", sa.Text(), nullable=True),
        sa.Column("due_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("adoption", sa.String(length=12), nullable=True),
        sa.Column("lookback_on", sa.Date(), nullable=True),
        sa.Column("lookback_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lookback_note", sa.Text(), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["outcome.id"],
            name=op.f("fk_suggestion_outcome_id_outcome"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_suggestion_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion")),
    )
    with op.batch_alter_table("suggestion", schema=None) as batch_op:
        batch_op.create_index("ix_suggestion_outcome", ["outcome_id", "position"], unique=False)
        batch_op.create_index("ix_suggestion_proposal", ["proposal_id", "position"], unique=False)
        batch_op.create_index("ix_suggestion_stage", ["stage", "stage_at"], unique=False)

    op.create_table(
        "handling",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("lead", sa.Boolean(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("assigned_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("adoption", sa.String(length=12), nullable=True),
        sa.Column("answered_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.String(length=160), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_handling_department_id_department"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["suggestion_id"],
            ["suggestion.id"],
            name=op.f("fk_handling_suggestion_id_suggestion"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handling")),
        sa.UniqueConstraint("suggestion_id", "department_id", "round", name="uq_handling_item"),
    )
    with op.batch_alter_table("handling", schema=None) as batch_op:
        batch_op.create_index(
            "ix_handling_department_open", ["department_id", "answered_at", "due_at"], unique=False
        )
        batch_op.create_index("ix_handling_open_due", ["answered_at", "due_at"], unique=False)

    op.create_table(
        "handling_extension",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("suggestion_id", sa.Integer(), nullable=True),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("decided_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_staff_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_staff_id"],
            ["staff.id"],
            name=op.f("fk_handling_extension_decided_by_staff_id_staff"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_handling_extension_department_id_department"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_handling_extension_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["suggestion_id"],
            ["suggestion.id"],
            name=op.f("fk_handling_extension_suggestion_id_suggestion"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handling_extension")),
    )
    with op.batch_alter_table("handling_extension", schema=None) as batch_op:
        batch_op.create_index(
            "ix_handling_extension_department", ["department_id", "decision"], unique=False
        )

    op.create_table(
        "pipeline_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("outcome_id", sa.Integer(), nullable=True),
        sa.Column("suggestion_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("from_stage", sa.String(length=20), nullable=True),
        sa.Column("to_stage", sa.String(length=20), nullable=True),
        sa.Column("actor", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["outcome.id"],
            name=op.f("fk_pipeline_event_outcome_id_outcome"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_pipeline_event_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["suggestion_id"],
            ["suggestion.id"],
            name=op.f("fk_pipeline_event_suggestion_id_suggestion"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_event")),
    )
    with op.batch_alter_table("pipeline_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_pipeline_event_outcome", ["outcome_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_pipeline_event_proposal", ["proposal_id", "created_at"], unique=False
        )

    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("state", sa.String(length=20), server_default="registered", nullable=False)
        )
        batch_op.add_column(sa.Column("situation", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("author_member_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("source", sa.String(length=10), server_default="paper", nullable=False)
        )
        batch_op.add_column(sa.Column("review_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("converted_to", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("reviewed_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("reviewed_by_staff_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("due_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("handling_round", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("answered_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("satisfaction", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("satisfaction_note", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("rated_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("public", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.alter_column("number", existing_type=sa.VARCHAR(length=20), nullable=True)
        batch_op.alter_column("submitted_on", existing_type=sa.DATE(), nullable=True)
        batch_op.create_index(batch_op.f("ix_proposal_state"), ["state"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_proposal_reviewed_by_staff_id_staff"),
            "staff",
            ["reviewed_by_staff_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_proposal_author_member_id_member"),
            "member",
            ["author_member_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("sector", schema=None) as batch_op:
        batch_op.add_column(sa.Column("convenor_member_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_sector_convenor_member_id_member"),
            "member",
            ["convenor_member_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("proposal_cosigner", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("state", sa.String(length=12), server_default="confirmed", nullable=False)
        )
        batch_op.add_column(
            sa.Column("invited_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("answered_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    # Drafts have no number yet; the older schema cannot hold them.
    op.execute("DELETE FROM proposal WHERE number IS NULL OR submitted_on IS NULL")
    with op.batch_alter_table("proposal_cosigner", schema=None) as batch_op:
        batch_op.drop_column("answered_at")
        batch_op.drop_column("invited_at")
        batch_op.drop_column("state")

    with op.batch_alter_table("sector", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_sector_convenor_member_id_member"), type_="foreignkey"
        )
        batch_op.drop_column("convenor_member_id")

    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_proposal_author_member_id_member"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_proposal_reviewed_by_staff_id_staff"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_proposal_state"))
        batch_op.alter_column("submitted_on", existing_type=sa.DATE(), nullable=False)
        batch_op.alter_column("number", existing_type=sa.VARCHAR(length=20), nullable=False)
        batch_op.drop_column("public")
        batch_op.drop_column("rated_at")
        batch_op.drop_column("satisfaction_note")
        batch_op.drop_column("satisfaction")
        batch_op.drop_column("answered_at")
        batch_op.drop_column("handling_round")
        batch_op.drop_column("due_at")
        batch_op.drop_column("reviewed_by_staff_id")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("converted_to")
        batch_op.drop_column("review_note")
        batch_op.drop_column("source")
        batch_op.drop_column("author_member_id")
        batch_op.drop_column("situation")
        batch_op.drop_column("state")

    with op.batch_alter_table("pipeline_event", schema=None) as batch_op:
        batch_op.drop_index("ix_pipeline_event_proposal")
        batch_op.drop_index("ix_pipeline_event_outcome")

    op.drop_table("pipeline_event")
    with op.batch_alter_table("handling_extension", schema=None) as batch_op:
        batch_op.drop_index("ix_handling_extension_department")

    op.drop_table("handling_extension")
    with op.batch_alter_table("handling", schema=None) as batch_op:
        batch_op.drop_index("ix_handling_open_due")
        batch_op.drop_index("ix_handling_department_open")

    op.drop_table("handling")
    with op.batch_alter_table("suggestion", schema=None) as batch_op:
        batch_op.drop_index("ix_suggestion_stage")
        batch_op.drop_index("ix_suggestion_proposal")
        batch_op.drop_index("ix_suggestion_outcome")

    op.drop_table("suggestion")
    with op.batch_alter_table("outcome_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outcome_member_member_id"))

    op.drop_table("outcome_member")
    with op.batch_alter_table("outcome_issue", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outcome_issue_issue_id"))

    op.drop_table("outcome_issue")
    with op.batch_alter_table("outcome", schema=None) as batch_op:
        batch_op.drop_index("ix_outcome_topic")

    op.drop_table("outcome")
    with op.batch_alter_table("proposal_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_file_proposal_id"))

    op.drop_table("proposal_file")
    with op.batch_alter_table("face_meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_face_meeting_proposal_id"))

    op.drop_table("face_meeting")
    with op.batch_alter_table("pipeline_rating", schema=None) as batch_op:
        batch_op.drop_index("ix_pipeline_rating_purpose")

    op.drop_table("pipeline_rating")
    op.drop_table("pipeline_counter")
