"""Meetings as the desk lists and opens them: upcoming, recent, one with its invitees."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Meeting, MeetingInvitee, Member

LIST_LIMIT = 20


async def get_meeting(session: AsyncSession, meeting_id: int) -> Meeting | None:
    """One meeting by id, or None."""
    return await session.get(Meeting, meeting_id)


async def upcoming_meetings(
    session: AsyncSession, *, now: dt.datetime, limit: int = LIST_LIMIT
) -> list[Meeting]:
    """Meetings not ended and not cancelled, soonest first."""
    found = await session.execute(
        select(Meeting)
        .where(col(Meeting.ends_at) > now, col(Meeting.cancelled_at).is_(None))
        .order_by(col(Meeting.starts_at))
        .limit(limit)
    )
    return list(found.scalars())


async def meetings_since(
    session: AsyncSession, *, since: dt.datetime, limit: int = LIST_LIMIT
) -> list[Meeting]:
    """Meetings that ended after ``since`` or have not ended yet, soonest first."""
    found = await session.execute(
        select(Meeting)
        .where(col(Meeting.ends_at) > since)
        .order_by(col(Meeting.starts_at))
        .limit(limit)
    )
    return list(found.scalars())


async def invitees_of(
    session: AsyncSession, meeting_id: int
) -> list[tuple[MeetingInvitee, Member]]:
    """Every invitation of a meeting with its member, by member code."""
    rows = await session.execute(
        select(MeetingInvitee, Member)
        .join(Member, col(Member.id) == col(MeetingInvitee.member_id))
        .where(col(MeetingInvitee.meeting_id) == meeting_id)
        .order_by(col(Member.code))
    )
    return [(invitee, member) for invitee, member in rows.all()]
