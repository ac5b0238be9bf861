"""Where each item's points come from: the statements that write ledger lines from records.

Every function here writes the lines of one kind of source for a :class:`Scope` (a whole
year, one member, one sector or one meeting), so the bulk rebuild and the incremental
refresh run the very same statements and cannot drift apart. Lines are written with
``INSERT … SELECT`` (Core, no ORM object per row); reports are the exception: the year and
the date of a report are those of ``submitted_at`` in the committee's time zone, which SQL
cannot compute portably, so their few rows are read, dated in Python and inserted at once.

Units and points are integer hundredths: a counted record is 100 units, a person reached
by an activity measured in ``people`` is 100 units each, and points are units times the
item's points per unit (of the record's level, for items with levels).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.assessment.attendance import effective_attendance, year_bounds
from services.assessment.config import AssessmentRules, Item
from services.clock import local_date
from storage.enums import REGISTERED_PROPOSAL_STATES, CosignerState
from storage.models import (
    Activity,
    AssessmentEntry,
    AssessmentLine,
    ConditionsReport,
    Meeting,
    MeetingInvitee,
    Proposal,
    ProposalCosigner,
)
from storage.queries import table_of

LINE = table_of(AssessmentLine)
LINE_COLUMNS = (
    "year",
    "subject_kind",
    "subject_id",
    "item_code",
    "source_kind",
    "source_id",
    "occurred_on",
    "units_c",
    "points_c",
    "fingerprint",
)
MEMBER = "member"
SECTOR = "sector"


# A proposal's refresh re-derives its co-signers' lines too.
KINDS_OF_SOURCE = {"proposal": ("proposal", "cosign")}


@dataclass(frozen=True)
class Scope:
    """Which lines to write: a year, narrowed to one member, one sector, or one source record.

    ``source_kind``/``source_id`` name one record (``invitation`` with a meeting's id: that
    meeting's invitations). ``tz`` is needed by reports and invitations only.
    """

    year: int
    rules: AssessmentRules
    tz: dt.tzinfo | None = None
    member_id: int | None = None
    sector_id: int | None = None
    source_kind: str | None = None
    source_id: int | None = None

    @property
    def members(self) -> bool:
        """Whether member lines are in scope (not when narrowed to a sector)."""
        return self.sector_id is None

    @property
    def sectors(self) -> bool:
        """Whether sector lines are in scope (not when narrowed to a member)."""
        return self.member_id is None

    def wants(self, kind: str) -> bool:
        """Whether lines of source ``kind`` are in scope."""
        if self.source_kind is None:
            return True
        return kind in KINDS_OF_SOURCE.get(self.source_kind, (self.source_kind,))

    def zone(self) -> dt.tzinfo:
        """The committee's time zone; a scope that dates reports or meetings must carry it."""
        if self.tz is None:
            raise ValueError("this scope needs the committee's time zone")
        return self.tz


def _points(item: Item, level: Any = None) -> Any:
    """The points of one unit as a SQL expression: a constant, or a CASE on the level."""
    if not item.levels:
        return literal(item.points_c())
    return case(
        *((level == name, literal(item.points_c(name))) for name in item.levels),
        else_=literal(0),
    )


def _insert(selected: Any) -> Any:
    return insert(LINE).from_select(list(LINE_COLUMNS), selected)


def _head(scope: Scope, subject: str, subject_id: Any, item: Item, source: str) -> list[Any]:
    return [
        literal(scope.year),
        literal(subject),
        subject_id,
        literal(item.code),
        literal(source),
    ]


async def activity_lines(session: AsyncSession, scope: Scope, item: Item) -> None:
    """Activities of the item's kinds, not deleted, dated in the year."""
    if not scope.members or not scope.wants("activity"):
        return
    src = item.source
    per_unit = _points(item)
    people = src.measure == "people"
    units = col(Activity.people_count) * 100 if people else literal(100)
    points = col(Activity.people_count) * per_unit if people else per_unit
    conditions: list[Any] = [
        col(Activity.kind).in_(src.kinds),
        col(Activity.occurred_on).between(dt.date(scope.year, 1, 1), dt.date(scope.year, 12, 31)),
        col(Activity.deleted_at).is_(None),
    ]
    if scope.member_id is not None:
        conditions.append(col(Activity.member_id) == scope.member_id)
    if scope.source_id is not None:
        conditions.append(col(Activity.id) == scope.source_id)
    selected = select(
        *_head(scope, MEMBER, col(Activity.member_id), item, "activity"),
        col(Activity.id),
        col(Activity.occurred_on),
        units,
        points,
        literal(scope.rules.fingerprint),
    ).where(*conditions)
    await session.execute(_insert(selected))


async def invitation_lines(session: AsyncSession, scope: Scope, item: Item) -> None:
    """Invitations of the year's closed meetings whose (effective) attendance matches.

    One statement per meeting: the line's date is the meeting's local date, fixed per meeting.
    """
    if not scope.members or not scope.wants("invitation"):
        return
    src = item.source
    start, end = year_bounds(scope.year, scope.zone())
    meetings = select(col(Meeting.id), col(Meeting.starts_at)).where(
        col(Meeting.closed_at).is_not(None),
        col(Meeting.cancelled_at).is_(None),
        col(Meeting.starts_at) >= start,
        col(Meeting.starts_at) < end,
    )
    if src.meeting_kinds:
        meetings = meetings.where(col(Meeting.kind).in_(src.meeting_kinds))
    if scope.source_id is not None:
        meetings = meetings.where(col(Meeting.id) == scope.source_id)
    if scope.member_id is not None:
        invited = select(col(MeetingInvitee.meeting_id)).where(
            col(MeetingInvitee.member_id) == scope.member_id
        )
        meetings = meetings.where(col(Meeting.id).in_(invited))
    outcome = effective_attendance(scope.rules.undecided_leave)
    for meeting_id, starts_at in (await session.execute(meetings.order_by(col(Meeting.id)))).all():
        conditions: list[Any] = [col(MeetingInvitee.meeting_id) == meeting_id]
        if src.attendance is not None:
            conditions.append(outcome == src.attendance)
        if scope.member_id is not None:
            conditions.append(col(MeetingInvitee.member_id) == scope.member_id)
        selected = (
            select(
                *_head(scope, MEMBER, col(MeetingInvitee.member_id), item, "invitation"),
                col(MeetingInvitee.meeting_id),
                literal(local_date(starts_at, scope.zone())),
                literal(100),
                literal(item.points_c()),
                literal(scope.rules.fingerprint),
            )
            .select_from(MeetingInvitee)
            .join(Meeting, col(Meeting.id) == col(MeetingInvitee.meeting_id))
            .where(*conditions)
        )
        await session.execute(_insert(selected))


async def report_lines(session: AsyncSession, scope: Scope, item: Item) -> None:
    """Social-conditions reports in the item's states, submitted in the year (local time)."""
    if not scope.members or not scope.wants("report"):
        return
    start, end = year_bounds(scope.year, scope.zone())
    stmt = select(
        col(ConditionsReport.id),
        col(ConditionsReport.member_id),
        col(ConditionsReport.submitted_at),
    ).where(
        col(ConditionsReport.state).in_(item.source.states),
        col(ConditionsReport.submitted_at) >= start,
        col(ConditionsReport.submitted_at) < end,
    )
    if scope.member_id is not None:
        stmt = stmt.where(col(ConditionsReport.member_id) == scope.member_id)
    if scope.source_id is not None:
        stmt = stmt.where(col(ConditionsReport.id) == scope.source_id)
    points = item.points_c()
    rows = [
        {
            "year": scope.year,
            "subject_kind": MEMBER,
            "subject_id": member_id,
            "item_code": item.code,
            "source_kind": "report",
            "source_id": report_id,
            "occurred_on": local_date(submitted_at, scope.zone()),
            "units_c": 100,
            "points_c": points,
            "fingerprint": scope.rules.fingerprint,
        }
        for report_id, member_id, submitted_at in (await session.execute(stmt)).all()
    ]
    if rows:
        await session.execute(insert(LINE), rows)


async def proposal_lines(session: AsyncSession, scope: Scope, item: Item, subject: str) -> None:
    """Proposals led by the member (or in the sector's name) in the year, not withdrawn.

    With ``ratings`` only proposals rated so count, the rating being the level.
    """
    if not scope.wants("proposal"):
        return
    owner = col(Proposal.member_id) if subject == MEMBER else col(Proposal.sector_id)
    conditions: list[Any] = [
        owner.is_not(None),
        col(Proposal.year) == scope.year,
        col(Proposal.withdrawn_at).is_(None),
        col(Proposal.state).in_(REGISTERED_PROPOSAL_STATES),
    ]
    if item.source.ratings:
        conditions.append(col(Proposal.rating).in_(item.source.ratings))
    narrowed = scope.member_id if subject == MEMBER else scope.sector_id
    if narrowed is not None:
        conditions.append(owner == narrowed)
    if scope.source_id is not None:
        conditions.append(col(Proposal.id) == scope.source_id)
    selected = select(
        *_head(scope, subject, owner, item, "proposal"),
        col(Proposal.id),
        col(Proposal.submitted_on),
        literal(100),
        _points(item, col(Proposal.rating)),
        literal(scope.rules.fingerprint),
    ).where(*conditions)
    await session.execute(_insert(selected))


async def cosign_lines(session: AsyncSession, scope: Scope, item: Item) -> None:
    """Proposals of the year co-signed by the member, not withdrawn."""
    if not scope.members or not scope.wants("cosign"):
        return
    conditions: list[Any] = [
        col(Proposal.year) == scope.year,
        col(Proposal.withdrawn_at).is_(None),
        col(Proposal.state).in_(REGISTERED_PROPOSAL_STATES),
        col(ProposalCosigner.state) == CosignerState.CONFIRMED,
    ]
    if item.source.ratings:
        conditions.append(col(Proposal.rating).in_(item.source.ratings))
    if scope.member_id is not None:
        conditions.append(col(ProposalCosigner.member_id) == scope.member_id)
    if scope.source_id is not None:
        conditions.append(col(Proposal.id) == scope.source_id)
    selected = (
        select(
            *_head(scope, MEMBER, col(ProposalCosigner.member_id), item, "cosign"),
            col(Proposal.id),
            col(Proposal.submitted_on),
            literal(100),
            _points(item, col(Proposal.rating)),
            literal(scope.rules.fingerprint),
        )
        .select_from(ProposalCosigner)
        .join(Proposal, col(Proposal.id) == col(ProposalCosigner.proposal_id))
        .where(*conditions)
    )
    await session.execute(_insert(selected))


async def entry_lines(session: AsyncSession, scope: Scope, item: Item, subject: str) -> None:
    """Staff entries of this item in the year, not deleted; units are the entry's quantity."""
    if not scope.wants("entry"):
        return
    owner = col(AssessmentEntry.member_id) if subject == MEMBER else col(AssessmentEntry.sector_id)
    conditions: list[Any] = [
        owner.is_not(None),
        col(AssessmentEntry.item_code) == item.code,
        col(AssessmentEntry.year) == scope.year,
        col(AssessmentEntry.deleted_at).is_(None),
    ]
    narrowed = scope.member_id if subject == MEMBER else scope.sector_id
    if narrowed is not None:
        conditions.append(owner == narrowed)
    if scope.source_id is not None:
        conditions.append(col(AssessmentEntry.id) == scope.source_id)
    quantity = col(AssessmentEntry.quantity)
    selected = select(
        *_head(scope, subject, owner, item, "entry"),
        col(AssessmentEntry.id),
        col(AssessmentEntry.occurred_on),
        quantity * 100,
        quantity * _points(item, col(AssessmentEntry.level)),
        literal(scope.rules.fingerprint),
    ).where(and_(*conditions))
    await session.execute(_insert(selected))


async def write_lines(session: AsyncSession, scope: Scope) -> None:
    """Write every record-backed line in scope (sector figures drawn from members excepted)."""
    if scope.members:
        for item in scope.rules.member_items:
            origin = item.source.origin
            if origin == "activity":
                await activity_lines(session, scope, item)
            elif origin == "invitation":
                await invitation_lines(session, scope, item)
            elif origin == "report":
                await report_lines(session, scope, item)
            elif origin == "proposal":
                await proposal_lines(session, scope, item, MEMBER)
            elif origin == "cosign":
                await cosign_lines(session, scope, item)
            elif origin == "entry":
                await entry_lines(session, scope, item, MEMBER)
    if scope.sectors:
        for item in scope.rules.sector_items:
            if item.source.origin == "proposal":
                await proposal_lines(session, scope, item, SECTOR)
            elif item.source.origin == "entry":
                await entry_lines(session, scope, item, SECTOR)
