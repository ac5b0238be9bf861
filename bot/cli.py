"""The ``liaison`` command: run the bot, manage the database, print station QR codes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.qr import station_link, write_station_qr
from bot.runner import configure_logging, seed_demo_data, serve
from bot.settings import Settings
from services.reference import display_name, list_stations
from storage.db import Database
from storage.migrate import current_revision, downgrade, upgrade

T = TypeVar("T")

app = typer.Typer(help="liaison-bot: the CPPCC liaison desk in a chat.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema and data.", no_args_is_help=True)
stations_app = typer.Typer(help="Liaison stations.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(stations_app, name="stations")


def _settings(**overrides: object) -> Settings:
    settings = Settings()
    return settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})


@app.command()
def demo(
    host: Annotated[str | None, typer.Option(help="Listen host.")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port.")] = None,
) -> None:
    """Upgrade the database, load the demo data and run the web chat (and Telegram if set)."""
    settings = _settings(web_host=host, web_port=port, demo=True)
    configure_logging(settings.log_level)
    typer.echo(f"Web chat: http://{settings.web_host}:{settings.web_port}/  (Ctrl+C to stop)")
    asyncio.run(serve(settings, seed_demo=True))


@app.command()
def run(
    host: Annotated[str | None, typer.Option(help="Listen host.")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port.")] = None,
) -> None:
    """Upgrade the database and run the bot with the configured channels."""
    settings = _settings(web_host=host, web_port=port)
    configure_logging(settings.log_level)
    asyncio.run(serve(settings))


def with_database(action: Callable[[Database], Awaitable[T]]) -> T:
    """Run one async action against the configured database, then close it."""

    async def go() -> T:
        db = Database(Settings().database_url)
        try:
            return await action(db)
        finally:
            await db.dispose()

    return asyncio.run(go())


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Upgrade the schema (every start does this too)."""

    async def go(db: Database) -> str | None:
        await upgrade(db, revision)
        return await current_revision(db)

    typer.echo(f"database at revision {with_database(go)}")


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Downgrade the schema to REVISION (``base`` empties the database)."""

    async def go(db: Database) -> str | None:
        await downgrade(db, revision)
        return await current_revision(db)

    typer.echo(f"database at revision {with_database(go)}")


@db_app.command("seed")
def db_seed() -> None:
    """Load the demo reference data (stations, sectors, categories); idempotent."""

    async def go(db: Database) -> dict[str, int]:
        await upgrade(db)
        return await seed_demo_data(db)

    typer.echo(", ".join(f"{count} {name}" for name, count in with_database(go).items()))


async def _bot_username(settings: Settings) -> str | None:
    if settings.telegram_token is None:
        return None
    session = (
        AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
        if settings.telegram_api_url
        else AiohttpSession()
    )
    bot = Bot(settings.telegram_token.get_secret_value(), session=session)
    try:
        return (await bot.get_me()).username
    finally:
        await bot.session.close()


@stations_app.command("qr")
def stations_qr(
    out: Annotated[Path, typer.Option(help="Folder for the PNG files.")] = Path("qr"),
    username: Annotated[
        str | None, typer.Option(help="Telegram bot username (asked from Telegram if unset).")
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(help="Public web chat URL, used when there is no Telegram bot.")
    ] = None,
) -> None:
    """Write one QR code PNG per station; each opens a report at that station."""
    settings = Settings()

    async def go(db: Database) -> list[tuple[str, str, Path]]:
        name = username or await _bot_username(settings)
        web_url = base_url or f"http://{settings.web_host}:{settings.web_port}"
        await upgrade(db)
        async with db.session() as session:
            stations = await list_stations(session)
        rows = []
        for station in stations:
            link = station_link(station.code, bot_username=name, web_base_url=web_url)
            written = write_station_qr(station.code, link, out)
            rows.append((display_name(station, settings.default_locale), link, written.path))
        return rows

    rows = with_database(go)
    if not rows:
        typer.echo("no stations yet: run `liaison db seed` or add stations first")
        raise typer.Exit(1)
    for name, link, path in rows:
        typer.echo(f"{path}  {link}  {name}")


def main() -> None:
    """Entry point of the ``liaison`` console script."""
    app()
