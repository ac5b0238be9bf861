"""Staff reports in the chat: the menu, each report's summary, chart and spreadsheet, the
station staff's narrower view, the remind-all button, and every forged press refused.

The cases are the hand-counted fixture of ``tests/unit/test_issue_stats.py``.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.methods import AnswerCallbackQuery, SendDocument, SendMessage, SendPhoto
from aiogram.types import BufferedInputFile
from openpyxl import load_workbook
from sqlalchemy import select

from bot.app import AppContext
from services.accounts.identities import touch_identity
from services.accounts.staff import add_staff, bind_staff
from services.clock import ManualClock
from storage.db import Database, write_transaction
from storage.enums import StaffRole
from storage.models import Station
from tests.support.chat import ChatUser
from tests.support.members import NOW
from tests.support.notices import outbox
from tests.unit.test_issue_stats import load_fixture

PNG = b"\x89PNG\r\n\x1a\n"


def alert(sent: list[Any]) -> str:
    answers = [r for r in sent if isinstance(r, AnswerCallbackQuery)]
    assert len(answers) == 1, sent
    return str(answers[0].text or "")


def message(sent: list[Any]) -> str:
    return "\n".join(str(r.text) for r in sent if isinstance(r, SendMessage))


def files(sent: list[Any]) -> tuple[bytes, bytes]:
    [photo] = [r for r in sent if isinstance(r, SendPhoto)]
    [document] = [r for r in sent if isinstance(r, SendDocument)]
    assert isinstance(photo.photo, BufferedInputFile)
    assert isinstance(document.document, BufferedInputFile)
    assert document.document.filename and document.document.filename.endswith(".xlsx")
    return photo.photo.data, document.document.data


async def station_id(db: Database, code: str) -> int:
    async with db.session() as session:
        found = (await session.execute(select(Station.id).where(Station.code == code))).scalar()
    assert found is not None
    return found


@pytest.fixture
async def beian_staff(roster: Database, dispatcher: Dispatcher, bot: Bot) -> ChatUser:
    """李梅, station staff at Bei'an, her Telegram chat linked."""
    user = ChatUser(dispatcher, bot, user_id=8002)
    beian = await station_id(roster, "jf-beian")
    async with roster.session() as session:
        staff = await add_staff(
            session, name="李梅", role=StaffRole.STATION, now=NOW, station_ids=[beian]
        )
        identity = await touch_identity(
            session, channel="telegram", chat_id=8002, chat_type="private", now=NOW
        )
        async with write_transaction(session):
            await bind_staff(session, staff_id=staff.id or 0, identity=identity, now=NOW)
    return user


async def test_each_report_by_an_administrator(office: ChatUser, roster: Database) -> None:
    await load_fixture(roster)
    sent = await office.send("📈 Reports")
    menu = message(sent)
    assert "Reports, 2026 Q4 (2026-10-01 – 2026-12-31)" in menu and "All stations" in menu
    assert "• This quarter" in [text for text, _data in office.inline_buttons()]

    sent = await office.press(office.button("Cases by station"))
    text = message(sent)
    assert "<b>Cases received, 2026 Q4 (2026-10-01 – 2026-12-31)</b>" in text
    assert "9 cases received; 3 still open." in text
    assert "Jingde Street Community Liaison Station: 5" in text
    assert "Parking and traffic: 5" in text
    png, xlsx = files(sent)
    assert png.startswith(PNG)
    book = load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames == ["Summary", "By station", "By category", "By status"]
    by_station = list(book["By station"].iter_rows(values_only=True))
    assert by_station[0][:3] == ("Station", "Cases", "Received")
    assert by_station[4][:2] == ("Bei'an Community Liaison Station", 4)

    sent = await office.press(office.button("Answer times"))
    text = message(sent)
    assert "First answer: median 3 d 0 h, over 6 answered cases." in text
    assert "Resolution: median 5 d 0 h, over 3 resolved cases." in text
    assert "Answered within the due date: 57% (4 of 7; 2 answered late, 1 past" in text
    assert files(sent)[0].startswith(PNG)

    sent = await office.press(office.button("Satisfaction"))
    text = message(sent)
    assert "5 cases rated, average 3.2 of 5." in text
    assert "5★ 2 · 4★ 0 · 3★ 1 · 2★ 1 · 1★ 1" in text
    assert "Said the problem was solved: 50% (2 of 4 who answered)." in text
    summary = load_workbook(io.BytesIO(files(sent)[1]))["Summary"]
    figures = {row[0]: row[1] for row in summary.iter_rows(min_row=2, values_only=True)}
    assert figures["Rated"] == 5 and figures["Average rating"] == 3.2
    assert figures["Share solved"] == 0.5


async def test_period_and_station_choices(office: ChatUser, roster: Database) -> None:
    await load_fixture(roster)
    await office.send("📈 Reports")
    sent = await office.press(office.button("This year"))
    assert "Reports, 2026 (2026-01-01 – 2026-12-31)" in _edited(sent)
    sent = await office.press(office.button("Cases by station"))
    assert "10 cases received" in message(sent)
    await office.press(office.button("Last quarter"))
    sent = await office.press(office.button("Cases by station"))
    assert "Cases received, 2026 Q3 (2026-07-01 – 2026-09-30)" in message(sent)
    assert "1 cases received" in message(sent)

    await office.press(office.button("This quarter"))
    await office.press(office.button("Choose a station"))
    sent = await office.press(office.button("Bei'an"))
    assert "Station: Bei'an Community Liaison Station" in _edited(sent)
    sent = await office.press(office.button("Cases by station"))
    assert "4 cases received; 1 still open." in message(sent)
    assert "Jingde" not in message(sent)


