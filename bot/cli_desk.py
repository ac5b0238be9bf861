"""``liaison departments`` and ``liaison audit``: who handles cases, and what staff did."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from bot.cli_common import (
    bot_username,
    cli_settings,
    deep_link,
    fail,
    invitation_line,
    localized,
    say_imported,
    table,
    unreadable,
    with_database,
)
from bot.cli_common import now as cli_now
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
@localized
def departments_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or XLSX.")],
) -> None:
    """Create or update departments (columns code, name_zh, name_en, active) by code."""
    try:
        rows = read_rows(file)
    except DomainError as error:
        unreadable(file, error)

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

    say_imported(with_database(go))


@departments_app.command("list")
@localized
def departments_list() -> None:
    """Every department, with how many handlers' chats are linked."""
    language = cli_settings().default_locale

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
    typer.echo(f"{_('Code'):<20} {_('Name')}")
    for department, handlers in departments:
        name = display_name(department, language)
        if department.active:
            state = _("{name}  (active, {chats} chats)")
        else:
            state = _("{name}  (inactive, {chats} chats)")
        typer.echo(f"{department.code:<20} {state.format(name=name, chats=handlers)}")


@departments_app.command("invite")
@localized
def departments_invite(
    code: Annotated[str, typer.Argument(help="The department's code.")],
    username: Annotated[str | None, typer.Option(help="Telegram bot username.")] = None,
    base_url: Annotated[str | None, typer.Option(help="Public web chat URL.")] = None,
) -> None:
    """A one-time code and link (valid 7 days) for one of the department's handlers."""
    settings = cli_settings()

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
        return invitation_line(issued.code, link)

    try:
        typer.echo(with_database(go))
    except DomainError:
        fail(_("No invitation: no active department has the code '{code}'.").format(code=code))


@localized
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
    settings = cli_settings()
    start = None
    if since is not None:
        try:
            day = dt.date.fromisoformat(since)
        except ValueError:
            fail(_("'{value}': write the date like 2026-11-01").format(value=since), code=2)
        start = dt.datetime.combine(day, dt.time(), tzinfo=settings.tz).astimezone(dt.UTC)

    async def go(db: Database) -> list[list[str]]:
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
        rows = []
        for entry in entries:
            when = entry.at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M:%S")
            who = f"{entry.actor_kind}:{entry.actor_id or '-'} {entry.actor_name}".strip()
            rows.append(
                [
                    when,
                    who,
                    entry.action,
                    f"{entry.object_kind}:{entry.object_id}",
                    entry.before or "{}",
                    entry.after or "{}",
                ]
            )
        return rows

    rows = with_database(go)
    if not rows:
        typer.echo(_("No entries."))
        return
    header = [_("When"), _("Who"), _("Action"), _("Object"), _("Before"), _("After")]
    for line in table(header, rows):
        typer.echo(line)
