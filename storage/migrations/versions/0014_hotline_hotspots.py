"""hotline records and hotspots

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 01:30:00.000000

The 12345 hotline's records, imported by ticket id, and the monthly hotspots found across
them and residents' cases.
"""

from collections.abc import Sequence

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
