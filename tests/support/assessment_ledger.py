"""Helpers for the assessment tests: members served all year, meetings, reports, proposals."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from sqlalchemy import update

from services.accounts.scope import StaffScope
from services.accounts.staff import add_staff
from services.assessment.ledger import rebuild_year
from services.assessment.scores import member_score, year_totals
from services.assessment.types import MemberScore, TotalRow
from services.audit import Actor
from services.meetings.attendance import close_ended
from services.members.conditions_reports import decide_report
from services.members.rules import RuleBook
from storage.db import Database, write_transaction
from storage.models import (
    AssessmentEntry,
    AssessmentYear,
    ConditionsReport,
    Meeting,
    MeetingInvitee,
    Member,
    Proposal,
    ProposalCosigner,
)
from tests.support.members import NOW, import_sample, member_by_code
from tests.support.notices import notifier

TZ = ZoneInfo("Asia/Shanghai")
BOOK = RuleBook()
YEAR = 2026
_NUMBERS = itertools.count(1)


async def members(db: Database) -> dict[str, int]:
    """The sample roster, every member on it since 2025 (so ranked in 2026); code → id."""
    await import_sample(db)
    async with db.session() as session, write_transaction(session):
        await session.execute(
            update(Member).values(created_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
        )
    codes = [f"M00{n}" for n in range(1, 9)]
    return {code: (await member_by_code(db, code)).id or 0 for code in codes}


async def meeting(
    db: Database,
    kind: str,
    invitees: dict[int, tuple[str, dt.datetime | None, bool]],
    *,
    starts_at: dt.datetime = NOW - dt.timedelta(days=10),
    book: RuleBook = BOOK,
) -> int:
    """A meeting that ended, closed through ``close_ended``.

    ``invitees``: member id → (response, responded_at, checked in).
    """
    number = next(_NUMBERS)
    async with db.session() as session, write_transaction(session):
        row = Meeting(
            kind=kind,
            title=f"Meeting {number}",
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=2),
            venue="Hall",
            checkin_code="123456",
            checkin_token=f"token-{number}-{kind}",
            created_at=starts_at - dt.timedelta(days=5),
        )
        session.add(row)
        await session.flush()
        assert row.id is not None
        meeting_id = row.id
        for member_id, (response, responded_at, there) in invitees.items():
            session.add(
                MeetingInvitee(
                    meeting_id=meeting_id,
                    member_id=member_id,
                    response=response,
                    responded_at=responded_at,
                    leave_reason="away" if response.startswith("leave") else None,
                    checked_in_at=starts_at if there else None,
                )
            )
    async with db.session() as session:
        await close_ended(
            session,
            now=starts_at + dt.timedelta(hours=3),
            notifier=notifier(),
            rulebook=book,
            tz=TZ,
        )
    return meeting_id


async def staff_scope(db: Database) -> StaffScope:
    """An administrator's scope (a staff row of its own)."""
    async with db.session() as session:
        staff = await add_staff(session, name="Office", now=NOW)
    return StaffScope(staff_id=staff.id or 0, name="Office", admin=True, station_ids=frozenset())


async def report(db: Database, member_id: int, *, decide: bool | None = None) -> int:
    """A submitted report (no cases: the ledger does not read them), decided if asked."""
    async with db.session() as session, write_transaction(session):
        row = ConditionsReport(member_id=member_id, title="Parking", body="Text", submitted_at=NOW)
        session.add(row)
        await session.flush()
        report_id = row.id or 0
    from services.assessment.ledger import refresh_source

    async with db.session() as session, write_transaction(session):
        await refresh_source(
            session,
            source_kind="report",
            source_id=report_id,
            year=YEAR,
            rules=BOOK.for_year(YEAR),
            tz=TZ,
            now=NOW,
        )
    if decide is not None:
        scope = await staff_scope(db)
        async with db.session() as session:
            await decide_report(
                session,
                report_id=report_id,
                accept=decide,
                note=None,
                scope=scope,
                actor=Actor("staff", scope.staff_id),
                rulebook=BOOK,
                now=NOW,
                tz=TZ,
                notifier=notifier(),
            )
    return report_id


async def proposal(
    db: Database,
    *,
    member_id: int | None = None,
    sector_id: int | None = None,
    rating: str = "",
    cosigners: tuple[int, ...] = (),
) -> int:
    """A proposal of 2026 written directly (the proposals service is not this package's)."""
    number = next(_NUMBERS)
    async with db.session() as session, write_transaction(session):
        row = Proposal(
            year=YEAR,
            number=f"P{number}",
            title="On parking",
            submitted_on=dt.date(YEAR, 3, 1),
            member_id=member_id,
            sector_id=sector_id,
            rating=rating,
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(row)
        await session.flush()
        session.add_all(ProposalCosigner(proposal_id=row.id or 0, member_id=m) for m in cosigners)
    return number


async def entry(
    db: Database,
    item_code: str,
    *,
    member_id: int | None = None,
    sector_id: int | None = None,
    level: str = "",
    quantity: int = 1,
) -> None:
    """A staff entry written directly."""
    async with db.session() as session, write_transaction(session):
        session.add(
            AssessmentEntry(
                year=YEAR,
                item_code=item_code,
                level=level,
                member_id=member_id,
                sector_id=sector_id,
                occurred_on=dt.date(YEAR, 5, 1),
                title="Entry",
                quantity=quantity,
                created_at=NOW,
            )
        )


async def rebuild(db: Database, book: RuleBook = BOOK, year: int = YEAR) -> int:
    """The year rebuilt from the records."""
    async with db.session() as session, write_transaction(session):
        return await rebuild_year(session, year=year, rules=book.for_year(year), tz=TZ, now=NOW)


async def score(db: Database, member_id: int, book: RuleBook = BOOK) -> MemberScore:
    """A member's live score."""
    async with db.session() as session:
        return await member_score(
            session, member_id=member_id, year=YEAR, rules=book.for_year(YEAR), tz=TZ
        )


async def totals(db: Database, kind: str = "member") -> list[TotalRow]:
    """The year's totals."""
    async with db.session() as session:
        return await year_totals(session, year=YEAR, subject_kind=kind)


async def close_year(db: Database, year: int = YEAR) -> None:
    """Mark the year closed (the publication service's job; written directly here)."""
    async with db.session() as session, write_transaction(session):
        session.add(AssessmentYear(year=year, state="closed"))
