"""web chat history and files

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 09:30:00.000000

The web chat kept each chat's history in memory and knew its files only by what that memory
showed; both now live here, so a restart keeps the history and erasure finds every file.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webchat_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("mime_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("client_address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attached", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webchat_file")),
    )
    with op.batch_alter_table("webchat_file", schema=None) as batch_op:
        batch_op.create_index("ix_webchat_file_chat", ["chat_id"], unique=False)
        batch_op.create_index("ix_webchat_file_file", ["file_id"], unique=False)
        batch_op.create_index("ix_webchat_file_client", ["client_address", "kind"], unique=False)
        batch_op.create_index("ix_webchat_file_expiry", ["expires_at"], unique=False)
        batch_op.create_index(
            "ix_webchat_file_pending", ["kind", "attached", "created_at"], unique=False
        )

    op.create_table(
        "webchat_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("frame", sa.Text(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webchat_history")),
        sa.UniqueConstraint(
            "chat_id", "message_id", name="uq_webchat_history_chat_message"
        ),
    )


def downgrade() -> None:
    op.drop_table("webchat_history")
    with op.batch_alter_table("webchat_file", schema=None) as batch_op:
        batch_op.drop_index("ix_webchat_file_pending")
        batch_op.drop_index("ix_webchat_file_expiry")
        batch_op.drop_index("ix_webchat_file_client")
        batch_op.drop_index("ix_webchat_file_file")
        batch_op.drop_index("ix_webchat_file_chat")
    op.drop_table("webchat_file")
