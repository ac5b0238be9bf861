"""Following an open case instead of reporting it again ("me too"), and who follows it.

A supporter is told of the case's changes like its own resident (see
:mod:`services.cases.audience`) and sees it among their issues, read-only: rating the answer
and reopening the case stay with the resident who reported it. The resident's draft is not
kept: what they wanted said is already the case's, and they can still report it as their own.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.identities import ensure_resident
from services.cases.common import lock_issue
from services.errors import DomainError
from storage.db import write_transaction
from storage.enums import OPEN_STATUSES
from storage.models import ChatIdentity, Issue, IssueSupport, Resident


async def support_case(
    session: AsyncSession,
    *,
    identity_id: int,
    issue_id: int,
    station_id: int,
    channel: str,
    now: dt.datetime,
) -> Issue:
    """Make the chat's resident a supporter of an open case of ``station_id``.

    Refused: a case of another station or unknown (``issue_unknown``), a closed one
    (``support_closed``), the resident's own (``support_own``), one already followed
    (``support_twice``).
    """
    async with write_transaction(session):
        resident = await ensure_resident(session, identity_id=identity_id, now=now)
        issue = await lock_issue(session, issue_id)
        if issue.station_id != station_id:
            raise DomainError("issue_unknown")
        if issue.status not in OPEN_STATUSES:
            raise DomainError("support_closed")
        if issue.resident_id == resident.id:
            raise DomainError("support_own")
        already = (
            await session.execute(
                select(col(IssueSupport.id)).where(
                    col(IssueSupport.issue_id) == issue_id,
                    col(IssueSupport.resident_id) == resident.id,
                )
            )
        ).first()
        if already is not None:
            raise DomainError("support_twice")
        assert resident.id is not None
        session.add(
            IssueSupport(
                issue_id=issue_id, resident_id=resident.id, channel=channel, created_at=now
            )
        )
        await session.flush()
        return issue


async def support_count(session: AsyncSession, *, issue_id: int) -> int:
    """How many residents follow the case besides the one who reported it."""
    return (
        await session.execute(
            select(func.count())
            .select_from(IssueSupport)
            .where(col(IssueSupport.issue_id) == issue_id)
        )
    ).scalar_one()


async def support_counts(session: AsyncSession, issue_ids: list[int]) -> dict[int, int]:
    """The support of many cases at once (a workbook's rows); cases without any are left out."""
    if not issue_ids:
        return {}
    rows = await session.execute(
        select(col(IssueSupport.issue_id), func.count())
        .where(col(IssueSupport.issue_id).in_(issue_ids))
        .group_by(col(IssueSupport.issue_id))
    )
    return {issue_id: count for issue_id, count in rows.all()}


async def supports(session: AsyncSession, *, resident_id: int, issue_id: int) -> bool:
    """Whether the resident follows the case."""
    row = await session.execute(
        select(col(IssueSupport.id)).where(
            col(IssueSupport.resident_id) == resident_id, col(IssueSupport.issue_id) == issue_id
        )
    )
    return row.first() is not None


async def supporter_chats(
    session: AsyncSession, issue: Issue
) -> list[tuple[Resident, ChatIdentity]]:
    """The chats of the residents who follow the case, in the order they joined."""
    rows = await session.execute(
        select(Resident, ChatIdentity)
        .join(IssueSupport, col(IssueSupport.resident_id) == col(Resident.id))
        .join(ChatIdentity, col(ChatIdentity.id) == col(Resident.identity_id))
        .where(col(IssueSupport.issue_id) == issue.id)
        .order_by(col(IssueSupport.id))
    )
    return [(resident, identity) for resident, identity in rows.all()]
