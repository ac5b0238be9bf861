"""``liaison pipeline``: the year's three lists and the quarterly review report, as XLSX.

``pipeline lists`` writes the problem, outcome and satisfaction lists with adoption counts for
a year (``--year``, default this one) or any days (``--from``/``--to``); ``pipeline
review-report`` the quarter's stuck suggestions and overdue departments for the joint
meeting (会商). Both print the summary the chat shows. Read-only: nothing is audited.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated

import typer

from bot.cli_common import cli_rulebook, cli_settings, fail, localized, with_database
from bot.cli_common import now as cli_now
from services.calendar import Quarter, local_today
from services.errors import DomainError
from services.pipeline.list_counts import PipelineLists, pipeline_lists
from services.pipeline.review_report import ReviewReport, review_report
from services.reports.cases import Period
from services.reports.pipeline_summary import lists_summary, review_summary
from services.reports.pipeline_workbook import lists_workbook, review_workbook
from services.reports.wording import period_slug
from services.translation import gettext as _
from storage.db import Database
from storage.migrate import upgrade

pipeline_app = typer.Typer(
    help="Proposals and consultation outcomes: lists and the review report.",
    no_args_is_help=True,
)
QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")


def _day(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(
            _("{option}: '{value}' is not a date like 2026-10-01").format(
                option=option, value=value
            ),
            code=2,
        )


def lists_period(year: int | None, first: str | None, last: str | None, today: dt.date) -> Period:
    """``--year``, or ``--from`` and ``--to``; this year when none is given."""
    start, end = _day(first, "--from"), _day(last, "--to")
    if year is not None and (start or end):
        fail(_("Give --year, or --from and --to, not both."), code=2)
    if start is None and end is None:
        return Period.of_year(year or today.year)
    if start is None or end is None:
        fail(_("Give both --from and --to, or neither."), code=2)
    try:
        return Period.of_days(start, end)
    except DomainError:
        fail(_("--to is before --from."), code=2)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@pipeline_app.command("lists")
@localized
def lists_command(
    year: Annotated[
        int | None, typer.Option(help="The year, e.g. 2026 (default: this one).")
    ] = None,
    first: Annotated[str | None, typer.Option("--from", help="First day, e.g. 2026-01-01.")] = None,
    last: Annotated[str | None, typer.Option("--to", help="Last day, included.")] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="XLSX file to write (default: reports/lists-<period>.xlsx)."),
    ] = None,
) -> None:
    """The problem, outcome and satisfaction lists, with adoption by department and source."""
    settings = cli_settings()
    period = lists_period(year, first, last, local_today(cli_now(), settings.tz))

    async def go(db: Database) -> PipelineLists:
        await upgrade(db)
        async with db.session() as session:
            return await pipeline_lists(session, period=period, tz=settings.tz)

    found = with_database(go)
    language = settings.default_locale
    typer.echo(lists_summary(found, language))
    target = out or Path("reports") / f"lists-{period_slug(period)}.xlsx"
    _write(target, lists_workbook(found, locale=language, tz=settings.tz))
    typer.echo(_("Written to {path}").format(path=target))


@pipeline_app.command("review-report")
@localized
def review_command(
    quarter: Annotated[
        str | None, typer.Option(help="The quarter, e.g. 2026Q4 (default: this one).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="XLSX file to write (default: reports/review-<quarter>.xlsx)."),
    ] = None,
) -> None:
    """The quarter's stuck suggestions by stage and the departments past their due date."""
    settings = cli_settings()
    now = cli_now()
    if quarter is None:
        chosen = Quarter.of(local_today(now, settings.tz))
    elif match := QUARTER.match(quarter):
        chosen = Quarter(int(match[1]), int(match[2]))
    else:
        fail(_("--quarter: '{value}' is not a quarter like 2026Q4").format(value=quarter), code=2)

    async def go(db: Database) -> ReviewReport:
        await upgrade(db)
        rules = cli_rulebook(settings).for_year(chosen.year).pipeline
        async with db.session() as session:
            return await review_report(
                session, quarter=chosen, now=now, tz=settings.tz, rules=rules
            )

    report = with_database(go)
    language = settings.default_locale
    typer.echo(review_summary(report, language))
    target = out or Path("reports") / f"review-{chosen.year}-Q{chosen.number}.xlsx"
    _write(target, review_workbook(report, locale=language, tz=settings.tz))
    typer.echo(_("Written to {path}").format(path=target))
