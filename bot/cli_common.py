"""What the command-line modules share: the database helper and the bot's public name."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession

from bot.i18n import build_i18n
from bot.settings import Settings
from storage.db import Database

T = TypeVar("T")


def with_database(action: Callable[[Database], Awaitable[T]]) -> T:
    """Run one async action against the configured database, then close it."""

    async def go() -> T:
        db = Database(Settings().database_url)
        try:
            return await action(db)
        finally:
            await db.dispose()

    return asyncio.run(go())


def now() -> dt.datetime:
    """The current moment on the configured clock (``LIAISON_CLOCK_START`` moves it)."""
    return Settings().clock().now()


@contextmanager
def translated(settings: Settings) -> Iterator[str]:
    """Translate in the committee's default language for the length of a command."""
    i18n = build_i18n(settings.default_locale)
    with i18n.context(), i18n.use_locale(settings.default_locale):
        yield settings.default_locale


async def bot_username(settings: Settings) -> str | None:
    """The Telegram bot's username, asked from the Bot API; None without a token."""
    if settings.telegram_token is None:
        return None
    session = AiohttpSession(api=settings.telegram_api)
    bot = Bot(settings.telegram_token.get_secret_value(), session=session)
    try:
        return (await bot.get_me()).username
    finally:
        await bot.session.close()


def deep_link(
    payload: str, *, username: str | None, settings: Settings, base_url: str | None
) -> str:
    """A Telegram deep link when the bot's name is known, else the web chat with the payload."""
    if username:
        return f"https://t.me/{username}?start={payload}"
    web = base_url or f"http://{settings.web_host}:{settings.web_port}"
    return f"{web.rstrip('/')}/?start={payload}"
