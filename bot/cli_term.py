"""``liaison assessment term``: the term review and the term award's eligible members.

Kept apart from :mod:`bot.cli_assessment` (which registers it with :func:`register`).
"""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli_common import cli_rulebook, cli_settings, fail, localized, table, with_database
from services.assessment.attendance import term_years
from services.assessment.ranking import points_text
from services.assessment.term_review import TermRow, TermYear, term_review
from services.translation import gettext as _
from storage.db import Database
from storage.migrate import upgrade


def _cell(result: TermYear | None) -> str:
    """One year: total, rank in the group, ★ when decided excellent; – when not assessed."""
    if result is None:
        return "–"
    rank = f"{result.rank}/{result.group_size}" if result.rank is not None else "–"
    star = " ★" if result.excellent else ""
    return f"{points_text(result.total_c)} ({rank}){star}"


def term(
    term: Annotated[str, typer.Option(help="The term's years, e.g. 2023-2027.")],
) -> None:
    """Each member's years of the term side by side; ★ marks a year decided excellent."""
    years = term_years(term)
    if len(years) < 2:
        fail(_("Give the term as its first and last year, e.g. 2023-2027."))
    settings = cli_settings()
    book = cli_rulebook(settings)
    section = book.for_year(years[-1]).assessment
    needed = section.term_award_years if section is not None else 3

    async def go(db: Database) -> list[TermRow]:
        await upgrade(db)
        async with db.session() as session:
            return await term_review(session, years=years, needed=needed)

    rows = with_database(go)
    header = [_("Code"), _("Name"), *(str(year) for year in years), _("Eligible")]
    cells = [
        [
            row.member.code,
            row.member.name,
            *(_cell(result) for result in row.years),
            _("yes") if row.eligible else "",
        ]
        for row in rows
    ]
    for line in table(header, cells):
        typer.echo(line)
    eligible = sum(1 for row in rows if row.eligible)
    typer.echo(
        _(
            "Excellent in at least {needed} years of the term: {count} members, "
            "eligible for the term award."
        ).format(needed=needed, count=eligible)
    )


def register(app: typer.Typer) -> None:
    """Add the command to ``liaison assessment``."""
    app.command("term")(localized(term))
