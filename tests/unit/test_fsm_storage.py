"""The SQL FSM storage: state and data survive a new storage object (a restart)."""

from __future__ import annotations

import datetime as dt

from aiogram.fsm.storage.base import StorageKey

from storage.db import Database
from storage.fsm import SQLStorage

KEY = StorageKey(bot_id=1, chat_id=2, user_id=2)


def now() -> dt.datetime:
    return dt.datetime(2026, 11, 20, tzinfo=dt.UTC)


async def test_state_and_data_survive_a_restart(db: Database) -> None:
    storage = SQLStorage(db, now)
    await storage.set_state(KEY, "ReportForm:description")
    await storage.set_data(KEY, {"station_id": 4, "photos": [{"file_id": "x"}], "text": "路灯"})
    await storage.update_data(KEY, {"category_id": 1})
    restarted = SQLStorage(db, now)
    assert await restarted.get_state(KEY) == "ReportForm:description"
    assert await restarted.get_data(KEY) == {
        "station_id": 4,
        "photos": [{"file_id": "x"}],
        "text": "路灯",
        "category_id": 1,
    }


async def test_keys_are_per_bot_and_chat(db: Database) -> None:
    storage = SQLStorage(db, now)
    await storage.set_state(KEY, "A")
    other_bot = StorageKey(bot_id=9, chat_id=2, user_id=2)
    assert await storage.get_state(other_bot) is None
    assert await storage.get_data(other_bot) == {}


async def test_clearing_removes_the_row(db: Database) -> None:
    storage = SQLStorage(db, now)
    await storage.set_state(KEY, "A")
    await storage.set_data(KEY, {"a": 1})
    await storage.set_state(KEY, None)
    assert await storage.get_data(KEY) == {"a": 1}
    await storage.set_data(KEY, {})
    async with db.session() as session:
        from sqlalchemy import func, select

        from storage.models import FsmRecord

        assert (
            await session.execute(select(func.count()).select_from(FsmRecord))
        ).scalar_one() == 0
