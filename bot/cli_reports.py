"""``liaison report``: the staff reports for offices that prefer files.

``report quarter`` is the quarter's minimums, with every member's figures and the version of
the rules that counted them; ``report issues`` every case report (counts by station, category
and status, answer times, satisfaction) in one workbook and one chart. Both print the summary
the chat shows and write XLSX, and PNG when ``--chart`` is given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select
from sqlmodel import col

from bot.cli_common import cli_rulebook, cli_settings, fail, localized, with_database
from bot.cli_common import now as cli_now
from bot.settings import Settings
from services.calendar import Quarter, local_today
from services.errors import DomainError
from services.members.compliance import MemberQuarterRow, quarter_compliance
from services.reports.campaign import (
    CampaignReport,
    campaign_report,
    campaign_summary,
    campaign_workbook,
)
from services.reports.case_charts import issues_chart
from services.reports.case_summary import cases_summary, satisfaction_summary, timings_summary
from services.reports.case_workbook import issues_workbook
from services.reports.cases import CaseCounts, Period, Reach, case_counts
from services.reports.quarter_chart import quarter_chart
from services.reports.quarter_summary import member_figures, quarter_summary
from services.reports.quarter_workbook import quarter_workbook
from services.reports.ratings import Satisfaction, satisfaction
from services.reports.times import Timings, timings
from services.reports.wording import period_slug, reach_label
from services.translation import gettext as _
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Station

report_app = typer.Typer(help="Reports, printed and written as XLSX.", no_args_is_help=True)

ChartOption = Annotated[
    Path | None,
    typer.Option(help="Draw the report as this PNG file (the XLSX too only when --out is given)."),
]


def _target(out: Path | None, chart: Path | None, default: Path) -> Path | None:
    """Where the XLSX goes: ``--out``, else the default file unless only a chart was asked for."""
    if out is not None:
        return out
    return None if chart is not None else default


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@report_app.command("quarter")
@localized
def report_quarter(
    year: Annotated[int, typer.Option(help="The year, e.g. 2026.")],
    quarter: Annotated[int, typer.Option(min=1, max=4, help="The quarter, 1 to 4.")],
    out: Annotated[
        Path | None,
        typer.Option(help="XLSX file to write (default: reports/minimums-<year>-Q<n>.xlsx)."),
    ] = None,
    chart: ChartOption = None,
) -> None:
    """Each member's figures for a quarter and whether they met the minimums."""
    settings = cli_settings()
    period = Quarter(year, quarter)
    rulebook = cli_rulebook(settings)
    rules = rulebook.for_year(year)

    async def go(db: Database) -> list[MemberQuarterRow]:
        await upgrade(db)
        async with db.session() as session:
            return await quarter_compliance(session, quarter=period, rules=rules, tz=settings.tz)

    rows = with_database(go)
    target = _target(out, chart, Path("reports") / f"minimums-{year}-Q{quarter}.xlsx")
    language = settings.default_locale
    typer.echo(quarter_summary(rows, period, language, rules=rules))
    typer.echo("\n" + member_figures(rows, rules, language))
    if target is not None:
        _write(target, quarter_workbook(rows, period, language, rules=rules))
        typer.echo(
            "\n" + _("{count} members written to {path}").format(count=len(rows), path=target)
        )
    if chart is not None:
        _write(chart, quarter_chart(rows, period, language))
        typer.echo(_("Chart written to {path}").format(path=chart))


