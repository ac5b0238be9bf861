"""The bot with its service account against the fake WeChat server, for end-to-end tests.

``serving`` runs the whole app (``bot.runner.serve``, demo data seeded); ``wechat_app`` runs
only the service account's channel, its web routes and a dispatcher with the routers a test
chooses, so a test can hold a handler, stop the channel in the middle and start it again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
from aiogram import Router
from aiogram.types import Update
from aiohttp import web
from pydantic import SecretStr

from bot.app import build_context, build_dispatcher
from bot.channels.wechat import WeChatChannel
from bot.runner import seed_demo_data, serve
from bot.server import build_web_app, web_runner
from bot.settings import Settings
from fakes.wechat_server import FakeWeChat
from fakes.wechat_user import WeChatUser
from services.clock import Clock
from storage.db import Database
from storage.migrate import upgrade
from tests.support.processes import free_port

TOKEN = "wechat-e2e-token"
APP_ID = "wx-fake-app"


def wechat_settings(tmp_path: Path, fake: FakeWeChat, **overrides: Any) -> Settings:
    """Settings of a bot whose only outside party is ``fake``."""
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'liaison.db'}",
        "data_dir": tmp_path / "var",
        "web_port": free_port(),
        "default_locale": "en",
        "wechat_app_id": APP_ID,
        "wechat_app_secret": SecretStr("secret"),
        "wechat_token": SecretStr(TOKEN),
        "wechat_api_url": fake.base_url,
        "_env_file": None,
    }
    values.update(overrides)
    return Settings(**values)


def wechat_user(settings: Settings, fake: FakeWeChat, openid: str) -> WeChatUser:
    """A person writing to the bot's callback URL (encrypting when the bot is in secure mode)."""
    url = f"http://127.0.0.1:{settings.web_port}{settings.wechat_path}"
    aes_key = settings.wechat_aes_key.get_secret_value() if settings.wechat_aes_key else None
    return WeChatUser(fake, url, token=TOKEN, openid=openid, app_id=APP_ID, aes_key=aes_key)


async def _healthy(settings: Settings) -> None:
    url = f"http://127.0.0.1:{settings.web_port}/healthz"
    async with aiohttp.ClientSession() as http:
        for _ in range(600):
            try:
                async with http.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                await asyncio.sleep(0.05)
    raise AssertionError("the bot did not start")


@asynccontextmanager
async def serving(settings: Settings, clock: Clock) -> AsyncIterator[None]:
    """The whole app with the demo data, until the block ends."""
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, seed_demo=True, clock=clock, stop=stop))
    await _healthy(settings)
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)


class Steps:
    """Counts the updates whose handling is over, answers sent: one dialog step each."""

    def __init__(self, channel: WeChatChannel) -> None:
        self.done = 0
        self._changed = asyncio.Event()
        handling = channel.handling

        @asynccontextmanager
        async def counted(update: Update) -> AsyncIterator[None]:
            try:
                async with handling(update):
                    yield
            finally:
                self.done += 1
                self._changed.set()

        channel.inbox.around = counted

    async def wait(self, count: int, *, timeout: float = 15.0) -> None:
        """Wait until ``count`` updates were handled in all."""
        async with asyncio.timeout(timeout):
            while self.done < count:
                self._changed.clear()
                await self._changed.wait()


@asynccontextmanager
async def wechat_app(
    settings: Settings,
    clock: Clock,
    routers: Sequence[Router] | None = None,
    *,
    demo: bool = False,
) -> AsyncIterator[WeChatChannel]:
    """The service account channel alone, with ``routers`` (None: the bot's own).

    ``demo`` seeds the demo data (stations, categories) first.
    """
    db = Database(settings.database_url)
    await upgrade(db)
    ctx = build_context(settings, db, clock)
    if demo:
        await seed_demo_data(ctx)
    dp = build_dispatcher(ctx, routers)
    channel = WeChatChannel(ctx, dp)
    runner = web_runner(build_web_app(archive=ctx, wechat=channel))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", settings.web_port).start()
    await channel.start()
    try:
        yield channel
    finally:
        await channel.stop()
        await runner.cleanup()
        await dp.storage.close()
        await dp.fsm.events_isolation.close()
        await db.dispose()
