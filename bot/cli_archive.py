"""``liaison assessment archive`` and ``attendance``: printable records, the year's attendance.

Kept apart from :mod:`bot.cli_assessment` (which registers them with :func:`register`) so
that module stays about the year's standings and life.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.cli_common import cli_rulebook, cli_settings, fail, localized, table, with_database
from services.assessment.archive import member_archive
from services.assessment.attendance import ALL_KINDS, term_years
from services.assessment.standings import year_standings
from services.errors import DomainError
from services.members.rules import Rules
from services.reports.archive_page import render
from services.reports.attendance_report import (
    AttendanceReport,
    attendance_report,
    attendance_workbook,
    figures_header,
    kind_label,
    share,
)
from services.translation import gettext as _
from storage.db import Database
from storage.enums import MemberStatus
from storage.migrate import upgrade
from storage.models import Member

T = TypeVar("T")
YearOption = Annotated[int, typer.Option(help="The year, e.g. 2026.")]
LISTED = 30


def _rules(year: int) -> Rules:
    settings = cli_settings()
    book = cli_rulebook(settings)
    return book.for_year(year)


def _run(action: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``action`` in one session; a refusal ends the command with its code."""

    async def go(db: Database) -> T:
        await upgrade(db)
        async with db.session() as session:
            return await action(session)

    try:
        return with_database(go)
    except DomainError as error:
        if error.code == "unknown_member":
            fail(_("No member has the code '{value}'.").format(**error.params))
        fail(_("Refused: {code}").format(code=error.code))


def archive(
    year: YearOption,
    member: Annotated[
        str | None, typer.Option(help="Only this member's code (default: the whole roster).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Folder to write (default: reports/archive-<year>/).")
    ] = None,
) -> None:
    """Each member's printable record of the year: one HTML file per member, named by code."""
    settings = cli_settings()
    target = out or Path("reports") / f"archive-{year}"

    async def go(session: AsyncSession) -> list[tuple[str, str]]:
        rules = _rules(year)
        stmt = select(Member).order_by(col(Member.code))
        if member is not None:
            stmt = stmt.where(col(Member.code) == member)
        else:
            stmt = stmt.where(col(Member.status) != MemberStatus.LEFT)
        members = list((await session.execute(stmt)).scalars())
        if member is not None and not members:
            raise DomainError("unknown_member", value=member)
        # One ranking for the whole roster, not one per member.
        standings = await year_standings(session, year=year, rules=rules, tz=settings.tz)
        pages = []
        for one in members:
            record = await member_archive(
                session,
                member_id=one.id or 0,
                year=year,
                rules=rules,
                tz=settings.tz,
                standings=standings,
            )
            pages.append((one.code, render(record, settings.default_locale)))
        return pages

    pages = _run(go)
    target.mkdir(parents=True, exist_ok=True)
    for code, page in pages:
        # A code is the roster's; keep it a plain file name whatever it holds.
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in code) or "member"
        (target / f"{safe}.html").write_text(page, encoding="utf-8")
    typer.echo(_("{count} records written to `{path}`").format(count=len(pages), path=target))


def _print_report(report: AttendanceReport, locale: str) -> None:
    total = report.office.get(ALL_KINDS)
    if total is None or not total.invited:
        typer.echo(_("No closed meetings in this period."))
        return
    typer.echo(
        _("Office attendance: {rate} of {invited} invitations.").format(
            rate=share(total.attended_share), invited=total.invited
        )
    )
    rows = [
        [kind_label(kind, locale), *_shares(report, kind)]
        for kind in sorted(report.office, key=lambda k: (k == ALL_KINDS, k))
    ]
    for line in table([_("Meeting kind"), *figures_header()], rows):
        typer.echo(line)
    typer.echo("\n" + _("Members, lowest attendance first:"))
    member_rows = [
        [m.code, m.name, str(m.total.invited), share(m.total.attended_share), str(m.total.absent)]
        for m in report.members[:LISTED]
        if m.total.invited
    ]
    header = [_("Code"), _("Name"), _("Invited"), _("Attended %"), _("Absent")]
    for line in table(header, member_rows):
        typer.echo(line)


def _shares(report: AttendanceReport, kind: str) -> list[str]:
    figures = report.office[kind]
    return [
        str(figures.invited),
        str(figures.attended),
        str(figures.excused),
        str(figures.absent),
        share(figures.attended_share),
        share(figures.excused_share),
        share(figures.absent_share),
    ]


async def committee_term(session: AsyncSession) -> str:
    """The term most serving members are in (the committee's current term), or ''."""
    terms = (
        await session.execute(
            select(col(Member.term), func.count())
            .where(col(Member.status) != MemberStatus.LEFT, col(Member.term) != "")
            .group_by(col(Member.term))
            .order_by(func.count().desc(), col(Member.term).desc())
            .limit(1)
        )
    ).first()
    return str(terms[0]) if terms else ""


def attendance(
    year: YearOption,
    term: Annotated[
        bool, typer.Option("--term", help="Also the figures of the committee's whole term.")
    ] = False,
    out: Annotated[Path | None, typer.Option(help="XLSX file to write as well.")] = None,
) -> None:
    """The year's attendance: the office's rate per meeting kind, each member lowest first."""
    settings = cli_settings()
    section = _rules(year).assessment
    leave = section.undecided_leave if section is not None else "excused"

    async def go(session: AsyncSession) -> tuple[AttendanceReport, AttendanceReport | None, str]:
        yearly = await attendance_report(
            session, years=[year], tz=settings.tz, undecided_leave=leave
        )
        if not term:
            return yearly, None, ""
        name = await committee_term(session)
        years = term_years(name)
        if not years:
            return yearly, None, ""
        whole = await attendance_report(session, years=years, tz=settings.tz, undecided_leave=leave)
        return yearly, whole, name

    yearly, whole, name = _run(go)
    typer.echo(_("Attendance in {year}").format(year=year))
    _print_report(yearly, settings.default_locale)
    if term and whole is None:
        typer.echo(_("No member's term names its years (like 2022-2027): no term figures."))
    if whole is not None:
        typer.echo("\n" + _("Attendance over the term {term}").format(term=name))
        _print_report(whole, settings.default_locale)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(attendance_workbook(yearly, whole, settings.default_locale))
        typer.echo(_("Written to {path}").format(path=out))


def register(app: typer.Typer) -> None:
    """Add the two commands to ``liaison assessment``."""
    app.command("archive")(localized(archive))
    app.command("attendance")(localized(attendance))
