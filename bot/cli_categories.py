"""``liaison categories``: the issue categories and the time each allows for an answer."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli_common import LocaleOption, settings_in, translated, with_database
from bot.cli_common import now as cli_now
from services.audit import Actor
from services.errors import DomainError
from services.reference.catalog import (
    MAX_DUE_DAYS,
    MIN_DUE_DAYS,
    display_name,
    list_categories,
    set_due_days,
)
from services.translation import gettext as _
from storage.db import Database, write_transaction
from storage.migrate import upgrade
from storage.models import IssueCategory

categories_app = typer.Typer(help="Issue categories.", no_args_is_help=True)


@categories_app.command("list")
def categories_list(locale: LocaleOption = None) -> None:
    """Each active category: code, the days allowed for an answer, and its name."""
    settings = settings_in(locale)

    async def go(db: Database) -> list[IssueCategory]:
        await upgrade(db)
        async with db.session() as session:
            return list(await list_categories(session))

    categories = with_database(go)
    with translated(settings) as language:
        lines = [
            f"{c.code}\t{_('{days} days').format(days=c.due_days)}\t{display_name(c, language)}"
            for c in categories
        ]
    for line in lines:
        typer.echo(line)


@categories_app.command("due")
def categories_due(
    code: Annotated[str, typer.Argument(help="The category's code (see `categories list`).")],
    days: Annotated[int, typer.Argument(help=f"{MIN_DUE_DAYS} to {MAX_DUE_DAYS} days.")],
) -> None:
    """Set the default time for an answer to cases of a category (new assignments only)."""

    async def go(db: Database) -> tuple[int, int]:
        await upgrade(db)
        async with db.session() as session, write_transaction(session):
            return await set_due_days(
                session, code=code, days=days, actor=Actor.cli(), now=cli_now()
            )

    try:
        before, after = with_database(go)
    except DomainError as error:
        if error.code == "unknown_category":
            typer.echo(f"no category with code {code!r}; see `liaison categories list`", err=True)
        else:
            typer.echo(f"days must be {MIN_DUE_DAYS} to {MAX_DUE_DAYS}", err=True)
        raise typer.Exit(2) from error
    typer.echo(f"{code}: {before} -> {after} days (cases assigned from now on)")
