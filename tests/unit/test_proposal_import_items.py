"""Importing proposals with their suggestions: split into items, replaced until handled."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from bot.settings import Settings
from services.audit import Actor
from services.members.roster_files import write_rows
from services.members.rules import RuleBook
from services.proposals.imports import import_proposals
from storage.db import Database
from storage.models import Handling, Proposal, Suggestion
from tests.support.members import NOW, SAMPLE_ROSTER, TZ
from tests.support.proposal_staff import department_id

BOOK = RuleBook()
COLUMNS = ["year", "number", "title", "submitted_on", "member_code", "suggestions"]


def row(number: str, suggestions: str) -> dict[str, str]:
    return {
        "year": "2026",
        "number": number,
        "title": "关于停车难的提案",
        "submitted_on": "2026-02-01",
        "member_code": "M001",
        "suggestions": suggestions,
    }


async def items(db: Database, number: str) -> list[str]:
    async with db.session() as session:
        rows = await session.execute(
            select(Suggestion.text)
            .join(Proposal, Proposal.id == Suggestion.proposal_id)
            .where(Proposal.number == number)
            .order_by(Suggestion.position)
        )
        return list(rows.scalars())


async def test_suggestions_column_sets_and_replaces_items(roster: Database) -> None:
    async def run(*rows: dict[str, str]) -> object:
        async with roster.session() as session:
            return await import_proposals(
                session, list(rows), actor=Actor.cli(), now=NOW, rulebook=BOOK, tz=TZ
            )

    first = await run(
        row("2026-T-0101", "1. 增设停车位；2. 错时共享\n3. 规范收费"), row("2026-T-0102", "")
    )
    assert (first.created, first.errors) == (2, [])  # type: ignore[attr-defined]
    assert await items(roster, "2026-T-0101") == ["增设停车位", "错时共享", "规范收费"]
    assert await items(roster, "2026-T-0102") == []
    again = await run(row("2026-T-0101", "增设停车位；错时共享；规范收费"))
    assert again.unchanged == 1  # type: ignore[attr-defined]
    changed = await run(row("2026-T-0101", "增设停车位"))
    assert changed.updated == 1  # type: ignore[attr-defined]
    assert await items(roster, "2026-T-0101") == ["增设停车位"]
    # Left alone when the column is empty; refused once a department has the items.
    assert (await run(row("2026-T-0101", ""))).unchanged == 1  # type: ignore[attr-defined]
    housing = await department_id(roster, "housing")
    async with roster.session() as session:
        [suggestion] = (
            await session.execute(select(Suggestion).where(Suggestion.text == "增设停车位"))
        ).scalars()
        session.add(Handling(suggestion_id=suggestion.id or 0, department_id=housing,
                             assigned_at=NOW, due_at=NOW + dt.timedelta(days=9)))  # fmt: skip
        await session.commit()
    refused = await run(row("2026-T-0101", "别的"), row("2026-T-0103", "新的"))
    assert [line for line, _text in refused.errors] == [2]  # type: ignore[attr-defined]
    assert "with departments" in refused.errors[0][1]  # type: ignore[attr-defined]
    assert await items(roster, "2026-T-0103") == []


def test_cli_import_reads_the_suggestions_column(env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["db", "seed"]).exit_code == 0
    assert runner.invoke(app, ["members", "import", str(SAMPLE_ROSTER)]).exit_code == 0
    sheet = env / "proposals.csv"
    write_rows(sheet, COLUMNS, [row("2026-T-0201", "增设停车位；错时共享")])
    result = runner.invoke(app, ["proposals", "import", str(sheet)])
    assert result.exit_code == 0, result.output

    async def stored() -> list[str]:
        db = Database(Settings().database_url)
        try:
            return await items(db, "2026-T-0201")
        finally:
            await db.dispose()

    assert asyncio.run(stored()) == ["增设停车位", "错时共享"]
