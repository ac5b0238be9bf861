"""The year-end summary: every active member with a linked chat gets their own year, once.

From the committee's 31 December at 18:00 (local) until the end of 7 January, each planner
run queues what is not queued yet: a bot down over New Year catches up, and a summary not
delivered by then is dropped (``expires_at``) — in mid-January it would only confuse. The
summary is not urgent, so quiet hours hold it until morning. Figures are computed only for
members whose key is not in the outbox yet, so the hourly runs after the first cost little.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.assessment.archive_types import Named
from services.assessment.scores import year_scores
from services.assessment.standings import MEMBER, OPEN, YearStandings, year_standings
from services.assessment.types import AttendanceFigures
from services.meetings.invitations import member_chats
from services.members.progress import member_progress
from services.members.rules import RuleBook, Rules
from services.reminders.planning import Due, already_queued
from services.reports.attendance_report import attendance_report
from storage.enums import MemberStatus
from storage.models import AssessmentResult, Member

SUMMARY_KIND = "assessment-year-summary"
SENDS_FROM = dt.time(18, 0)
LAST_DAY = 7  # of January
TOP_ITEMS = 3


def summary_key(year: int, member_id: int, identity_id: int) -> str:
    """One summary per member and year; each of the member's chats gets it once."""
    return f"assessment:{year}:summary:{member_id}:{identity_id}"


def summary_year(now: dt.datetime, tz: dt.tzinfo) -> int | None:
    """The year whose summaries are due at ``now``; None outside 31 Dec 18:00 to 7 Jan."""
    local = now.astimezone(tz)
    if local.month == 12 and local.day == 31 and local.time() >= SENDS_FROM:
        return local.year
    if local.month == 1 and local.day <= LAST_DAY:
        return local.year - 1
    return None


async def year_summaries(
    session: AsyncSession, *, now: dt.datetime, tz: dt.tzinfo, rulebook: RuleBook
) -> list[Due]:
    """The summaries due now and not queued yet (nothing for a year without an assessment)."""
    year = summary_year(now, tz)
    if year is None:
        return []
    rules = rulebook.for_year(year)
    if rules.assessment is None:
        return []
    member_ids = [
        member_id
        for member_id in (
            await session.execute(
                select(col(Member.id))
                .where(col(Member.status) == MemberStatus.ACTIVE)
                .order_by(col(Member.id))
            )
        ).scalars()
        if member_id
    ]
    chats = await member_chats(session, member_ids)
    keys = {
        (member_id, identity.id or 0): summary_key(year, member_id, identity.id or 0)
        for member_id, identities in chats.items()
        for identity in identities
    }
    done = await already_queued(session, list(keys.values()))
    waiting = {m for (m, i), key in keys.items() if key not in done}
    if not waiting:
        return []
    standings = await year_standings(session, year=year, rules=rules, tz=tz)
    points = await _item_points(session, standings, rules)
    attendance = await attendance_report(
        session, years=[year], tz=tz, undecided_leave=standings.rules.undecided_leave
    )
    rates = {row.member_id: row.total for row in attendance.members}
    expires = dt.datetime(year + 1, 1, LAST_DAY + 1, tzinfo=tz)
    dues = []
    for member_id in sorted(waiting):
        data = await _summary_data(
            session,
            member_id=member_id,
            standings=standings,
            rules=rules,
            points=points.get(member_id, {}),
            attendance=rates.get(member_id, AttendanceFigures()),
            tz=tz,
        )
        for identity in chats[member_id]:
            key = keys[(member_id, identity.id or 0)]
            if key in done:
                continue
            dues.append(
                Due(key=key, kind=SUMMARY_KIND, identity=identity, data=data, expires_at=expires)
            )
    return dues


async def _item_points(
    session: AsyncSession, standings: YearStandings, rules: Rules
) -> dict[int, dict[str, int]]:
    """Every member's capped points per item: live while open, frozen once closed."""
    if standings.state == OPEN:
        scores = await year_scores(session, year=standings.year, rules=rules)
        return {m: {i.code: i.points_c for i in s.items} for m, s in scores.items()}
    rows = await session.execute(
        select(col(AssessmentResult.subject_id), col(AssessmentResult.items)).where(
            col(AssessmentResult.year) == standings.year,
            col(AssessmentResult.subject_kind) == MEMBER,
        )
    )
    return {member_id: json.loads(items) for member_id, items in rows.all()}


async def _summary_data(
    session: AsyncSession,
    *,
    member_id: int,
    standings: YearStandings,
    rules: Rules,
    points: dict[str, int],
    attendance: AttendanceFigures,
    tz: dt.tzinfo,
) -> dict[str, object]:
    """What the notice says for one member (names in both languages, points in hundredths)."""
    place = standings.place(MEMBER, member_id)
    group, row = place if place is not None else (None, None)
    progress = await member_progress(
        session, member_id=member_id, rules=rules, today=dt.date(standings.year, 12, 31), tz=tz
    )
    ordered = sorted(
        ((code, value) for code, value in points.items() if value > 0), key=lambda p: -p[1]
    )
    top = []
    for code, value in ordered[:TOP_ITEMS]:
        item = standings.rules.item(code)
        name = Named(code, item.name_zh, item.name_en) if item else Named(code, code, code)
        top.append((name, value))
    return {
        "year": standings.year,
        "total_c": row.total_c if row else 0,
        "rank": row.rank if row else None,
        "size": group.size if group else 0,
        "group": Named(group.code, group.name_zh, group.name_en) if group else None,
        "attendance": attendance,
        "six_done": sum(1 for _one, done in progress.six_ones if done),
        "six_total": len(progress.six_ones),
        "top": top,
    }
