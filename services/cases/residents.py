"""Residents' issues: submitting a case, listing one's own cases, reading one of them."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.identities import ensure_resident
from services.cases import limits
from services.cases.support import support_count
from services.errors import DomainError
from services.reference.catalog import get_category, get_station
from storage.db import write_transaction
from storage.enums import ActorKind, IssueEventKind, IssueStatus
from storage.models import (
    Attachment,
    Department,
    Issue,
    IssueCategory,
    IssueCounter,
    IssueEvent,
    IssueSupport,
    Member,
    Station,
)
from storage.queries import insert_returning_counter

PAGE_SIZE = 5


@dataclass(frozen=True)
class PhotoRef:
    """A photo as the channel knows it."""

    file_id: str
    file_unique_id: str = ""
    width: int | None = None
    height: int | None = None
    file_size: int | None = None
    mime_type: str | None = None


@dataclass(frozen=True)
class IssueDraft:
    """Everything a resident entered; ``contact_phone`` None means anonymous."""

    station_id: int
    category_id: int
    description: str
    photos: Sequence[PhotoRef] = ()
    latitude: float | None = None
    longitude: float | None = None
    contact_phone: str | None = None
    channel: str = "telegram"
    token: str | None = None


@dataclass(frozen=True)
class IssueSummary:
    """One line of "my issues"."""

    id: int
    number: str
    status: str
    created_at: dt.datetime
    category: IssueCategory
    description: str
    # A case someone else reported, which this resident follows ("me too"): read-only.
    followed: bool = False


@dataclass(frozen=True)
class IssuePage:
    """A page of a resident's cases, newest first."""

    items: list[IssueSummary]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class IssueDetail:
    """A case as its resident sees it: public timeline only."""

    issue: Issue
    station: Station
    category: IssueCategory
    photos: list[Attachment] = field(default_factory=list)
    events: list[IssueEvent] = field(default_factory=list)
    assignee_name: str | None = None
    original: Issue | None = None
    # Residents who follow the case besides its own ("me too").
    supporters: int = 0


def format_number(year: int, seq: int) -> str:
    """Case numbers read ``2026-000123``."""
    return f"{year}-{seq:06d}"


async def create_issue(
    session: AsyncSession,
    *,
    resident_id: int | None,
    draft: IssueDraft,
    now: dt.datetime,
    tz: dt.tzinfo,
) -> Issue:
    """Check a draft again and store it as a new case with its photos and first timeline line.

    A draft carries a token: submitting the same draft twice returns the first case. A case
    staff write down for nobody in particular (a point raised at an open session) has no
    resident.
    """
    async with write_transaction(session):
        return await _store_issue(session, resident_id=resident_id, draft=draft, now=now, tz=tz)


async def report_issue(
    session: AsyncSession,
    *,
    identity_id: int,
    draft: IssueDraft,
    now: dt.datetime,
    tz: dt.tzinfo,
) -> Issue:
    """A chat's own report: :func:`create_issue`, for the resident behind ``identity_id``.

    A first report also makes the resident; both are written in one transaction.
    """
    async with write_transaction(session):
        resident = await ensure_resident(session, identity_id=identity_id, now=now)
        assert resident.id is not None
        return await _store_issue(session, resident_id=resident.id, draft=draft, now=now, tz=tz)


async def _store_issue(
    session: AsyncSession,
    *,
    resident_id: int | None,
    draft: IssueDraft,
    now: dt.datetime,
    tz: dt.tzinfo,
) -> Issue:
    """The body of :func:`create_issue`, in the caller's open write transaction."""
    description = limits.check_description(draft.description)
    if len(draft.photos) > limits.MAX_PHOTOS:
        raise DomainError("too_many_photos", maximum=limits.MAX_PHOTOS)
    phone = limits.normalize_phone(draft.contact_phone) if draft.contact_phone else None
    if draft.token is not None:
        existing = (
            await session.execute(select(Issue).where(col(Issue.draft_token) == draft.token))
        ).scalar_one_or_none()
        if existing is not None:
            if existing.resident_id != resident_id:
                raise DomainError("draft_token_taken")
            return existing
    station = await get_station(session, draft.station_id)
    category = await get_category(session, draft.category_id)
    if station is None:
        raise DomainError("station_unknown")
    if category is None:
        raise DomainError("category_unknown")
    year = now.astimezone(tz).year
    seq = await insert_returning_counter(session, IssueCounter, year)
    issue = Issue(
        number=format_number(year, seq),
        draft_token=draft.token,
        resident_id=resident_id,
        station_id=draft.station_id,
        category_id=draft.category_id,
        description=description,
        latitude=draft.latitude,
        longitude=draft.longitude,
        anonymous=phone is None,
        contact_phone=phone,
        contact_consent_at=now if phone else None,
        status=IssueStatus.NEW,
        channel=draft.channel,
        created_at=now,
        updated_at=now,
        due_at=now + dt.timedelta(days=category.due_days),
    )
    session.add(issue)
    await session.flush()
    assert issue.id is not None
    for position, photo in enumerate(draft.photos):
        session.add(
            Attachment(
                issue_id=issue.id,
                position=position,
                channel=draft.channel,
                file_id=photo.file_id,
                file_unique_id=photo.file_unique_id,
                width=photo.width,
                height=photo.height,
                file_size=photo.file_size,
                mime_type=photo.mime_type,
            )
        )
    session.add(
        IssueEvent(
            issue_id=issue.id,
            created_at=now,
            kind=IssueEventKind.SUBMITTED,
            actor=ActorKind.RESIDENT,
            public=True,
            to_status=IssueStatus.NEW,
        )
    )
    return issue


