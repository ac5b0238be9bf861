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
from bot.cli_common import bot_username, deep_link, with_database
from bot.cli_common import now as cli_now
from bot.settings import Settings
from services.accounts.identities import touch_identity
from services.accounts.invites import issue_invite
from services.accounts.staff import add_staff, bind_staff, list_staff
from services.audit import Actor
from services.errors import DomainError
from services.meetings.invitations import MEETING_KINDS, MeetingInput, create_meeting
from services.meetings.materials import MAX_FILE_BYTES, keep_file
from services.reference.catalog import get_station_by_code
from storage.db import Database, write_transaction
from storage.enums import StaffRole
from storage.migrate import upgrade
from storage.models import Meeting

staff_app = typer.Typer(help="The committee office's staff.", no_args_is_help=True)
meetings_app = typer.Typer(help="Meetings.", no_args_is_help=True)


@staff_app.command("add")
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
    settings = Settings()

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
        return staff.id, f"code: {issued.code}   link: {link}   (valid 7 days, one use)"

    try:
        staff_id, invitation = with_database(go)
    except DomainError as error:
        detail = f" {error.params['station']}" if "station" in error.params else ""
        typer.echo(f"not added: {error.code}{detail}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"staff #{staff_id} {name} ({role}) added")
    typer.echo(invitation or f"linked to Telegram chat {telegram}")


@staff_app.command("invite")
def staff_invite(
    staff_id: Annotated[
        int, typer.Argument(help="The staff member's number (liaison staff list).")
    ],
    username: Annotated[str | None, typer.Option(help="Telegram bot username.")] = None,
    base_url: Annotated[str | None, typer.Option(help="Public web chat URL.")] = None,
) -> None:
    """A new invitation for a staff member's chat (their earlier unused one stops working)."""
    settings = Settings()

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
        return f"code: {issued.code}   link: {link}   (valid 7 days, one use)"

    try:
        typer.echo(with_database(go))
    except DomainError as error:
        typer.echo(f"no invitation: {error.code}", err=True)
        raise typer.Exit(1) from error


@staff_app.command("list")
def staff_list_command() -> None:
    """Everyone on the staff list."""

    async def go(db: Database) -> list[str]:
        await upgrade(db)
        async with db.session() as session:
            return [
                f"{s.id:>4}  {s.name}  {s.role}  {'active' if s.active else 'inactive'}"
                for s in await list_staff(session)
            ]

    for line in with_database(go):
        typer.echo(line)


def _moment(text: str, tz: dt.tzinfo) -> dt.datetime:
    try:
        local = dt.datetime.fromisoformat(text)
    except ValueError as error:
        raise typer.BadParameter(f"{text!r}: write it like 2026-12-05T14:30") from error
    return (local if local.tzinfo else local.replace(tzinfo=tz)).astimezone(dt.UTC)


@meetings_app.command("add")
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
    settings = Settings()
    if materials is not None and materials.stat().st_size > MAX_FILE_BYTES:
        typer.echo(f"{materials.name} is larger than 20 MB; Telegram would refuse it", err=True)
        raise typer.Exit(2)

    async def go(db: Database) -> Meeting:
        await upgrade(db)
        ctx = build_context(settings, db, settings.clock())
        notifier = ctx.notifier
        data = MeetingInput(
            kind=kind,
            title=title,
            starts_at=_moment(start, settings.tz),
            ends_at=_moment(end, settings.tz),
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
        typer.echo(f"not created: {error.code} {error.params or ''}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"meeting #{meeting.id} created; check-in code {meeting.checkin_code}")


@meetings_app.command("list")
def meetings_list() -> None:
    """Meetings that have not ended."""
    settings = Settings()

    async def go(db: Database) -> list[str]:
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
                f"{m.id:>4}  {m.starts_at.astimezone(settings.tz):%Y-%m-%d %H:%M}  {m.title}  "
                f"code {m.checkin_code}"
                for m in rows
            ]

    for line in with_database(go):
        typer.echo(line)
