"""``liaison members``: import the roster, invite members to link their chats, unlink them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select
from sqlmodel import col

from bot.cli_common import (
    LocaleOption,
    bot_username,
    deep_link,
    settings_in,
    table,
    translated,
    with_database,
)
from bot.cli_common import now as cli_now
from bot.settings import Settings
from services.accounts.invites import issue_invite, unbind
from services.errors import DomainError
from services.members.labels import group_label, member_status_label
from services.members.profiles import bindings_of, find_members
from services.members.roster import ImportReport, import_roster
from services.members.roster_files import read_rows
from services.reference.catalog import display_name
from services.translation import gettext as _
from storage.db import Database
from storage.enums import Channel
from storage.migrate import upgrade
from storage.models import Member, Sector

members_app = typer.Typer(help="The roster of members.", no_args_is_help=True)


@members_app.command("import")
def members_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or XLSX.")],
) -> None:
    """Create or update members from a roster file; bad rows are listed, the rest imported."""
    try:
        rows = read_rows(file)
    except DomainError as error:
        typer.echo(f"cannot read {file.name}: use a .csv or .xlsx file ({error.code})", err=True)
        raise typer.Exit(2) from error

    async def go(db: Database) -> ImportReport:
        await upgrade(db)
        async with db.session() as session:
            return await import_roster(session, rows, now=cli_now())

    report = with_database(go)
    typer.echo(
        f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
        f"{len(report.errors)} refused"
    )
    for number, message in report.errors:
        typer.echo(f"row {number}: {message}", err=True)
    if report.errors:
        raise typer.Exit(1)


async def _one_member(db: Database, query: str) -> Member:
    async with db.session() as session:
        found = list(await find_members(session, query))
    if not found:
        typer.echo(f"no member matches {query!r} (give an id, a roster code or a name)", err=True)
        raise typer.Exit(1)
    if len(found) > 1:
        typer.echo(f"{len(found)} members match {query!r}; give the id:", err=True)
        for member in found:
            typer.echo(f"  {member.id}  {member.code}  {member.name}", err=True)
        raise typer.Exit(1)
    return found[0]


@members_app.command("invite")
def members_invite(
    member: Annotated[str, typer.Argument(help="Member id, roster code or name.")],
    username: Annotated[
        str | None, typer.Option(help="Telegram bot username (asked from Telegram if unset).")
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(help="Public web chat URL, used when there is no Telegram bot.")
    ] = None,
) -> None:
    """Print a one-time code and link (valid 7 days) that links a chat to the member."""
    settings = Settings()

    async def go(db: Database) -> tuple[Member, str, str, str]:
        await upgrade(db)
        found = await _one_member(db, member)
        assert found.id is not None
        async with db.session() as session:
            issued = await issue_invite(session, member_id=found.id, now=cli_now())
        name = username or await bot_username(settings)
        link = deep_link(issued.payload, username=name, settings=settings, base_url=base_url)
        expires = issued.expires_at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M")
        return found, issued.code, link, expires

    found, code, link, expires = with_database(go)
    typer.echo(f"member:  {found.id} {found.code} {found.name}")
    typer.echo(f"code:    {code}   (or send /bind {code})")
    typer.echo(f"link:    {link}")
    typer.echo(
        f"valid until {expires}; one use; earlier unused codes of this member no longer work"
    )


@members_app.command("unbind")
def members_unbind(
    member: Annotated[str, typer.Argument(help="Member id, roster code or name.")],
    channel: Annotated[str | None, typer.Option(help="Only this channel: telegram or web.")] = None,
) -> None:
    """Unlink a member's chats (all, or one channel's)."""
    channels = [item.value for item in Channel]
    if channel is not None and channel not in channels:
        # Unchecked, a misspelt channel matched no chat and read as "0 chat(s) unlinked".
        raise typer.BadParameter(
            f"{channel!r} is not a channel; use {' or '.join(channels)}", param_hint="--channel"
        )

    async def go(db: Database) -> int:
        await upgrade(db)
        found = await _one_member(db, member)
        assert found.id is not None
        async with db.session() as session:
            return await unbind(session, member_id=found.id, channel=channel)

    typer.echo(f"{with_database(go)} chat(s) unlinked")


@members_app.command("list")
def members_list(locale: LocaleOption = None) -> None:
    """Every member with sector, group, status and linked channels, under a header row."""
    settings = settings_in(locale)

    async def go(db: Database) -> list[tuple[Member, Sector, str]]:
        await upgrade(db)
        found = []
        async with db.session() as session:
            rows = (
                await session.execute(
                    select(Member, Sector)
                    .join(Sector, col(Sector.id) == col(Member.sector_id))
                    .order_by(col(Member.code))
                )
            ).all()
            for member, sector in rows:
                assert member.id is not None
                channels = ",".join(
                    b.channel for b in await bindings_of(session, member_id=member.id)
                )
                found.append((member, sector, channels or "-"))
        return found

    members = with_database(go)
    with translated(settings) as language:
        header = [_("ID"), _("Code"), _("Name"), _("Sector"), _("Group"), _("Status")]
        rows = [
            [
                str(member.id),
                member.code,
                member.name,
                display_name(sector, language),
                group_label(member.assessment_group),
                member_status_label(member.status),
                channels,
            ]
            for member, sector, channels in members
        ]
        lines = table([*header, _("Linked chats")], rows)
    for line in lines:
        typer.echo(line)
