"""A member's progress against the minimums: this quarter, this year, the six ones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.calendar import Quarter, year_fraction
from services.members.rules import Rules, SixOne
from services.members.tallies import meeting_six_ones, meeting_window
from services.proposals.six_ones import proposal_six_ones
from storage.models import Activity, ActivityPairedPerson, PairedPerson

RECENT = 5


class Pace(StrEnum):
    """Person-times so far against the share of the yearly minimum due by now."""

    MET = "met"
    AHEAD = "ahead"
    ON_TRACK = "on_track"
    BEHIND = "behind"


@dataclass(frozen=True)
class PairedContact:
    """A paired person and the date of the latest activity that reached them."""

    person: PairedPerson
    last_contact: dt.date | None


@dataclass(frozen=True)
class Progress:
    """Everything "my progress" shows."""

    today: dt.date
    quarter: Quarter
    days_left: int
    quarter_activities: int
    quarter_minimum: int
    year_person_times: int
    year_minimum: int
    expected_by_now: float
    pace: Pace
    six_ones: list[tuple[SixOne, bool]]
    paired: list[PairedContact]
    # How many paired people the year's rules ask of each member.
    paired_expected: int
    recent: list[Activity]

    @property
    def quarter_met(self) -> bool:
        """Whether this quarter's minimum is reached."""
        return self.quarter_activities >= self.quarter_minimum


def pace_of(person_times: int, target: int, today: dt.date) -> tuple[Pace, float]:
    """Ahead or behind when a month's share of the target (or more) away from the due share."""
    expected = target * year_fraction(today)
    month = target / 12
    if person_times >= target:
        return Pace.MET, expected
    if person_times >= expected + month:
        return Pace.AHEAD, expected
    if person_times >= expected - month:
        return Pace.ON_TRACK, expected
    return Pace.BEHIND, expected


async def member_progress(
    session: AsyncSession,
    *,
    member_id: int,
    rules: Rules,
    today: dt.date,
    tz: dt.tzinfo = dt.UTC,
) -> Progress:
    """Compute a member's progress on ``today`` (the committee's date, in ``tz``) under ``rules``.

    A six one is done by an activity of one of its kinds, or by attending a meeting of one
    of its meeting kinds this year (a plenary check-in), which the member need not log.
    """
    quarter = Quarter.of(today)
    in_quarter = case((col(Activity.occurred_on) >= quarter.start, 1), else_=0)
    rows = (
        await session.execute(
            select(
                col(Activity.kind),
                func.count(),
                func.coalesce(func.sum(Activity.people_count), 0),
                func.coalesce(func.sum(in_quarter), 0),
            )
            .where(
                col(Activity.member_id) == member_id,
                col(Activity.occurred_on).between(dt.date(today.year, 1, 1), today),
                col(Activity.deleted_at).is_(None),
            )
            .group_by(col(Activity.kind))
        )
    ).all()
    quarter_kinds, person_kinds = set(rules.counts.quarter), set(rules.counts.person_times)
    quarter_count = sum(int(q) for kind, _n, _p, q in rows if kind in quarter_kinds)
    person_times = sum(int(p) for kind, _n, p, _q in rows if kind in person_kinds)
    done_kinds = {kind for kind, n, _p, _q in rows if n}
    pace, expected = pace_of(person_times, rules.year_minimum_person_times, today)
    start, end = meeting_window(today.year, today, tz)
    attended = await meeting_six_ones(
        session, rules=rules, start=start, end=end, member_ids=[member_id]
    )
    proposed = await proposal_six_ones(
        session, rules=rules, year=today.year, until=today, member_ids=[member_id]
    )
    met_slots = attended.get(member_id, set()) | proposed.get(member_id, set())
    return Progress(
        today=today,
        quarter=quarter,
        days_left=quarter.days_left(today),
        quarter_activities=quarter_count,
        quarter_minimum=rules.quarter_minimum_activities,
        year_person_times=person_times,
        year_minimum=rules.year_minimum_person_times,
        expected_by_now=expected,
        pace=pace,
        six_ones=[
            (item, bool(done_kinds & set(item.kinds)) or index in met_slots)
            for index, item in enumerate(rules.six_ones)
        ],
        paired=await _paired_contacts(session, member_id),
        paired_expected=rules.paired_people_per_member,
        recent=await _recent(session, member_id),
    )


async def _paired_contacts(session: AsyncSession, member_id: int) -> list[PairedContact]:
    last = func.max(Activity.occurred_on)
    rows = (
        await session.execute(
            select(PairedPerson, last)
            .outerjoin(
                ActivityPairedPerson,
                col(ActivityPairedPerson.paired_person_id) == col(PairedPerson.id),
            )
            .outerjoin(
                Activity,
                (col(Activity.id) == col(ActivityPairedPerson.activity_id))
                & col(Activity.deleted_at).is_(None),
            )
            # Retired people keep their history for the record, not for the member's card.
            .where(col(PairedPerson.member_id) == member_id, col(PairedPerson.retired_at).is_(None))
            .group_by(col(PairedPerson.id))
            .order_by(col(PairedPerson.position))
        )
    ).all()
    return [PairedContact(person, day) for person, day in rows]


async def _recent(session: AsyncSession, member_id: int) -> list[Activity]:
    rows = (
        await session.execute(
            select(Activity)
            .where(col(Activity.member_id) == member_id, col(Activity.deleted_at).is_(None))
            .order_by(col(Activity.occurred_on).desc(), col(Activity.id).desc())
            .limit(RECENT)
        )
    ).scalars()
    return list(rows)
