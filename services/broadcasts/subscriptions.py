"""Residents' opt-in to a liaison station's notices (open sessions, news from the station)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.identities import find_resident, get_or_create_resident
from services.errors import NotFoundError
from services.reference.catalog import get_station
from storage.db import write_transaction
from storage.models import Resident, Station, StationSubscription
from storage.queries import insert_ignore, table_of


async def is_subscribed(session: AsyncSession, *, identity_id: int, station_id: int) -> bool:
    """Whether the chat receives the station's notices."""
    stmt = (
        select(col(StationSubscription.station_id))
        .join(Resident, col(Resident.id) == col(StationSubscription.resident_id))
        .where(
            col(Resident.identity_id) == identity_id,
            col(StationSubscription.station_id) == station_id,
        )
    )
    return (await session.execute(stmt)).first() is not None


async def subscribe(
    session: AsyncSession, *, identity_id: int, station_id: int, now: dt.datetime
) -> bool:
    """Opt a chat in to an active station's notices; False when it already was."""
    if await get_station(session, station_id) is None:
        raise NotFoundError("station")
    resident = await get_or_create_resident(session, identity_id=identity_id, now=now)
    assert resident.id is not None
    async with write_transaction(session):
        return await insert_ignore(
            session,
            table_of(StationSubscription),
            {"resident_id": resident.id, "station_id": station_id, "created_at": now},
            conflict_columns=["resident_id", "station_id"],
        )


async def unsubscribe(session: AsyncSession, *, identity_id: int, station_id: int) -> bool:
    """Opt a chat out of a station's notices; False when it was not in."""
    resident = await find_resident(session, identity_id=identity_id)
    if resident is None:
        return False
    async with write_transaction(session):
        result = await session.execute(
            delete(StationSubscription).where(
                col(StationSubscription.resident_id) == resident.id,
                col(StationSubscription.station_id) == station_id,
            )
        )
    return bool(getattr(result, "rowcount", 0))


async def subscriptions(session: AsyncSession, *, identity_id: int) -> Sequence[Station]:
    """The active stations whose notices the chat receives, in display order."""
    stmt = (
        select(Station)
        .join(StationSubscription, col(StationSubscription.station_id) == col(Station.id))
        .join(Resident, col(Resident.id) == col(StationSubscription.resident_id))
        .where(col(Resident.identity_id) == identity_id, col(Station.active).is_(True))
        .order_by(col(Station.sort_order), col(Station.id))
    )
    return (await session.execute(stmt)).scalars().all()
