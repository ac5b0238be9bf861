"""``liaison assessment``: the year's standings, its export, and the year's life at the desk.

``show`` and ``export`` read a year (live while open, frozen once closed); ``close``,
``reopen``, ``recommend``, ``decide`` and ``publish`` walk the year through its life;
``talks`` lists the members due a reminder talk and ``conduct`` records one, or a suspension,
removal or reinstatement. Every change is audited with the command line as the actor.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.cli_archive import register as register_archive_commands
from bot.cli_attendance_fix import register as register_attendance_fix
from bot.cli_common import (
    cli_rulebook,
    cli_settings,
    fail,
    localized,
    say_imported,
    table,
    unreadable,
    with_database,
)
from bot.cli_common import now as cli_now
from bot.cli_term import register as register_term_commands
from bot.i18n import build_i18n
from handlers.notifications import ChatNotifier
from services.assessment.conduct import ConductKind, record_conduct, reminder_list
from services.assessment.decisions import record_decision, record_recommendation
from services.assessment.entry_import import import_entries
from services.assessment.publication import close_year, publish_year, reopen_year
from services.assessment.ranking import points_text
from services.assessment.standings import YearStandings, year_standings
from services.audit import Actor
from services.errors import DomainError
from services.members.roster import ImportReport
from services.members.roster_files import read_rows
from services.members.rules import Rules
from services.reference.catalog import display_name
from services.reports.assessment_workbook import assessment_workbook
from services.translation import N_
from services.translation import gettext as _
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Member, Sector, SpecialCommittee

T = TypeVar("T")
assessment_app = typer.Typer(help="The yearly duty assessment.", no_args_is_help=True)
entries_app = typer.Typer(help="Staff entries: quality items and work done off the bot.")
assessment_app.add_typer(entries_app, name="entries")

YearOption = Annotated[int, typer.Option(help="The year, e.g. 2026.")]
_REFUSED = {
    "no_assessment": N_("The rules of {year} have no [assessment] section."),
    "year_empty": N_("Nothing was counted for {year}: there is nothing to close."),
    "year_future": N_("{year} has not begun: only a year under way or past can be closed."),
    "year_closed": N_("{year} is already closed."),
    "year_not_closed": N_("{year} is not closed: close it first."),
    "year_published": N_("{year} is already published; it cannot change any more."),
    "not_decided": N_("The decision on {year} is not recorded: run `decide` first."),
    "not_in_pool": N_("Not in the pool of {year}: {codes}."),
    "unknown_member": N_("No member has the code '{value}'."),
    "unknown_sector": N_("No sector has the code '{value}'."),
    "unknown_committee": N_("No special committee has the code '{value}'."),
    "conduct_kind": N_("The kind must be talk, suspension, removal or reinstated."),
    "note_length": N_("The note is longer than {maximum} characters."),
}


def _rules(year: int) -> Rules:
    return cli_rulebook().for_year(year)


def _run(year: int, action: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``action`` in one session; a refusal ends the command with its reason."""

    async def go(db: Database) -> T:
        await upgrade(db)
        async with db.session() as session:
            return await action(session)

    try:
        return with_database(go)
    except DomainError as error:
        template = _REFUSED.get(error.code)
        if template is None:
            fail(_("Refused: {code}").format(code=error.code))
        fail(_(template).format(**{"year": year, **error.params}))


async def _ids(
    session: AsyncSession, model: type[Member] | type[Sector], codes: Sequence[str]
) -> list[int]:
    """Ids of the given codes; an unknown one is refused by name."""
    rows = await session.execute(
        select(col(model.code), col(model.id)).where(col(model.code).in_(codes))
    )
    found = {code: subject_id or 0 for code, subject_id in rows.all()}
    for code in codes:
        if code not in found:
            kind = "unknown_member" if model is Member else "unknown_sector"
            raise DomainError(kind, value=code)
    return [found[code] for code in codes]


def _split(values: Sequence[str]) -> list[str]:
    """Codes given as separate words, or comma-separated."""
    return [code.strip() for value in values for code in value.split(",") if code.strip()]


