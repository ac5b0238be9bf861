"""📈 Reports → attendance and the assessment standings: pages, workbooks, past years, and
station staff refused (the menu hides the buttons; a forged press is answered with the refusal).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.methods import AnswerCallbackQuery, SendDocument
from aiogram.types import BufferedInputFile
from openpyxl import load_workbook
from sqlalchemy import update

from handlers.staff import year_reports
from handlers.staff.stats_buttons import ReportCB
from services.accounts.identities import touch_identity
from services.accounts.staff import add_staff, bind_staff
from services.assessment.publication import close_year
from services.audit import Actor
from storage.db import Database, write_transaction
from storage.enums import StaffRole
from storage.models import Member
from tests.support.assessment_ledger import BOOK, TZ, YEAR, entry, meeting, rebuild
from tests.support.chat import ChatUser, forged
from tests.support.members import NOW, member_by_code

BEFORE = NOW - dt.timedelta(days=12)


def alerts(sent: list[Any]) -> list[str]:
    return [str(r.text) for r in sent if isinstance(r, AnswerCallbackQuery) and r.text]


def workbook_of(sent: list[Any]) -> Any:
    [document] = [r for r in sent if isinstance(r, SendDocument)]
    assert isinstance(document.document, BufferedInputFile)
    assert (document.document.filename or "").endswith(".xlsx")
    return load_workbook(io.BytesIO(document.document.data), read_only=True)


async def ranked_roster(db: Database) -> dict[str, int]:
    """Every sample member on the roster since 2025, so ranked in 2026; code → id."""
    async with db.session() as session, write_transaction(session):
        await session.execute(
            update(Member).values(created_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
        )
    return {code: (await member_by_code(db, code)).id or 0 for code in ("M001", "M002", "M003")}


@pytest.fixture
async def station_staff(roster: Database, dispatcher: Dispatcher, bot: Bot) -> ChatUser:
    """李梅, station staff at one station."""
    async with roster.session() as session:
        staff = await add_staff(session, name="李梅", role=StaffRole.STATION, now=NOW)
        identity = await touch_identity(
            session, channel="telegram", chat_id=8002, chat_type="private", now=NOW
        )
        async with write_transaction(session):
            await bind_staff(session, staff_id=staff.id or 0, identity=identity, now=NOW)
    return ChatUser(dispatcher, bot, user_id=8002)


async def test_attendance_pages_and_workbook(
    roster: Database, office: ChatUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await ranked_roster(roster)
    await meeting(
        roster,
        "bimonthly",
        {
            ids["M001"]: ("attending", BEFORE, True),
            ids["M002"]: ("pending", None, False),
            ids["M003"]: ("leave_approved", BEFORE, False),
        },
    )
    monkeypatch.setattr(year_reports, "ROWS_PER_PAGE", 2)
    await office.send("📈 Reports")
    sent = await office.press(office.button("Attendance"))
    card = office.texts(sent)[-1]
    assert "Attendance in 2026" in card
    assert "All meetings: attended 33% · excused 33% · absent 33% (3 invited)" in card
    assert "page 1 of" in card
    # Lowest first: M002 (absent) and M003 (on leave), both 0 %, then M001 on the next page.
    assert card.index("M002") < card.index("M003") and "M001" not in card
    sent = await office.press(office.button("More"))
    assert "M001" in office.texts(sent)[-1] and "100% attended (1 of 1)" in office.texts(sent)[-1]
    sent = await office.press(office.button("The workbook"))
    assert workbook_of(sent).sheetnames == ["2026"]


async def test_station_staff_are_refused(roster: Database, station_staff: ChatUser) -> None:
    sent = await station_staff.send("📈 Reports")
    labels = " ".join(text for text, _data in station_staff.inline_buttons())
    assert "Attendance" not in labels and "Assessment" not in labels
    for action in ("attendance", "assessment"):
        sent = await station_staff.press(ReportCB(action=action).pack())
        assert alerts(sent) == ["Members' figures are for the committee office's administrators."]
        assert all(isinstance(r, AnswerCallbackQuery) for r in sent)


async def test_standings_pages_workbook_and_past_years(
    roster: Database, office: ChatUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await ranked_roster(roster)
    await entry(roster, "M18", member_id=ids["M002"], level="oral")
    await rebuild(roster)
    monkeypatch.setattr(year_reports, "ROWS_PER_PAGE", 3)
    await office.send("📈 Reports")
    sent = await office.press(office.button("Assessment standings"))
    card = office.texts(sent)[-1]
    assert "Standings 2026</b> (open, rules version" in card
    assert " ranked, pool of " in card and "Page 1 of" in card
    assert "<b>Standing committee members</b> · members: 2 ranked, pool of 1" in card
    assert "1. M001 张建华 · 0 · in the pool · <i>2 tied at 0 points" in card
    sent = await office.press(office.button("More"))
    assert "Page 2 of" in office.texts(sent)[-1]
    book = workbook_of(await office.press(office.button("The workbook")))
    assert len(book.sheetnames) > 2
    sent = await office.press(office.button("Past years"))
    assert "No year is closed yet." in office.texts(sent)[-1]
    await office.press(office.button("Back"))
    async with roster.session() as session:
        await close_year(
            session, year=YEAR, rules=BOOK.for_year(YEAR), actor=Actor.cli(), now=NOW, tz=TZ
        )
    sent = await office.press(office.button("Past years"))
    assert "Closed and published years" in office.texts(sent)[-1]
    sent = await office.press(forged(office, "year:2024"))
    assert alerts(sent) == ["This button is not valid."]
    sent = await office.press(office.button(str(YEAR)))
    card = office.texts(sent)[-1]
    assert f"Standings {YEAR}</b> (closed" in card and "1. M001 张建华" in card


async def test_a_stale_report_card_is_refused(roster: Database, office: ChatUser) -> None:
    await office.send("📈 Reports")
    await office.press(office.button("Attendance"))
    old_book = office.button("The workbook")
    await office.send("📈 Reports")
    await office.press(office.button("Assessment standings"))
    sent = await office.press(old_book)
    assert alerts(sent) == ["This card is out of date. Here is where you are now."]
    assert not [r for r in sent if isinstance(r, SendDocument)]
    assert "Standings 2026" in office.texts(sent)[-1]
