"""delivery leases

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 09:30:00.000000

An outbox row being sent names the sender holding it (``locked_by``): that sender renews its
lease while the row waits for a slot, a pause or its chat's turn, and only it writes a retry
back. Rows left "sending" by an older version have no holder; their lease still frees them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "outbox",
        sa.Column("locked_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )


def downgrade() -> None:
    # Not batch: on SQLite that recreates the table; SQLite 3.35+ drops a column in place.
    op.drop_column("outbox", "locked_by")
