"""``liaison categories``: the issue categories and the time each allows for an answer."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli_common import cli_settings, fail, localized, with_database
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
@localized
def categories_list() -> None:
    """Each active category: code, the days allowed for an answer, and its name."""
    language = cli_settings().default_locale

    async def go(db: Database) -> list[IssueCategory]:
        await upgrade(db)
        async with db.session() as session:
            return list(await list_categories(session))

    categories = with_database(go)
    typer.echo("\t".join([_("Code"), _("Time to answer"), _("Name")]))
    for c in categories:
        typer.echo(
            f"{c.code}\t{_('{days} days').format(days=c.due_days)}\t{display_name(c, language)}"
        )


@categories_app.command("due")
@localized
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
            fail(
                _("no category with code '{code}'; see `liaison categories list`").format(
                    code=code
                ),
                code=2,
            )
        fail(_("days must be {low} to {high}").format(low=MIN_DUE_DAYS, high=MAX_DUE_DAYS), code=2)
    typer.echo(
        _("{code}: {before} -> {after} days (cases assigned from now on)").format(
            code=code, before=before, after=after
        )
    )
