"""Importing the roster from CSV and XLSX: idempotent, bad rows reported, nothing half done."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from services.members.activities import ActivityInput, log_activity
from services.members.activity_pages import get_activity
from services.members.profiles import load_profile
from services.members.progress import member_progress
from services.members.roster import import_roster
from services.members.roster_files import read_rows
from services.members.rules import RuleBook
from storage.db import Database
from storage.models import ActivityPairedPerson, Member, MemberStation, PairedPerson
from tests.support.members import NOW, SAMPLE_ROSTER, import_sample, member_by_code


async def count(db: Database, model: type) -> int:
    async with db.session() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_sample_imports_and_reimporting_changes_nothing(db: Database) -> None:
    first = await import_sample(db)
    assert (first.created, first.updated, first.unchanged, first.errors) == (8, 0, 0, [])
    again = await import_sample(db)
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 8, [])
    assert await count(db, Member) == 8
    assert await count(db, MemberStation) == 9
    assert await count(db, PairedPerson) == 30
    member = await member_by_code(db, "M002")
    async with db.session() as session:
        assert member.id is not None
        profile = await load_profile(session, member_id=member.id)
    assert profile is not None
    assert profile.member.name == "李文静" and profile.sector.code == "medicine"
    assert profile.member.assessment_group == "local"
    assert profile.committee is not None and profile.committee.code == "education-health"
    assert [s.code for s in profile.stations] == ["jf-beian", "jf-yuehai"]
    first = profile.paired[0]
    assert (first.name, first.affiliation) == ("陈芳", "社区卫生服务站护士")


async def test_changes_are_applied_and_counted(db: Database, tmp_path: Path) -> None:
    await import_sample(db)
    text = SAMPLE_ROSTER.read_text(encoding="utf-8")
    text = text.replace("M003,王志强,economy,local", "M003,王志强,economy,standing")
    text = text.replace(
        "M008,周明德,acfic,hkmo,economy,,", "M008,周明德,acfic,hkmo,economy,xx-university,"
    )
    changed = tmp_path / "roster.csv"
    changed.write_text(text, encoding="utf-8")
    report = await import_sample(db, changed)
    assert (report.created, report.updated, report.unchanged) == (0, 2, 6)
    assert (await member_by_code(db, "M003")).assessment_group == "standing"


async def test_bad_rows_are_reported_by_number_and_the_rest_imported(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(
        "code,name,sector,group,committee,stations,status,term,paired_1\n"
        "A1,甲,education,local,,xq-jingde,,2023-2028,王丽（教师）\n"
        "A2,乙,nowhere,local,,,,,\n"
        "A3,丙,education,rookie,,,,,\n"
        ",丁,education,local,,,,,\n"
        "A5,戊,教育界,常委,教科卫体委员会,,在任,,\n"
        "A6,己,education,local,,xq-nowhere,,,\n"
        "A1,庚,education,local,,,,,\n"
        "A8,辛,education,local,,,retired,,\n",
        encoding="utf-8",
    )
    report = await import_sample(db, path)
    assert report.created == 2
    assert [number for number, _ in report.errors] == [3, 4, 5, 7, 8, 9]
    messages = dict(report.errors)
    assert "unknown sector 'nowhere'" in messages[3]
    assert "unknown group 'rookie'" in messages[4]
    assert "code is empty" in messages[5]
    assert "unknown station 'xq-nowhere'" in messages[7]
    assert "appears twice" in messages[8]
    assert "unknown status" in messages[9]
    assert (await member_by_code(db, "A5")).assessment_group == "standing"


async def test_xlsx_reads_like_csv(db: Database, tmp_path: Path) -> None:
    rows = read_rows(SAMPLE_ROSTER)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    header = list(rows[0])
    sheet.append(header)
    for row in rows:
        sheet.append([row[name] for name in header])
    path = tmp_path / "roster.xlsx"
    book.save(path)
    assert read_rows(path) == rows
    report = await import_sample(db, path)
    assert report.created == 8 and not report.errors


async def test_a_failure_midway_leaves_nothing_half_imported(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    import services.members.roster as roster

    calls = 0
    original = roster._apply

    async def crash_on_the_fifth(*args: object, **kwargs: object) -> str:
        nonlocal calls
        calls += 1
        if calls == 5:
            raise RuntimeError("power cut")
        return await original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(roster, "_apply", crash_on_the_fifth)
    async with db.session() as session:
        with pytest.raises(RuntimeError):
            await import_roster(
                session, read_rows(SAMPLE_ROSTER), now=NOW, rules=RuleBook().for_year(2026)
            )
    assert await count(db, Member) == 0
    assert await count(db, PairedPerson) == 0


# --- paired people: matched by name, retired rather than deleted ----------------------------

M001_PAIRED = (
    "王丽（敬德街小学教师）",
    "刘强（第十五中学教师）",
    "赵敏（幼儿园园长）",
    "孙伟（家长委员会）",
)


def m001_with(tmp_path: Path, *paired: str) -> Path:
    """The sample roster with M001's four paired columns replaced by ``paired``."""
    lines = SAMPLE_ROSTER.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if line.startswith("M001,"):
            lines[index] = ",".join([*line.split(",")[:8], *paired])
    path = tmp_path / f"roster-{abs(hash(paired))}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def people(db: Database) -> dict[str, PairedPerson]:
    """M001's paired people, listed and retired, by name."""
    member = await member_by_code(db, "M001")
    async with db.session() as session:
        rows = await session.execute(
            select(PairedPerson).where(PairedPerson.member_id == member.id)
        )
        return {person.name: person for person in rows.scalars()}


