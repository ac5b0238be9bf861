"""The ledger: sector items, rules changes recount, closed years frozen, incremental = bulk."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from services.assessment.attendance import member_attendance, office_attendance_rate, term_years
from services.assessment.ledger import ensure_ledger
from services.errors import DomainError
from services.members.activities import ActivityInput, delete_activity, edit_activity, log_activity
from services.members.rules import RuleBook
from storage.db import Database, write_transaction
from storage.models import AssessmentLine, AssessmentTotal, Member
from tests.support.assessment_ledger import (
    BOOK,
    TZ,
    YEAR,
    close_year,
    entry,
    meeting,
    members,
    proposal,
    rebuild,
    score,
    totals,
)
from tests.support.members import NOW

BEFORE = NOW - dt.timedelta(days=20)


def data(kind: str = "liaison-visit", day: dt.date = dt.date(2026, 11, 1), people: int = 10):  # type: ignore[no-untyped-def]
    return ActivityInput(
        kind=kind,
        occurred_on=day,
        sector_id=16,
        people_count=people,
        summary="Forum with teachers on after-school care.",
    )


async def log(db: Database, member_id: int, **kw: object) -> int:
    async with db.session() as session:
        activity = await log_activity(
            session,
            member_id=member_id,
            data=data(**kw),
            rulebook=BOOK,
            now=NOW,
            tz=TZ,  # type: ignore[arg-type]
        )
    return activity.id or 0


async def snapshot(db: Database) -> tuple[list[tuple], list[tuple]]:
    async with db.session() as session:
        lines = (
            await session.execute(
                select(
                    AssessmentLine.subject_kind,
                    AssessmentLine.subject_id,
                    AssessmentLine.item_code,
                    AssessmentLine.source_kind,
                    AssessmentLine.source_id,
                    AssessmentLine.units_c,
                    AssessmentLine.points_c,
                ).where(AssessmentLine.year == YEAR)
            )
        ).all()
        sums = (
            await session.execute(
                select(
                    AssessmentTotal.subject_kind,
                    AssessmentTotal.subject_id,
                    AssessmentTotal.group_code,
                    AssessmentTotal.ranked,
                    AssessmentTotal.total_c,
                    AssessmentTotal.quality_c,
                    AssessmentTotal.absences,
                ).where(AssessmentTotal.year == YEAR)
            )
        ).all()
    return sorted(map(tuple, lines)), sorted(map(tuple, sums))


async def sector_of(db: Database, member_id: int) -> int:
    async with db.session() as session:
        member = await session.get(Member, member_id)
    assert member is not None
    return member.sector_id


async def test_sector_items(db: Database) -> None:
    ids = await members(db)
    sector = await sector_of(db, ids["M002"])
    await log(db, ids["M002"])  # M06 2 + M07 1 = 3 points
    await meeting(db, "plenary", {ids["M002"]: ("attending", BEFORE, True)})  # +5
    await proposal(db, sector_id=sector)  # S03 5
    await entry(db, "S04", sector_id=sector, level="oral")  # 8
    await entry(db, "S05", sector_id=sector, quantity=2)  # 6
    await rebuild(db)
    rows = {row.subject_id: row for row in await totals(db, "sector")}
    async with db.session() as session:
        lines = (
            await session.execute(
                select(AssessmentLine.item_code, AssessmentLine.units_c, AssessmentLine.points_c)
                .where(AssessmentLine.subject_kind == "sector", AssessmentLine.subject_id == sector)
                .order_by(AssessmentLine.item_code)
            )
        ).all()
    # M002 is the only member of the sector: average 8 points × 0.5; attended 1 of 1 × 20.
    assert [tuple(line) for line in lines] == [
        ("S01", 800, 400),
        ("S02", 100, 2000),
        ("S03", 100, 500),
        ("S04", 100, 800),
        ("S05", 200, 600),
    ]
    assert rows[sector].total_c == 400 + 2000 + 500 + 800 + 600
    assert rows[sector].quality_c == 1400
    assert rows[sector].group_code.startswith("sector-")


async def test_rank_and_pool_cut(db: Database) -> None:
    ids = await members(db)
    # local group: M002, M003, M004 ... (sample roster); give two of them points
    await log(db, ids["M002"])
    await log(db, ids["M003"])
    await log(db, ids["M003"], kind="research")
    async with db.session() as session:
        await ensure_ledger(session, year=YEAR, rules=BOOK.for_year(YEAR), tz=TZ, now=NOW)
        await session.commit()
    top, second = await score(db, ids["M003"]), await score(db, ids["M002"])
    assert top.rank == 1 and second.rank == 2
    assert top.group_code == second.group_code == "local"
    assert top.pool_size >= 1 and top.in_pool
    group = [r for r in await totals(db) if r.group_code == "local" and r.ranked]
    assert top.group_size == len(group)
    assert [r.rank for r in group][:2] == [1, 2]


async def test_changing_the_rules_file_recounts_the_year(db: Database, tmp_path: Path) -> None:
    ids = await members(db)
    await log(db, ids["M002"])
    folder = tmp_path / "rules"
    shutil.copytree(BOOK.folder, folder)
    path = folder / f"{YEAR}.toml"
    text = path.read_text(encoding="utf-8")
    head = 'name_en = "Liaison activity with sector group people"\npoints = '
    path.write_text(text.replace(head + "2", head + "4"), encoding="utf-8")
    changed = RuleBook(folder)
    assert (
        changed.for_year(YEAR).assessment.fingerprint != BOOK.for_year(YEAR).assessment.fingerprint
    )  # type: ignore[union-attr]
    async with db.session() as session, write_transaction(session):
        assert await ensure_ledger(session, year=YEAR, rules=BOOK.for_year(YEAR), tz=TZ) is False
        assert await ensure_ledger(session, year=YEAR, rules=changed.for_year(YEAR), tz=TZ, now=NOW)
    assert (await score(db, ids["M002"], changed)).total_c == 400 + 100


async def test_a_closed_year_is_frozen_and_refuses_changes(db: Database, tmp_path: Path) -> None:
    ids = await members(db)
    activity_id = await log(db, ids["M002"])
    before = await snapshot(db)
    await close_year(db)
    with pytest.raises(DomainError, match="year_closed"):
        await log(db, ids["M002"])
    async with db.session() as session:
        with pytest.raises(DomainError, match="year_closed"):
            await edit_activity(
                session,
                member_id=ids["M002"],
                activity_id=activity_id,
                data=data(people=3),
                rulebook=BOOK,
                now=NOW,
                tz=TZ,
            )
        with pytest.raises(DomainError, match="year_closed"):
            await delete_activity(
                session, member_id=ids["M002"], activity_id=activity_id, rulebook=BOOK, now=NOW
            )
    await entry(db, "M18", member_id=ids["M002"], level="oral")
    assert await rebuild(db) == 0
    async with db.session() as session, write_transaction(session):
        folder = tmp_path / "rules"
        shutil.copytree(BOOK.folder, folder)
        path = folder / f"{YEAR}.toml"
        path.write_text(
            path.read_text(encoding="utf-8").replace("total_floor = 0", "total_floor = 1"),
            encoding="utf-8",
        )
        assert not await ensure_ledger(
            session, year=YEAR, rules=RuleBook(folder).for_year(YEAR), tz=TZ
        )
    assert await snapshot(db) == before


async def test_attendance_figures(db: Database) -> None:
    ids = await members(db)
    await meeting(
        db,
        "plenary",
        {ids["M002"]: ("attending", BEFORE, True), ids["M003"]: ("pending", None, False)},
    )
    await meeting(db, "bimonthly", {ids["M002"]: ("leave_approved", BEFORE, False)})
    async with db.session() as session:
        mine = await member_attendance(session, member_id=ids["M002"], years=[YEAR], tz=TZ)
        office = await office_attendance_rate(session, year=YEAR, tz=TZ)
        term = await member_attendance(
            session, member_id=ids["M002"], years=term_years("2023-2028"), tz=TZ
        )
    assert (mine["plenary"].attended, mine["bimonthly"].excused) == (1, 1)
    assert mine["all"].attended_share == 0.5
    assert term["all"] == mine["all"]
    assert (office.attended, office.excused, office.absent) == (1, 1, 1)
    assert term_years("") == [] and term_years("2022-2027") == list(range(2022, 2028))


OPS = st.lists(
    st.tuples(
        st.sampled_from(["log", "edit", "delete", "meeting", "entry", "proposal"]),
        st.integers(0, 3),
        st.sampled_from(["liaison-visit", "research", "station-duty", "welfare", "plenary"]),
        st.integers(1, 60),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=OPS)
async def test_incremental_equals_bulk(db: Database, ops: list[tuple[str, int, str, int]]) -> None:
    # One roster per database for all examples: each example adds to the same records.
    async with db.session() as session:
        ids = [
            row for row in (await session.execute(select(Member.id).order_by(Member.id))).scalars()
        ]
    if not ids:
        await members(db)
        await rebuild(db)  # every member and sector starts with a total
        async with db.session() as session:
            ids = list((await session.execute(select(Member.id).order_by(Member.id))).scalars())
    logged: list[tuple[int, int]] = []
    for op, who, kind, people in ops:
        member_id = ids[who]
        if op == "log" or (op in ("edit", "delete") and not logged):
            logged.append((member_id, await log(db, member_id, kind=kind, people=people)))
        elif op == "edit":
            owner, activity_id = logged[-1]
            async with db.session() as session:
                await edit_activity(
                    session,
                    member_id=owner,
                    activity_id=activity_id,
                    data=data(kind=kind, people=people),
                    rulebook=BOOK,
                    now=NOW,
                    tz=TZ,
                )
        elif op == "delete":
            owner, activity_id = logged.pop()
            async with db.session() as session:
                await delete_activity(
                    session, member_id=owner, activity_id=activity_id, rulebook=BOOK, now=NOW, tz=TZ
                )
        elif op == "meeting":
            state = ("attending", BEFORE, True) if people % 3 else ("pending", None, False)
            await meeting(
                db,
                "bimonthly",
                {member_id: state, ids[(who + 1) % 4]: ("leave_requested", BEFORE, False)},
            )
        elif op == "entry":
            from services.assessment.ledger import refresh_source
            from storage.models import AssessmentEntry

            await entry(db, "M18", member_id=member_id, level="oral")
            async with db.session() as session, write_transaction(session):
                newest = (
                    await session.execute(
                        select(AssessmentEntry.id).order_by(AssessmentEntry.id.desc()).limit(1)
                    )
                ).scalar_one()  # type: ignore[union-attr]
                await refresh_source(
                    session,
                    source_kind="entry",
                    source_id=newest,
                    year=YEAR,
                    rules=BOOK.for_year(YEAR),
                    tz=TZ,
                    now=NOW,
                )
        else:
            from services.assessment.ledger import refresh_source
            from storage.models import Proposal

            await proposal(db, member_id=member_id, cosigners=(ids[(who + 2) % 4],))
            async with db.session() as session, write_transaction(session):
                newest = (
                    await session.execute(select(Proposal.id).order_by(Proposal.id.desc()).limit(1))
                ).scalar_one()  # type: ignore[union-attr]
                await refresh_source(
                    session,
                    source_kind="proposal",
                    source_id=newest,
                    year=YEAR,
                    rules=BOOK.for_year(YEAR),
                    tz=TZ,
                    now=NOW,
                )
    incremental = await snapshot(db)
    await rebuild(db)
    bulk = await snapshot(db)
    assert incremental == bulk
