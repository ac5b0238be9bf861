"""The ``liaison`` command: run the bot, manage the database, print station QR codes."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from sqlalchemy.engine import make_url

from bot.cli_categories import categories_app
from bot.cli_common import (
    LocaleOption,
    bot_username,
    deep_link,
    settings_in,
    translated,
    with_database,
)
from bot.cli_desk import audit_list, departments_app
from bot.cli_members import members_app
from bot.cli_outbox import outbox_app
from bot.cli_reports import report_app
from bot.cli_staff import meetings_app, staff_app
from bot.private_files import private_umask
from bot.qr import STATION_PAYLOAD_PREFIX, write_station_qr
from bot.runner import configure_logging, seed_reference_data, serve
from bot.settings import Settings
from services.demo.guard import NotADemoDatabaseError
from services.reference.catalog import display_name, list_stations
from services.translation import gettext as _
from storage.db import Database
from storage.migrate import current_revision, downgrade, upgrade

T = TypeVar("T")

app = typer.Typer(help="liaison-bot: the CPPCC liaison desk in a chat.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema and data.", no_args_is_help=True)
stations_app = typer.Typer(help="Liaison stations.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(stations_app, name="stations")
app.add_typer(members_app, name="members")
app.add_typer(report_app, name="report")
app.add_typer(outbox_app, name="outbox")
app.add_typer(staff_app, name="staff")
app.add_typer(meetings_app, name="meetings")
app.add_typer(departments_app, name="departments")
app.add_typer(categories_app, name="categories")
app.command("audit")(audit_list)


def _settings(**overrides: object) -> Settings:
    settings = Settings()
    return settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})


def same_database(first: str, second: str) -> bool:
    """Whether two SQLAlchemy URLs name the same database (SQLite files by their real path)."""
    a, b = make_url(first), make_url(second)
    if a.get_backend_name() != b.get_backend_name():
        return False
    if a.get_backend_name() == "sqlite":
        if not a.database or not b.database or ":memory:" in (a.database, b.database):
            return False
        return Path(a.database).expanduser().resolve() == Path(b.database).expanduser().resolve()
    return (a.host, a.port, a.database) == (b.host, b.port, b.database)


def _refuse(error: NotADemoDatabaseError, url: str) -> typer.Exit:
    shown = make_url(url).render_as_string(hide_password=True)
    typer.echo(
        f"refusing to run the demo on {shown}: it holds data the demo did not put there "
        f"({', '.join(error.tables) or 'not seeded by `liaison demo`'}). The demo lets anyone "
        "act as staff; give it a database of its own with LIAISON_DEMO_DATABASE_URL.",
        err=True,
    )
    return typer.Exit(1)


@app.command()
def demo(
    host: Annotated[str | None, typer.Option(help="Listen host.")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port.")] = None,
) -> None:
    """Run the web chat with the demo data (and Telegram if set), on the demo's own database.

    The database is ``LIAISON_DEMO_DATABASE_URL`` (``demo.db`` in the data folder by default),
    never the one ``liaison run`` uses.
    """
    base = Settings()
    url = base.demo_database
    if same_database(url, base.database_url):
        typer.echo(
            "refusing to run the demo on the database `liaison run` uses "
            "(LIAISON_DATABASE_URL); set LIAISON_DEMO_DATABASE_URL to another one.",
            err=True,
        )
        raise typer.Exit(1)
    settings = _settings(web_host=host, web_port=port, demo=True, database_url=url)
    configure_logging(settings.log_level)
    typer.echo(f"Demo database: {make_url(url).render_as_string(hide_password=True)}")
    typer.echo(f"Web chat: http://{settings.web_host}:{settings.web_port}/  (Ctrl+C to stop)")
    try:
        asyncio.run(serve(settings, seed_demo=True))
    except NotADemoDatabaseError as error:
        raise _refuse(error, url) from None


@app.command()
def run(
    host: Annotated[str | None, typer.Option(help="Listen host.")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port.")] = None,
) -> None:
    """Upgrade the database and run the bot with the configured channels."""
    settings = _settings(web_host=host, web_port=port)
    configure_logging(settings.log_level)
    try:
        asyncio.run(serve(settings))
    except NotADemoDatabaseError as error:
        raise _refuse(error, settings.database_url) from None


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
    """Load the reference data (stations, sectors, categories, committees); idempotent."""

    async def go(db: Database) -> dict[str, int]:
        await upgrade(db)
        return await seed_reference_data(db)

    typer.echo(", ".join(f"{count} {name}" for name, count in with_database(go).items()))


@stations_app.command("qr")
def stations_qr(
    out: Annotated[Path, typer.Option(help="Folder for the PNG files.")] = Path("qr"),
    username: Annotated[
        str | None, typer.Option(help="Telegram bot username (asked from Telegram if unset).")
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(help="Public web chat URL, used when there is no Telegram bot.")
    ] = None,
    locale: LocaleOption = None,
) -> None:
    """Write one QR code PNG per station; each opens a report at that station."""
    settings = settings_in(locale)

    async def go(db: Database) -> list[tuple[str, str, Path]]:
        name = username or await bot_username(settings)
        await upgrade(db)
        async with db.session() as session:
            stations = await list_stations(session)
        rows = []
        for station in stations:
            link = deep_link(
                f"{STATION_PAYLOAD_PREFIX}{station.code}",
                username=name,
                settings=settings,
                base_url=base_url,
            )
            title = display_name(station, settings.default_locale)
            written = write_station_qr(station.code, link, out, title)
            rows.append((title, link, written.path))
        return rows

    rows = with_database(go)
    if not rows:
        with translated(settings):
            typer.echo(_("No stations yet: run `liaison db seed` or add stations first."))
        raise typer.Exit(1)
    for name, link, path in rows:
        typer.echo(f"{path}  {link}  {name}")


def main() -> None:
    """Entry point of the ``liaison`` console script."""
    # Exports, reports and the database hold personal information: private from the start.
    private_umask()
    app()