async def reach(db: Database, *names: str) -> int:
    """M001 logs a visit on 2026-11-18 that reached ``names``; the activity's id."""
    member = await member_by_code(db, "M001")
    assert member.id is not None
    ids = [(await people(db))[name].id or 0 for name in names]
    async with db.session() as session:
        activity = await log_activity(
            session,
            member_id=member.id,
            data=ActivityInput(
                kind="liaison-visit",
                occurred_on=dt.date(2026, 11, 18),
                sector_id=member.sector_id,
                people_count=5,
                summary="Visited the teachers about after-school care.",
                paired_person_ids=ids,
            ),
            rulebook=RuleBook(),
            now=NOW,
            tz=ZoneInfo("Asia/Shanghai"),
        )
    assert activity.id is not None
    return activity.id


async def card(db: Database) -> dict[str, dt.date | None]:
    """The paired people on M001's progress card, with their last contact."""
    member = await member_by_code(db, "M001")
    assert member.id is not None
    async with db.session() as session:
        progress = await member_progress(
            session, member_id=member.id, rules=RuleBook().for_year(2026), today=NOW.date()
        )
    return {contact.person.name: contact.last_contact for contact in progress.paired}


async def reached_by(db: Database, activity_id: int) -> list[str]:
    member = await member_by_code(db, "M001")
    async with db.session() as session:
        detail = await get_activity(session, member_id=member.id or 0, activity_id=activity_id)
    assert detail is not None
    return sorted(person.name for person in detail.paired)


async def test_a_replaced_person_is_someone_new_and_the_old_one_keeps_their_history(
    db: Database, tmp_path: Path
) -> None:
    await import_sample(db)
    before = await people(db)
    visit = await reach(db, "刘强")
    path = m001_with(tmp_path, M001_PAIRED[0], "钱芳（新任家长代表）", *M001_PAIRED[2:])
    report = await import_sample(db, path)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 7)
    after = await people(db)
    assert after["钱芳"].id not in {person.id for person in before.values()}
    assert (after["钱芳"].position, after["钱芳"].retired_at) == (2, None)
    assert after["刘强"].id == before["刘强"].id and after["刘强"].retired_at is not None
    assert await card(db) == {"王丽": None, "钱芳": None, "赵敏": None, "孙伟": None}
    assert await reached_by(db, visit) == ["刘强"]
    member = await member_by_code(db, "M001")
    async with db.session() as session:
        profile = await load_profile(session, member_id=member.id or 0)
    assert profile is not None
    assert [person.name for person in profile.paired] == ["王丽", "钱芳", "赵敏", "孙伟"]


async def test_a_blank_column_shifts_no_one_onto_anyone_elses_history(
    db: Database, tmp_path: Path
) -> None:
    await import_sample(db)
    before = await people(db)
    visit = await reach(db, "赵敏", "孙伟")
    await import_sample(db, m001_with(tmp_path, M001_PAIRED[0], "", *M001_PAIRED[2:]))
    after = await people(db)
    for name in ("王丽", "赵敏", "孙伟"):
        assert after[name].id == before[name].id and after[name].retired_at is None
    assert [after[name].position for name in ("王丽", "赵敏", "孙伟")] == [1, 3, 4]
    assert after["刘强"].retired_at is not None
    day = dt.date(2026, 11, 18)
    assert await card(db) == {"王丽": None, "赵敏": day, "孙伟": day}
    assert await reached_by(db, visit) == ["孙伟", "赵敏"]


async def test_someone_no_longer_listed_is_retired_with_their_links_and_can_come_back(
    db: Database, tmp_path: Path
) -> None:
    await import_sample(db)
    visit = await reach(db, "王丽", "孙伟")
    await import_sample(db, m001_with(tmp_path, *M001_PAIRED[:3], ""))
    assert await count(db, ActivityPairedPerson) == 2
    assert "孙伟" not in await card(db)
    assert await reached_by(db, visit) == ["孙伟", "王丽"]
    # Listed again, in another column: the same person, with the contact they had.
    back = m001_with(tmp_path, M001_PAIRED[3], *M001_PAIRED[:3])
    report = await import_sample(db, back)
    assert report.updated == 1
    after = await people(db)
    assert len(after) == 4 and after["孙伟"].retired_at is None
    assert [after[n].position for n in ("孙伟", "王丽", "刘强", "赵敏")] == [1, 2, 3, 4]
    assert (await card(db))["孙伟"] == dt.date(2026, 11, 18)


async def test_reimporting_a_changed_roster_changes_nothing_more(
    db: Database, tmp_path: Path
) -> None:
    await import_sample(db)
    changed = m001_with(tmp_path, "钱  芳（新任家长代表）", "", M001_PAIRED[3], M001_PAIRED[0])
    assert (await import_sample(db, changed)).updated == 1
    first = {name: (p.id, p.position, p.retired_at) for name, p in (await people(db)).items()}
    assert first["钱 芳"][1:] == (1, None)
    again = await import_sample(db, changed)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 8)
    # The same names with other spacing are the same people.
    spaced = m001_with(tmp_path, " 钱 芳 （新任家长代表）", "", M001_PAIRED[3], M001_PAIRED[0])
    assert (await import_sample(db, spaced)).unchanged == 8
    second = {name: (p.id, p.position, p.retired_at) for name, p in (await people(db)).items()}
    assert second == first
