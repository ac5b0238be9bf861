"""``liaison wecom``: whose WeCom userid is whose, so their first message in WeCom links them.

The office copies a person's userid from the WeCom admin console (通讯录 → the person →
账号) and names it here; no invitation code has to reach them.
"""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import select
from sqlmodel import col

from bot.cli_common import fail, localized, table, with_database
from bot.cli_common import now as cli_now
from services.accounts.departments import department_by_code
from services.accounts.wecom import clear_wecom_userid, set_wecom_userid
from services.errors import DomainError
from services.translation import N_
from services.translation import gettext as _
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Department, Member, Staff, WeComPerson

wecom_app = typer.Typer(
    help="WeCom userids of members, staff and department contacts.", no_args_is_help=True
)

_REFUSED = {
    "wecom_userid_invalid": N_(
        "Not set: a WeCom userid is 1 to 64 letters, digits and the characters _-.@"
    ),
    "wecom_userid_taken": N_("Not set: the userid {userid} already belongs to someone else."),
    "member_unknown": N_("Not set: no member has the code {who}."),
    "staff_unknown": N_("Not set: there is no staff member #{who}."),
    "department_unknown": N_("Not set: no department has the code {who}."),
}


@wecom_app.command("bind")
@localized
def wecom_bind(
    userid: Annotated[str, typer.Argument(help="The person's userid in WeCom (账号).")],
    member: Annotated[str | None, typer.Option(help="A member's code.")] = None,
    staff: Annotated[
        int | None, typer.Option(help="A staff member's number (liaison staff list).")
    ] = None,
    department: Annotated[
        str | None, typer.Option(help="A department's code: one of its contacts.")
    ] = None,
) -> None:
    """Name the WeCom userid of a member, a staff member or a department contact."""
    owners = [owner for owner in (member, staff, department) if owner is not None]
    if len(owners) != 1:
        fail(_("Name exactly one of --member, --staff or --department."))
    who = str(owners[0])

    async def go(db: Database) -> str:
        await upgrade(db)
        async with db.session() as session:
            member_id = department_id = None
            if member is not None:
                member_id = (
                    await session.execute(select(col(Member.id)).where(col(Member.code) == member))
                ).scalar_one_or_none()
                if member_id is None:
                    raise DomainError("member_unknown")
            if department is not None:
                found = await department_by_code(session, department)
                if found is None:
                    raise DomainError("department_unknown")
                department_id = found.id
            return await set_wecom_userid(
                session,
                userid=userid,
                now=cli_now(),
                member_id=member_id,
                staff_id=staff,
                department_id=department_id,
            )

    try:
        named = with_database(go)
    except DomainError as error:
        message = _REFUSED.get(error.code)
        if message is None:
            fail(_("Not set: {code}").format(code=error.code))
        fail(_(message).format(userid=userid.strip(), who=who))
    typer.echo(
        _("WeCom userid {userid} set. Their first message in WeCom links their chat.").format(
            userid=named
        )
    )


@wecom_app.command("unbind")
@localized
def wecom_unbind(
    userid: Annotated[str, typer.Argument(help="The userid to forget.")],
) -> None:
    """Forget a WeCom userid (a chat it already linked stays linked: see members unbind)."""

    async def go(db: Database) -> bool:
        await upgrade(db)
        async with db.session() as session:
            return await clear_wecom_userid(session, userid=userid, now=cli_now())

    try:
        cleared = with_database(go)
    except DomainError:
        fail(_(_REFUSED["wecom_userid_invalid"]))
    if not cleared:
        fail(_("No one has the WeCom userid {userid}.").format(userid=userid.strip()))
    typer.echo(_("WeCom userid {userid} removed.").format(userid=userid.strip()))


@wecom_app.command("list")
@localized
def wecom_list() -> None:
    """Every WeCom userid the office named, and whose it is."""

    async def go(db: Database) -> list[list[str]]:
        await upgrade(db)
        async with db.session() as session:
            rows = (
                await session.execute(
                    select(
                        WeComPerson,
                        col(Member.code),
                        col(Member.name),
                        col(Staff.name),
                        col(Department.code),
                    )
                    .outerjoin(Member, col(Member.id) == col(WeComPerson.member_id))
                    .outerjoin(Staff, col(Staff.id) == col(WeComPerson.staff_id))
                    .outerjoin(Department, col(Department.id) == col(WeComPerson.department_id))
                    .order_by(col(WeComPerson.userid))
                )
            ).all()
        listed = []
        for person, member_code, member_name, staff_name, department_code in rows:
            if person.member_id is not None:
                whose = _("member {code} {name}").format(code=member_code, name=member_name)
            elif person.staff_id is not None:
                whose = _("staff #{id} {name}").format(id=person.staff_id, name=staff_name)
            else:
                whose = _("department {code}").format(code=department_code)
            listed.append([person.userid, whose])
        return listed

    for line in table([_("WeCom userid"), _("Whose")], with_database(go)):
        typer.echo(line)
