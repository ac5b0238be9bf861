"""What the command-line modules share: the database helper and the bot's public name."""

from __future__ import annotations

import asyncio
import datetime as dt
import unicodedata
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated, TypeVar

import typer
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession

from bot.i18n import build_i18n
from bot.settings import Settings
from storage.db import Database

T = TypeVar("T")

LOCALES = ("zh_CN", "en")
LocaleOption = Annotated[
    str | None,
    typer.Option(help="Language of the output (and files): zh_CN or en (default: the bot's)."),
]


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


def settings_in(locale: str | None) -> Settings:
    """The settings, speaking ``locale`` (``--locale``) or else their ``default_locale``."""
    settings = Settings()
    if locale is None:
        return settings
    if locale not in LOCALES:
        raise typer.BadParameter(" or ".join(LOCALES), param_hint="--locale")
    return settings.model_copy(update={"default_locale": locale})


@contextmanager
def translated(settings: Settings) -> Iterator[str]:
    """Translate in the committee's default language for the length of a command."""
    i18n = build_i18n(settings.default_locale)
    with i18n.context(), i18n.use_locale(settings.default_locale):
        yield settings.default_locale


@contextmanager
def speaking(locale: str | None) -> Iterator[str]:
    """A command's one language: ``--locale`` or the settings' default; yields its code.

    Everything the command prints is worded inside this block, so that one run never mixes
    the fixed text of one language with the names of the other.
    """
    with translated(settings_in(locale)) as language:
        yield language


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Aligned columns under a header row; a Chinese character takes two columns."""

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    widths = [max(width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(
            cell + " " * (size - width(cell)) for cell, size in zip(row, widths, strict=True)
        ).rstrip()
        for row in [header, *rows]
    ]


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
    """A Telegram deep link when the bot's name is known, else the web chat with the payload.

    The web chat's address is ``base_url``, else ``LIAISON_PUBLIC_URL``, else the listen address.
    """
    if username:
        return f"https://t.me/{username}?start={payload}"
    web = base_url or settings.web_url
    return f"{web.rstrip('/')}/?start={payload}"
