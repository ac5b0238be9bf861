"""A case's search terms, kept in step with its description (see :mod:`services.cases.search`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import IssueSearch
from storage.search_terms import index_terms


async def index_issue(session: AsyncSession, *, issue_id: int, description: str) -> None:
    """Store (or replace) the terms of a case's description, in the caller's transaction."""
    await session.merge(IssueSearch(issue_id=issue_id, terms=index_terms(description)))
