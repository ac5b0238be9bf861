"""What was raised at an open session, and turning a raised problem into a case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.audit import Actor, audit
from services.cases import limits
from services.cases.common import add_event
from services.cases.residents import IssueDraft, create_issue
from services.errors import DomainError
from services.stations.sessions import staff_session
from storage.db import write_transaction
from storage.enums import IssueEventKind
from storage.models import Issue, SessionPoint, StationSession

CHANNEL = "session"


async def record_point(
    session: AsyncSession, *, scope: StaffScope, session_id: int, text: str, now: dt.datetime
) -> SessionPoint:
    """Write down a problem raised at a session that has started and was not cancelled."""
    # A point may become a case: it must already read as one.
    text = limits.check_description(text)
    async with write_transaction(session):
        row = await staff_session(session, session_id, scope)
        if row.cancelled_at is not None:
            raise DomainError("session_closed")
        if row.starts_at > now:
            raise DomainError("session_not_started")
        point = SessionPoint(
            session_id=session_id, text=text, created_by_staff_id=scope.staff_id, created_at=now
        )
        session.add(point)
        await session.flush()
        audit(
            session,
            actor=Actor("staff", scope.staff_id, scope.name),
            action="station_session.point",
            object_kind="station_session",
            object_id=session_id,
            after={"point_id": point.id, "text": text},
            now=now,
        )
    return point


async def session_points(session: AsyncSession, *, session_id: int) -> Sequence[SessionPoint]:
    """The points of a session in the order they were raised (the caller checks the scope)."""
    stmt = (
        select(SessionPoint)
        .where(col(SessionPoint.session_id) == session_id)
        .order_by(col(SessionPoint.created_at), col(SessionPoint.id))
    )
    return (await session.execute(stmt)).scalars().all()


async def staff_point(
    session: AsyncSession, point_id: int, scope: StaffScope
) -> tuple[SessionPoint, StationSession]:
    """The point and its session, if within the scope; unknown otherwise."""
    point = await session.get(SessionPoint, point_id)
    if point is None:
        raise DomainError("point_unknown")
    try:
        parent = await staff_session(session, point.session_id, scope)
    except DomainError:
        raise DomainError("point_unknown") from None
    return point, parent


async def point_to_case(
    session: AsyncSession,
    *,
    scope: StaffScope,
    point_id: int,
    now: dt.datetime,
    tz: dt.tzinfo,
    category_id: int | None = None,
) -> Issue:
    """Make the point a new case at the session's station; once per point.

    The case is filed under ``category_id`` or else the session's category. It is created
    by the residents' case service under a token naming the point, so a repeated tap (or a
    retry after a crash between the two steps) finds the same case.
    """
    point, parent = await staff_point(session, point_id, scope)
    if point.issue_id is not None:
        existing = await session.get(Issue, point.issue_id)
        if existing is not None:
            return existing
    category = category_id or parent.category_id
    if category is None:
        raise DomainError("category_needed")
    issue = await create_issue(
        session,
        resident_id=None,
        draft=IssueDraft(
            station_id=parent.station_id,
            category_id=category,
            description=point.text,
            channel=CHANNEL,
            token=f"session-point-{point_id}",
        ),
        now=now,
        tz=tz,
    )
    actor = Actor("staff", scope.staff_id, scope.name)
    async with write_transaction(session):
        point = await session.get(SessionPoint, point_id, with_for_update=True) or point
        if point.issue_id is None:
            point.issue_id = issue.id
            issue = await session.get(Issue, issue.id) or issue
            # Staff reading the case see where it came from.
            add_event(
                session,
                issue,
                kind=IssueEventKind.NOTE,
                actor=actor,
                now=now,
                public=False,
                body=parent.title,
            )
            audit(
                session,
                actor=actor,
                action="station_session.point_case",
                object_kind="issue",
                object_id=issue.number,
                after={"session_id": parent.id, "point_id": point_id},
                now=now,
            )
    return issue
