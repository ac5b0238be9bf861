"""Telling a station's subscribers of an open session.

One notice per subscribed resident under a key naming the session and its version, plus a
reminder due the day before (gone stale once the session starts). A changed or cancelled
session withdraws the reminders still pending, so no older version goes out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.outbox.notices import Notifier
from services.outbox.queue import OutboxState, Recipient, add
from storage.models import (
    ChatIdentity,
    OutboxMessage,
    Resident,
    Station,
    StationSession,
    StationSubscription,
)

EVE = dt.timedelta(days=1)
KEY_PREFIX = "station-session"


async def subscriber_chats(session: AsyncSession, station_id: int) -> Sequence[ChatIdentity]:
    """The chats of the residents subscribed to the station."""
    stmt = (
        select(ChatIdentity)
        .join(Resident, col(Resident.identity_id) == col(ChatIdentity.id))
        .join(StationSubscription, col(StationSubscription.resident_id) == col(Resident.id))
        .where(col(StationSubscription.station_id) == station_id)
        .order_by(col(ChatIdentity.id))
    )
    return (await session.execute(stmt)).scalars().all()


async def withdraw_pending(session: AsyncSession, session_id: int) -> None:
    """Pending notices of an older version must not go out once the session changed."""
    await session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.dedupe_key).like(f"{KEY_PREFIX}:{session_id}:%"),
            col(OutboxMessage.state) == OutboxState.PENDING,
        )
        .values(state=OutboxState.CANCELLED)
    )


async def announce(
    session: AsyncSession, row: StationSession, *, notifier: Notifier, now: dt.datetime
) -> int:
    """Queue the session's notice and its eve reminder to every subscriber; how many new."""
    station = await session.get(Station, row.station_id)
    assert station is not None
    assert row.id is not None
    prefix = f"{KEY_PREFIX}:{row.id}:v{row.version}"
    queued = 0
    eve = row.starts_at - EVE
    for identity in await subscriber_chats(session, row.station_id):
        queued += await add(
            session,
            to=Recipient.of(identity),
            message=notifier.render(
                "station-session", identity, item=row, station=station, changed=row.version > 1
            ),
            dedupe_key=f"{prefix}:{identity.id}",
            now=now,
            kind="station-session",
        )
        if eve > now:
            await add(
                session,
                to=Recipient.of(identity),
                message=notifier.render("station-session-eve", identity, item=row, station=station),
                dedupe_key=f"{prefix}:eve:{identity.id}",
                now=now,
                due_at=eve,
                expires_at=row.starts_at,
                kind="station-session-eve",
            )
    row.announced_at = row.announced_at or now
    return queued
