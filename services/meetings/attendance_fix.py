"""Correcting a member's attendance at a closed meeting, with the reason, for the record.

A check-in that failed, a leave approved on paper: the office sets what really happened.
It is the usual fix of an accepted correction request about a meeting. The change is
audited and the member's assessment lines for that meeting follow it in the same
transaction; a closed assessment year refuses it like any other change to its records.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.assessment.admin import require_admin
from services.assessment.ledger import check_open, refresh_years
from services.audit import Actor, audit
from services.errors import DomainError, NotFoundError
from services.members.rules import RuleBook
from storage.db import write_transaction
from storage.enums import Attendance
from storage.models import Meeting, MeetingInvitee

NOTE_MAX = 500


async def correct_attendance(
    session: AsyncSession,
    *,
    meeting_id: int,
    member_id: int,
    attendance: str,
    note: str,
    actor: Actor,
    now: dt.datetime,
    rulebook: RuleBook,
    tz: dt.tzinfo,
    scope: StaffScope | None = None,
) -> MeetingInvitee:
    """Set the member's attendance at a closed meeting; refused before it closes."""
    require_admin(actor, scope)
    if attendance not in set(Attendance):
        raise DomainError("attendance_value", value=attendance)
    note = " ".join(note.split())
    if not note:
        raise DomainError("note_empty")
    if len(note) > NOTE_MAX:
        raise DomainError("note_length", maximum=NOTE_MAX)
    async with write_transaction(session):
        meeting = await session.get(Meeting, meeting_id)
        if meeting is None or meeting.cancelled_at is not None:
            raise NotFoundError("meeting")
        if meeting.closed_at is None:
            raise DomainError("meeting_not_closed")
        year = meeting.starts_at.astimezone(tz).year
        await check_open(session, years=[year])
        invitee = (
            await session.execute(
                select(MeetingInvitee).where(
                    col(MeetingInvitee.meeting_id) == meeting_id,
                    col(MeetingInvitee.member_id) == member_id,
                )
            )
        ).scalar_one_or_none()
        if invitee is None:
            raise NotFoundError("invitation")
        before = invitee.attendance
        invitee.attendance = attendance
        audit(
            session,
            actor=actor,
            action="meeting.attendance.correct",
            object_kind="meeting_invitee",
            object_id=f"{meeting_id}:{member_id}",
            before={"attendance": before},
            after={"attendance": attendance, "note": note},
            now=now,
        )
        await session.flush()
        await refresh_years(
            session,
            source_kind="invitation",
            source_id=meeting_id,
            years=[year],
            rulebook=rulebook,
            tz=tz,
            now=now,
        )
    return invitee
