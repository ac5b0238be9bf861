"""A member's own activities: a page of them, and one with its photos, people and history."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import (
    Activity,
    ActivityPairedPerson,
    ActivityPhoto,
    ActivityRevision,
    PairedPerson,
    Sector,
    Station,
)

PAGE_SIZE = 5


@dataclass(frozen=True)
class ActivityDetail:
    """An activity with what is shown around it."""

    activity: Activity
    sector: Sector
    station: Station | None
    photos: list[ActivityPhoto] = field(default_factory=list)
    paired: list[PairedPerson] = field(default_factory=list)
    revisions: list[ActivityRevision] = field(default_factory=list)


@dataclass(frozen=True)
class ActivityPage:
    """A page of a member's activities, latest first."""

    items: list[Activity]
    total: int
    page: int
    pages: int


async def list_activities(
    session: AsyncSession, *, member_id: int, page: int = 0, page_size: int = PAGE_SIZE
) -> ActivityPage:
    """A page of the member's activities, latest first."""
    alive = (col(Activity.member_id) == member_id, col(Activity.deleted_at).is_(None))
    total = (
        await session.execute(select(func.count()).select_from(Activity).where(*alive))
    ).scalar_one()
    pages = max(1, math.ceil(total / page_size))
    page = min(max(page, 0), pages - 1)
    items = (
        await session.execute(
            select(Activity)
            .where(*alive)
            .order_by(col(Activity.occurred_on).desc(), col(Activity.id).desc())
            .offset(page * page_size)
            .limit(page_size)
        )
    ).scalars()
    return ActivityPage(items=list(items), total=total, page=page, pages=pages)


async def get_activity(
    session: AsyncSession, *, member_id: int, activity_id: int
) -> ActivityDetail | None:
    """One of the member's own activities with its photos, paired people and history."""
    activity = await session.get(Activity, activity_id)
    if activity is None or activity.member_id != member_id or activity.deleted_at is not None:
        return None
    sector = await session.get(Sector, activity.sector_id)
    assert sector is not None
    station = await session.get(Station, activity.station_id) if activity.station_id else None
    photos = (
        await session.execute(
            select(ActivityPhoto)
            .where(col(ActivityPhoto.activity_id) == activity_id)
            .order_by(col(ActivityPhoto.position))
        )
    ).scalars()
    paired = (
        await session.execute(
            select(PairedPerson)
            .join(
                ActivityPairedPerson,
                col(ActivityPairedPerson.paired_person_id) == col(PairedPerson.id),
            )
            .where(col(ActivityPairedPerson.activity_id) == activity_id)
            .order_by(col(PairedPerson.position))
        )
    ).scalars()
    revisions = (
        await session.execute(
            select(ActivityRevision)
            .where(col(ActivityRevision.activity_id) == activity_id)
            .order_by(col(ActivityRevision.at), col(ActivityRevision.id))
        )
    ).scalars()
    return ActivityDetail(
        activity=activity,
        sector=sector,
        station=station,
        photos=list(photos),
        paired=list(paired),
        revisions=list(revisions),
    )
