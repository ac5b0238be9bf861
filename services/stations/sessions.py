"""Open sessions at a station: staff schedule, change or cancel one; subscribers are told.

Subscribers are told through :mod:`services.stations.announcements`: a change raises the
version (a new notice) and withdraws the reminders still pending, a cancellation tells
everyone told before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.audit import Actor, audit, changes
from services.errors import DomainError
from services.outbox.notices import Notifier
from services.outbox.queue import Recipient, add
from services.reference.catalog import get_category, get_station
from services.stations.announcements import KEY_PREFIX, announce, subscriber_chats, withdraw_pending
from storage.db import write_transaction
from storage.models import (
    Station,
    StationSession,
)

TITLE_MAX = 120
DESCRIPTION_MAX = 1000
VENUE_MAX = 120
LONGEST = dt.timedelta(hours=12)


@dataclass(frozen=True)
class SessionDraft:
    """What staff enter for an open session; times are aware datetimes."""

    station_id: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    venue: str = ""
    description: str = ""
    category_id: int | None = None


def _text(value: str, *, maximum: int, field: str, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise DomainError("session_field_empty", field=field)
    if len(value) > maximum:
        raise DomainError("session_field_long", field=field, maximum=maximum)
    return value


async def _checked(session: AsyncSession, draft: SessionDraft, now: dt.datetime) -> SessionDraft:
    if await get_station(session, draft.station_id) is None:
        raise DomainError("station_unknown")
    if draft.category_id is not None and await get_category(session, draft.category_id) is None:
        raise DomainError("category_unknown")
    if draft.starts_at <= now:
        raise DomainError("session_in_past")
    if not draft.starts_at < draft.ends_at <= draft.starts_at + LONGEST:
        raise DomainError("session_times_wrong", hours=int(LONGEST.total_seconds() // 3600))
    return SessionDraft(
        station_id=draft.station_id,
        title=_text(draft.title, maximum=TITLE_MAX, field="title", required=True),
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        venue=_text(draft.venue, maximum=VENUE_MAX, field="venue"),
        description=_text(draft.description, maximum=DESCRIPTION_MAX, field="description"),
        category_id=draft.category_id,
    )


def snapshot(row: StationSession) -> dict[str, Any]:
    """The fields staff change, for the audit log."""
    return {
        "station_id": row.station_id,
        "title": row.title,
        "venue": row.venue,
        "starts_at": row.starts_at.isoformat(),
        "ends_at": row.ends_at.isoformat(),
        "category_id": row.category_id,
        "version": row.version,
        "cancelled_at": row.cancelled_at.isoformat() if row.cancelled_at else None,
    }


async def staff_session(
    session: AsyncSession, session_id: int, scope: StaffScope
) -> StationSession:
    """The session if it is within the staff member's scope; unknown otherwise."""
    row = await session.get(StationSession, session_id)
    if row is None or not scope.covers(row.station_id):
        # Out of scope reads the same as unknown: no hint that the session exists.
        raise DomainError("session_unknown")
    return row


async def schedule_session(
    session: AsyncSession,
    *,
    scope: StaffScope,
    draft: SessionDraft,
    notifier: Notifier,
    now: dt.datetime,
) -> StationSession:
    """Create an open session at a station in scope and announce it to its subscribers."""
    scope.require(draft.station_id)
    draft = await _checked(session, draft, now)
    async with write_transaction(session):
        row = StationSession(
            station_id=draft.station_id,
            title=draft.title,
            description=draft.description,
            category_id=draft.category_id,
            venue=draft.venue,
            starts_at=draft.starts_at,
            ends_at=draft.ends_at,
            created_by_staff_id=scope.staff_id,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        await session.flush()
        await announce(session, row, notifier=notifier, now=now)
        audit(
            session,
            actor=Actor("staff", scope.staff_id, scope.name),
            action="station_session.schedule",
            object_kind="station_session",
            object_id=row.id,
            after=snapshot(row),
            now=now,
        )
    return row


async def edit_session(
    session: AsyncSession,
    *,
    scope: StaffScope,
    session_id: int,
    draft: SessionDraft,
    notifier: Notifier,
    now: dt.datetime,
) -> StationSession:
    """Change a session not yet started; its subscribers are told of the new version."""
    scope.require(draft.station_id)
    draft = await _checked(session, draft, now)
    async with write_transaction(session):
        row = await staff_session(session, session_id, scope)
        if row.cancelled_at is not None or row.starts_at <= now:
            raise DomainError("session_closed")
        before = snapshot(row)
        row.station_id = draft.station_id
        row.title = draft.title
        row.description = draft.description
        row.category_id = draft.category_id
        row.venue = draft.venue
        row.starts_at = draft.starts_at
        row.ends_at = draft.ends_at
        row.version += 1
        row.updated_at = now
        await withdraw_pending(session, session_id)
        await announce(session, row, notifier=notifier, now=now)
        old, new = changes(before, snapshot(row))
        audit(
            session,
            actor=Actor("staff", scope.staff_id, scope.name),
            action="station_session.edit",
            object_kind="station_session",
            object_id=row.id,
            before=old,
            after=new,
            now=now,
        )
    return row


async def cancel_session(
    session: AsyncSession,
    *,
    scope: StaffScope,
    session_id: int,
    notifier: Notifier,
    now: dt.datetime,
) -> StationSession:
    """Cancel a session not yet started; the subscribers are told."""
    async with write_transaction(session):
        row = await staff_session(session, session_id, scope)
        if row.cancelled_at is not None or row.starts_at <= now:
            raise DomainError("session_closed")
        before = snapshot(row)
        row.cancelled_at = now
        row.updated_at = now
        await withdraw_pending(session, session_id)
        station = await session.get(Station, row.station_id)
        for identity in await subscriber_chats(session, row.station_id):
            await add(
                session,
                to=Recipient.of(identity),
                message=notifier.render(
                    "station-session-cancelled", identity, item=row, station=station
                ),
                dedupe_key=f"{KEY_PREFIX}-cancelled:{row.id}:{identity.id}",
                now=now,
                kind="station-session-cancelled",
            )
        audit(
            session,
            actor=Actor("staff", scope.staff_id, scope.name),
            action="station_session.cancel",
            object_kind="station_session",
            object_id=row.id,
            before=before,
            after=snapshot(row),
            now=now,
        )
    return row


async def staff_sessions(
    session: AsyncSession, *, scope: StaffScope, now: dt.datetime, past_days: int = 30
) -> Sequence[StationSession]:
    """Sessions in scope, from ``past_days`` ago on, soonest first."""
    stmt = (
        select(StationSession)
        .where(
            scope.stations_clause(StationSession.station_id),
            col(StationSession.ends_at) >= now - dt.timedelta(days=past_days),
        )
        .order_by(col(StationSession.starts_at), col(StationSession.id))
    )
    return (await session.execute(stmt)).scalars().all()


async def upcoming_sessions(
    session: AsyncSession, *, station_id: int, now: dt.datetime, limit: int = 5
) -> Sequence[StationSession]:
    """The station's announced sessions not yet over and not cancelled, soonest first."""
    stmt = (
        select(StationSession)
        .where(
            col(StationSession.station_id) == station_id,
            col(StationSession.announced_at).is_not(None),
            col(StationSession.cancelled_at).is_(None),
            col(StationSession.ends_at) > now,
        )
        .order_by(col(StationSession.starts_at), col(StationSession.id))
        .limit(limit)
    )
    return (await session.execute(stmt)).scalars().all()
