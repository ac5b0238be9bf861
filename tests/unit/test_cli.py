"""The ``liaison`` command line: schema, seeding, station QR codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LIAISON_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("LIAISON_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("LIAISON_TELEGRAM_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_db_upgrade_seed_and_downgrade(env: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "database at revision 0001" in result.output
    result = runner.invoke(app, ["db", "seed"])
    assert result.exit_code == 0 and "7 stations, 21 sectors, 11 issue_categories" in result.output
    assert runner.invoke(app, ["db", "seed"]).output == result.output
    result = runner.invoke(app, ["db", "downgrade", "base"])
    assert result.exit_code == 0 and "revision None" in result.output


def test_stations_qr_without_telegram_points_at_the_web_chat(env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["stations", "qr"]).exit_code == 1  # no stations yet
    runner.invoke(app, ["db", "seed"])
    result = runner.invoke(
        app, ["stations", "qr", "--out", "codes", "--base-url", "https://chat.example.org"]
    )
    assert result.exit_code == 0, result.output
    files = sorted((env / "codes").glob("*.png"))
    assert len(files) == 7
    assert all(path.read_bytes().startswith(PNG) for path in files)
    assert "https://chat.example.org/?start=st-xq-jingde" in result.output


def test_stations_qr_with_a_bot_username(env: Path) -> None:
    runner = CliRunner()
    runner.invoke(app, ["db", "seed"])
    result = runner.invoke(app, ["stations", "qr", "--out", "codes", "--username", "liaison_bot"])
    assert result.exit_code == 0
    assert "https://t.me/liaison_bot?start=st-jf-beian" in result.output


def test_help_lists_the_commands() -> None:
    result = CliRunner().invoke(app, ["--help"])
    for command in ("demo", "run", "db", "stations"):
        assert command in result.output