@report_app.command("campaign")
@localized
def report_campaign(
    year: Annotated[int, typer.Option(help="The year, e.g. 2026.")],
    month: Annotated[int, typer.Option(min=1, max=12, help="The campaign's month, e.g. 5.")],
    out: Annotated[
        Path | None,
        typer.Option(help="XLSX file to write (default: reports/campaign-<year>-<mm>.xlsx)."),
    ] = None,
) -> None:
    """Who took part in a campaign month (an activity logged in it) and who did not."""
    settings = cli_settings()
    rulebook = cli_rulebook(settings)
    rules = rulebook.for_year(year)
    if month not in rules.campaign_months:
        months = ", ".join(str(m) for m in sorted(rules.campaign_months)) or "-"
        fail(
            _("{year}-{month:02d} is not a campaign month (the rules name: {months})").format(
                year=year, month=month, months=months
            ),
            code=2,
        )

    async def go(db: Database) -> CampaignReport:
        await upgrade(db)
        async with db.session() as session:
            return await campaign_report(session, year=year, month=month, rules=rules)

    report = with_database(go)
    target = out or Path("reports") / f"campaign-{year}-{month:02d}.xlsx"
    language = settings.default_locale
    typer.echo(campaign_summary(report, language))
    _write(target, campaign_workbook(report, language))
    typer.echo(
        "\n" + _("{count} members written to {path}").format(count=len(report.rows), path=target)
    )


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


def _period(first: str | None, last: str | None, settings: Settings) -> Period:
    start, end = _day(first, "--from"), _day(last, "--to")
    if start is None and end is None:
        return Period.of_quarter(Quarter.of(local_today(cli_now(), settings.tz)))
    if start is None or end is None:
        fail(_("Give both --from and --to, or neither."), code=2)
    try:
        return Period.of_days(start, end)
    except DomainError:
        fail(_("--to is before --from."), code=2)


@dataclass(frozen=True)
class IssueFigures:
    """Everything ``report issues`` counted."""

    counts: CaseCounts
    times: Timings
    rated: Satisfaction
    station: Station | None


@report_app.command("issues")
@localized
def report_issues(
    first: Annotated[
        str | None,
        typer.Option("--from", help="First day, e.g. 2026-10-01 (default: this quarter)."),
    ] = None,
    last: Annotated[
        str | None, typer.Option("--to", help="Last day, included, e.g. 2026-12-31.")
    ] = None,
    station: Annotated[
        str | None, typer.Option(help="Only this station (its code, e.g. xq-jingde).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="XLSX file to write (default: reports/issues-<period>.xlsx)."),
    ] = None,
    chart: ChartOption = None,
) -> None:
    """Cases received in a period: by station, category and status, answer times, ratings."""
    settings = cli_settings()
    period = _period(first, last, settings)
    now = cli_now()

    async def go(db: Database) -> IssueFigures | None:
        await upgrade(db)
        async with db.session() as session:
            chosen = None
            if station is not None:
                stmt = select(Station).where(col(Station.code) == station)
                chosen = (await session.execute(stmt)).scalar_one_or_none()
                if chosen is None:
                    return None
            reach = Reach(period, settings.tz, station_id=chosen.id if chosen else None)
            return IssueFigures(
                counts=await case_counts(session, reach=reach),
                times=await timings(session, reach=reach, now=now),
                rated=await satisfaction(session, reach=reach),
                station=chosen,
            )

    figures = with_database(go)
    if figures is None:
        fail(_("--station: no station has the code '{code}'").format(code=station), code=2)
    target = _target(out, chart, Path("reports") / f"issues-{period_slug(period)}.xlsx")
    language = settings.default_locale
    stations = [figures.station] if figures.station else []
    where = reach_label(stations, every=True, one=bool(stations), locale=language)
    for text in (
        cases_summary(figures.counts, period, where, language),
        timings_summary(figures.times, period, where, language),
        satisfaction_summary(figures.rated, period, where, language),
    ):
        typer.echo(f"{text}\n")
    if target is not None:
        data = issues_workbook(
            figures.counts, figures.times, figures.rated, period, where, language
        )
        _write(target, data)
        typer.echo(
            _("{count} cases written to {path}").format(count=figures.counts.total, path=target)
        )
    if chart is not None:
        picture = issues_chart(figures.counts, figures.times, figures.rated, period, language)
        _write(chart, picture)
        typer.echo(_("Chart written to {path}").format(path=chart))
