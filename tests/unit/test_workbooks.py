"""Every workbook stores what people typed as text: a name is never a formula the reader runs."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from bot.cli import app
from bot.i18n import build_i18n
from services.reports.workbook import Days, Table, workbook

HOSTILE_NAME = '=HYPERLINK("http://evil.example/","张三")'
HOSTILE = [HOSTILE_NAME, "=1+1", "+SUM(A1:A2)", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0"]


def test_a_roster_name_that_looks_like_a_formula_stays_text(env: Path) -> None:
    roster = env / "roster.csv"
    with roster.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["code", "name", "sector", "group"])
        writer.writerow(["X001", HOSTILE_NAME, "education", "local"])
    runner = CliRunner()
    assert runner.invoke(app, ["db", "seed"]).exit_code == 0
    imported = runner.invoke(app, ["members", "import", str(roster)])
    assert imported.exit_code == 0, imported.output
    result = runner.invoke(app, ["report", "quarter", "--year", "2026", "--quarter", "4"])
    assert result.exit_code == 0, result.output
    book = load_workbook(env / "reports" / "minimums-2026-Q4.xlsx")
    row = next(r for r in book["Members"].iter_rows(min_row=2) if r[0].value == "X001")
    name = row[1]
    assert name.value == HOSTILE_NAME and name.data_type == "s"
    for sheet in book.worksheets:
        for cells in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in cells)


def test_every_string_in_a_report_workbook_is_text() -> None:
    table = Table("Cases", ["Station", "Description", "Days"])
    for text in HOSTILE:
        table.rows.append([text, f"{text}\x07 with a bell", Days(1.5)])
    i18n = build_i18n("en")
    with i18n.context(), i18n.use_locale("en"):
        data = workbook("=title", [table])
    sheet = load_workbook(io.BytesIO(data))["Cases"]
    rows = list(sheet.iter_rows(min_row=2))
    assert [row[0].value for row in rows] == HOSTILE
    for row in rows:
        assert row[0].data_type == "s" and row[1].data_type == "s"
        assert row[1].value.endswith(" with a bell") and "\x07" not in row[1].value
        assert row[2].data_type == "n" and row[2].value == 1.5
