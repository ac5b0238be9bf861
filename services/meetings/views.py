"""Meetings as they are listed: the desk's upcoming and recent ones, a member's own, invitees."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Meeting, MeetingInvitee, Member

LIST_LIMIT = 20
MEMBER_PAGE_SIZE = 5


@dataclass(frozen=True)
class MemberMeetingPage:
    """A page of the meetings a member is invited to, with their invitations, soonest first."""

    items: list[tuple[Meeting, MeetingInvitee]]
    total: int
    page: int
    pages: int


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


async def member_meetings_page(
    session: AsyncSession,
    *,
    member_id: int,
    now: dt.datetime,
    page: int = 0,
    page_size: int = MEMBER_PAGE_SIZE,
) -> MemberMeetingPage:
    """A page of the member's meetings that have not ended and are not cancelled, soonest first.

    A page out of range gives the nearest page there is.
    """
    where = (
        col(MeetingInvitee.member_id) == member_id,
        col(Meeting.ends_at) > now,
        col(Meeting.cancelled_at).is_(None),
    )
    joined = (
        select(func.count())
        .select_from(Meeting)
        .join(MeetingInvitee, col(MeetingInvitee.meeting_id) == col(Meeting.id))
    )
    total = (await session.execute(joined.where(*where))).scalar_one()
    pages = max(1, math.ceil(total / page_size))
    page = min(max(page, 0), pages - 1)
    rows = await session.execute(
        select(Meeting, MeetingInvitee)
        .join(MeetingInvitee, col(MeetingInvitee.meeting_id) == col(Meeting.id))
        .where(*where)
        .order_by(col(Meeting.starts_at), col(Meeting.id))
        .offset(page * page_size)
        .limit(page_size)
    )
    items = [(meeting, invitee) for meeting, invitee in rows.all()]
    return MemberMeetingPage(items=items, total=total, page=page, pages=pages)
