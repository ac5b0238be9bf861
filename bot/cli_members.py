"""``liaison members``: import and export the roster, invite members to link their chats, unlink."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select
from sqlmodel import col

from bot.cli_common import (
    bot_username,
    cli_rulebook,
    cli_settings,
    deep_link,
    fail,
    localized,
    say_imported,
    table,
    unreadable,
    with_database,
)
from bot.cli_common import now as cli_now
from services.accounts.invites import issue_invite, unbind
from services.calendar import local_today
from services.errors import DomainError
from services.members.labels import group_label, member_status_label
from services.members.profiles import bindings_of, find_members
from services.members.roster import ImportReport, import_roster
from services.members.roster_export import roster_export
from services.members.roster_files import read_rows, write_rows
from services.members.roster_rows import roster_columns
from services.members.rules import Rules
from services.reference.catalog import display_name
from services.translation import gettext as _
from storage.db import Database
from storage.enums import Channel
from storage.migrate import upgrade
from storage.models import Member, Sector

members_app = typer.Typer(help="The roster of members.", no_args_is_help=True)


def _this_years_rules() -> Rules:
    """The rules of the committee's current year (how many paired people, for one)."""
    settings = cli_settings()
    rulebook = cli_rulebook(settings)
    return rulebook.for_year(local_today(cli_now(), settings.tz).year)


@members_app.command("import")
@localized
def members_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or XLSX.")],
) -> None:
    """Create or update members from a roster file; bad rows are listed, the rest imported."""
    try:
        rows = read_rows(file)
    except DomainError as error:
        unreadable(file, error)
    rules = _this_years_rules()

    async def go(db: Database) -> ImportReport:
        await upgrade(db)
        async with db.session() as session:
            return await import_roster(session, rows, now=cli_now(), rules=rules)

    say_imported(with_database(go))


@members_app.command("export")
@localized
def members_export(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="CSV or XLSX to write.")],
) -> None:
    """Write the roster in the columns the import reads (importing it back changes nothing)."""
    rules = _this_years_rules()

    async def go(db: Database) -> list[dict[str, str]]:
        await upgrade(db)
        async with db.session() as session:
            return await roster_export(session, rules=rules)

    rows = with_database(go)
    try:
        write_rows(file, roster_columns(rules), rows)
    except DomainError as error:
        unreadable(file, error)
    typer.echo(_("{count} members written to {path}").format(count=len(rows), path=file))


async def _one_member(db: Database, query: str) -> Member:
    async with db.session() as session:
        found = list(await find_members(session, query))
    if not found:
        fail(
            _("no member matches '{query}' (give an id, a roster code or a name)").format(
                query=query
            )
        )
    if len(found) > 1:
        typer.echo(
            _("{count} members match '{query}'; give the id:").format(
                count=len(found), query=query
            ),
            err=True,
        )
        for member in found:
            typer.echo(f"  {member.id}  {member.code}  {member.name}", err=True)
        raise typer.Exit(1)
    return found[0]


@members_app.command("invite")
@localized
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
    settings = cli_settings()

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
    typer.echo(
        _("Member: {id} {code} {name}").format(id=found.id, code=found.code, name=found.name)
    )
    typer.echo(_("Code: {code}   (or send /bind {code})").format(code=code))
    typer.echo(_("Link: {link}").format(link=link))
    typer.echo(
        _(
            "Valid until {expires}; one use; earlier unused codes of this member no longer work."
        ).format(expires=expires)
    )


@members_app.command("unbind")
@localized
def members_unbind(
    member: Annotated[str, typer.Argument(help="Member id, roster code or name.")],
    channel: Annotated[str | None, typer.Option(help="Only this channel: telegram or web.")] = None,
) -> None:
    """Unlink a member's chats (all, or one channel's)."""
    channels = [item.value for item in Channel]
    if channel is not None and channel not in channels:
        # Unchecked, a misspelt channel matched no chat and read as "0 chat(s) unlinked".
        fail(
            _("'{channel}' is not a channel; use {choices}").format(
                channel=channel, choices=_(" or ").join(channels)
            ),
            code=2,
        )

    async def go(db: Database) -> int:
        await upgrade(db)
        found = await _one_member(db, member)
        assert found.id is not None
        async with db.session() as session:
            return await unbind(session, member_id=found.id, channel=channel)

    typer.echo(_("{count} chat(s) unlinked").format(count=with_database(go)))


@members_app.command("list")
@localized
def members_list() -> None:
    """Every member with sector, group, status and linked channels, under a header row."""
    language = cli_settings().default_locale

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
    for line in table([*header, _("Linked chats")], rows):
        typer.echo(line)
