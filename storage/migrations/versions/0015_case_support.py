"""case support

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 01:30:00.000000

Residents who follow an open case instead of reporting it again ("me too").
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "issue_support",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issue_id"],
            ["issue.id"],
            name=op.f("fk_issue_support_issue_id_issue"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["resident.id"],
            name=op.f("fk_issue_support_resident_id_resident"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issue_support")),
        sa.UniqueConstraint("issue_id", "resident_id", name="uq_issue_support_issue_resident"),
    )
    with op.batch_alter_table("issue_support", schema=None) as batch_op:
        batch_op.create_index("ix_issue_support_resident", ["resident_id", "created_at"])


def downgrade() -> None:
    with op.batch_alter_table("issue_support", schema=None) as batch_op:
        batch_op.drop_index("ix_issue_support_resident")
    op.drop_table("issue_support")
