"""duty assessment

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 10:30:00.000000

The yearly assessment: staff entries (quality items and work done off the bot), the points
ledger and each subject's totals, the year's life (open, closed, published) with its frozen
results, members' correction requests, reminder talks and suspensions, and proposals as the
assessment counts them. ``member.office`` marks the members assessed apart.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assessment_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("subject_kind", sa.String(length=8), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(length=10), nullable=False),
        sa.Column("source_kind", sa.String(length=12), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("units_c", sa.Integer(), nullable=False),
        sa.Column("points_c", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_line")),
        sa.UniqueConstraint(
            "year",
            "subject_kind",
            "subject_id",
            "item_code",
            "source_kind",
            "source_id",
            name="uq_assessment_line_source_item",
        ),
    )
    with op.batch_alter_table("assessment_line", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assessment_line_source", ["source_kind", "source_id"], unique=False
        )
        batch_op.create_index(
            "ix_assessment_line_sum",
            ["year", "subject_kind", "subject_id", "item_code", "points_c", "units_c"],
            unique=False,
        )

    op.create_table(
        "assessment_total",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("subject_kind", sa.String(length=8), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("group_code", sa.String(length=20), nullable=False),
        sa.Column("ranked", sa.Boolean(), nullable=False),
        sa.Column("total_c", sa.Integer(), nullable=False),
        sa.Column("quality_c", sa.Integer(), nullable=False),
        sa.Column("absences", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=16), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "year", "subject_kind", "subject_id", name=op.f("pk_assessment_total")
        ),
    )
    with op.batch_alter_table("assessment_total", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assessment_total_fingerprint", ["year", "fingerprint"], unique=False
        )
        batch_op.create_index(
            "ix_assessment_total_rank",
            ["year", "subject_kind", "group_code", "ranked", "total_c"],
            unique=False,
        )

    op.create_table(
        "assessment_result",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("subject_kind", sa.String(length=8), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("group_code", sa.String(length=20), nullable=False),
        sa.Column("ranked", sa.Boolean(), nullable=False),
        sa.Column("total_c", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("group_size", sa.Integer(), nullable=False),
        sa.Column("in_pool", sa.Boolean(), nullable=False),
        sa.Column("tie_note", sa.String(length=200), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("recommended_by_committee_id", sa.Integer(), nullable=True),
        sa.Column("recommended_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("excellent", sa.Boolean(), nullable=True),
        sa.Column("decided_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["recommended_by_committee_id"],
            ["special_committee.id"],
            name=op.f("fk_assessment_result_recommended_by_committee_id_special_committee"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint(
            "year", "subject_kind", "subject_id", name=op.f("pk_assessment_result")
        ),
    )
    with op.batch_alter_table("assessment_result", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assessment_result_group", ["year", "subject_kind", "group_code"], unique=False
        )

    op.create_table(
        "assessment_year",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("rules_version", sa.Integer(), nullable=True),
        sa.Column("fingerprint", sa.String(length=16), nullable=False),
        sa.Column("rules_snapshot", sa.Text(), nullable=False),
        sa.Column("closed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_staff_id", sa.Integer(), nullable=True),
        sa.Column("published_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_by_staff_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["closed_by_staff_id"],
            ["staff.id"],
            name=op.f("fk_assessment_year_closed_by_staff_id_staff"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_staff_id"],
            ["staff.id"],
            name=op.f("fk_assessment_year_published_by_staff_id_staff"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_assessment_year")),
    )
    op.create_table(
        "assessment_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(length=10), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("sector_id", sa.Integer(), nullable=True),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("evidence_file_key", sa.String(length=80), nullable=True),
        sa.Column("reference", sa.String(length=80), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("recorded_by_staff_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("import_batch", sa.String(length=40), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["evidence_file_key"],
            ["stored_file.key"],
            name=op.f("fk_assessment_entry_evidence_file_key_stored_file"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_assessment_entry_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_staff_id"],
            ["staff.id"],
            name=op.f("fk_assessment_entry_recorded_by_staff_id_staff"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sector_id"],
            ["sector.id"],
            name=op.f("fk_assessment_entry_sector_id_sector"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_entry")),
    )
    with op.batch_alter_table("assessment_entry", schema=None) as batch_op:
        batch_op.create_index("ix_assessment_entry_member", ["member_id", "year"], unique=False)
        batch_op.create_index("ix_assessment_entry_sector", ["sector_id", "year"], unique=False)

    op.create_table(
        "member_conduct",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_member_conduct_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_member_conduct_staff_id_staff"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_conduct")),
    )
    with op.batch_alter_table("member_conduct", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_member_conduct_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("sector_id", sa.Integer(), nullable=True),
        sa.Column("rating", sa.String(length=20), nullable=False),
        sa.Column("recorded_by_staff_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_proposal_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_staff_id"],
            ["staff.id"],
            name=op.f("fk_proposal_recorded_by_staff_id_staff"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sector_id"],
            ["sector.id"],
            name=op.f("fk_proposal_sector_id_sector"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal")),
        sa.UniqueConstraint("year", "number", name="uq_proposal_year_number"),
    )
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.create_index("ix_proposal_member", ["member_id", "year"], unique=False)
        batch_op.create_index("ix_proposal_sector", ["sector_id", "year"], unique=False)

    op.create_table(
        "assessment_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=True),
        sa.Column("item_code", sa.String(length=10), nullable=False),
        sa.Column("source_kind", sa.String(length=12), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("staff_note", sa.Text(), nullable=False),
        sa.Column("decided_by_staff_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_staff_id"],
            ["staff.id"],
            name=op.f("fk_assessment_correction_decided_by_staff_id_staff"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["assessment_entry.id"],
            name=op.f("fk_assessment_correction_entry_id_assessment_entry"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["assessment_line.id"],
            name=op.f("fk_assessment_correction_line_id_assessment_line"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_assessment_correction_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_correction")),
    )
    with op.batch_alter_table("assessment_correction", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_correction_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            "ix_assessment_correction_state", ["state", "created_at"], unique=False
        )

    op.create_table(
        "proposal_cosigner",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_proposal_cosigner_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_proposal_cosigner_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("proposal_id", "member_id", name=op.f("pk_proposal_cosigner")),
    )
    with op.batch_alter_table("proposal_cosigner", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_cosigner_member_id"), ["member_id"], unique=False
        )

    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("office", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("office")

    with op.batch_alter_table("proposal_cosigner", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_cosigner_member_id"))

    op.drop_table("proposal_cosigner")
    with op.batch_alter_table("assessment_correction", schema=None) as batch_op:
        batch_op.drop_index("ix_assessment_correction_state")
        batch_op.drop_index(batch_op.f("ix_assessment_correction_member_id"))

    op.drop_table("assessment_correction")
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_index("ix_proposal_sector")
        batch_op.drop_index("ix_proposal_member")

    op.drop_table("proposal")
    with op.batch_alter_table("member_conduct", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_conduct_member_id"))

    op.drop_table("member_conduct")
    with op.batch_alter_table("assessment_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_assessment_entry_sector")
        batch_op.drop_index("ix_assessment_entry_member")

    op.drop_table("assessment_entry")
    op.drop_table("assessment_year")
    with op.batch_alter_table("assessment_result", schema=None) as batch_op:
        batch_op.drop_index("ix_assessment_result_group")

    op.drop_table("assessment_result")
    with op.batch_alter_table("assessment_total", schema=None) as batch_op:
        batch_op.drop_index("ix_assessment_total_rank")
        batch_op.drop_index("ix_assessment_total_fingerprint")

    op.drop_table("assessment_total")
    with op.batch_alter_table("assessment_line", schema=None) as batch_op:
        batch_op.drop_index("ix_assessment_line_sum")
        batch_op.drop_index("ix_assessment_line_source")

    op.drop_table("assessment_line")
