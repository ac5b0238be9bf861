"""``liaison assessment``: show, export, the year's life, talks and conduct, and refusals."""

from __future__ import annotations

import asyncio
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from bot.settings import Settings
from storage.db import Database
from tests.support.members import SAMPLE_ROSTER
from tests.unit.test_assessment_publication import seed_totals


def prepare(env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["db", "seed"]).exit_code == 0
    result = runner.invoke(app, ["members", "import", str(SAMPLE_ROSTER)])
    assert result.exit_code == 0, result.output

    async def go() -> None:
        db = Database(Settings().database_url)
        await seed_totals(db)
        await db.dispose()

    asyncio.run(go())


def run(*arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["assessment", *arguments])
    try:
        errors = result.stderr
    except ValueError:  # stderr mixed into the output
        errors = ""
    return result.exit_code, result.output + errors


def test_the_year_from_show_to_publish(env: Path) -> None:
    prepare(env)
    code, output = run("show", "--year", "2026", "--group", "local")
    assert code == 0, output
    assert "2026: open, rules version 3." in output
    assert "Members living in the city: 4 ranked, pool of 2" in output
    assert "all are in the pool" in output
    code, output = run("export", "--year", "2026")
    assert code == 0 and (env / "reports" / "assessment-2026.xlsx").exists()
    assert (
        run("decide", "--year", "2026", "--members", "M001")[1]
        .strip()
        .endswith("2026 is not closed: close it first.")
    )
    assert run("close", "--year", "2026") == (0, "2026 is closed: its standings are frozen.\n")
    code, output = run("close", "--year", "2026")
    assert code == 1 and "2026 is already closed." in output
    code, output = run("recommend", "--year", "2026", "--committee", "nope", "M002")
    assert code == 1 and "No special committee has the code 'nope'." in output
    code, output = run("recommend", "--year", "2026", "--committee", "economy", "M007")
    assert code == 1 and "Not in the pool of 2026: M007." in output
    code, output = run("recommend", "--year", "2026", "--committee", "economy", "M002", "M003")
    assert code == 0 and "Recommended by economy: 2." in output
    code, output = run("decide", "--year", "2026", "--members", "M001,M002", "--sectors", "cndca")
    assert code == 0 and "excellent members 2, excellent sectors 1" in output
    code, output = run("decide", "--year", "2026", "--members", "M999")
    assert code == 1 and "No member has the code 'M999'." in output
    code, output = run("publish", "--year", "2026")
    assert code == 0 and "2026 is published; 0 notices queued." in output
    code, output = run("reopen", "--year", "2026")
    assert code == 1 and "already published" in output


def test_talks_conduct_and_chinese(env: Path) -> None:
    prepare(env)
    code, output = run("talks", "--year", "2026")
    assert code == 0 and "M007" in output and "low total" in output
    code, output = run("conduct", "M007", "--kind", "suspension", "--note", "absent all year")
    assert code == 0 and "Recorded for M007: suspension." in output
    code, output = run("conduct", "M007", "--kind", "fine")
    assert code == 2
    code, output = run("conduct", "M404", "--kind", "talk")
    assert code == 1 and "M404" in output
    code, output = run("close", "--year", "2031")
    assert code == 1 and "2031 has not begun" in output
    code, output = run("show", "--year", "2026", "--locale", "zh_CN")
    assert code == 0 and "住市委员" in output
