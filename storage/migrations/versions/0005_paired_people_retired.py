"""paired people retired, not deleted

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 19:00:00.000000

A roster import now matches paired people by name and retires those no longer listed instead
of deleting them (which cascaded away the activities' links to them). Only a column is added:
on SQLite, changing the table in any other way recreates it, and dropping the old table with
foreign keys on would cascade-delete those very links.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "paired_person",
        sa.Column("retired_at", storage.types.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    # The old schema cannot tell a retired person from a listed one: they go, with their links.
    op.execute(sa.text("DELETE FROM paired_person WHERE retired_at IS NOT NULL"))
    # Not batch: on SQLite that recreates the table, and dropping the old one with foreign
    # keys on would delete every activity's links. SQLite 3.35+ drops a column in place.
    op.drop_column("paired_person", "retired_at")
