"""The triage queue: cases waiting for a staff decision, oldest first, by station."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from storage.enums import IssueStatus
from storage.models import Issue, IssueCategory, Station

QUEUE_PAGE_SIZE = 8


def waiting_for_staff() -> Any:
    """New and reopened cases, and accepted ones nobody is assigned to (handed back, say)."""
    unassigned = and_(
        col(Issue.assignee_member_id).is_(None), col(Issue.assignee_department_id).is_(None)
    )
    return or_(
        col(Issue.status).in_([IssueStatus.NEW, IssueStatus.REOPENED]),
        and_(col(Issue.status) == IssueStatus.ACCEPTED, unassigned),
    )


@dataclass(frozen=True)
class QueueItem:
    """One waiting case with its station and category."""

    issue: Issue
    station: Station
    category: IssueCategory


@dataclass(frozen=True)
class QueuePage:
    """A page of the queue; ``station_id`` is the station filter, if any."""

    items: list[QueueItem]
    total: int
    page: int
    pages: int
    station_id: int | None


async def queue_page(
    session: AsyncSession,
    *,
    scope: StaffScope,
    station_id: int | None = None,
    page: int = 0,
    page_size: int = QUEUE_PAGE_SIZE,
) -> QueuePage:
    """A page of the cases waiting for staff within ``scope``, oldest first."""
    where = [waiting_for_staff(), scope.issues_clause()]
    if station_id is not None:
        where.append(col(Issue.station_id) == station_id)
    total = (
        await session.execute(select(func.count()).select_from(Issue).where(*where))
    ).scalar_one()
    pages = max(1, math.ceil(total / page_size))
    page = min(max(page, 0), pages - 1)
    rows = (
        await session.execute(
            select(Issue, Station, IssueCategory)
            .join(Station, col(Station.id) == col(Issue.station_id))
            .join(IssueCategory, col(IssueCategory.id) == col(Issue.category_id))
            .where(*where)
            .order_by(col(Issue.created_at), col(Issue.id))
            .offset(page * page_size)
            .limit(page_size)
        )
    ).all()
    items = [QueueItem(issue, station, category) for issue, station, category in rows]
    return QueuePage(items=items, total=total, page=page, pages=pages, station_id=station_id)


async def queue_by_station(
    session: AsyncSession, *, scope: StaffScope
) -> list[tuple[Station, int]]:
    """How many cases wait at each station within ``scope``, busiest first."""
    rows = (
        await session.execute(
            select(Station, func.count(col(Issue.id)))
            .join(Issue, col(Issue.station_id) == col(Station.id))
            .where(waiting_for_staff(), scope.issues_clause())
            .group_by(col(Station.id))
            .order_by(func.count(col(Issue.id)).desc(), col(Station.sort_order))
        )
    ).all()
    return [(station, int(count)) for station, count in rows]
