"""The ``liaison`` command: run the bot, manage the database, print station QR codes."""

from __future__ import annotations

import asyncio
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from sqlalchemy.engine import make_url

from bot.cli_assessment import assessment_app
from bot.cli_categories import categories_app
from bot.cli_common import (
    bot_username,
    cli_settings,
    deep_link,
    fail,
    localized,
    with_database,
)
from bot.cli_desk import audit_list, departments_app
from bot.cli_hotline import hotline_app, hotspots_app
from bot.cli_members import members_app
from bot.cli_outbox import outbox_app
from bot.cli_pipeline import pipeline_app
from bot.cli_plan import plan_app
from bot.cli_proposals import proposals_app
from bot.cli_reports import report_app
from bot.cli_staff import meetings_app, staff_app
from bot.cli_wechat import wechat_app, wechat_station_codes
from bot.cli_wecom import wecom_app
from bot.private_files import private_umask
from bot.qr import STATION_PAYLOAD_PREFIX, write_station_qr
from bot.runner import configure_logging, seed_reference_data, serve
from bot.settings import Settings
from services.demo.guard import NotADemoDatabaseError
from services.reference.catalog import display_name, list_stations
from services.translation import N_
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
app.add_typer(plan_app, name="plan")
app.add_typer(assessment_app, name="assessment")
app.add_typer(proposals_app, name="proposals")
app.add_typer(pipeline_app, name="pipeline")
app.add_typer(hotline_app, name="hotline")
app.add_typer(hotspots_app, name="hotspots")
app.add_typer(wechat_app, name="wechat")
app.add_typer(wecom_app, name="wecom")
app.command("audit")(audit_list)


def _settings(settings: Settings, **overrides: object) -> Settings:
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


_SEEDED = {
    "stations": N_("{count} stations"),
    "sectors": N_("{count} sectors"),
    "issue_categories": N_("{count} issue categories"),
    "special_committees": N_("{count} special committees"),
    "departments": N_("{count} departments"),
    "canned_replies": N_("{count} canned replies"),
}


def _refuse(error: NotADemoDatabaseError, url: str) -> typer.Exit:
    shown = make_url(url).render_as_string(hide_password=True)
    tables = _(", ").join(error.tables) or _("not seeded by `liaison demo`")
    typer.echo(
        _(
            "Refusing to run the demo on {url}: it holds data the demo did not put there "
            "({tables}). The demo lets anyone act as staff; give it a database of its own "
            "with LIAISON_DEMO_DATABASE_URL."
        ).format(url=shown, tables=tables),
        err=True,
    )
    return typer.Exit(1)


@app.command()
@localized
def demo(
    host: Annotated[str | None, typer.Option(help="Listen host.")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port.")] = None,
    fake_wechat: Annotated[
        bool,
        typer.Option(
            help="Run the WeChat service account and WeCom against fake platforms, with a "
            "phone page to use them (when neither is configured)."
        ),
    ] = True,
    phone_port: Annotated[
        int | None, typer.Option(help="The phone page's port (the web port + 1 by default).")
    ] = None,
) -> None:
    """Run the web chat with the demo data (and Telegram if set), on the demo's own database.

    The database is ``LIAISON_DEMO_DATABASE_URL`` (``demo.db`` in the data folder by default),
    never the one ``liaison run`` uses.
    """
    base = cli_settings()
    url = base.demo_database
    if same_database(url, base.database_url):
        fail(
            _(
                "Refusing to run the demo on the database `liaison run` uses "
                "(LIAISON_DATABASE_URL): set LIAISON_DEMO_DATABASE_URL to another one."
            )
        )
    settings = _settings(base, web_host=host, web_port=port, demo=True, database_url=url)
    configure_logging(settings.log_level)
    shown = make_url(url).render_as_string(hide_password=True)
    typer.echo(_("Demo database: {url}").format(url=shown))
    web = f"http://{settings.web_host}:{settings.web_port}/"
    typer.echo(_("Web chat: {url}  (Ctrl+C to stop)").format(url=web))
    try:
        if fake_wechat and not (settings.wechat_enabled or settings.wecom_enabled):
            # The WeChat channels against fake platforms, with a phone page to use them.
            from fakes.demo import run as run_with_platforms

            phone_port = phone_port or settings.web_port + 1
            phone = f"http://{settings.web_host}:{phone_port}/"
            typer.echo(_("WeChat and WeCom, on fake platforms: {url}").format(url=phone))
            run_with_platforms(settings, phone_port=phone_port)
        else:
            asyncio.run(serve(settings, seed_demo=True))
    except NotADemoDatabaseError as error:
        raise _refuse(error, url) from None


@app.command()
@localized
def run(
    host: Annotated[str | None, typer.Option(help="Listen host.")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port.")] = None,
) -> None:
    """Upgrade the database and run the bot with the configured channels."""
    settings = _settings(cli_settings(), web_host=host, web_port=port)
    configure_logging(settings.log_level)
    try:
        asyncio.run(serve(settings))
    except NotADemoDatabaseError as error:
        raise _refuse(error, settings.database_url) from None


def _revision(revision: str | None) -> str:
    if revision is None:
        return _("database at no revision (empty)")
    return _("database at revision {revision}").format(revision=revision)


@db_app.command("upgrade")
@localized
def db_upgrade(revision: str = "head") -> None:
    """Upgrade the schema (every start does this too)."""

    async def go(db: Database) -> str | None:
        await upgrade(db, revision)
        return await current_revision(db)

    typer.echo(_revision(with_database(go)))


@db_app.command("downgrade")
@localized
def db_downgrade(revision: str) -> None:
    """Downgrade the schema to REVISION (``base`` empties the database)."""

    async def go(db: Database) -> str | None:
        await downgrade(db, revision)
        return await current_revision(db)

    typer.echo(_revision(with_database(go)))


@db_app.command("seed")
@localized
def db_seed() -> None:
    """Load the reference data (stations, sectors, categories, committees); idempotent."""

    async def go(db: Database) -> dict[str, int]:
        await upgrade(db)
        return await seed_reference_data(db)

    counts = with_database(go)
    typer.echo(
        _(", ").join(
            _(_SEEDED[name]).format(count=count) if name in _SEEDED else f"{name}: {count}"
            for name, count in counts.items()
        )
    )


class QrChannel(StrEnum):
    """Whose QR codes ``stations qr`` makes."""

    TELEGRAM = "telegram"
    WECHAT = "wechat"


@stations_app.command("qr")
@localized
def stations_qr(
    out: Annotated[Path, typer.Option(help="Folder for the PNG files.")] = Path("qr"),
    username: Annotated[
        str | None, typer.Option(help="Telegram bot username (asked from Telegram if unset).")
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(help="Public web chat URL, used when there is no Telegram bot.")
    ] = None,
    channel: Annotated[
        QrChannel,
        typer.Option(help="telegram: deep links; wechat: the service account's QR codes."),
    ] = QrChannel.TELEGRAM,
) -> None:
    """Write one QR code PNG per station; each opens a report at that station."""
    settings = cli_settings()

    async def go(db: Database) -> list[tuple[str, str, Path]]:
        if channel is QrChannel.WECHAT:
            return await wechat_station_codes(settings, db, out)
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
        fail(_("No stations yet: run `liaison db seed` or add stations first."))
    for name, link, path in rows:
        typer.echo(f"{path}  {link}  {name}")


def main() -> None:
    """Entry point of the ``liaison`` console script."""
    # Exports, reports and the database hold personal information: private from the start.
    private_umask()
    app()
