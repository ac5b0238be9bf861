"""``liaison staff`` and ``liaison meetings``: the office's people and its meetings."""

from __future__ import annotations

import datetime as dt
import mimetypes
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select
from sqlmodel import col

from bot.app import build_context
from bot.cli_common import (
    bot_username,
    cli_settings,
    deep_link,
    fail,
    invitation_line,
    localized,
    table,
    with_database,
)
from bot.cli_common import now as cli_now
from services.accounts.identities import touch_identity
from services.accounts.invites import issue_invite
from services.accounts.staff import add_staff, bind_staff, list_staff
from services.audit import Actor
from services.errors import DomainError
from services.meetings.invitations import MEETING_KINDS, MeetingInput, create_meeting
from services.meetings.materials import MAX_FILE_BYTES, keep_file
from services.reference.catalog import get_station_by_code
from services.translation import N_
from services.translation import gettext as _
from storage.db import Database, write_transaction
from storage.enums import StaffRole
from storage.migrate import upgrade
from storage.models import Meeting

staff_app = typer.Typer(help="The committee office's staff.", no_args_is_help=True)
meetings_app = typer.Typer(help="Meetings.", no_args_is_help=True)

_ROLES = {StaffRole.ADMIN: N_("administrator"), StaffRole.STATION: N_("station staff")}
_NOT_ADDED = {
    "stations_missing": N_("Not added: station staff need at least one --station."),
    "station_unknown": N_("Not added: no station has the code '{station}'."),
    "role_unknown": N_("Not added: the role must be admin or station."),
    "name_length": N_("Not added: the name is empty or too long."),
    "chat_taken": N_("Not added: that Telegram chat is already linked to someone else."),
}


def _role(role: str) -> str:
    return _(_ROLES[StaffRole(role)]) if role in set(StaffRole) else role


@staff_app.command("add")
@localized
def staff_add(
    name: Annotated[str, typer.Argument(help="The staff member's name.")],
    role: Annotated[str, typer.Option(help="admin or station.")] = StaffRole.ADMIN,
    station: Annotated[
        list[str] | None,
        typer.Option(help="Station code a station staff member looks after (repeatable)."),
    ] = None,
    telegram: Annotated[
        int | None, typer.Option(help="Their Telegram chat id: link it now, no invitation.")
    ] = None,
    username: Annotated[str | None, typer.Option(help="Telegram bot username.")] = None,
    base_url: Annotated[str | None, typer.Option(help="Public web chat URL.")] = None,
) -> None:
    """Add a staff member; print an invitation to link their chat (or link a Telegram chat)."""
    settings = cli_settings()

    async def go(db: Database) -> tuple[int, str | None]:
        await upgrade(db)
        now = cli_now()
        if role == StaffRole.STATION and not station:
            raise DomainError("stations_missing")
        async with db.session() as session:
            station_ids = []
            for code in station or []:
                found = await get_station_by_code(session, code)
                if found is None or found.id is None:
                    raise DomainError("station_unknown", station=code)
                station_ids.append(found.id)
            staff = await add_staff(session, name=name, role=role, now=now, station_ids=station_ids)
            assert staff.id is not None
            if telegram is not None:
                identity = await touch_identity(
                    session, channel="telegram", chat_id=telegram, chat_type="private", now=now
                )
                async with write_transaction(session):
                    await bind_staff(
                        session, staff_id=staff.id, identity=identity, now=now, actor=Actor.cli()
                    )
                return staff.id, None
            issued = await issue_invite(session, staff_id=staff.id, now=now)
        link = deep_link(
            issued.payload,
            username=username or await bot_username(settings),
            settings=settings,
            base_url=base_url,
        )
        return staff.id, invitation_line(issued.code, link)

    try:
        staff_id, invitation = with_database(go)
    except DomainError as error:
        if error.code in _NOT_ADDED:
            fail(_(_NOT_ADDED[error.code]).format(station=error.params.get("station", "")))
        fail(_("Not added: {code}").format(code=error.code))
    typer.echo(
        _("Staff #{id} {name} ({role}) added.").format(id=staff_id, name=name, role=_role(role))
    )
    typer.echo(invitation or _("Linked to Telegram chat {chat}.").format(chat=telegram))


@staff_app.command("invite")
@localized
def staff_invite(
    staff_id: Annotated[
        int, typer.Argument(help="The staff member's number (liaison staff list).")
    ],
    username: Annotated[str | None, typer.Option(help="Telegram bot username.")] = None,
    base_url: Annotated[str | None, typer.Option(help="Public web chat URL.")] = None,
) -> None:
    """A new invitation for a staff member's chat (their earlier unused one stops working)."""
    settings = cli_settings()

    async def go(db: Database) -> str:
        await upgrade(db)
        async with db.session() as session:
            issued = await issue_invite(session, staff_id=staff_id, now=cli_now(), issued_by="cli")
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
        fail(_("No invitation: there is no staff member #{id}.").format(id=staff_id))


