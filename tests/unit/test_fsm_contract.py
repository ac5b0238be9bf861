"""Every dialog-state storage the bot can run on keeps aiogram's storage contract.

The same cases run over the SQL storage (SQLite and PostgreSQL) and over aiogram's
RedisStorage, built as the app builds them: what a handler may expect of ``FSMContext``
cannot depend on which one is configured.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StorageKey
from sqlalchemy import delete

from storage.db import Database
from storage.fsm import SQLStorage
from storage.models import FsmRecord
from tests.conftest import missing, worker_redis_url

REDIS_URL = worker_redis_url()
KEY = StorageKey(bot_id=42, chat_id=-100123, user_id=7001, thread_id=None)


class Form(StatesGroup):
    description = State()


def now() -> dt.datetime:
    return dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)


# A storage factory: each call is a fresh storage object over the same backend (a restart).
Opener = Callable[[], BaseStorage]


@pytest.fixture(params=["sqlite", "postgres", "redis"])
def backend(request: pytest.FixtureRequest) -> str:
    """The URL of the backend under test; the database ones are migrated."""
    if request.param == "redis":
        return REDIS_URL
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
async def open_storage(backend: str) -> AsyncIterator[Opener]:
    opened: list[BaseStorage] = []
    if backend.startswith("redis"):
        from redis.asyncio import Redis
        from redis.exceptions import ConnectionError as RedisConnectionError

        client = Redis.from_url(REDIS_URL)
        try:
            await client.ping()
        except (RedisConnectionError, OSError) as error:
            await client.aclose()
            missing(f"Redis not reachable at {REDIS_URL}: {error}")
        # Our own prefix: other tests share this Redis database.
        prefix = f"fsm-contract-{uuid.uuid4().hex[:8]}"

        def open_redis() -> BaseStorage:
            from aiogram.fsm.storage.redis import RedisStorage

            storage = RedisStorage.from_url(
                REDIS_URL,
                key_builder=DefaultKeyBuilder(prefix=prefix, with_bot_id=True, with_destiny=True),
            )
            opened.append(storage)
            return storage

        yield open_redis
        for storage in opened:
            await storage.close()
        keys = [key async for key in client.scan_iter(f"{prefix}:*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
        return
    db = Database(backend)
    async with db.writing() as session:
        await session.execute(delete(FsmRecord))

    def open_sql() -> BaseStorage:
        storage = SQLStorage(db, now)
        opened.append(storage)
        return storage

    yield open_sql
    for storage in opened:
        await storage.close()
    await db.dispose()


@pytest.fixture
def storage(open_storage: Opener) -> BaseStorage:
    return open_storage()


async def test_state_is_set_read_and_cleared(storage: BaseStorage) -> None:
    assert await storage.get_state(KEY) is None
    await storage.set_state(KEY, "Form:description")
    assert await storage.get_state(KEY) == "Form:description"
    await storage.set_state(KEY, Form.description)
    assert await storage.get_state(KEY) == Form.description.state
    await storage.set_state(KEY, None)
    assert await storage.get_state(KEY) is None


async def test_data_is_set_read_and_replaced_whole(storage: BaseStorage) -> None:
    assert await storage.get_data(KEY) == {}
    await storage.set_data(KEY, {"foo": "bar", "n": 1})
    assert await storage.get_data(KEY) == {"foo": "bar", "n": 1}
    await storage.set_data(KEY, {"baz": "spam"})
    assert await storage.get_data(KEY) == {"baz": "spam"}
    await storage.set_data(KEY, {})
    assert await storage.get_data(KEY) == {}


async def test_update_merges_and_returns_the_result(storage: BaseStorage) -> None:
    assert await storage.update_data(KEY, {"foo": "bar"}) == {"foo": "bar"}
    assert await storage.update_data(KEY, {}) == {"foo": "bar"}
    assert await storage.update_data(KEY, {"baz": "spam"}) == {"foo": "bar", "baz": "spam"}
    assert await storage.update_data(KEY, {"baz": "test"}) == {"foo": "bar", "baz": "test"}
    assert await storage.get_data(KEY) == {"foo": "bar", "baz": "test"}


async def test_values_are_read_one_by_one_with_a_default(storage: BaseStorage) -> None:
    await storage.set_data(KEY, {"station_id": 4})
    assert await storage.get_value(KEY, "station_id") == 4
    assert await storage.get_value(KEY, "missing") is None
    assert await storage.get_value(KEY, "missing", "fallback") == "fallback"


async def test_state_and_data_are_independent(storage: BaseStorage) -> None:
    await storage.set_data(KEY, {"a": 1})
    await storage.set_state(KEY, "Form:description")
    assert await storage.get_data(KEY) == {"a": 1}
    await storage.set_state(KEY, None)
    assert await storage.get_data(KEY) == {"a": 1}
    await storage.set_state(KEY, "Form:description")
    await storage.set_data(KEY, {})
    assert await storage.get_state(KEY) == "Form:description"


async def test_what_is_read_is_a_copy(storage: BaseStorage) -> None:
    await storage.set_data(KEY, {"photos": ["a"]})
    data = await storage.get_data(KEY)
    data["photos"].append("b")
    data["other"] = True
    assert await storage.get_data(KEY) == {"photos": ["a"]}
    given: dict[str, Any] = {"x": [1]}
    await storage.set_data(KEY, given)
    given["x"].append(2)
    assert await storage.get_data(KEY) == {"x": [1]}


async def test_json_values_round_trip(storage: BaseStorage) -> None:
    value = {
        "text": '路灯不亮 "quoted" \\ 🙂',
        "nested": {"list": [1, 2.5, None, True], "empty": {}},
        "big": 2**53,
    }
    await storage.set_data(KEY, value)
    assert await storage.get_data(KEY) == value


@pytest.mark.parametrize(
    "other",
    [
        StorageKey(bot_id=43, chat_id=KEY.chat_id, user_id=KEY.user_id),
        StorageKey(bot_id=KEY.bot_id, chat_id=-100999, user_id=KEY.user_id),
        StorageKey(bot_id=KEY.bot_id, chat_id=KEY.chat_id, user_id=7002),
        StorageKey(bot_id=KEY.bot_id, chat_id=KEY.chat_id, user_id=KEY.user_id, thread_id=5),
        StorageKey(bot_id=KEY.bot_id, chat_id=KEY.chat_id, user_id=KEY.user_id, destiny="aux"),
    ],
    ids=["bot", "chat", "user", "thread", "destiny"],
)
async def test_keys_are_isolated(storage: BaseStorage, other: StorageKey) -> None:
    await storage.set_state(KEY, "Form:description")
    await storage.set_data(KEY, {"mine": 1})
    assert await storage.get_state(other) is None
    assert await storage.get_data(other) == {}
    await storage.set_state(other, "Other:step")
    await storage.update_data(other, {"theirs": 2})
    assert await storage.get_state(KEY) == "Form:description"
    assert await storage.get_data(KEY) == {"mine": 1}
    await storage.set_state(other, None)
    await storage.set_data(other, {})
    assert await storage.get_state(KEY) == "Form:description"


async def test_a_new_storage_object_sees_everything(open_storage: Opener) -> None:
    first = open_storage()
    await first.set_state(KEY, "Form:description")
    await first.set_data(KEY, {"station_id": 4})
    thread = StorageKey(bot_id=KEY.bot_id, chat_id=KEY.chat_id, user_id=KEY.user_id, thread_id=9)
    await first.update_data(thread, {"topic": True})
    restarted = open_storage()
    assert await restarted.get_state(KEY) == "Form:description"
    assert await restarted.get_data(KEY) == {"station_id": 4}
    assert await restarted.get_data(thread) == {"topic": True}
    assert await restarted.get_state(thread) is None
