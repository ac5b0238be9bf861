"""Per-member, per-quarter counts of activities under the year's rules, kept in step with them.

A six one can also be fulfilled by a check-in at a meeting (``SixOne.meeting_kinds``: the
plenary). That part is not in the tallies but read with one query (``meeting_six_ones``):
check-ins and attendance are written by the meetings' services, which know nothing of the
rules, and a tally refreshed there would go stale whenever a rules file changed its meeting
kinds. The query reads the small set of invitations of a few meeting kinds in one year.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import case, delete, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.calendar import Quarter
from services.members.rules import SIX_ONES_SLOTS, Rules
from storage.enums import Attendance
from storage.models import Activity, ActivityTally, Meeting, MeetingInvitee
from storage.queries import table_of, upsert

SLOT_COLUMNS = tuple(f"six_{slot}" for slot in range(1, SIX_ONES_SLOTS + 1))


def tally_values(rules: Rules, counts: Iterable[tuple[str, int, int]]) -> dict[str, int]:
    """The tally columns for ``(kind, activities, people)`` counts of one member's quarter."""
    values = {"activities": 0, "qualifying": 0, "person_times": 0}
    values.update(dict.fromkeys(SLOT_COLUMNS, 0))
    quarter_kinds, person_kinds = set(rules.counts.quarter), set(rules.counts.person_times)
    for kind, activities, people in counts:
        values["activities"] += activities
        if kind in quarter_kinds:
            values["qualifying"] += activities
        if kind in person_kinds:
            values["person_times"] += people
        for slot in rules.six_ones_of(kind):
            values[SLOT_COLUMNS[slot]] += activities
    return values


async def refresh_tally(
    session: AsyncSession, *, member_id: int, quarter: Quarter, rules: Rules
) -> None:
    """Recount one member's quarter from its activities (inside the caller's transaction)."""
    rows = (
        await session.execute(
            select(
                col(Activity.kind), func.count(), func.coalesce(func.sum(Activity.people_count), 0)
            )
            .where(
                col(Activity.member_id) == member_id,
                col(Activity.occurred_on).between(quarter.start, quarter.end),
                col(Activity.deleted_at).is_(None),
            )
            .group_by(col(Activity.kind))
        )
    ).all()
    values = tally_values(rules, ((kind, int(n), int(people)) for kind, n, people in rows))
    await upsert(
        session,
        table_of(ActivityTally),
        {
            "member_id": member_id,
            "year": quarter.year,
            "quarter": quarter.number,
            "fingerprint": rules.fingerprint,
            **values,
        },
        conflict_columns=["member_id", "year", "quarter"],
        update_columns=["fingerprint", *values],
    )


async def tallies_are_current(session: AsyncSession, *, year: int, rules: Rules) -> bool:
    """Whether every tally of the year was counted under these rules.

    The lowest and the highest fingerprint of the year are two index look-ups; both equal
    to the rules' own means every row is current.
    """
    in_year = col(ActivityTally.year) == year
    lowest = (
        await session.execute(select(func.min(ActivityTally.fingerprint)).where(in_year))
    ).scalar_one()
    if lowest is None:
        return True
    highest = (
        await session.execute(select(func.max(ActivityTally.fingerprint)).where(in_year))
    ).scalar_one()
    return bool(lowest == highest == rules.fingerprint)


async def rebuild_year(session: AsyncSession, *, year: int, rules: Rules) -> int:
    """Recount every member's quarters of a year (after the rules changed); return rows."""
    quarters = [Quarter(year, number) for number in range(1, 5)]
    quarter_of = case(
        *((col(Activity.occurred_on).between(q.start, q.end), q.number) for q in quarters)
    )
    rows = (
        await session.execute(
            select(
                col(Activity.member_id),
                quarter_of,
                col(Activity.kind),
                func.count(),
                func.coalesce(func.sum(Activity.people_count), 0),
            )
            .where(
                col(Activity.occurred_on).between(quarters[0].start, quarters[-1].end),
                col(Activity.deleted_at).is_(None),
            )
            .group_by(col(Activity.member_id), quarter_of, col(Activity.kind))
        )
    ).all()
    grouped: defaultdict[tuple[int, int], list[tuple[str, int, int]]] = defaultdict(list)
    for member_id, number, kind, count, people in rows:
        grouped[(member_id, number)].append((kind, int(count), int(people)))
    await session.execute(delete(ActivityTally).where(col(ActivityTally.year) == year))
    rows_out = [
        {
            "member_id": member_id,
            "year": year,
            "quarter": number,
            "fingerprint": rules.fingerprint,
            **tally_values(rules, counts),
        }
        for (member_id, number), counts in grouped.items()
    ]
    # Core, not ORM objects: a year of a large roster is tens of thousands of rows.
    if rows_out:
        await session.execute(insert(table_of(ActivityTally)), rows_out)
    return len(rows_out)


def meeting_window(year: int, last_day: dt.date, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """From the start of ``year`` to the end of ``last_day``, in the committee's zone ``tz``."""
    start = dt.datetime(year, 1, 1, tzinfo=tz)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return start, end


async def meeting_six_ones(
    session: AsyncSession,
    *,
    rules: Rules,
    start: dt.datetime,
    end: dt.datetime,
    member_ids: Sequence[int] | None = None,
) -> dict[int, set[int]]:
    """Each member's six ones (positions 0 to 5) fulfilled by attending a meeting.

    A member attended when they checked in, or when the meeting's close recorded them
    ``attended``; only meetings starting in ``[start, end)`` and not cancelled count.
    ``member_ids`` None means every member.
    """
    kinds = sorted({kind for item in rules.six_ones for kind in item.meeting_kinds})
    if not kinds:
        return {}
    stmt = (
        select(col(MeetingInvitee.member_id), col(Meeting.kind))
        .join(Meeting, col(Meeting.id) == col(MeetingInvitee.meeting_id))
        .where(
            col(Meeting.kind).in_(kinds),
            col(Meeting.cancelled_at).is_(None),
            col(Meeting.starts_at) >= start,
            col(Meeting.starts_at) < end,
            or_(
                col(MeetingInvitee.checked_in_at).is_not(None),
                col(MeetingInvitee.attendance) == Attendance.ATTENDED,
            ),
        )
        .distinct()
    )
    if member_ids is not None:
        stmt = stmt.where(col(MeetingInvitee.member_id).in_(list(member_ids)))
    done: defaultdict[int, set[int]] = defaultdict(set)
    for member_id, kind in (await session.execute(stmt)).all():
        done[member_id].update(rules.six_ones_of_meeting(kind))
    return dict(done)
