"""End-to-end fixtures: the fake Bot API server, and aiogram bots that talk to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.settings import Settings
from fakes.wecom import FakeWeCom
from services.clock import ManualClock
from tests.conftest import missing, worker_redis_url
from tests.support.fake_bot_api import FakeBotAPI
from tests.support.wecom import running_bot, wecom_settings

BotFactory = Callable[..., Bot]


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    """A fake Bot API on a free port of 127.0.0.1; a module may override it to configure it."""
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
async def bot_on_fake(fake: FakeBotAPI) -> AsyncIterator[BotFactory]:
    """Makes aiogram bots (``bot_on_fake(token, **Bot kwargs)``) whose HTTP goes to ``fake``.

    Their sessions are closed when the test ends.
    """
    bots: list[Bot] = []

    def make(token: str, **kwargs: Any) -> Bot:
        session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
        bot = Bot(token, session=session, **kwargs)
        bots.append(bot)
        return bot

    yield make
    for bot in bots:
        await bot.session.close()


@pytest.fixture
async def wecom(clock: ManualClock) -> AsyncIterator[FakeWeCom]:
    """The fake WeCom server, on the test's clock."""
    async with FakeWeCom(now=clock.now) as server:
        yield server


@pytest.fixture
async def wecom_app(
    tmp_path: Path, wecom: FakeWeCom, clock: ManualClock
) -> AsyncIterator[Settings]:
    """The whole bot with its WeCom channel pointed at the fake; its settings."""
    settings = wecom_settings(tmp_path, wecom)
    async with running_bot(settings, clock):
        yield settings


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    """This pytest worker's Redis database, flushed before and after; skipped without Redis."""
    url = worker_redis_url()
    client = Redis.from_url(url)
    try:
        await client.ping()
    except (OSError, RedisConnectionError):
        await client.aclose()
        missing(f"no Redis at {url}")
    await client.flushdb()
    try:
        yield url
    finally:
        await client.flushdb()
        await client.aclose()
