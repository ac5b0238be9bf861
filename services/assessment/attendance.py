"""Attendance at closed meetings: a member's figures per meeting kind, the office's rate.

"有事必请假": a leave asked for before the start and never decided is counted as the year's
rules say (``undecided_leave``, excused by default) rather than as the absence that
``close_ended`` stored; :func:`effective_attendance` is that one rule, shared with the ledger.
A meeting belongs to the year of its start in the committee's time zone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.assessment.types import AttendanceFigures
from storage.enums import Attendance, MeetingResponse
from storage.models import Meeting, MeetingInvitee, Member

ALL_KINDS = "all"


def year_bounds(year: int, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants where ``year`` starts and ends in the committee's time zone."""
    start = dt.datetime(year, 1, 1, tzinfo=tz).astimezone(dt.UTC)
    end = dt.datetime(year + 1, 1, 1, tzinfo=tz).astimezone(dt.UTC)
    return start, end


def effective_attendance(undecided_leave: str) -> Any:
    """The invitation's attendance as the assessment counts it (a SQL expression).

    Needs ``meeting`` joined: the leave must have been asked before the meeting's start.
    """
    if undecided_leave != Attendance.EXCUSED:
        return col(MeetingInvitee.attendance)
    return case(
        (
            and_(
                col(MeetingInvitee.attendance) == Attendance.ABSENT,
                col(MeetingInvitee.response) == MeetingResponse.LEAVE_REQUESTED,
                col(MeetingInvitee.responded_at) < col(Meeting.starts_at),
            ),
            Attendance.EXCUSED.value,
        ),
        else_=col(MeetingInvitee.attendance),
    )


def closed_in(years: Sequence[int], tz: dt.tzinfo) -> Any:
    """Meetings closed (attendance recorded), not cancelled, started in one of ``years``."""
    windows = [year_bounds(year, tz) for year in years]
    return and_(
        col(Meeting.closed_at).is_not(None),
        col(Meeting.cancelled_at).is_(None),
        col(Meeting.starts_at) >= min(start for start, _ in windows),
        col(Meeting.starts_at) < max(end for _, end in windows),
    )


def term_years(term: str) -> list[int]:
    """The years of a term written like ``2022-2027`` (empty when it names no years)."""
    found = [int(y) for y in re.findall(r"\b(\d{4})\b", term)]
    if not found:
        return []
    return list(range(min(found), max(found) + 1))


def _figures(rows: Sequence[Any]) -> dict[str, AttendanceFigures]:
    by_kind: dict[str, AttendanceFigures] = {}
    for kind, outcome, count in rows:
        one = AttendanceFigures(
            attended=count if outcome == Attendance.ATTENDED else 0,
            excused=count if outcome == Attendance.EXCUSED else 0,
            absent=count if outcome == Attendance.ABSENT else 0,
        )
        by_kind[kind] = by_kind.get(kind, AttendanceFigures()) + one
    total = AttendanceFigures()
    for figures in by_kind.values():
        total = total + figures
    by_kind[ALL_KINDS] = total
    return by_kind


async def member_attendance(
    session: AsyncSession,
    *,
    member_id: int,
    years: Sequence[int],
    tz: dt.tzinfo,
    undecided_leave: str = Attendance.EXCUSED,
) -> dict[str, AttendanceFigures]:
    """A member's attendance in ``years`` per meeting kind, and over every kind (``"all"``).

    Pass one year for the year's figures, :func:`term_years` of ``member.term`` for the term's.
    Only the years themselves count: a year missing from a contiguous span is not filled in.
    """
    if not years:
        return {ALL_KINDS: AttendanceFigures()}
    outcome = effective_attendance(undecided_leave)
    windows = [year_bounds(year, tz) for year in sorted(set(years))]
    in_years = [
        and_(col(Meeting.starts_at) >= start, col(Meeting.starts_at) < end)
        for start, end in windows
    ]

    rows = (
        await session.execute(
            select(col(Meeting.kind), outcome, func.count())
            .select_from(MeetingInvitee)
            .join(Meeting, col(Meeting.id) == col(MeetingInvitee.meeting_id))
            .where(
                col(MeetingInvitee.member_id) == member_id,
                closed_in(years, tz),
                or_(*in_years),
                col(MeetingInvitee.attendance).is_not(None),
            )
            .group_by(col(Meeting.kind), outcome)
        )
    ).all()
    return _figures(rows)


async def office_attendance_rate(
    session: AsyncSession,
    *,
    year: int,
    tz: dt.tzinfo,
    undecided_leave: str = Attendance.EXCUSED,
) -> AttendanceFigures:
    """Every member's attendance at the year's closed meetings, together (the 80 → 90 % figure)."""
    outcome = effective_attendance(undecided_leave)
    rows = (
        await session.execute(
            select(col(Meeting.kind), outcome, func.count())
            .select_from(MeetingInvitee)
            .join(Meeting, col(Meeting.id) == col(MeetingInvitee.meeting_id))
            .where(closed_in([year], tz), col(MeetingInvitee.attendance).is_not(None))
            .group_by(col(Meeting.kind), outcome)
        )
    ).all()
    return _figures(rows)[ALL_KINDS]


async def sector_attendance(
    session: AsyncSession,
    *,
    year: int,
    tz: dt.tzinfo,
    undecided_leave: str,
    sector_id: int | None = None,
) -> dict[int, AttendanceFigures]:
    """Attendance of each sector's members at the year's closed meetings, by sector id."""
    outcome = effective_attendance(undecided_leave)
    stmt = (
        select(col(Member.sector_id), outcome, func.count())
        .select_from(MeetingInvitee)
        .join(Meeting, col(Meeting.id) == col(MeetingInvitee.meeting_id))
        .join(Member, col(Member.id) == col(MeetingInvitee.member_id))
        .where(closed_in([year], tz), col(MeetingInvitee.attendance).is_not(None))
        .group_by(col(Member.sector_id), outcome)
    )
    if sector_id is not None:
        stmt = stmt.where(col(Member.sector_id) == sector_id)
    result: dict[int, AttendanceFigures] = {}
    for sector, state, count in (await session.execute(stmt)).all():
        one = _figures([("", state, count)])[ALL_KINDS]
        result[sector] = result.get(sector, AttendanceFigures()) + one
    return result