@assessment_app.command("show")
@localized
def show(
    year: YearOption,
    group: Annotated[str | None, typer.Option(help="Only this group's code, e.g. local.")] = None,
) -> None:
    """Each group's ranking: rank, total, in the pool, tie notes, and the rules version."""
    language = cli_settings().default_locale

    async def go(
        session: AsyncSession,
    ) -> tuple[YearStandings, dict[int, Member], dict[int, Sector]]:
        standings = await year_standings(
            session, year=year, rules=_rules(year), tz=cli_settings().tz
        )
        members = {m.id or 0: m for m in (await session.execute(select(Member))).scalars()}
        sectors = {s.id or 0: s for s in (await session.execute(select(Sector))).scalars()}
        return standings, members, sectors

    standings, members, sectors = _run(year, go)
    groups = [g for g in (*standings.members, *standings.sectors) if group in (None, g.code)]
    if group is not None and not groups:
        codes = ", ".join(g.code for g in (*standings.members, *standings.sectors))
        fail(
            _("No group has the code '{code}'; use {codes}.").format(code=group, codes=codes),
            code=2,
        )
    typer.echo(
        _("{year}: {state}, rules version {version}.").format(
            year=year, state=_state(standings.state), version=standings.rules_version
        )
    )
    yes, no = _("yes"), _("no")
    for chosen in groups:
        typer.echo(
            "\n"
            + _("{group}: {size} ranked, pool of {cut}").format(
                group=chosen.name(language), size=chosen.size, cut=chosen.cut
            )
        )
        rows = []
        for row in chosen.rows:
            if chosen.subject_kind == "member":
                member = members.get(row.subject_id)
                who = [member.code, member.name] if member else ["", str(row.subject_id)]
            else:
                sector = sectors.get(row.subject_id)
                who = [sector.code, display_name(sector, language)] if sector else ["", ""]
            rows.append(
                [
                    str(row.rank) if row.rank is not None else "–",
                    *who,
                    points_text(row.total_c),
                    yes if row.in_pool else no,
                    row.tie_note,
                ]
            )
        header = [_("Rank"), _("Code"), _("Name"), _("Total"), _("In pool"), _("Tie note")]
        for line in table(header, rows):
            typer.echo(line)


def _state(state: str) -> str:
    labels = {"open": _("open"), "closed": _("closed"), "published": _("published")}
    return labels.get(state, state)


@assessment_app.command("export")
@localized
def export(
    year: YearOption,
    out: Annotated[
        Path | None,
        typer.Option(help="XLSX file to write (default: reports/assessment-<year>.xlsx)."),
    ] = None,
) -> None:
    """The year as a workbook: totals, each group's ranking, sectors and the ledger."""
    language = cli_settings().default_locale

    async def go(session: AsyncSession) -> bytes:
        standings = await year_standings(
            session, year=year, rules=_rules(year), tz=cli_settings().tz
        )
        return await assessment_workbook(session, standings=standings, locale=language)

    data = _run(year, go)
    target = out or Path("reports") / f"assessment-{year}.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    typer.echo(_("Written to {path}").format(path=target))


@assessment_app.command("close")
@localized
def close(year: YearOption) -> None:
    """Freeze the year's standings and rules; recommendations and the decision follow."""

    async def go(session: AsyncSession) -> None:
        await close_year(
            session,
            year=year,
            rules=_rules(year),
            actor=Actor.cli(),
            now=cli_now(),
            tz=cli_settings().tz,
        )

    _run(year, go)
    typer.echo(_("{year} is closed: its standings are frozen.").format(year=year))


@assessment_app.command("reopen")
@localized
def reopen(year: YearOption) -> None:
    """Open a closed (not published) year again: its standings are live once more."""

    async def go(session: AsyncSession) -> None:
        await reopen_year(session, year=year, actor=Actor.cli(), now=cli_now())

    _run(year, go)
    typer.echo(_("{year} is open again.").format(year=year))


@assessment_app.command("recommend")
@localized
def recommend(
    year: YearOption,
    committee: Annotated[str, typer.Option(help="The special committee's code.")],
    members: Annotated[list[str], typer.Argument(help="Member codes, e.g. M003 M005.")],
) -> None:
    """Record a special committee's recommended members (from the pool)."""

    async def go(session: AsyncSession) -> int:
        found = (
            await session.execute(
                select(SpecialCommittee).where(col(SpecialCommittee.code) == committee)
            )
        ).scalar_one_or_none()
        if found is None or found.id is None:
            raise DomainError("unknown_committee", value=committee)
        ids = await _ids(session, Member, _split(members))
        return await record_recommendation(
            session,
            year=year,
            committee_id=found.id,
            member_ids=ids,
            actor=Actor.cli(),
            now=cli_now(),
        )

    count = _run(year, _pool_codes(go))
    typer.echo(_("Recommended by {committee}: {count}.").format(count=count, committee=committee))


def _pool_codes(
    action: Callable[[AsyncSession], Awaitable[T]],
) -> Callable[[AsyncSession], Awaitable[T]]:
    """Name the members or sectors outside the pool by their codes, not their ids."""

    async def run(session: AsyncSession) -> T:
        try:
            return await action(session)
        except DomainError as error:
            if error.code != "not_in_pool":
                raise
            model: type[Member] | type[Sector] = (
                Member if error.params["kind"] == "member" else Sector
            )
            ids = error.params["ids"]
            codes = (
                await session.execute(select(col(model.code)).where(col(model.id).in_(ids)))
            ).scalars()
            raise DomainError("not_in_pool", codes=", ".join(sorted(codes))) from error

    return run


