"""A case's search terms, kept in step with its description (see :mod:`services.cases.search`).

A report does not wait for jieba: a case stored since the last search has no terms yet, and
the next search by words cuts them for every such case first (:func:`index_new_cases`), so
what is found is always what is stored. An erasure replaces the terms of the text it keeps.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.db import write_transaction
from storage.models import Issue, IssueSearch
from storage.queries import insert_ignore_many, table_of
from storage.search_terms import index_terms

# Cases indexed per write transaction: a long backlog never holds the write lock for long.
INDEX_BATCH = 500


async def index_issue(session: AsyncSession, *, issue_id: int, description: str) -> None:
    """Store (or replace) the terms of a case's description, in the caller's transaction."""
    await session.merge(IssueSearch(issue_id=issue_id, terms=index_terms(description)))


async def index_new_cases(session: AsyncSession) -> int:
    """Cut the terms of every case that has none yet; how many were indexed.

    Two searches at once may both find a case missing: the second insert is ignored.
    """
    indexed = 0
    while True:
        missing = (
            await session.execute(
                select(col(Issue.id), col(Issue.description))
                .outerjoin(IssueSearch, col(IssueSearch.issue_id) == col(Issue.id))
                .where(col(IssueSearch.issue_id).is_(None))
                .order_by(col(Issue.id))
                .limit(INDEX_BATCH)
            )
        ).all()
        if not missing:
            return indexed
        rows: list[dict[str, Any]] = [
            {"issue_id": issue_id, "terms": index_terms(description)}
            for issue_id, description in missing
        ]
        async with write_transaction(session):
            await insert_ignore_many(
                session, table_of(IssueSearch), rows, conflict_columns=["issue_id"]
            )
        indexed += len(rows)
