"""Which meetings a chat holds a guest pass for: the one check every guest screen makes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import MeetingGuest


def pass_is_valid(guest: MeetingGuest, *, now: dt.datetime) -> bool:
    """Redeemed, not revoked and not expired."""
    return guest.redeemed_at is not None and guest.revoked_at is None and guest.expires_at > now


async def guest_of(
    session: AsyncSession, *, identity_id: int, meeting_id: int, now: dt.datetime
) -> MeetingGuest | None:
    """The chat's valid guest pass for ``meeting_id``, or None."""
    rows = await session.scalars(
        select(MeetingGuest).where(
            col(MeetingGuest.identity_id) == identity_id,
            col(MeetingGuest.meeting_id) == meeting_id,
        )
    )
    for guest in rows:
        if pass_is_valid(guest, now=now):
            return guest
    return None


async def guest_passes(
    session: AsyncSession, *, identity_id: int, now: dt.datetime
) -> list[MeetingGuest]:
    """The chat's valid guest passes, newest first."""
    rows = await session.scalars(
        select(MeetingGuest)
        .where(col(MeetingGuest.identity_id) == identity_id)
        .order_by(col(MeetingGuest.created_at).desc())
    )
    return [guest for guest in rows if pass_is_valid(guest, now=now)]
