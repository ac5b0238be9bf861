"""A person's answer that meets a 429 waits the pause out; the delivery loop's bulk does not.

Against the in-repo fake Bot API, through aiogram's real HTTP session.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramRetryAfter
from pydantic import SecretStr

from bot.app import build_context, build_dispatcher
from bot.channels.answer_retry import AnswerRetryMiddleware, retry_answers
from bot.channels.shared_rate import as_bulk
from bot.channels.telegram import TelegramChannel
from bot.settings import Settings
from services.clock import ManualClock
from storage.db import Database
from tests.e2e.conftest import BotFactory
from tests.support.fake_bot_api import FakeBotAPI

TOKEN = "424242:retry-test"
CHAT = 5_100_001


@pytest.fixture
def telegram(bot_on_fake: BotFactory) -> Bot:
    bot = bot_on_fake(TOKEN)
    retry_answers(bot)
    return bot


def statuses(fake: FakeBotAPI) -> list[int]:
    return [call.status for call in fake.calls_of("sendMessage")]


async def test_an_answer_after_a_short_429_goes_out_once(telegram: Bot, fake: FakeBotAPI) -> None:
    fake.fail_next("sendMessage", status=429, retry_after=1)
    sent = await telegram.send_message(CHAT, "Your case is saved")
    assert sent.text == "Your case is saved"
    assert statuses(fake) == [429, 200]


async def test_a_pause_longer_than_a_person_should_wait_is_raised(
    telegram: Bot, fake: FakeBotAPI
) -> None:
    fake.fail_next("sendMessage", status=429, retry_after=60)
    with pytest.raises(TelegramRetryAfter):
        await telegram.send_message(CHAT, "Your case is saved")
    assert statuses(fake) == [429]


async def test_the_delivery_loops_bulk_meets_the_429_itself(
    telegram: Bot, fake: FakeBotAPI
) -> None:
    fake.fail_next("sendMessage", status=429, retry_after=1)

    async def bulk_send() -> None:
        await telegram.send_message(CHAT, "Reminder")

    task = asyncio.get_running_loop().create_task(bulk_send(), context=as_bulk())
    with pytest.raises(TelegramRetryAfter):
        await task
    assert statuses(fake) == [429]


async def test_the_telegram_channel_retries_its_answers(
    sqlite_db: Database, tmp_path: Path, clock: ManualClock
) -> None:
    settings = Settings(
        database_url=str(sqlite_db.url),
        data_dir=tmp_path / "var",
        telegram_token=SecretStr(TOKEN),
        default_locale="en",
        _env_file=None,
    )
    ctx = build_context(settings, sqlite_db, clock)
    channel = TelegramChannel(ctx, build_dispatcher(ctx))
    try:
        installed = list(channel.bot.session.middleware._middlewares)
        assert any(isinstance(middleware, AnswerRetryMiddleware) for middleware in installed)
    finally:
        await channel.bot.session.close()
