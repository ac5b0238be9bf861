"""The roster's paired columns follow the year's rules, and its ``office`` column; the export."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from services.members.progress import member_progress
from services.members.roster_export import roster_export
from services.members.roster_files import read_rows, write_rows
from services.members.roster_rows import paired_columns, roster_columns
from services.members.rules import RULES_DIR, RuleBook, Rules
from storage.db import Database
from tests.support.members import SAMPLE_ROSTER, import_sample, member_by_code

FOUR = RuleBook().for_year(2026)


def six_rules(folder: Path) -> Rules:
    """A copy of the bundled rules pairing each member with six people."""
    folder.mkdir()
    text = (RULES_DIR / "2026.toml").read_text(encoding="utf-8")
    assert "paired_people_per_member = 4\n" in text
    (folder / "2026.toml").write_text(
        text.replace("paired_people_per_member = 4\n", "paired_people_per_member = 6\n"),
        encoding="utf-8",
    )
    return RuleBook(folder).for_year(2026)


def sample_with(tmp_path: Path, extra: dict[str, dict[str, str]]) -> Path:
    """The sample roster with some cells changed (or columns added), per member code."""
    rows = read_rows(SAMPLE_ROSTER)
    columns = list(rows[0])
    for changes in extra.values():
        columns += [column for column in changes if column not in columns]
    for row in rows:
        row.update(extra.get(row["code"], {}))
    path = tmp_path / "roster.csv"
    write_rows(path, columns, rows)
    return path


async def paired_names(db: Database, code: str) -> list[tuple[int, str]]:
    member = await member_by_code(db, code)
    async with db.session() as session:
        progress = await member_progress(
            session, member_id=member.id or 0, rules=FOUR, today=dt.date(2026, 11, 20)
        )
    return [(c.person.position, c.person.name) for c in progress.paired]


def test_columns_follow_the_rules(tmp_path: Path) -> None:
    assert paired_columns(FOUR.paired_people_per_member) == (
        "paired_1",
        "paired_2",
        "paired_3",
        "paired_4",
    )
    six = six_rules(tmp_path / "rules")
    assert roster_columns(six)[-3:] == ("paired_5", "paired_6", "office")


async def test_six_paired_people_when_the_rules_say_six(db: Database, tmp_path: Path) -> None:
    six = six_rules(tmp_path / "rules")
    extra = {"M001": {"paired_5": "钱多（书店店主）", "paired_6": "李明"}}
    path = sample_with(tmp_path, extra)
    # Under four, a fifth column with a name is refused rather than silently dropped.
    refused = await import_sample(db, path, rules=FOUR)
    assert [number for number, _message in refused.errors] == [2]
    assert "paired_5" in refused.errors[0][1]
    report = await import_sample(db, path, rules=six)
    assert report.errors == []
    names = await paired_names(db, "M001")
    assert names[4:] == [(5, "钱多"), (6, "李明")]
    async with db.session() as session:
        member = await member_by_code(db, "M001")
        progress = await member_progress(
            session, member_id=member.id or 0, rules=six, today=dt.date(2026, 11, 20)
        )
    assert (len(progress.paired), progress.paired_expected) == (6, 6)


async def test_office_column(db: Database, tmp_path: Path) -> None:
    path = sample_with(
        tmp_path, {"M001": {"office": "是"}, "M002": {"office": "TRUE"}, "M003": {"office": "1"}}
    )
    assert (await import_sample(db, path)).errors == []
    flags = {code: (await member_by_code(db, code)).office for code in ("M001", "M002", "M003")}
    assert flags == {"M001": True, "M002": True, "M003": True}
    assert (await member_by_code(db, "M004")).office is False
    # Back to "no" (or 否, false, 0, or an empty cell): an update.
    again = sample_with(tmp_path, {"M001": {"office": "否"}, "M002": {"office": ""}})
    report = await import_sample(db, again)
    assert (report.updated, report.errors) == (3, [])  # M003's sample row says "no"
    assert not (await member_by_code(db, "M001")).office
    wrong = sample_with(tmp_path, {"M001": {"office": "maybe"}})
    refused = await import_sample(db, wrong)
    assert refused.errors[0][0] == 2 and "office" in refused.errors[0][1]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
async def test_export_imports_back_unchanged(db: Database, tmp_path: Path, suffix: str) -> None:
    await import_sample(db, sample_with(tmp_path, {"M005": {"office": "yes"}}))
    async with db.session() as session:
        rows = await roster_export(session, rules=FOUR)
    assert len(rows) == 8
    m005 = next(row for row in rows if row["code"] == "M005")
    assert m005["office"] == "yes" and m005["paired_1"] == "钱进（民营企业家）"
    path = tmp_path / f"export{suffix}"
    write_rows(path, roster_columns(FOUR), rows)
    assert list(read_rows(path)[0]) == list(roster_columns(FOUR))
    again = await import_sample(db, path)
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 8, [])


def test_export_from_the_command_line(env: Path) -> None:
    runner = CliRunner()
    runner.invoke(app, ["db", "seed"])
    assert runner.invoke(app, ["members", "import", str(SAMPLE_ROSTER)]).exit_code == 0
    result = runner.invoke(app, ["members", "export", "roster.csv"])
    assert result.exit_code == 0, result.output
    assert "8 members written to roster.csv" in result.output
    with (env / "roster.csv").open(encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle))
    assert header[-1] == "office" and "paired_4" in header
