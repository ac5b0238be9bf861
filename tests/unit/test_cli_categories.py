"""``liaison categories``: the default time for an answer is the office's to set, and kept."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from storage.db import Database
from storage.models import AuditEntry, IssueCategory


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("LIAISON_DATABASE_URL", url)
    monkeypatch.setenv("LIAISON_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("LIAISON_TELEGRAM_TOKEN", raising=False)
    monkeypatch.setenv("LIAISON_DEFAULT_LOCALE", "en")
    monkeypatch.chdir(tmp_path)
    return url


def _stored(url: str) -> tuple[dict[str, int], list[AuditEntry]]:
    async def go() -> tuple[dict[str, int], list[AuditEntry]]:
        db = Database(url)
        try:
            async with db.session() as session:
                days = {
                    c.code: c.due_days
                    for c in (await session.execute(select(IssueCategory))).scalars()
                }
                entries = list((await session.execute(select(AuditEntry))).scalars())
                return days, entries
        finally:
            await db.dispose()

    return asyncio.run(go())


def test_set_list_and_keep_the_due_days_across_a_reseed(env: str) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["db", "seed"]).exit_code == 0
    listed = runner.invoke(app, ["categories", "list", "--locale", "en"])
    assert listed.exit_code == 0
    assert "food\t5 days" in listed.output

    result = runner.invoke(app, ["categories", "due", "food", "3"])
    assert result.exit_code == 0, result.output
    assert "food: 5 -> 3 days" in result.output
    assert runner.invoke(app, ["db", "seed"]).exit_code == 0  # a reseed keeps the office's choice
    days, entries = _stored(env)
    assert days["food"] == 3
    [entry] = [e for e in entries if e.action == "category.due_days"]
    assert (entry.actor_kind, entry.object_id) == ("cli", "food")
    assert json.loads(entry.before or "{}") == {"due_days": 5}
    assert json.loads(entry.after or "{}") == {"due_days": 3}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-category", "7"], "no category with code 'no-such-category'"),
        (["food", "0"], "days must be 1 to 90"),
        (["food", "91"], "days must be 1 to 90"),
    ],
)
def test_refusals_change_nothing(env: str, args: list[str], message: str) -> None:
    runner = CliRunner()
    runner.invoke(app, ["db", "seed"])
    before, _entries = _stored(env)
    result = runner.invoke(app, ["categories", "due", *args])
    assert result.exit_code == 2
    assert message in result.output
    after, entries = _stored(env)
    assert after == before and not [e for e in entries if e.action == "category.due_days"]
