"""The service account's window: counts, the menu minute, the reserve, concurrency."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import update

from services.chats.wechat import chat_id_for
from services.outbox import windows
from storage.db import Database
from storage.models import ChatWindow
from tests.conftest import START

CHANNEL = "wechat"


async def _reserve(db: Database, chat_id: int, now: dt.datetime, *, answer: bool) -> bool:
    async with db.writing() as session:
        return await windows.reserve(
            session, channel=CHANNEL, chat_id=chat_id, now=now, answer=answer
        )


async def test_no_window_before_the_first_message(db: Database) -> None:
    assert not await _reserve(db, 7, START, answer=True)
    async with db.session() as session:
        state = await windows.window_state(session, channel=CHANNEL, chat_id=7, now=START)
    assert not state.open and state.remaining == 0


async def test_five_answers_notices_leave_the_reserve(db: Database) -> None:
    async with db.writing() as session:
        await windows.note_inbound(session, channel=CHANNEL, chat_id=7, now=START)
    assert [await _reserve(db, 7, START, answer=False) for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]
    assert [await _reserve(db, 7, START, answer=True) for _ in range(3)] == [True, True, False]
    async with db.writing() as session:
        await windows.give_back(session, channel=CHANNEL, chat_id=7)
    assert await _reserve(db, 7, START, answer=True)
    # The resident writes again: the full count is back.
    async with db.writing() as session:
        await windows.note_inbound(session, channel=CHANNEL, chat_id=7, now=START)
    assert await _reserve(db, 7, START, answer=False)


async def test_the_window_shuts_after_48_hours_or_when_wechat_says_so(db: Database) -> None:
    async with db.writing() as session:
        await windows.note_inbound(session, channel=CHANNEL, chat_id=8, now=START)
    late = START + dt.timedelta(hours=48, seconds=1)
    assert not await _reserve(db, 8, late, answer=True)
    async with db.session() as session:
        state = await windows.window_state(session, channel=CHANNEL, chat_id=8, now=START)
    assert state.open and state.remaining == 5
    assert state.closes_at == START + dt.timedelta(hours=48)
    async with db.writing() as session:
        await windows.mark_shut(session, channel=CHANNEL, chat_id=8)
    assert not await _reserve(db, 8, START, answer=True)


async def test_a_menu_tap_allows_three_in_the_minute(db: Database) -> None:
    async with db.writing() as session:
        await windows.note_inbound(session, channel=CHANNEL, chat_id=9, now=START, menu_tap=True)
        # The 48-hour count spent already: only the menu minute's allowance remains.
        await session.execute(update(ChatWindow).values(spent=windows.WINDOW_COUNT))
    assert [await _reserve(db, 9, START, answer=True) for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]
    assert not await _reserve(db, 9, START + dt.timedelta(minutes=2), answer=True)


async def test_concurrent_reservations_never_overspend(db: Database) -> None:
    async with db.writing() as session:
        await windows.note_inbound(session, channel=CHANNEL, chat_id=10, now=START)
    results = await asyncio.gather(*(_reserve(db, 10, START, answer=True) for _ in range(12)))
    assert sum(results) == windows.WINDOW_COUNT


async def test_chat_ids_are_given_once(db: Database) -> None:
    async def give() -> int:
        async with db.writing() as session:
            return await chat_id_for(session, channel=CHANNEL, external_id="o-1", now=START)

    ids = await asyncio.gather(*(give() for _ in range(6)))
    assert len(set(ids)) == 1
    async with db.writing() as session:
        other = await chat_id_for(session, channel=CHANNEL, external_id="o-2", now=START)
    assert other != ids[0]
