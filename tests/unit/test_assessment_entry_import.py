"""Importing entries: all rows or none, a report per bad row, re-importing adds nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from services.assessment.entry_import import import_entries
from services.audit import Actor, list_entries
from services.members.roster_files import read_rows, write_rows
from services.members.rules import RuleBook
from storage.db import Database
from storage.models import AssessmentEntry, AssessmentLine
from tests.support.members import NOW, TZ

COLUMNS = [
    "member_code", "sector_code", "item", "level", "date", "title", "evidence", "reference",
    "quantity",
]  # fmt: skip
GOOD = [
    {"member_code": "M001", "item": "M17", "level": "party", "date": "2026-04-02",
     "title": "关于老旧小区加装电梯的建议", "reference": "采用〔2026〕12号"},
    {"member_code": "M002", "item": "m19", "level": "report", "date": "2026/5/6",
     "title": "社区卫生调研报告"},
    {"sector_code": "cndca", "item": "S05", "date": "2026-06-01", "title": "界别视察",
     "quantity": "2"},
    {"sector_code": "cndca", "item": "S05", "date": "2026-06-01", "title": "界别视察",
     "quantity": "2"},
]  # fmt: skip


async def run(db: Database, path: Path, *, dry_run: bool = False) -> object:
    async with db.session() as session:
        return await import_entries(
            session,
            read_rows(path),
            actor=Actor.cli(),
            now=NOW,
            rulebook=RuleBook(),
            tz=TZ,
            dry_run=dry_run,
        )


async def count(db: Database, model: type[AssessmentEntry] | type[AssessmentLine]) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_import_is_idempotent(roster: Database, tmp_path: Path) -> None:
    path = tmp_path / "entries.xlsx"
    write_rows(path, COLUMNS, GOOD)
    dry = await run(roster, path, dry_run=True)
    assert (dry.created, dry.errors) == (4, [])  # type: ignore[attr-defined]
    assert await count(roster, AssessmentEntry) == 0
    first = await run(roster, path)
    assert (first.created, first.unchanged) == (4, 0)  # type: ignore[attr-defined]
    assert await count(roster, AssessmentEntry) == 4
    # The same file again: every row is known (two identical rows stay two).
    again = await run(roster, path)
    assert (again.created, again.unchanged) == (0, 4)  # type: ignore[attr-defined]
    assert await count(roster, AssessmentEntry) == 4
    assert await count(roster, AssessmentLine) >= 4
    async with roster.session() as session:
        assert len(await list_entries(session, action="assessment.entry.add")) == 4


async def test_one_bad_row_refuses_the_file(roster: Database, tmp_path: Path) -> None:
    path = tmp_path / "entries.csv"
    bad = [
        *GOOD,
        {"member_code": "M404", "item": "M17", "level": "city", "date": "2026-04-02",
         "title": "x"},
        {"member_code": "M001", "item": "M01", "date": "2026-04-02", "title": "x"},
        {"member_code": "M001", "item": "M18", "level": "sung", "date": "2026-04-02",
         "title": "x"},
        {"member_code": "M001", "item": "M18", "level": "oral", "date": "soon", "title": "x"},
    ]  # fmt: skip
    write_rows(path, COLUMNS, bad)
    report = await run(roster, path)
    rows = [number for number, _message in report.errors]  # type: ignore[attr-defined]
    assert rows == [6, 7, 8, 9]
    assert "M404" in report.errors[0][1]  # type: ignore[attr-defined]
    assert await count(roster, AssessmentEntry) == 0


async def test_missing_columns_are_named(roster: Database, tmp_path: Path) -> None:
    path = tmp_path / "entries.csv"
    write_rows(path, ["member_code", "item"], [{"member_code": "M001", "item": "M17"}])
    report = await run(roster, path)
    assert report.errors and "date" in report.errors[0][1]  # type: ignore[attr-defined]