@assessment_app.command("decide")
@localized
def decide(
    year: YearOption,
    members: Annotated[list[str], typer.Option(help="Excellent members' codes (M001,M003).")],
    sectors: Annotated[list[str], typer.Option(help="Excellent sectors' codes.")] = [],  # noqa: B006
) -> None:
    """Record the chairs' meeting's decision: the excellent members and sectors."""

    async def go(session: AsyncSession) -> tuple[int, int]:
        member_ids = await _ids(session, Member, _split(members))
        sector_ids = await _ids(session, Sector, _split(sectors))
        return await record_decision(
            session,
            year=year,
            member_ids=member_ids,
            sector_ids=sector_ids,
            actor=Actor.cli(),
            now=cli_now(),
        )

    chosen, chosen_sectors = _run(year, _pool_codes(go))
    typer.echo(
        _("Decided for {year}: excellent members {members}, excellent sectors {sectors}.").format(
            year=year, members=chosen, sectors=chosen_sectors
        )
    )


@assessment_app.command("publish")
@localized
def publish(year: YearOption) -> None:
    """Publish a decided year and queue its notices to every member (the running bot sends them)."""
    settings = cli_settings()

    async def go(session: AsyncSession) -> int:
        notifier = ChatNotifier(build_i18n(settings.default_locale), settings.tz)
        return await publish_year(
            session, year=year, actor=Actor.cli(), now=cli_now(), notifier=notifier
        )

    queued = _run(year, go)
    typer.echo(_("{year} is published; {count} notices queued.").format(year=year, count=queued))


@assessment_app.command("talks")
@localized
def talks(year: YearOption) -> None:
    """Members due a reminder talk: total or attendance below the year's thresholds."""

    async def go(session: AsyncSession) -> list[list[str]]:
        rows = await reminder_list(session, year=year, rules=_rules(year), tz=cli_settings().tz)
        return [
            [
                row.member.code,
                row.member.name,
                points_text(row.total_c),
                f"{float(row.attendance):.0%}" if row.attendance is not None else "–",
                "、".join(
                    reason
                    for flag, reason in (
                        (row.low_score, _("low total")),
                        (row.low_attendance, _("low attendance")),
                    )
                    if flag
                ),
            ]
            for row in rows
        ]

    rows = _run(year, go)
    if not rows:
        typer.echo(_("No member is due a reminder talk for {year}.").format(year=year))
        return
    for line in table([_("Code"), _("Name"), _("Total"), _("Attendance"), _("Why")], rows):
        typer.echo(line)


@assessment_app.command("conduct")
@localized
def conduct(
    member: Annotated[str, typer.Argument(help="The member's code.")],
    kind: Annotated[str, typer.Option(help="talk, suspension, removal or reinstated.")],
    note: Annotated[str, typer.Option(help="What was said or decided, and why.")] = "",
) -> None:
    """Record a reminder talk, a suspension, a removal or a reinstatement."""
    settings = cli_settings()
    now = cli_now()
    if kind not in set(ConductKind):
        fail(_(_REFUSED["conduct_kind"]), code=2)

    async def go(session: AsyncSession) -> None:
        [member_id] = await _ids(session, Member, [member])
        await record_conduct(
            session,
            member_id=member_id,
            kind=kind,
            note=note,
            actor=Actor.cli(),
            now=now,
            tz=settings.tz,
        )

    _run(now.astimezone(settings.tz).year, go)
    typer.echo(_("Recorded for {code}: {kind}.").format(code=member, kind=kind))


@entries_app.command("import")
@localized
def entries_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or XLSX.")],
    dry_run: Annotated[bool, typer.Option(help="Check the rows; write nothing.")] = False,
) -> None:
    """Add staff entries from a sheet: every row is checked, then all are added or none."""
    try:
        rows = read_rows(file)
    except DomainError as error:
        unreadable(file, error)
    settings = cli_settings()

    async def go(session: AsyncSession) -> ImportReport:
        return await import_entries(
            session,
            rows,
            actor=Actor.cli(),
            now=cli_now(),
            rulebook=cli_rulebook(),
            tz=settings.tz,
            dry_run=dry_run,
        )

    report = _run(cli_now().astimezone(settings.tz).year, go)
    if dry_run and not report.errors:
        typer.echo(_("Dry run: nothing was written."))
    say_imported(report)


# The printable records and the attendance figures live in their own module.
register_archive_commands(assessment_app)
# The term review, likewise.
register_term_commands(assessment_app)
register_attendance_fix(assessment_app)
