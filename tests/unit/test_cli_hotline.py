"""``liaison hotline import`` and ``liaison hotspots run`` on a seeded database."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from tests.unit.test_hotline_hotspots import HEADER, export_rows


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LIAISON_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("LIAISON_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("LIAISON_TELEGRAM_TOKEN", raising=False)
    monkeypatch.setenv("LIAISON_DEFAULT_LOCALE", "en")
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(app, ["db", "seed"]).exit_code == 0
    return tmp_path


def test_import_twice_then_run_the_month(env: Path) -> None:
    rows = export_rows(11, 5)
    rows.append(["", "2026-11-05 08:00:00", "停车管理", "兴庆区", "某地", "没有编号", "", ""])
    rows.append(["X2", "soon", "停车管理", "兴庆区", "某地", "时间不对", "", ""])
    with (env / "export.csv").open("w", encoding="gbk", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    runner = CliRunner()
    first = runner.invoke(app, ["hotline", "import", "export.csv"])
    assert first.exit_code == 1
    assert "15 new, 0 already imported, 2 refused" in first.output
    assert "row 17: no ticket id" in first.output
    assert "row 18: time 'soon' does not read as %Y-%m-%d %H:%M:%S" in first.output
    again = runner.invoke(app, ["hotline", "import", "export.csv", "--locale", "zh_CN"])
    assert "新增 0 条，已导入过 15 条，拒绝 2 条" in again.output
    (env / "map.toml").write_text("[columns]\nticket_id = 'x'\n", encoding="utf-8")
    bad_map = runner.invoke(app, ["hotline", "import", "export.csv", "--map", "map.toml"])
    assert bad_map.exit_code == 2 and "the column map is unusable" in bad_map.output
    run = runner.invoke(app, ["hotspots", "run", "--month", "2026-11"])
    assert run.exit_code == 0, run.output
    assert run.output.startswith("2026-11: 3 hotspots from 0 cases and 15 hotline records")
    wrong = runner.invoke(app, ["hotspots", "run", "--month", "2026-13"])
    assert wrong.exit_code == 2 and "is not a month" in wrong.output
