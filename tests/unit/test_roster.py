"""Importing the roster from CSV and XLSX: idempotent, bad rows reported, nothing half done."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from services.members import load_profile
from services.roster import import_roster
from services.roster_files import read_rows
from storage.db import Database
from storage.models import Member, MemberStation, PairedPerson
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
    import services.roster as roster

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
            await import_roster(session, read_rows(SAMPLE_ROSTER), now=NOW)
    assert await count(db, Member) == 0
    assert await count(db, PairedPerson) == 0
