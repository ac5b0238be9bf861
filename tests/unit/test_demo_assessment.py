"""The demo's assessment: every member group ranked with live totals, last year published."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.app import build_context
from bot.cli import app
from bot.runner import seed_demo_data
from bot.settings import Settings
from services.assessment.standings import year_standings
from services.clock import ManualClock
from services.members.rules import RuleBook
from storage.db import Database
from storage.models import AssessmentEntry, AssessmentResult, Proposal
from tests.conftest import START
from tests.support.members import TZ


async def test_demo_years_are_ranked_published_and_seeded_once(
    db: Database, settings: Settings
) -> None:
    clock = ManualClock(START)
    counts = await seed_demo_data(build_context(settings, db, clock))
    assert counts["assessment_records"] > 0 and counts["assessment_published"] == 1
    async with db.session() as session:
        before = [
            await session.scalar(select(func.count()).select_from(model))
            for model in (Proposal, AssessmentEntry, AssessmentResult)
        ]
    again = await seed_demo_data(build_context(settings, db, clock))
    assert again["assessment_records"] == 0 and again["assessment_published"] == 1
    async with db.session() as session:
        after = [
            await session.scalar(select(func.count()).select_from(model))
            for model in (Proposal, AssessmentEntry, AssessmentResult)
        ]
        assert before == after
        live = await year_standings(session, year=2026, rules=RuleBook().for_year(2026), tz=TZ)
        past = await year_standings(session, year=2025, rules=RuleBook().for_year(2025), tz=TZ)
    assert live.state == "open" and past.state == "published"
    for group in live.members:
        assert group.size >= 2, group.code
        assert all(row.total_c > 0 for row in group.rows), group.code
        assert group.rows[0].rank == 1
    assert {g.code for g in live.members} >= {"standing", "local", "nonlocal", "hkmo", "office"}


def test_cli_shows_the_demo_year(
    sqlite_url: str, settings: Settings, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    async def seed() -> None:
        database = Database(sqlite_url)
        await seed_demo_data(build_context(settings, database, ManualClock(START)))
        await database.dispose()

    asyncio.run(seed())
    monkeypatch.setenv("LIAISON_DATABASE_URL", sqlite_url)
    result = CliRunner().invoke(app, ["assessment", "show", "--year", "2026"])
    assert result.exit_code == 0, result.output
    assert "2026: open" in result.output
    assert "M101" in result.output and "Members living in Hong Kong" in result.output
    shown = CliRunner().invoke(app, ["assessment", "show", "--year", "2025"])
    assert "2025: published" in shown.output
