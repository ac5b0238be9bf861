"""``liaison hotline import`` and ``liaison hotspots run``: the 12345 export and the hotspots."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli_common import cli_settings, fail, localized, with_database
from bot.cli_common import now as cli_now
from services.audit import Actor
from services.errors import DomainError
from services.hotspots.engine import run_month
from services.hotspots.hotline_files import read_map
from services.hotspots.hotline_import import HotlineImport, import_hotline
from services.hotspots.months import month_of, parse_month, previous_month
from services.translation import gettext as _
from storage.db import Database, write_transaction
from storage.migrate import upgrade
from storage.models import HotspotRun

hotline_app = typer.Typer(help="The 12345 citizen hotline's records.", no_args_is_help=True)
hotspots_app = typer.Typer(help="Monthly hotspots of cases and hotline records.",
                           no_args_is_help=True)  # fmt: skip


@hotline_app.command("import")
@localized
def hotline_import(
    file: Annotated[Path, typer.Argument(help="The export: CSV (UTF-8 or GBK) or XLSX.")],
    map_file: Annotated[
        Path | None, typer.Option("--map", help="The column map (TOML); default: the built-in.")
    ] = None,
) -> None:
    """Import a hotline export; tickets already stored are skipped, bad rows are listed."""
    settings = cli_settings()
    if not file.is_file():
        fail(_("no file at {path}").format(path=file), code=2)
    try:
        hotline_map = read_map(map_file)
    except DomainError as error:
        fail(_("the column map is unusable: {reason}").format(reason=error.params["reason"]),
             code=2)  # fmt: skip

    async def go(db: Database) -> HotlineImport:
        await upgrade(db)
        async with db.session() as session, write_transaction(session):
            return await import_hotline(
                session, path=file, hotline_map=hotline_map, tz=settings.tz, now=cli_now(),
                actor=Actor.cli(),
            )  # fmt: skip

    try:
        report = with_database(go)
    except DomainError as error:
        if error.code == "file_type":
            fail(_("only .csv and .xlsx files can be imported"), code=2)
        raise
    typer.echo(
        _("{created} new, {existing} already imported, {refused} refused").format(
            created=report.created, existing=report.existing, refused=len(report.errors)
        )
    )
    for number, message in report.errors:
        typer.echo(_("row {number}: {message}").format(number=number, message=message), err=True)
    if report.errors:
        raise typer.Exit(1)


@hotspots_app.command("run")
@localized
def hotspots_run(
    month: Annotated[
        str | None, typer.Option(help="The month, YYYY-MM (default: the month just ended).")
    ] = None,
) -> None:
    """Find the month's hotspots again (replacing that month's run) and print them."""
    settings = cli_settings()
    now = cli_now()
    try:
        chosen = parse_month(month) if month else previous_month(month_of(now, settings.tz))
    except DomainError:
        fail(_("'{value}' is not a month: write it as 2026-11").format(value=month), code=2)

    async def go(db: Database) -> HotspotRun:
        await upgrade(db)
        async with db.session() as session, write_transaction(session):
            return await run_month(
                session, month=chosen, tz=settings.tz, now=now, actor=Actor.cli(), replace=True
            )

    run = with_database(go)
    typer.echo(
        _("{month}: {hotspots} hotspots from {cases} cases and {records} hotline records").format(
            month=run.month, hotspots=run.hotspots, cases=run.cases, records=run.hotline_records
        )
    )
