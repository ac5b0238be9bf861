"""Attendance as a figure of its own: the office per meeting kind, members lowest first."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from bot.cli import app as cli
from services.reports.attendance_report import attendance_report, attendance_workbook
from storage.db import Database
from tests.support.assessment_ledger import meeting, members
from tests.support.members import NOW, TZ
from tests.unit.test_cli_assessment import prepare


async def test_office_kinds_and_members_lowest_first(db: Database) -> None:
    ids = await members(db)
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
    await meeting(db, "plenary", {ids["M001"]: ("attending", before, True)})
    async with db.session() as session:
        report = await attendance_report(session, years=[2026], tz=TZ)
    office = report.office
    assert (office["all"].attended, office["all"].excused, office["all"].absent) == (2, 1, 1)
    assert office["bimonthly"].invited == 3 and office["plenary"].attended == 1
    invited = [m.code for m in report.members if m.total.invited]
    assert invited == ["M002", "M003", "M001"]  # 0 %, 0 % (on leave), 100 %
    assert not report.members[-1].total.invited  # the never-invited come last
    book = load_workbook(io.BytesIO(attendance_workbook(report, report, "en")), read_only=True)
    assert book.sheetnames == ["2026", "Term"]


def test_the_cli_prints_and_writes(env: Path) -> None:
    prepare(env)
    result = CliRunner().invoke(
        cli, ["assessment", "attendance", "--year", "2026", "--term", "--out", "a.xlsx"]
    )
    assert result.exit_code == 0, result.output
    assert "Attendance in 2026" in result.output
    assert (env / "a.xlsx").exists()
