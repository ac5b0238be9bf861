"""``liaison pipeline lists`` and ``review-report``: the summary printed, the workbook written."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from bot.cli import app
from bot.settings import Settings
from storage.db import Database
from tests.unit.test_pipeline_lists import a_year
from tests.unit.test_pipeline_review import a_quarter


def prepare(env: Path, rows: Callable[[Database], Awaitable[object]]) -> None:
    assert CliRunner().invoke(app, ["db", "seed"]).exit_code == 0

    async def go() -> None:
        db = Database(Settings().database_url)
        await rows(db)
        await db.dispose()

    asyncio.run(go())


def run(*arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["pipeline", *arguments])
    return result.exit_code, result.output


def test_lists_print_and_write(env: Path) -> None:
    prepare(env, a_year)
    code, output = run("lists", "--year", "2026", "--out", "l.xlsx")
    assert code == 0, output
    assert "Problem, outcome and satisfaction lists, 2026" in output
    assert "Outcome list: 3 suggestions answered" in output
    assert "Proposal: 2 answered · 2 adopted" in output
    book = load_workbook(env / "l.xlsx")
    assert book.sheetnames[:3] == ["Problem list", "Outcome list", "Satisfaction list"]
    code, output = run("lists", "--from", "2026-04-01", "--to", "2026-06-30")
    assert code == 0 and (env / "reports" / "lists-2026-Q2.xlsx").exists()
    assert "Outcome list: 2 suggestions answered" in output


def test_lists_refuse_bad_periods(env: Path) -> None:
    assert run("lists", "--year", "2026", "--from", "2026-01-01")[0] == 2
    assert run("lists", "--from", "2026-01-01")[0] == 2
    code, output = run("lists", "--from", "2026-13-01", "--to", "2026-12-01")
    assert code == 2 and "is not a date like 2026-10-01" in output
    assert run("lists", "--from", "2026-05-01", "--to", "2026-04-01")[0] == 2


def test_review_report_prints_and_writes(env: Path) -> None:
    prepare(env, a_quarter)
    code, output = run("review-report", "--quarter", "2026q4")
    assert code == 0, output
    assert "Quarterly review report, 2026 Q4" in output and "Stuck suggestions: 2" in output
    assert "Departments past their due date: 2" in output
    book = load_workbook(env / "reports" / "review-2026-Q4.xlsx")
    assert book.sheetnames == ["Stuck suggestions", "Overdue departments", "Overdue items"]
    code, output = run("review-report", "--quarter", "2026Q5")
    assert code == 2 and "is not a quarter like 2026Q4" in output
    code, output = run("review-report", "--out", "now.xlsx", "--locale", "zh_CN")
    assert code == 0 and "季度会商报告" in output and (env / "now.xlsx").exists()
