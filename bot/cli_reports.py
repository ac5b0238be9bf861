"""``liaison report``: reports for offices that prefer files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli_common import translated, with_database
from bot.settings import Settings
from handlers.reports.quarter import quarter_summary, quarter_workbook
from services.calendar import Quarter
from services.compliance import MemberQuarterRow, quarter_compliance
from services.rules import RuleBook
from storage.db import Database
from storage.migrate import upgrade

report_app = typer.Typer(help="Reports, printed and written as XLSX.", no_args_is_help=True)


@report_app.command("quarter")
def report_quarter(
    year: Annotated[int, typer.Option(help="The year, e.g. 2026.")],
    quarter: Annotated[int, typer.Option(min=1, max=4, help="The quarter, 1 to 4.")],
    out: Annotated[
        Path | None,
        typer.Option(help="XLSX file to write (default: reports/minimums-<year>-Q<n>.xlsx)."),
    ] = None,
) -> None:
    """Each member's figures for a quarter and whether they met the minimums."""
    settings = Settings()
    period = Quarter(year, quarter)
    rulebook = RuleBook(settings.rules_dir) if settings.rules_dir else RuleBook()

    async def go(db: Database) -> list[MemberQuarterRow]:
        await upgrade(db)
        async with db.session() as session:
            return await quarter_compliance(session, quarter=period, rules=rulebook.for_year(year))

    rows = with_database(go)
    target = out or Path("reports") / f"minimums-{year}-Q{quarter}.xlsx"
    with translated(settings) as locale:
        typer.echo(quarter_summary(rows, period, locale))
        data = quarter_workbook(rows, period, locale)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    typer.echo(f"\n{len(rows)} members written to {target}")
