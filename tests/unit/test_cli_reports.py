"""``liaison report``: the case reports and the minimums as files, from the command line."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from bot.cli import app
from storage.db import Database
from tests.unit.test_issue_stats import load_fixture

PNG = b"\x89PNG\r\n\x1a\n"
Q4 = ["--from", "2026-10-01", "--to", "2026-12-31"]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("LIAISON_DATABASE_URL", url)
    monkeypatch.setenv("LIAISON_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("LIAISON_TELEGRAM_TOKEN", raising=False)
    monkeypatch.setenv("LIAISON_DEFAULT_LOCALE", "en")
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(app, ["db", "seed"]).exit_code == 0

    async def load() -> None:
        db = Database(url)
        try:
            await load_fixture(db)
        finally:
            await db.dispose()

    asyncio.run(load())
    return tmp_path


def test_issues_report_writes_the_workbook_and_the_chart(env: Path) -> None:
    result = CliRunner().invoke(
        app, ["report", "issues", *Q4, "--out", "q4.xlsx", "--chart", "q4.png", "--locale", "en"]
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Cases received, 2026 Q4 (2026-10-01 – 2026-12-31)" in out
    assert "All stations" in out and "9 cases received; 3 still open." in out
    assert "First answer: median 3 d 0 h, over 6 answered cases." in out
    assert "5 cases rated, average 3.2 of 5." in out
    assert "9 cases written to q4.xlsx" in out
    assert (env / "q4.png").read_bytes().startswith(PNG)
    book = load_workbook(env / "q4.xlsx")
    assert book.sheetnames == [
        "Summary",
        "By station",
        "By category",
        "By status",
        "Times by station",
        "Ratings by station",
        "Ratings",
    ]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Period"] == "2026 Q4" and summary["Cases received"] == 9
    assert summary["Median days to the first answer"] == 3.0
    assert summary["Median days to resolution"] == 5.0
    assert summary["Average rating"] == 3.2
    times = list(book["Times by station"].iter_rows(values_only=True))
    assert times[1][:5] == ("Jingde Street Community Liaison Station", 3, 2.0, 2, 4.5)
    assert book["Times by station"]["C2"].number_format == "0.0"
    assert book["Ratings by station"]["K2"].number_format == "0%"  # share solved


def test_issues_report_for_one_station_in_chinese(env: Path) -> None:
    result = CliRunner().invoke(
        app, ["report", "issues", *Q4, "--station", "jf-beian", "--locale", "zh_CN"]
    )
    assert result.exit_code == 0, result.output
    assert "北安社区社情民意联络站: 4" in result.output
    assert "敬德街" not in result.output
    book = load_workbook(env / "reports" / "issues-2026-Q4.xlsx")
    rows = list(book.worksheets[1].iter_rows(values_only=True))
    assert rows[1][:2] == ("北安社区社情民意联络站", 4) and len(rows) == 2


def test_issues_report_for_any_days(env: Path) -> None:
    result = CliRunner().invoke(
        app, ["report", "issues", "--from", "2026-10-01", "--to", "2026-10-05"]
    )
    assert result.exit_code == 0, result.output
    assert "Cases received, 2026-10-01 – 2026-10-05" in result.output
    assert "3 cases received" in result.output
    assert (env / "reports" / "issues-2026-10-01_2026-10-05.xlsx").exists()


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        (["--from", "2026-13-01", "--to", "2026-12-31"], "not a date"),
        (["--from", "2026-12-31", "--to", "2026-10-01"], "before --from"),
        (["--from", "2026-10-01"], "Give both"),
        ([*Q4, "--station", "nowhere"], "no station has the code 'nowhere'"),
        ([*Q4, "--locale", "fr"], "zh_CN or en"),
    ],
)
def test_issues_report_refuses_bad_options(env: Path, arguments: list[str], complaint: str) -> None:
    result = CliRunner().invoke(app, ["report", "issues", *arguments])
    assert result.exit_code == 2
    assert complaint in result.output
    assert not (env / "reports").exists()


def test_quarter_report_with_a_chart(env: Path) -> None:
    from tests.support.members import SAMPLE_ROSTER

    runner = CliRunner()
    runner.invoke(app, ["members", "import", str(SAMPLE_ROSTER)])
    result = runner.invoke(
        app, ["report", "quarter", "--year", "2026", "--quarter", "4", "--chart", "m.png"]
    )
    assert result.exit_code == 0, result.output
    assert "Short of the minimum (8):" in result.output
    assert (env / "m.png").read_bytes().startswith(PNG)
    assert "Chart written to m.png" in result.output
    # Asked for a chart and no workbook: only the chart is written.
    assert not (env / "reports").exists() and "written to reports" not in result.output


def test_a_chart_without_out_writes_only_the_chart(env: Path) -> None:
    result = CliRunner().invoke(app, ["report", "issues", *Q4, "--chart", "q4.png"])
    assert result.exit_code == 0, result.output
    assert (env / "q4.png").read_bytes().startswith(PNG)
    assert not (env / "reports").exists()
    assert [path.name for path in env.iterdir() if path.suffix in (".png", ".xlsx")] == ["q4.png"]
    assert "Chart written to q4.png" in result.output and "cases written" not in result.output


def test_issues_report_speaks_one_language(env: Path) -> None:
    result = CliRunner().invoke(
        app, ["report", "issues", *Q4, "--out", "q4.xlsx", "--chart", "q4.png", "--locale", "zh_CN"]
    )
    assert result.exit_code == 0, result.output
    assert "已将 9 件诉求写入 q4.xlsx" in result.output
    assert "图表已写入 q4.png" in result.output
    assert "written to" not in result.output and "Chart" not in result.output
    assert (env / "q4.xlsx").exists() and (env / "q4.png").exists()
