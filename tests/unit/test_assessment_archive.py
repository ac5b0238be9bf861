"""A member's yearly archive: every record behind the score, live while open, frozen once closed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from services.assessment.archive import member_archive
from services.assessment.archive_types import Archive
from services.assessment.publication import close_year
from services.audit import Actor
from services.members.activities import ActivityInput, log_activity
from storage.db import Database, write_transaction
from storage.models import AssessmentYear, PairedPerson
from tests.support.assessment_ledger import (
    BOOK,
    YEAR,
    entry,
    meeting,
    members,
    proposal,
    rebuild,
    report,
)
from tests.support.members import NOW, TZ

PAIRED: list[str] = []


async def archive_of(db: Database, member_id: int) -> Archive:
    async with db.session() as session:
        return await member_archive(
            session, member_id=member_id, year=YEAR, rules=BOOK.for_year(YEAR), tz=TZ
        )


async def seed(db: Database) -> dict[str, int]:
    """M001: an activity reaching a paired person, a training, a meeting, a report,
    a proposal and a staff entry; M002 missed the meeting, M003 asked for leave."""
    ids = await members(db)
    async with db.session() as session:
        person = (
            (
                await session.execute(
                    select(PairedPerson)
                    .where(PairedPerson.member_id == ids["M001"])  # type: ignore[arg-type]
                    .order_by(PairedPerson.position)  # type: ignore[arg-type]
                )
            )
            .scalars()
            .first()
        )
        assert person is not None
        person_id, name = person.id or 0, person.name
    PAIRED.clear()
    PAIRED.append(name)
    for kind, people, paired in (("liaison-visit", 12, (person_id,)), ("training", 1, ())):
        data = ActivityInput(
            kind=kind,
            occurred_on=dt.date(2026, 11, 1),
            sector_id=16,
            people_count=people,
            summary=f"{kind}: 走访教师",
            paired_person_ids=paired,
        )
        async with db.session() as session:
            await log_activity(
                session, member_id=ids["M001"], data=data, rulebook=BOOK, now=NOW, tz=TZ
            )
    before = NOW - dt.timedelta(days=12)
    await meeting(
        db,
        "bimonthly",
        {
            ids["M001"]: ("attending", before, True),
            ids["M002"]: ("pending", None, False),
            ids["M003"]: ("leave_approved", before, False),
        },
    )
    await report(db, ids["M001"], decide=True)
    await proposal(db, member_id=ids["M001"], rating="excellent", cosigners=(ids["M002"],))
    await entry(db, "M18", member_id=ids["M001"], level="oral")
    # Proposals and entries are written directly here: count them as the services would.
    await rebuild(db)
    return ids


async def test_the_archive_joins_every_record(db: Database) -> None:
    ids = await seed(db)
    found = await archive_of(db, ids["M001"])
    assert (found.year, found.state, found.member_code) == (YEAR, "open", "M001")
    # An adopted report is logged by the office as a "social-report" activity too.
    assert [a.kind.code for a in found.activities] == ["liaison-visit", "social-report"]
    assert found.activities[0].paired == tuple(PAIRED) and found.activities[0].points_c > 0
    assert [a.kind.code for a in found.studies] == ["training"]
    assert found.people_reached == 13 and found.paired_reached == tuple(PAIRED)
    assert [(m.attendance, m.kind.code) for m in found.meetings] == [("attended", "bimonthly")]
    assert [r.state for r in found.reports] == ["accepted"]
    assert [(p.lead, p.rating) for p in found.proposals] == [(True, "excellent")]
    assert [(e.item.code, e.quality, e.level) for e in found.entries] == [("M18", True, "oral")]
    assert found.attendance["all"].attended == 1
    codes = {item.item.code: item.points_c for item in found.items}
    assert {"M03", "M06", "M10", "M13", "M14", "M16", "M18"} <= set(codes)
    assert sum(codes.values()) == found.total_c > 0
    assert found.rank == 1 and found.ranked and found.group_size >= 1
    assert len(found.six_ones) == len(BOOK.for_year(YEAR).six_ones)
    assert found.top_items(1)[0].points_c == max(codes.values())


async def test_leave_absence_and_cosigning_show(db: Database) -> None:
    ids = await seed(db)
    absent = await archive_of(db, ids["M002"])
    assert [m.attendance for m in absent.meetings] == ["absent"]
    assert [(p.lead, p.points_c > 0) for p in absent.proposals] == [(False, True)]
    excused = await archive_of(db, ids["M003"])
    assert [(m.attendance, m.leave_reason) for m in excused.meetings] == [("excused", "away")]
    assert excused.attendance["all"].excused == 1


async def test_a_closed_year_reads_its_snapshot(db: Database) -> None:
    ids = await seed(db)
    live = await archive_of(db, ids["M001"])
    async with db.session() as session:
        await close_year(
            session, year=YEAR, rules=BOOK.for_year(YEAR), actor=Actor.cli(), now=NOW, tz=TZ
        )
    # Rename an item in the snapshot: a frozen year names items from it, not from the file.
    async with db.session() as session, write_transaction(session):
        row = await session.get(AssessmentYear, YEAR)
        assert row is not None
        snapshot = row.rules_snapshot.replace('"name_en":"Training"', '"name_en":"Study 2026"')
        await session.execute(
            update(AssessmentYear)
            .where(AssessmentYear.year == YEAR)  # type: ignore[arg-type]
            .values(rules_snapshot=snapshot)
        )
    frozen = await archive_of(db, ids["M001"])
    assert frozen.state == "closed"
    assert (frozen.total_c, frozen.rank) == (live.total_c, live.rank)
    assert {i.item.code: i.points_c for i in frozen.items} == {
        i.item.code: i.points_c for i in live.items
    }
    names = {i.item.code: i.item.name("en") for i in frozen.items}
    assert names["M10"] == "Study 2026"
