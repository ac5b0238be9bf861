"""Many chats at once: nothing deadlocks, nothing is lost."""

from __future__ import annotations

import asyncio

from aiogram import Bot, Dispatcher
from sqlalchemy import select

from storage.db import Database
from storage.models import FsmRecord
from tests.support.chat import ChatUser

CHATS = 120


async def test_a_burst_of_chats_does_not_exhaust_the_pool(
    dispatcher: Dispatcher, bot: Bot, sqlite_db: Database
) -> None:
    # Picking a station reads the station through the update's session (one connection,
    # held) and then writes the dialog state (a second one). A burst of far more chats
    # than pooled connections must not leave every update holding one and awaiting another.
    users = [ChatUser(dispatcher, bot, user_id=50_000 + n) for n in range(CHATS)]
    for user in users:
        await user.send("/report")
    await asyncio.wait_for(asyncio.gather(*(user.press("stp:4") for user in users)), timeout=60)
    async with sqlite_db.session() as session:
        rows = (await session.execute(select(FsmRecord.state, FsmRecord.data))).all()
    assert len(rows) == CHATS
    assert {state for state, _data in rows} == {"ReportForm:category"}
    assert all('"station_id": 4' in data for _state, data in rows)