async def list_resident_issues(
    session: AsyncSession, *, resident_id: int, page: int = 0, page_size: int = PAGE_SIZE
) -> IssuePage:
    """A page of the resident's own cases and of those they follow, newest first."""
    theirs = or_(
        col(Issue.resident_id) == resident_id,
        col(Issue.id).in_(
            select(col(IssueSupport.issue_id)).where(col(IssueSupport.resident_id) == resident_id)
        ),
    )
    total = (
        await session.execute(select(func.count()).select_from(Issue).where(theirs))
    ).scalar_one()
    pages = max(1, math.ceil(total / page_size))
    page = min(max(page, 0), pages - 1)
    rows = (
        await session.execute(
            select(Issue, IssueCategory)
            .join(IssueCategory, col(IssueCategory.id) == col(Issue.category_id))
            .where(theirs)
            .order_by(col(Issue.created_at).desc(), col(Issue.id).desc())
            .offset(page * page_size)
            .limit(page_size)
        )
    ).all()
    items = [
        IssueSummary(
            id=issue.id or 0,
            number=issue.number,
            status=issue.status,
            created_at=issue.created_at,
            category=category,
            description=issue.description,
            followed=issue.resident_id != resident_id,
        )
        for issue, category in rows
    ]
    return IssuePage(items=items, total=total, page=page, pages=pages)


async def get_resident_issue(
    session: AsyncSession, *, resident_id: int, issue_id: int
) -> IssueDetail | None:
    """One of the resident's own cases with its public timeline; None if not theirs."""
    return await _detail(session, issue_id, col(Issue.resident_id) == resident_id, public_only=True)


async def get_followed_issue(
    session: AsyncSession, *, resident_id: int, issue_id: int
) -> IssueDetail | None:
    """A case the resident follows without having reported it, as its resident sees it."""
    supported = select(col(IssueSupport.issue_id)).where(
        col(IssueSupport.resident_id) == resident_id
    )
    return await _detail(session, issue_id, col(Issue.id).in_(supported), public_only=True)


async def get_issue(
    session: AsyncSession,
    *,
    issue_id: int,
    assignee_member_id: int | None = None,
    assignee_department_id: int | None = None,
    condition: Any = None,
) -> IssueDetail | None:
    """A case with its whole timeline, for staff or for its assignee.

    ``condition`` limits it to a staff member's scope; the assignee ids to what is assigned.
    """
    where: list[Any] = [col(Issue.id).is_not(None)]
    if assignee_member_id is not None:
        where.append(col(Issue.assignee_member_id) == assignee_member_id)
    if assignee_department_id is not None:
        where.append(col(Issue.assignee_department_id) == assignee_department_id)
    if condition is not None:
        where.append(condition)
    return await _detail(session, issue_id, and_(*where), public_only=False)


async def _detail(
    session: AsyncSession, issue_id: int, condition: Any, *, public_only: bool
) -> IssueDetail | None:
    row = (
        await session.execute(
            select(Issue, Station, IssueCategory)
            .join(Station, col(Station.id) == col(Issue.station_id))
            .join(IssueCategory, col(IssueCategory.id) == col(Issue.category_id))
            .where(col(Issue.id) == issue_id, condition)
        )
    ).first()
    if row is None:
        return None
    issue, station, category = row
    photos = (
        await session.execute(
            select(Attachment)
            .where(col(Attachment.issue_id) == issue_id)
            .order_by(col(Attachment.position))
        )
    ).scalars()
    events_stmt = select(IssueEvent).where(col(IssueEvent.issue_id) == issue_id)
    if public_only:
        events_stmt = events_stmt.where(col(IssueEvent.public).is_(True))
    events = (
        await session.execute(events_stmt.order_by(col(IssueEvent.created_at), col(IssueEvent.id)))
    ).scalars()
    assignee_name = None
    if issue.assignee_member_id is not None:
        member = await session.get(Member, issue.assignee_member_id)
        assignee_name = member.name if member is not None else None
    elif issue.assignee_department_id is not None:
        department = await session.get(Department, issue.assignee_department_id)
        assignee_name = department.name_zh if department is not None else None
    original = (
        await session.get(Issue, issue.duplicate_of_id)
        if issue.duplicate_of_id is not None
        else None
    )
    return IssueDetail(
        issue=issue,
        station=station,
        category=category,
        photos=list(photos),
        events=list(events),
        assignee_name=assignee_name,
        original=original,
        supporters=await support_count(session, issue_id=issue_id),
    )


async def followed_case(session: AsyncSession, *, detail: IssueDetail) -> IssueDetail | None:
    """For a case merged into another, that other case as its resident may see it."""
    if detail.original is None or detail.original.id is None:
        return None
    return await _detail(session, detail.original.id, col(Issue.id).is_not(None), public_only=True)
