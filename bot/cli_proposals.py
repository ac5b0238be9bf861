"""``liaison proposals``: import registered proposals from a sheet, and rate one at year end.

The minimal commands the duty assessment needs (items M14–M16, S03); the later proposals
feature adds its own. Every change is audited with the command line as the actor.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli_common import (
    cli_rulebook,
    cli_settings,
    fail,
    localized,
    say_imported,
    unreadable,
    with_database,
)
from bot.cli_common import now as cli_now
from services.assessment.entry_errors import refusal_text
from services.audit import Actor
from services.errors import DomainError
from services.members.roster import ImportReport
from services.members.roster_files import read_rows
from services.proposals.imports import import_proposals
from services.proposals.records import rate_proposal
from services.translation import gettext as _
from storage.db import Database
from storage.migrate import upgrade

proposals_app = typer.Typer(help="Proposals as the assessment counts them.", no_args_is_help=True)


@proposals_app.command("import")
@localized
def proposals_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or XLSX.")],
    dry_run: Annotated[bool, typer.Option(help="Check the rows; write nothing.")] = False,
) -> None:
    """Create or update proposals by year and number; all rows are written or none."""
    try:
        rows = read_rows(file)
    except DomainError as error:
        unreadable(file, error)
    settings = cli_settings()

    async def go(db: Database) -> ImportReport:
        await upgrade(db)
        async with db.session() as session:
            return await import_proposals(
                session,
                rows,
                actor=Actor.cli(),
                now=cli_now(),
                rulebook=cli_rulebook(),
                tz=settings.tz,
                dry_run=dry_run,
            )

    try:
        report = with_database(go)
    except DomainError as error:
        fail(refusal_text(error))
    if dry_run and not report.errors:
        typer.echo(_("Dry run: nothing was written."))
    say_imported(report)


@proposals_app.command("rate")
@localized
def proposals_rate(
    year: Annotated[int, typer.Argument(help="The proposal's year, e.g. 2026.")],
    number: Annotated[str, typer.Argument(help="The registration number, e.g. 2026-T-0042.")],
    rating: Annotated[str, typer.Argument(help="excellent, key, excellent_key or none.")],
) -> None:
    """Record a proposal's year-end rating (none clears it)."""
    settings = cli_settings()

    async def go(db: Database) -> None:
        await upgrade(db)
        async with db.session() as session:
            await rate_proposal(
                session,
                year=year,
                number=number,
                rating=rating,
                actor=Actor.cli(),
                now=cli_now(),
                rulebook=cli_rulebook(),
                tz=settings.tz,
            )

    try:
        with_database(go)
    except DomainError as error:
        fail(refusal_text(error))
    typer.echo(
        _("Proposal {number} of {year} rated: {rating}.").format(
            number=number, year=year, rating=rating
        )
    )
