"""``liaison assessment correct-attendance``: the office sets what really happened at a meeting.

Kept apart from :mod:`bot.cli_assessment` (which registers it with :func:`register`).
"""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import select
from sqlmodel import col

from bot.cli_common import cli_rulebook, cli_settings, fail, localized, with_database
from bot.cli_common import now as cli_now
from services.audit import Actor
from services.errors import DomainError, NotFoundError
from services.meetings.attendance_fix import NOTE_MAX, correct_attendance
from services.translation import N_
from services.translation import gettext as _
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Member

_REFUSED = {
    "attendance_value": N_("Attendance must be attended, excused or absent."),
    "note_empty": N_("Say why in --note: the change is kept in the audit log."),
    "note_length": N_("The note is longer than {maximum} characters."),
    "meeting_not_closed": N_("The meeting is not closed yet: attendance is set when it closes."),
    "year_closed": N_("{year} is already closed."),
}
_MISSING = {
    "meeting": N_("There is no meeting {meeting} (or it was cancelled)."),
    "invitation": N_("{member} was not invited to meeting {meeting}."),
    "member": N_("No member has the code '{member}'."),
}


def correct(
    meeting: Annotated[int, typer.Option(help="The meeting's number.")],
    member: Annotated[str, typer.Option(help="The member's code.")],
    to: Annotated[str, typer.Option(help="attended, excused or absent.")],
    note: Annotated[str, typer.Option(help="Why (kept in the audit log).")] = "",
) -> None:
    """Correct a member's attendance at a closed meeting; their points follow."""
    settings = cli_settings()
    book = cli_rulebook(settings)

    async def go(db: Database) -> None:
        await upgrade(db)
        async with db.session() as session:
            member_id = (
                await session.execute(select(col(Member.id)).where(col(Member.code) == member))
            ).scalar_one_or_none()
            if member_id is None:
                raise NotFoundError("member")
            await correct_attendance(
                session,
                meeting_id=meeting,
                member_id=member_id,
                attendance=to,
                note=note,
                actor=Actor.cli(),
                now=cli_now(),
                rulebook=book,
                tz=settings.tz,
            )

    try:
        with_database(go)
    except NotFoundError as error:
        what = str(error.params.get("what", ""))
        fail(_(_MISSING.get(what, _MISSING["meeting"])).format(meeting=meeting, member=member))
    except DomainError as error:
        template = _REFUSED.get(error.code)
        if template is None:
            fail(_("Refused: {code}").format(code=error.code))
        fail(_(template).format(**{"maximum": NOTE_MAX, **error.params}))
    typer.echo(
        _("Meeting {meeting}: {member} is now recorded as {attendance}.").format(
            meeting=meeting, member=member, attendance=to
        )
    )


def register(app: typer.Typer) -> None:
    """Add the command to ``liaison assessment``."""
    app.command("correct-attendance")(localized(correct))