@staff_app.command("list")
@localized
def staff_list_command() -> None:
    """Everyone on the staff list, under a header row."""

    async def go(db: Database) -> list[tuple[int | None, str, str, bool]]:
        await upgrade(db)
        async with db.session() as session:
            return [(s.id, s.name, s.role, s.active) for s in await list_staff(session)]

    rows = [
        [str(id_), name, _role(role), _("active") if active else _("inactive")]
        for id_, name, role, active in with_database(go)
    ]
    for line in table([_("ID"), _("Name"), _("Role"), _("Status")], rows):
        typer.echo(line)


def _moment(text: str, tz: dt.tzinfo) -> dt.datetime:
    try:
        local = dt.datetime.fromisoformat(text)
    except ValueError:
        fail(_("'{value}': write the time like 2026-12-05T14:30").format(value=text), code=2)
    return (local if local.tzinfo else local.replace(tzinfo=tz)).astimezone(dt.UTC)


@meetings_app.command("add")
@localized
def meetings_add(
    kind: Annotated[str, typer.Option(help=", ".join(k.code for k in MEETING_KINDS))],
    title: Annotated[str, typer.Option(help="The title.")],
    start: Annotated[str, typer.Option(help="Local start, e.g. 2026-12-05T14:30.")],
    end: Annotated[str, typer.Option(help="Local end, e.g. 2026-12-05T17:00.")],
    venue: Annotated[str, typer.Option(help="Where.")],
    invite: Annotated[
        list[str],
        typer.Option(help="all, sector:<code>, group:<code>, committee:<code>, member:<id>"),
    ],
    agenda: Annotated[str, typer.Option(help="The agenda.")] = "",
    materials: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="A document sent with every invitation."),
    ] = None,
) -> None:
    """Set up a meeting and queue its invitations (the running bot sends them)."""
    settings = cli_settings()
    if materials is not None and materials.stat().st_size > MAX_FILE_BYTES:
        fail(
            _("{file} is larger than 20 MB; Telegram would refuse it.").format(file=materials.name),
            code=2,
        )
    starts_at, ends_at = _moment(start, settings.tz), _moment(end, settings.tz)

    async def go(db: Database) -> Meeting:
        await upgrade(db)
        ctx = build_context(settings, db, settings.clock())
        notifier = ctx.notifier
        data = MeetingInput(
            kind=kind,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            venue=venue,
            audience=invite,
            agenda=agenda,
        )
        async with db.session() as session:
            if materials is not None:
                key = await keep_file(
                    session,
                    root=settings.files_dir,
                    data=materials.read_bytes(),
                    name=materials.name,
                    mime_type=mimetypes.guess_type(materials.name)[0] or "application/octet-stream",
                    now=ctx.clock.now(),
                )
                data = replace(data, materials_file=key, materials_name=materials.name)
            return await create_meeting(
                session,
                data=data,
                staff_id=None,
                now=ctx.clock.now(),
                notifier=notifier,
                reminders=settings.reminders,
            )

    try:
        meeting = with_database(go)
    except DomainError as error:
        detail = " ".join(f"{key}={value}" for key, value in error.params.items())
        fail(_("Not created: {code} {detail}").format(code=error.code, detail=detail).rstrip())
    typer.echo(
        _("Meeting #{id} created; check-in code {code}.").format(
            id=meeting.id, code=meeting.checkin_code
        )
    )


@meetings_app.command("list")
@localized
def meetings_list() -> None:
    """Meetings that have not ended, under a header row."""
    settings = cli_settings()

    async def go(db: Database) -> list[list[str]]:
        await upgrade(db)
        async with db.session() as session:
            rows = (
                await session.execute(
                    select(Meeting)
                    .where(col(Meeting.ends_at) > cli_now())
                    .order_by(col(Meeting.starts_at))
                )
            ).scalars()
            return [
                [
                    str(m.id),
                    f"{m.starts_at.astimezone(settings.tz):%Y-%m-%d %H:%M}",
                    m.title,
                    m.checkin_code,
                ]
                for m in rows
            ]

    rows = with_database(go)
    if not rows:
        typer.echo(_("No meetings ahead."))
        return
    for line in table([_("ID"), _("Starts"), _("Title"), _("Check-in code")], rows):
        typer.echo(line)
