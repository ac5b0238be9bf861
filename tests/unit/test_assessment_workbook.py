"""The assessment workbook: totals, one sheet per group with tie notes, sectors, the ledger."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from bot.i18n import build_i18n
from services.assessment.publication import close_year
from services.assessment.standings import year_standings
from services.audit import Actor
from services.reports.assessment_workbook import assessment_workbook
from storage.db import Database
from tests.support.members import NOW, TZ
from tests.unit.test_assessment_publication import YEAR, rules, seed_totals


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
async def test_workbook_sheets_and_headers(roster: Database, locale: str) -> None:
    await seed_totals(roster)
    i18n = build_i18n(locale)
    async with roster.session() as session:
        standings = await year_standings(session, year=YEAR, rules=rules(), tz=TZ)
        with i18n.context(), i18n.use_locale(locale):
            data = await assessment_workbook(session, standings=standings, locale=locale)
    book = load_workbook(io.BytesIO(data))
    names = book.sheetnames
    assert len(names) == 1 + 5 + 1 + 1  # totals, five member groups, sectors, ledger
    totals = book[names[0]]
    header = [c.value for c in totals[1]]
    if locale == "en":
        assert names[0] == "Totals" and names[-1] == "Ledger" and names[-2] == "Sectors"
        assert header == [
            "Code",
            "Name",
            "Sector",
            "Group",
            "Total",
            "Rank",
            "In pool",
            "Excellent",
            "Rules version",
        ]
        local = book["Members living in the city"]
        notes = [row[6].value for row in local.iter_rows(min_row=2)]
        assert any(note and "all are in the pool" in note for note in notes)
    else:
        assert header[0] != "Code" and "住市委员" in names
    rows = list(totals.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 8
    first = next(row for row in rows if row[0] == "M001")
    assert first[4] == 50 and first[5] == 1 and first[-1] == rules().version
    ledger = list(book[names[-1]].iter_rows(min_row=2, values_only=True))
    assert len(ledger) == 7 and ledger[0][3] == "M03" and ledger[0][9] == 4


async def test_a_closed_year_exports_its_decisions(roster: Database) -> None:
    await seed_totals(roster)
    async with roster.session() as session:
        await close_year(session, year=YEAR, rules=rules(), actor=Actor.cli(), now=NOW, tz=TZ)
        standings = await year_standings(session, year=YEAR, rules=rules(), tz=TZ)
        data = await assessment_workbook(session, standings=standings, locale="en")
    totals = load_workbook(io.BytesIO(data))["Totals"]
    assert [c.value for c in totals[2]][:2] == ["M001", "张建华"]
