"""wecom channel

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "wecom_person",
        sa.Column("userid", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(CASE WHEN member_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN staff_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN department_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_wecom_person_one_owner"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_wecom_person_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_wecom_person_member_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_wecom_person_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("userid", name=op.f("pk_wecom_person")),
        sa.UniqueConstraint("member_id", name=op.f("uq_wecom_person_member_id")),
        sa.UniqueConstraint("staff_id", name=op.f("uq_wecom_person_staff_id")),
    )
    with op.batch_alter_table("wecom_person", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wecom_person_department_id"), ["department_id"], unique=False
        )
    op.create_table(
        "wecom_card",
        sa.Column("message_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("task_id", sa.String(length=128), nullable=False),
        sa.Column("response_code", sa.String(length=256), nullable=True),
        sa.Column("clicked_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_wecom_card")),
        sa.UniqueConstraint("task_id", name=op.f("uq_wecom_card_task_id")),
    )


def downgrade() -> None:
    op.drop_table("wecom_card")
    with op.batch_alter_table("wecom_person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wecom_person_department_id"))
    op.drop_table("wecom_person")
