"""case search terms

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 17:30:00.000000

Staff find a case by words of its description: each case's description is kept beside it as
jieba's words joined by spaces (storage/search_terms.py), and every case already stored is
indexed here. jieba's dictionary is loaded only when there are cases to index.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500


def upgrade() -> None:
    search = op.create_table(
        "issue_search",
        sa.Column("issue_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issue_id"],
            ["issue.id"],
            name=op.f("fk_issue_search_issue_id_issue"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("issue_id", name=op.f("pk_issue_search")),
    )
    connection = op.get_bind()
    issue = sa.table("issue", sa.column("id", sa.Integer()), sa.column("description", sa.Text()))
    rows = connection.execute(sa.select(issue.c.id, issue.c.description).order_by(issue.c.id))
    batch: list[dict[str, object]] = []
    for issue_id, description in rows.fetchall():
        from storage.search_terms import index_terms

        batch.append({"issue_id": issue_id, "terms": index_terms(description or "")})
        if len(batch) >= BATCH:
            op.bulk_insert(search, batch)
            batch = []
    if batch:
        op.bulk_insert(search, batch)


def downgrade() -> None:
    op.drop_table("issue_search")
