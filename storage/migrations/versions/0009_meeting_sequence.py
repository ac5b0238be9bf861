"""meeting sequence

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 17:15:00.000000

A meeting counts its changes: each edit or the cancellation raises ``sequence``, which the
calendar file carries as its SEQUENCE and the staff's and members' cards as the state they
were drawn for; ``rescheduled`` counts the moves of the start, so a moved meeting's
reminders are queued afresh. ``cancelled_at`` was there from the start.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sequence", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("rescheduled", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_column("rescheduled")
        batch_op.drop_column("sequence")