def _edited(sent: list[Any]) -> str:
    return "\n".join(str(getattr(r, "text", "")) for r in sent if hasattr(r, "text"))


async def test_station_staff_see_only_their_stations(
    beian_staff: ChatUser, roster: Database, caplog: pytest.LogCaptureFixture
) -> None:
    await load_fixture(roster)
    sent = await beian_staff.send("📈 Reports")
    assert "Your stations: Bei'an Community Liaison Station" in message(sent)
    labels = [text for text, _data in beian_staff.inline_buttons()]
    assert not any("Choose a station" in label for label in labels)  # they have one
    sent = await beian_staff.press(beian_staff.button("Cases by station"))
    assert "4 cases received" in message(sent) and "Jingde" not in message(sent)
    sent = await beian_staff.press(beian_staff.button("Answer times"))
    assert "over 3 answered cases" in message(sent)

    jingde = await station_id(roster, "xq-jingde")
    for forged in (f"rp:cases:quarter:{jingde}", f"rp:menu:quarter:{jingde}"):
        with caplog.at_level(logging.WARNING):
            sent = await beian_staff.press(forged)
        assert alert(sent) == "This button is not valid."
        assert not [r for r in sent if isinstance(r, SendMessage | SendPhoto | SendDocument)]
    assert "out of scope" in caplog.text

    # Members' figures are the administrators' business: no button, and a forged one refused.
    assert not any("Quarter minimums" in text for text, _d in beian_staff.inline_buttons())
    for forged in ("rp:minimums:quarter:0", "sx:report"):
        sent = await beian_staff.press(forged)
        assert "Members' figures are for the committee office's administrators" in alert(sent)
        assert not [r for r in sent if isinstance(r, SendMessage | SendPhoto | SendDocument)]
    sent = await beian_staff.send("📊 Quarter report")
    assert "Members' figures are for" in beian_staff.texts(sent)[0]
    assert not [r for r in sent if isinstance(r, SendPhoto | SendDocument)]
    sent = await beian_staff.press("rq:2026:4")
    assert "Only the office's administrators" in alert(sent)
    assert await outbox(roster, "minimum-short") == []


async def test_remind_every_member_short_of_the_minimum(
    office: ChatUser,
    member: ChatUser,
    second_member: ChatUser,
    roster: Database,
    app: AppContext,
    clock: ManualClock,
) -> None:
    woken: list[int] = []
    app.wake_delivery = lambda: woken.append(1)
    await office.send("📈 Reports")
    sent = await office.press(office.button("Quarter minimums"))
    text = message(sent)
    assert "0 of 8 active members met the quarter's minimum." in text
    assert "Short of the minimum (8):" in text and "M001 张建华" in text
    assert files(sent)[0].startswith(PNG)
    remind = office.button("Remind all 8 of them")
    assert remind == "rq:2026:4"

    sent = await office.press(remind)
    text = message(sent)
    assert "Reminders queued for 2 of the 8 members short of the minimum." in text
    assert "6 of them have no linked chat" in text
    rows = await outbox(roster, "minimum-short")
    assert sorted(row.chat_id for row in rows) == [7001, 7002]
    assert all(row.dedupe_key.startswith("minimum:2026 Q4:staff-2026-11-20:") for row in rows)
    assert woken == [1]
    from services.audit import list_entries

    async with roster.session() as session:
        [entry] = await list_entries(session, action="minimums.remind")
    assert entry.object_id == "2026-Q4" and '"reminded": 2' in (entry.after or "")

    sent = await office.press(remind)
    assert "Nothing new to queue" in message(sent)
    assert len(await outbox(roster, "minimum-short")) == 2 and woken == [1]

    sent = await office.send("📊 Quarter report")  # the old button still answers
    assert "Liaison minimums, 2026 Q4" in message(sent)

    sent = await office.press("rq:2026:3")
    assert alert(sent) == "This button is for a quarter that has ended."
    clock.advance(dt.timedelta(days=1))
    sent = await office.press(remind)
    assert "Reminders queued for 2 of the 8" in message(sent)
    assert len(await outbox(roster, "minimum-short")) == 4


async def test_forged_report_buttons_are_refused(
    office: ChatUser, caplog: pytest.LogCaptureFixture
) -> None:
    for forged in ("rp:bogus:quarter:0", "rp:cases:decade:0", "rp:cases:quarter:999999"):
        with caplog.at_level(logging.WARNING):
            sent = await office.press(forged)
        assert alert(sent) == "This button is not valid.", forged
        assert not [r for r in sent if isinstance(r, SendMessage | SendPhoto | SendDocument)]
    assert caplog.text.count("report button") == 3


async def test_reports_are_closed_to_everyone_else(
    resident: ChatUser, member: ChatUser, caplog: pytest.LogCaptureFixture
) -> None:
    for user in (resident, member):
        sent = await user.send("📈 Reports")
        assert message(sent) == "This is for the committee office's staff."
        for data in ("rp:cases:quarter:0", "rq:2026:4"):
            with caplog.at_level(logging.WARNING):
                sent = await user.press(data)
            assert alert(sent) == "This is for the committee office's staff."
    assert "staff button" in caplog.text
