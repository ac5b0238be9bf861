"""Reference data: liaison stations, sectors, special committees and issue categories."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from services.audit import Actor, audit
from services.errors import DomainError
from services.reference.cached import reference_cache
from storage.models import IssueCategory, Sector, SpecialCommittee, Station

EARTH_RADIUS_KM = 6371.0
MIN_DUE_DAYS = 1
MAX_DUE_DAYS = 90


class Named(Protocol):
    """Anything with a Chinese and an English name (a row, or a frozen rules entry)."""

    @property
    def name_zh(self) -> str:
        """The Chinese name."""
        ...

    @property
    def name_en(self) -> str:
        """The English name."""
        ...


def display_name(row: Named, locale: str) -> str:
    """Return the name in the reader's language (Chinese unless they read English)."""
    return row.name_en if locale == "en" else row.name_zh


async def list_stations(session: AsyncSession) -> Sequence[Station]:
    """Active stations, in display order (kept in memory, see :mod:`.cached`)."""

    async def load() -> Sequence[Station]:
        stmt = (
            select(Station)
            .where(col(Station.active).is_(True))
            .order_by(col(Station.sort_order), col(Station.id))
        )
        return (await session.execute(stmt)).scalars().all()

    cache = reference_cache(session)
    return list(await load()) if cache is None else await cache.rows(Station, load)


async def get_station(session: AsyncSession, station_id: int) -> Station | None:
    """An active station by id, or None."""
    return next((row for row in await list_stations(session) if row.id == station_id), None)


async def get_station_by_code(session: AsyncSession, code: str) -> Station | None:
    """An active station by its code (the one printed in its QR code), or None."""
    stmt = select(Station).where(Station.code == code, col(Station.active).is_(True))
    return (await session.execute(stmt)).scalar_one_or_none()


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points, in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


async def nearest_stations(
    session: AsyncSession, *, latitude: float, longitude: float, limit: int = 3
) -> list[tuple[Station, float]]:
    """The active stations closest to a point, with their distance in km."""
    located = [
        (station, distance_km(latitude, longitude, station.latitude, station.longitude))
        for station in await list_stations(session)
        if station.latitude is not None and station.longitude is not None
    ]
    located.sort(key=lambda pair: pair[1])
    return located[:limit]


async def list_categories(session: AsyncSession) -> Sequence[IssueCategory]:
    """Active issue categories, in display order (kept in memory, see :mod:`.cached`)."""

    async def load() -> Sequence[IssueCategory]:
        stmt = (
            select(IssueCategory)
            .where(col(IssueCategory.active).is_(True))
            .order_by(col(IssueCategory.sort_order), col(IssueCategory.id))
        )
        return (await session.execute(stmt)).scalars().all()

    cache = reference_cache(session)
    return list(await load()) if cache is None else await cache.rows(IssueCategory, load)


async def get_category(session: AsyncSession, category_id: int) -> IssueCategory | None:
    """An active category by id, or None."""
    return next((row for row in await list_categories(session) if row.id == category_id), None)


async def set_due_days(
    session: AsyncSession, *, code: str, days: int, actor: Actor, now: dt.datetime
) -> tuple[int, int]:
    """Change a category's default time for an answer; returns (before, after). Audited.

    The caller holds the write transaction. Seeding never overwrites the value set here.
    """
    if not MIN_DUE_DAYS <= days <= MAX_DUE_DAYS:
        raise DomainError("due_days_range")
    category = (
        await session.execute(select(IssueCategory).where(col(IssueCategory.code) == code))
    ).scalar_one_or_none()
    if category is None:
        raise DomainError("unknown_category")
    before = category.due_days
    category.due_days = days
    session.add(category)
    audit(
        session,
        actor=actor,
        action="category.due_days",
        object_kind="category",
        object_id=code,
        before={"due_days": before},
        after={"due_days": days},
        now=now,
    )
    return before, days


async def list_sectors(session: AsyncSession) -> Sequence[Sector]:
    """All sectors, in display order."""
    stmt = select(Sector).order_by(col(Sector.sort_order), col(Sector.id))
    return (await session.execute(stmt)).scalars().all()


async def get_sector(session: AsyncSession, sector_id: int) -> Sector | None:
    """One sector by id, or None."""
    return await session.get(Sector, sector_id)


async def list_committees(session: AsyncSession) -> Sequence[SpecialCommittee]:
    """All special committees, in display order."""
    stmt = select(SpecialCommittee).order_by(col(SpecialCommittee.sort_order))
    return (await session.execute(stmt)).scalars().all()
