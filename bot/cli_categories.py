"""``liaison categories``: the issue categories and the time each allows for an answer."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli_common import now as cli_now
from bot.cli_common import with_database
from services.audit import Actor
from services.errors import DomainError
from services.reference.catalog import MAX_DUE_DAYS, MIN_DUE_DAYS, list_categories, set_due_days
from storage.db import Database, write_transaction
from storage.migrate import upgrade

categories_app = typer.Typer(help="Issue categories.", no_args_is_help=True)


@categories_app.command("list")
def categories_list() -> None:
    """Each active category: code, names, and the days allowed for an answer."""

    async def go(db: Database) -> list[str]:
        await upgrade(db)
        async with db.session() as session:
            return [
                f"{c.code}\t{c.due_days} days\t{c.name_zh}\t{c.name_en}"
                for c in await list_categories(session)
            ]

    for line in with_database(go):
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
