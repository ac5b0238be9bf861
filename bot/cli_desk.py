"""``liaison departments`` and ``liaison audit``: who handles cases, and what staff did."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from bot.cli_common import (
    LocaleOption,
    bot_username,
    deep_link,
    settings_in,
    translated,
    with_database,
)
from bot.cli_common import now as cli_now
from bot.settings import Settings
from services.accounts.departments import (
    department_by_code,
    department_handlers,
    import_departments,
    list_departments,
)
from services.accounts.invites import issue_invite
from services.audit import Actor, audit, list_entries
from services.errors import DomainError
from services.members.roster import ImportReport
from services.members.roster_files import read_rows
from services.reference.catalog import display_name
from services.translation import gettext as _
from storage.db import Database, write_transaction
from storage.migrate import upgrade
from storage.models import Department

departments_app = typer.Typer(help="Departments that handle cases.", no_args_is_help=True)


@departments_app.command("import")
def departments_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or XLSX.")],
) -> None:
    """Create or update departments (columns code, name_zh, name_en, active) by code."""
    try:
        rows = read_rows(file)
    except DomainError as error:
        typer.echo(f"cannot read {file.name}: use a .csv or .xlsx file ({error.code})", err=True)
        raise typer.Exit(2) from error

    async def go(db: Database) -> ImportReport:
        await upgrade(db)
        now = cli_now()
        async with db.session() as session:
            report = await import_departments(session, rows, now=now)
            async with write_transaction(session):
                audit(
                    session,
                    actor=Actor.cli(),
                    action="departments.import",
                    object_kind="department",
                    object_id=file.name,
                    after={"created": report.created, "updated": report.updated},
                    now=now,
                )
            return report

    report = with_database(go)
    typer.echo(
        f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
        f"{len(report.errors)} refused"
    )
    for number, message in report.errors:
        typer.echo(f"row {number}: {message}", err=True)
    if report.errors:
        raise typer.Exit(1)


@departments_app.command("list")
def departments_list(locale: LocaleOption = None) -> None:
    """Every department, with how many handlers' chats are linked."""
    settings = settings_in(locale)

    async def go(db: Database) -> list[tuple[Department, int]]:
        await upgrade(db)
        async with db.session() as session:
            found = []
            for department in await list_departments(session, active_only=False):
                assert department.id is not None
                handlers = await department_handlers(session, department_id=department.id)
                found.append((department, handlers))
            return found

    departments = with_database(go)
    with translated(settings) as language:
        lines = []
        for department, handlers in departments:
            name = display_name(department, language)
            if department.active:
                state = _("{name}  (active, {chats} chats)")
            else:
                state = _("{name}  (inactive, {chats} chats)")
            lines.append(f"{department.code:<20} {state.format(name=name, chats=handlers)}")
    for line in lines:
        typer.echo(line)


@departments_app.command("invite")
def departments_invite(
    code: Annotated[str, typer.Argument(help="The department's code.")],
    username: Annotated[str | None, typer.Option(help="Telegram bot username.")] = None,
    base_url: Annotated[str | None, typer.Option(help="Public web chat URL.")] = None,
) -> None:
    """A one-time code and link (valid 7 days) for one of the department's handlers."""
    settings = Settings()

    async def go(db: Database) -> str:
        await upgrade(db)
        now = cli_now()
        async with db.session() as session:
            department = await department_by_code(session, code)
            if department is None or department.id is None:
                raise DomainError("department_unknown")
            issued = await issue_invite(session, department_id=department.id, now=now)
            async with write_transaction(session):
                audit(
                    session,
                    actor=Actor.cli(),
                    action="invite.issue",
                    object_kind="department",
                    object_id=code,
                    now=now,
                )
        link = deep_link(
            issued.payload,
            username=username or await bot_username(settings),
            settings=settings,
            base_url=base_url,
        )
        return f"code: {issued.code}   link: {link}   (valid 7 days, one use)"

    try:
        typer.echo(with_database(go))
    except DomainError as error:
        typer.echo(f"no invitation: {error.code} {code!r}", err=True)
        raise typer.Exit(1) from error


def audit_list(
    since: Annotated[
        str | None, typer.Option(help="From this local date, e.g. 2026-11-01.")
    ] = None,
    staff: Annotated[int | None, typer.Option(help="Only this staff member's actions.")] = None,
    action: Annotated[str | None, typer.Option(help="Only this action, e.g. issue.assign.")] = None,
    case: Annotated[str | None, typer.Option(help="Only actions on this case number.")] = None,
    limit: Annotated[int, typer.Option(help="How many entries, newest first.")] = 50,
) -> None:
    """The latest staff actions: when, who, what, and the fields before and after."""
    settings = Settings()
    start = None
    if since is not None:
        try:
            day = dt.date.fromisoformat(since)
        except ValueError as error:
            raise typer.BadParameter(f"{since!r}: write it like 2026-11-01") from error
        start = dt.datetime.combine(day, dt.time(), tzinfo=settings.tz).astimezone(dt.UTC)

    async def go(db: Database) -> list[str]:
        await upgrade(db)
        async with db.session() as session:
            entries = await list_entries(
                session,
                since=start,
                actor_kind="staff" if staff is not None else None,
                actor_id=staff,
                action=action,
                object_kind="issue" if case is not None else None,
                object_id=case,
                limit=limit,
            )
        lines = []
        for entry in entries:
            when = entry.at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M:%S")
            who = f"{entry.actor_kind}:{entry.actor_id or '-'} {entry.actor_name}".strip()
            lines.append(
                f"{when}  {who}  {entry.action}  {entry.object_kind}:{entry.object_id}"
                f"  before={entry.before or '{}'}  after={entry.after or '{}'}"
            )
        return lines

    lines = with_database(go)
    for line in lines:
        typer.echo(line)
    if not lines:
        typer.echo("no entries")
