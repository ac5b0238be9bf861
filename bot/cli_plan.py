"""``liaison plan``: the yearly consultation plan from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli_common import cli_settings, localized, with_database
from bot.cli_common import now as cli_now
from services.audit import Actor
from services.clock import local_date
from services.members.rules import RuleBook
from services.topics.carry import carry_over
from services.translation import gettext as _
from storage.db import Database, write_transaction
from storage.migrate import upgrade

plan_app = typer.Typer(help="The yearly consultation plan.", no_args_is_help=True)


@plan_app.command("carry-over")
@localized
def plan_carry_over(
    from_year: Annotated[
        int | None,
        typer.Option(
            "--from", help="The year whose long-running topics go on (default: this year)."
        ),
    ] = None,
) -> None:
    """Carry a year's long-running topics into the next year's draft plan (run twice: once)."""
    settings = cli_settings()
    moment = cli_now()
    year = from_year or local_date(moment, settings.tz).year

    async def go(db: Database) -> int:
        await upgrade(db)
        async with db.session() as session, write_transaction(session):
            carried = await carry_over(
                session,
                from_year=year,
                rules=RuleBook().for_year(year + 1),
                actor=Actor.cli(),
                now=moment,
            )
            return len(carried)

    count = with_database(go)
    typer.echo(
        _("{count} long-running topics of {year} carried over to {next}.").format(
            count=count, year=year, next=year + 1
        )
    )
