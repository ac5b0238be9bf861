"""Meetings that are over, with their attendance: the desk's counts, and a member's own."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.meetings.attendance import attendance_of
from storage.enums import Attendance
from storage.models import Meeting, MeetingInvitee

PAGE_SIZE = 5


@dataclass(frozen=True)
class PastPage:
    """A page of past meetings, latest first; ``items`` as the function building it says."""

    items: list[Any]
    total: int
    page: int
    pages: int


def outcome(invitee: MeetingInvitee) -> Attendance:
    """How the invitation ended: as recorded, or as it will be once the meeting is closed."""
    if invitee.attendance:
        return Attendance(invitee.attendance)
    return attendance_of(invitee)


def _page_of(total: int, page: int, page_size: int) -> tuple[int, int]:
    pages = max(1, math.ceil(total / page_size))
    return min(max(page, 0), pages - 1), pages


def _over(now: dt.datetime) -> tuple[Any, ...]:
    return (col(Meeting.ends_at) <= now, col(Meeting.cancelled_at).is_(None))


async def past_meetings_page(
    session: AsyncSession, *, now: dt.datetime, page: int = 0, page_size: int = PAGE_SIZE
) -> PastPage:
    """Meetings that ended (not cancelled), latest first, each with its attendance counts.

    ``items`` are (meeting, counts) pairs, counts by :class:`Attendance`; a page out of range
    gives the nearest page there is.
    """
    total = (
        await session.execute(select(func.count()).select_from(Meeting).where(*_over(now)))
    ).scalar_one()
    page, pages = _page_of(total, page, page_size)
    meetings = list(
        (
            await session.execute(
                select(Meeting)
                .where(*_over(now))
                .order_by(col(Meeting.starts_at).desc(), col(Meeting.id).desc())
                .offset(page * page_size)
                .limit(page_size)
            )
        ).scalars()
    )
    counts: dict[int, Counter[Attendance]] = {meeting.id or 0: Counter() for meeting in meetings}
    if meetings:
        invitees = await session.execute(
            select(MeetingInvitee).where(col(MeetingInvitee.meeting_id).in_(list(counts)))
        )
        for invitee in invitees.scalars():
            counts[invitee.meeting_id][outcome(invitee)] += 1
    items = [(meeting, counts[meeting.id or 0]) for meeting in meetings]
    return PastPage(items=items, total=total, page=page, pages=pages)


async def member_past_page(
    session: AsyncSession,
    *,
    member_id: int,
    now: dt.datetime,
    page: int = 0,
    page_size: int = PAGE_SIZE,
) -> PastPage:
    """The member's meetings that ended, latest first: ``items`` are (meeting, outcome) pairs."""
    where = (*_over(now), col(MeetingInvitee.member_id) == member_id)
    joined = select(Meeting, MeetingInvitee).join(
        MeetingInvitee, col(MeetingInvitee.meeting_id) == col(Meeting.id)
    )
    total = (
        await session.execute(
            select(func.count())
            .select_from(Meeting)
            .join(MeetingInvitee, col(MeetingInvitee.meeting_id) == col(Meeting.id))
            .where(*where)
        )
    ).scalar_one()
    page, pages = _page_of(total, page, page_size)
    rows = await session.execute(
        joined.where(*where)
        .order_by(col(Meeting.starts_at).desc(), col(Meeting.id).desc())
        .offset(page * page_size)
        .limit(page_size)
    )
    items = [(meeting, outcome(invitee)) for meeting, invitee in rows.all()]
    return PastPage(items=items, total=total, page=page, pages=pages)
