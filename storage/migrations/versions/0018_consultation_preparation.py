"""consultation preparation

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 01:30:00.000000

A consultation's materials, its research tasks and the draft report's comments.
"""

from collections.abc import Sequence

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
