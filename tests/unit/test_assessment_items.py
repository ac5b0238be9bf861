"""Each assessment item counts its own source, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from services.assessment.scores import member_lines
from services.members.activities import ActivityInput, log_activity
from storage.db import Database
from tests.support.assessment_ledger import (
    BOOK,
    TZ,
    YEAR,
    entry,
    meeting,
    members,
    proposal,
    rebuild,
    report,
    score,
    totals,
)
from tests.support.members import NOW

BEFORE = NOW - dt.timedelta(days=20)


async def log(db: Database, member_id: int, kind: str, people: int = 10) -> int:
    data = ActivityInput(
        kind=kind,
        occurred_on=dt.date(2026, 11, 1),
        sector_id=16,
        people_count=people,
        summary="Forum with teachers on after-school care.",
    )
    async with db.session() as session:
        activity = await log_activity(
            session, member_id=member_id, data=data, rulebook=BOOK, now=NOW, tz=TZ
        )
    return activity.id or 0


def points(found: object, code: str) -> int:
    items = {item.code: item.points_c for item in found.items}  # type: ignore[attr-defined]
    return items.get(code, 0)


@pytest.mark.parametrize(
    ("kind", "code", "expected"),
    [
        ("liaison-visit", "M06", 200),
        ("station-duty", "M08", 200),
        ("research", "M09", 300),
        ("training", "M10", 200),
        ("sector-activity", "M11", 200),
        ("welfare", "M12", 100),
    ],
)
async def test_activity_items(db: Database, kind: str, code: str, expected: int) -> None:
    ids = await members(db)
    activity_id = await log(db, ids["M002"], kind, people=12)
    found = await score(db, ids["M002"])
    assert points(found, code) == expected
    async with db.session() as session:
        lines = await member_lines(session, member_id=ids["M002"], year=YEAR, item_code=code)
    assert [(line.source_kind, line.source_id, line.units_c) for line in lines] == [
        ("activity", activity_id, 100)
    ]


async def test_people_reached_counts_person_times(db: Database) -> None:
    ids = await members(db)
    await log(db, ids["M002"], "liaison-visit", people=37)
    await log(db, ids["M002"], "station-duty", people=3)
    found = await score(db, ids["M002"])
    assert points(found, "M07") == 400  # 40 person-times × 0.1
    assert found.total_c == 200 + 200 + 400


@pytest.mark.parametrize(
    ("kind", "code", "expected"),
    [("plenary", "M01", 500), ("standing", "M02", 300), ("bimonthly", "M03", 200)],
)
async def test_attendance_items(db: Database, kind: str, code: str, expected: int) -> None:
    ids = await members(db)
    await meeting(db, kind, {ids["M002"]: ("attending", BEFORE, True)})
    found = await score(db, ids["M002"])
    assert points(found, code) == expected
    assert found.total_c == expected


async def test_absence_leave_and_undecided_leave(db: Database) -> None:
    ids = await members(db)
    before = NOW - dt.timedelta(days=12)
    meeting_id = await meeting(
        db,
        "bimonthly",
        {
            ids["M002"]: ("pending", None, False),  # absent: M04
            ids["M003"]: ("leave_approved", before, False),  # excused: M05
            ids["M004"]: ("leave_requested", before, False),  # undecided: excused
        },
    )
    absent, excused, undecided = [await score(db, ids[c]) for c in ("M002", "M003", "M004")]
    assert points(absent, "M04") == -200 and absent.absences == 1
    assert absent.total_c == 0  # the total floor
    assert [i.code for i in excused.items] == ["M05"] and excused.total_c == 0
    assert [i.code for i in undecided.items] == ["M05"] and undecided.absences == 0
    async with db.session() as session:
        lines = await member_lines(session, member_id=ids["M002"], year=YEAR)
    assert [(line.item_code, line.source_kind, line.source_id) for line in lines] == [
        ("M04", "invitation", meeting_id)
    ]


async def test_reports_count_once_and_returned_ones_not(db: Database) -> None:
    ids = await members(db)
    await report(db, ids["M002"])
    await report(db, ids["M002"], decide=True)  # accepted: still one line, no activity points
    await report(db, ids["M002"], decide=False)  # returned: nothing
    found = await score(db, ids["M002"])
    assert [(i.code, i.lines, i.points_c) for i in found.items] == [("M13", 2, 400)]


async def test_proposals_cosigns_and_ratings(db: Database) -> None:
    ids = await members(db)
    await proposal(db, member_id=ids["M002"], cosigners=(ids["M003"],))
    await proposal(db, member_id=ids["M002"], rating="excellent")
    await rebuild(db)
    lead, cosigner = await score(db, ids["M002"]), await score(db, ids["M003"])
    assert points(lead, "M14") == 600
    assert points(lead, "M16") == 1000
    assert points(cosigner, "M15") == 100


@pytest.mark.parametrize(
    ("code", "level", "expected"),
    [
        ("M17", "national", 1000),
        ("M18", "oral", 600),
        ("M19", "article", 300),
        ("M20", "policy", 1000),
    ],
)
async def test_staff_entries(db: Database, code: str, level: str, expected: int) -> None:
    ids = await members(db)
    await entry(db, code, member_id=ids["M002"], level=level)
    await rebuild(db)
    found = await score(db, ids["M002"])
    assert points(found, code) == expected
    assert found.quality_c == expected


async def test_caps_and_item_floor(db: Database) -> None:
    ids = await members(db)
    await entry(db, "M19", member_id=ids["M002"], level="report", quantity=4)  # 20 → cap 15
    for _ in range(11):
        await meeting(db, "thematic", {ids["M003"]: ("pending", None, False)})
    await meeting(db, "plenary", {ids["M003"]: ("attending", BEFORE, True)})
    await rebuild(db)
    capped = await score(db, ids["M002"])
    assert [(i.code, i.raw_c, i.points_c) for i in capped.items] == [("M19", 2000, 1500)]
    absent = await score(db, ids["M003"])
    assert points(absent, "M04") == -2000  # 11 × −2 floored at −20
    assert absent.absences == 11
    assert absent.total_c == 0  # 5 − 20 < 0: the total floor


async def test_self_logged_kinds_that_other_items_count_give_nothing(db: Database) -> None:
    ids = await members(db)
    for kind in ("plenary", "proposal", "social-report"):
        await log(db, ids["M002"], kind)
    found = await score(db, ids["M002"])
    assert found.items == () and found.total_c == 0


async def test_groups_office_hkmo_and_unranked(db: Database) -> None:
    from sqlalchemy import update

    from storage.db import write_transaction
    from storage.models import Member

    ids = await members(db)
    async with db.session() as session, write_transaction(session):
        await session.execute(update(Member).where(Member.id == ids["M002"]).values(office=True))
        await session.execute(
            update(Member)
            .where(Member.id == ids["M003"])
            .values(assessment_group="hkmo", office=True)
        )
        await session.execute(
            update(Member).where(Member.id == ids["M004"]).values(status="suspended")
        )
        await session.execute(
            update(Member)
            .where(Member.id == ids["M005"])
            .values(created_at=dt.datetime(2026, 8, 10, tzinfo=dt.UTC), term="2026-2028")
        )
        # A term begun before the roster reached the bot counts from its first year.
        await session.execute(
            update(Member)
            .where(Member.id == ids["M006"])
            .values(created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC), term="2023-2028")
        )
    await rebuild(db)
    rows = {row.subject_id: row for row in await totals(db)}
    assert rows[ids["M002"]].group_code == "office"
    assert rows[ids["M003"]].group_code == "hkmo"
    assert rows[ids["M001"]].group_code == "standing"
    assert not rows[ids["M004"]].ranked and rows[ids["M004"]].rank is None
    assert not rows[ids["M005"]].ranked  # joined in August of its term's first year: 4 months
    assert rows[ids["M006"]].ranked
