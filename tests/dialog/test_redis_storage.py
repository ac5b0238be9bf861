"""With a Redis URL, dialog state and locks live in Redis; a restart keeps the draft."""

from __future__ import annotations

import os

import pytest
from aiogram import Bot

from bot.app import AppContext, build_context, build_dispatcher
from bot.settings import Settings
from services.clock import ManualClock
from storage.db import Database
from tests.conftest import missing
from tests.support.chat import ChatUser
from tests.support.flows import CASE_NUMBER

REDIS_URL = os.environ.get("LIAISON_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
async def redis_app(settings: Settings, sqlite_db: Database, clock: ManualClock) -> AppContext:
    from redis.asyncio import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    client = Redis.from_url(REDIS_URL)
    try:
        await client.flushdb()
    except (RedisConnectionError, OSError) as error:
        await client.aclose()
        missing(f"Redis not reachable at {REDIS_URL}: {error}")
    await client.aclose()
    return build_context(settings.model_copy(update={"redis_url": REDIS_URL}), sqlite_db, clock)


async def test_draft_survives_a_restart_with_redis(redis_app: AppContext, bot: Bot) -> None:
    redis_app.channels[bot.id] = "telegram"
    first_dp = build_dispatcher(redis_app)
    assert type(first_dp.storage).__name__ == "RedisStorage"
    first = ChatUser(first_dp, bot, user_id=4001)
    await first.send("/report")
    await first.press(first.button("Bei'an"))
    await first.press(first.button("Parking"))
    await first_dp.storage.close()

    second_dp = build_dispatcher(redis_app)
    second = ChatUser(second_dp, bot, user_id=4001)
    sent = await second.send("Cars block the fire lane at gate 3 every night after 8 pm.")
    assert "Step 4 of 6" in second.texts(sent)[0]
    await second.send("⏭ Skip")
    await second.send("⏭ Skip")
    await second.press(second.button("anonymous"))
    sent = await second.press(second.button("Submit"))
    assert any(CASE_NUMBER.search(text) for text in second.texts(sent))
    await second_dp.storage.close()
