"""Members' attendance in a year: invitations to closed meetings, and how many they attended.

The tie-breaker "higher attendance rate" and the reminder-talk list read these figures.
Only closed, not cancelled meetings count: before a meeting is closed nobody's attendance is
written. The year is the committee's calendar year of the meeting's start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.enums import Attendance
from storage.models import Meeting, MeetingInvitee


@dataclass(frozen=True)
class Presence:
    """Invitations to closed meetings, and how many of them were attended."""

    invited: int = 0
    attended: int = 0

    @property
    def rate(self) -> Fraction | None:
        """Attended ÷ invited; None when never invited."""
        return Fraction(self.attended, self.invited) if self.invited else None

    def __add__(self, other: Presence) -> Presence:
        return Presence(self.invited + other.invited, self.attended + other.attended)


def year_bounds(year: int, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of ``year`` and of the next one, in the committee's zone."""
    return (
        dt.datetime(year, 1, 1, tzinfo=tz),
        dt.datetime(year + 1, 1, 1, tzinfo=tz),
    )


async def presence(
    session: AsyncSession,
    *,
    year: int,
    member_ids: Collection[int] | None = None,
    tz: dt.tzinfo,
) -> dict[int, Presence]:
    """Each member's invitations and attendance in ``year`` (all members, or those given)."""
    start, end = year_bounds(year, tz)
    attended = func.sum(case((col(MeetingInvitee.attendance) == Attendance.ATTENDED, 1), else_=0))
    stmt = (
        select(col(MeetingInvitee.member_id), func.count(), attended)
        .join(Meeting, col(Meeting.id) == col(MeetingInvitee.meeting_id))
        .where(
            col(Meeting.closed_at).is_not(None),
            col(Meeting.cancelled_at).is_(None),
            col(Meeting.starts_at) >= start,
            col(Meeting.starts_at) < end,
        )
        .group_by(col(MeetingInvitee.member_id))
    )
    if member_ids is not None:
        stmt = stmt.where(col(MeetingInvitee.member_id).in_(sorted(member_ids)))
    rows = (await session.execute(stmt)).all()
    return {member: Presence(int(invited), int(came or 0)) for member, invited, came in rows}
