"""The demo, the reminders and the reports at the moments calendars go wrong.

Every other test runs at one pinned moment. These run the same paths at the edges: the last
minute of a quarter in the committee's time zone, the first minute of a month and of a year,
31 December 23:59, and the middle of the quiet hours. The wall clock travels with the app's
clock, so anything that reads the time behind the clock's back sees the same moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from aiogram import Bot, Dispatcher
from aiogram.methods import SendDocument, SendMessage, SendPhoto

from bot.app import AppContext, build_context
from bot.planner import Planner
from bot.runner import seed_demo_data
from bot.settings import Settings
from services.calendar import Quarter
from services.clock import ManualClock
from services.demo.data import link_demo_member, link_demo_staff
from storage.db import Database
from tests.support.chat import ChatUser
from tests.support.notices import message_of, outbox

SHANGHAI = ZoneInfo("Asia/Shanghai")
MEMBER_CHAT = 7301
STAFF_CHAT = 8301
MOMENTS = {
    "last-minute-of-q3": dt.datetime(2026, 9, 30, 23, 59, 30, tzinfo=SHANGHAI),
    "first-minute-of-december": dt.datetime(2026, 12, 1, 0, 0, 30, tzinfo=SHANGHAI),
    "new-years-eve-23-59": dt.datetime(2026, 12, 31, 23, 59, 30, tzinfo=SHANGHAI),
    "first-minute-of-2027": dt.datetime(2027, 1, 1, 0, 0, 30, tzinfo=SHANGHAI),
    "quiet-hours": dt.datetime(2026, 11, 20, 3, 0, tzinfo=SHANGHAI),
    "three-days-before-quarter-end": dt.datetime(2026, 12, 28, 9, 0, tzinfo=SHANGHAI),
}


@pytest.fixture(params=list(MOMENTS), ids=list(MOMENTS))
def moment(request: pytest.FixtureRequest) -> Iterator[dt.datetime]:
    """The moment under test, on the wall clock too."""
    at = MOMENTS[request.param]
    with time_machine.travel(at, tick=False):
        yield at


@pytest.fixture
def clock(moment: dt.datetime) -> ManualClock:
    return ManualClock(moment)


def texts(sent: list[Any]) -> list[str]:
    return [str(r.text) for r in sent if isinstance(r, SendMessage)]


async def seeded(db: Database, clock: ManualClock, settings: Settings) -> None:
    await seed_demo_data(build_context(settings, db, clock))
    async with db.session() as session:
        now = clock.now()
        await link_demo_member(session, channel="telegram", chat_id=MEMBER_CHAT, now=now)
        await link_demo_staff(session, channel="telegram", chat_id=STAFF_CHAT, now=now)


async def test_reminders_speak_of_the_right_quarter(
    app: AppContext, sqlite_db: Database, clock: ManualClock, settings: Settings
) -> None:
    await seeded(sqlite_db, clock, settings)
    planner = Planner(app, settings.reminders)
    await planner.every_minute()
    await planner.quarter_checks()
    today = clock.now().astimezone(SHANGHAI).date()
    quarter = Quarter.of(today)
    for row in await outbox(sqlite_db):
        text = message_of(row).text
        assert row.due_at >= row.created_at, row.kind
        if row.kind.startswith("minimum"):
            # A reminder about the minimum always names the quarter it is sent in, never one
            # that has ended or has not begun.
            assert str(quarter) in text, text
            assert quarter.days_left(today) >= 1
            left = quarter.days_left(today)
            assert f"{left} days are left" in text or "days are left" not in text, text


async def test_member_and_staff_work_at_the_moment(
    dispatcher: Dispatcher,
    bot: Bot,
    sqlite_db: Database,
    clock: ManualClock,
    settings: Settings,
) -> None:
    await seeded(sqlite_db, clock, settings)
    today = clock.now().astimezone(SHANGHAI).date()
    quarter = Quarter.of(today)

    member = ChatUser(dispatcher, bot, user_id=MEMBER_CHAT)
    assert any("Welcome, 张建华" in text for text in texts(await member.send("/start")))
    sent = await member.send(f"/log {today.isoformat()} 12 forum with teachers on homework load")
    await member.press(member.button("Save"))
    card = "\n".join(texts(await member.send("📊 My progress")))
    assert str(quarter) in card
    assert "Person-times: 12 of 40" in card, card
    assert sent

    staff = ChatUser(dispatcher, bot, user_id=STAFF_CHAT)
    await staff.send("/start")
    menu = "\n".join(texts(await staff.send("📈 Reports")))
    assert f"{quarter.start.isoformat()} – {quarter.end.isoformat()}" in menu, menu
    for report in ("Cases by station", "Answer times", "Satisfaction"):
        sent = await staff.press(staff.button(report))
        assert [r for r in sent if isinstance(r, SendPhoto)], report
        assert [r for r in sent if isinstance(r, SendDocument)], report
