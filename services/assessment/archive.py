"""A member's performance archive (履职档案) for one year: every record behind the score.

The archive joins what the member did (activities with the people and paired people they
reached, training and research), the meetings they were invited to with their attendance and
leave, their social-conditions reports and proposals with the outcome, the office's entries,
the six ones, and the year's score and rank. The score, rank and item points come from the
year's standings: live while the year is open, frozen from ``assessment_result`` and the
rules snapshot once it is closed — so a published archive never changes when the rules file
is edited later. The records themselves carry the raw (uncapped) points their ledger lines
gave, so a reader sees which record earned what.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.assessment.archive_records import member_entries, member_proposals, member_reports
from services.assessment.archive_types import (
    Archive,
    ArchiveActivity,
    ArchiveItem,
    ArchiveMeeting,
    Named,
)
from services.assessment.attendance import effective_attendance, member_attendance, year_bounds
from services.assessment.scores import member_lines, member_score
from services.assessment.standings import MEMBER, OPEN, YearStandings, year_standings
from services.errors import DomainError
from services.meetings.invitations import meeting_kind
from services.members.progress import member_progress
from services.members.rules import Rules
from storage.models import (
    Activity,
    ActivityPairedPerson,
    AssessmentResult,
    Meeting,
    MeetingInvitee,
    Member,
    PairedPerson,
    Sector,
)

# Activity kinds the archive lists apart as "training and research" (the rules' M09/M10).
STUDY_KINDS = frozenset({"training", "research"})


async def member_archive(
    session: AsyncSession,
    *,
    member_id: int,
    year: int,
    rules: Rules,
    tz: dt.tzinfo,
    standings: YearStandings | None = None,
) -> Archive:
    """Everything of ``member_id``'s ``year``; ``standings`` may be passed for a whole roster.

    Refused with ``unknown_member`` for a member id that does not exist.
    """
    member = await session.get(Member, member_id)
    if member is None:
        raise DomainError("unknown_member", value=str(member_id))
    if standings is None:
        standings = await year_standings(session, year=year, rules=rules, tz=tz)
    sector = await session.get(Sector, member.sector_id)
    points = await _points_by_source(session, member_id, year)
    place = standings.place(MEMBER, member_id)
    group, row = place if place is not None else (None, None)
    activities = await _activities(session, member_id, year, rules, points)
    attendance = await member_attendance(
        session,
        member_id=member_id,
        years=[year],
        tz=tz,
        undecided_leave=standings.rules.undecided_leave,
    )
    # The six ones as they stood at the year's end (or today, for the year under way).
    last_day = dt.date(year, 12, 31)
    progress = await member_progress(
        session, member_id=member_id, rules=rules, today=last_day, tz=tz
    )
    return Archive(
        year=year,
        state=standings.state,
        rules_version=standings.rules_version,
        member_code=member.code,
        member_name=member.name,
        term=member.term,
        sector=Named(sector.code, sector.name_zh, sector.name_en) if sector else None,
        group=Named(group.code, group.name_zh, group.name_en) if group else None,
        total_c=row.total_c if row else 0,
        ranked=bool(row and row.ranked),
        rank=row.rank if row else None,
        group_size=group.size if group else 0,
        in_pool=bool(row and row.in_pool),
        excellent=standings.decision(MEMBER, member_id).excellent,
        items=await _items(session, standings, member_id, rules),
        activities=tuple(a for a in activities if a.kind.code not in STUDY_KINDS),
        studies=tuple(a for a in activities if a.kind.code in STUDY_KINDS),
        meetings=await _meetings(session, member_id, year, tz, standings, points),
        reports=await member_reports(session, member_id, year, tz, points),
        proposals=await member_proposals(session, member_id, year, points),
        entries=await member_entries(session, member_id, year, standings, points),
        six_ones=tuple(
            (Named(one.code, one.name_zh, one.name_en), done) for one, done in progress.six_ones
        ),
        attendance=attendance,
    )


async def _points_by_source(
    session: AsyncSession, member_id: int, year: int
) -> dict[tuple[str, int], int]:
    """The raw points each source record gave the member this year, summed over its items."""
    found: dict[tuple[str, int], int] = defaultdict(int)
    for line in await member_lines(session, member_id=member_id, year=year):
        found[(line.source_kind, line.source_id)] += line.points_c
    return dict(found)


async def _items(
    session: AsyncSession, standings: YearStandings, member_id: int, rules: Rules
) -> tuple[ArchiveItem, ...]:
    """Capped points per item, named from the rules the year is ranked under."""
    section = standings.rules
    if standings.state == OPEN:
        score = await member_score(
            session, member_id=member_id, year=standings.year, rules=rules, tz=dt.UTC
        )
        found = {item.code: (item.points_c, item.lines) for item in score.items}
    else:
        result = await session.get(AssessmentResult, (standings.year, MEMBER, member_id))
        frozen = json.loads(result.items) if result is not None else {}
        found = {code: (int(value), 0) for code, value in frozen.items()}
    return tuple(
        ArchiveItem(Named(item.code, item.name_zh, item.name_en), item.kind, *found[item.code])
        for item in section.member_items
        if item.code in found
    )


async def _activities(
    session: AsyncSession,
    member_id: int,
    year: int,
    rules: Rules,
    points: dict[tuple[str, int], int],
) -> list[ArchiveActivity]:
    kinds = {kind.code: kind for kind in rules.activity_kinds}
    rows = (
        (
            await session.execute(
                select(Activity)
                .where(
                    col(Activity.member_id) == member_id,
                    col(Activity.occurred_on) >= dt.date(year, 1, 1),
                    col(Activity.occurred_on) <= dt.date(year, 12, 31),
                    col(Activity.deleted_at).is_(None),
                )
                .order_by(col(Activity.occurred_on), col(Activity.id))
            )
        )
        .scalars()
        .all()
    )
    paired: dict[int, list[str]] = defaultdict(list)
    if rows:
        links = await session.execute(
            select(col(ActivityPairedPerson.activity_id), col(PairedPerson.name))
            .join(PairedPerson, col(PairedPerson.id) == col(ActivityPairedPerson.paired_person_id))
            .where(col(ActivityPairedPerson.activity_id).in_([a.id for a in rows]))
            .order_by(col(PairedPerson.position))
        )
        for activity_id, name in links.all():
            paired[activity_id].append(name)
    result = []
    for activity in rows:
        kind = kinds.get(activity.kind)
        named = (
            Named(kind.code, kind.name_zh, kind.name_en)
            if kind
            else Named(activity.kind, activity.kind, activity.kind)
        )
        result.append(
            ArchiveActivity(
                occurred_on=activity.occurred_on,
                kind=named,
                people_count=activity.people_count,
                place=activity.place,
                summary=activity.summary,
                paired=tuple(paired.get(activity.id or 0, [])),
                points_c=points.get(("activity", activity.id or 0), 0),
            )
        )
    return result


async def _meetings(
    session: AsyncSession,
    member_id: int,
    year: int,
    tz: dt.tzinfo,
    standings: YearStandings,
    points: dict[tuple[str, int], int],
) -> tuple[ArchiveMeeting, ...]:
    """Every invitation of the year; attendance only once the meeting was closed."""
    start, end = year_bounds(year, tz)
    outcome = effective_attendance(standings.rules.undecided_leave)
    rows = await session.execute(
        select(Meeting, col(MeetingInvitee.response), col(MeetingInvitee.leave_reason), outcome)
        .join(MeetingInvitee, col(MeetingInvitee.meeting_id) == col(Meeting.id))
        .where(
            col(MeetingInvitee.member_id) == member_id,
            col(Meeting.starts_at) >= start,
            col(Meeting.starts_at) < end,
            col(Meeting.cancelled_at).is_(None),
        )
        .order_by(col(Meeting.starts_at))
    )
    result = []
    for meeting, response, reason, state in rows.all():
        kind = meeting_kind(meeting.kind)
        result.append(
            ArchiveMeeting(
                starts_on=meeting.starts_at.astimezone(tz).date(),
                title=meeting.title,
                kind=Named(meeting.kind, kind.name_zh, kind.name_en)
                if kind
                else Named(meeting.kind, meeting.kind, meeting.kind),
                attendance=state if meeting.closed_at is not None else None,
                response=response,
                leave_reason=reason or "",
                points_c=points.get(("invitation", meeting.id or 0), 0),
            )
        )
    return tuple(result)
