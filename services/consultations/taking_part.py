"""Who may take part in a consultation's proceedings: the one check every path makes.

A member invited to the meeting, or a chat holding a valid guest pass for it. The meeting's
settings for its proceedings (the default speaking time, a remote window other than its own
times) are created on first use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.accounts.scope import StaffScope
from services.consultations.guests import guest_of
from services.errors import DomainError
from storage.models import Meeting, MeetingGuest, MeetingInvitee, MeetingProceedings, Member

DEFAULT_SPEECH_MINUTES = 5


@dataclass(frozen=True)
class Participant:
    """A member or a guest of one meeting, as the proceedings name them."""

    meeting: Meeting
    member_id: int | None
    guest_id: int | None
    name: str

    @property
    def meeting_id(self) -> int:
        """The meeting taken part in."""
        assert self.meeting.id is not None
        return self.meeting.id


async def _meeting(session: AsyncSession, meeting_id: int) -> Meeting:
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None or meeting.id is None or meeting.cancelled_at is not None:
        raise DomainError("proceedings_unknown")
    return meeting


async def may_take_part(
    session: AsyncSession,
    *,
    meeting_id: int,
    identity_id: int,
    member_id: int | None,
    now: dt.datetime,
) -> Participant:
    """The member invited to the meeting, else the chat's valid guest pass; refused otherwise.

    Refusals name no detail: an unknown meeting and someone else's meeting look alike.
    """
    meeting = await _meeting(session, meeting_id)
    if member_id is not None:
        invitee = await session.get(MeetingInvitee, (meeting_id, member_id))
        member = await session.get(Member, member_id)
        if invitee is not None and member is not None:
            return Participant(meeting, member_id, None, member.name)
    guest = await guest_of(session, identity_id=identity_id, meeting_id=meeting_id, now=now)
    if guest is not None and guest.id is not None:
        return Participant(meeting, None, guest.id, guest.name)
    raise DomainError("proceedings_unknown")


async def staff_meeting(session: AsyncSession, *, scope: StaffScope, meeting_id: int) -> Meeting:
    """A meeting whose proceedings staff run: the office's administrators only."""
    if not scope.admin:
        raise DomainError("proceedings_unknown")
    return await _meeting(session, meeting_id)


async def proceedings_of(session: AsyncSession, meeting_id: int) -> MeetingProceedings:
    """The meeting's proceedings settings, created with the defaults when missing."""
    row = await session.get(MeetingProceedings, meeting_id)
    if row is None:
        row = MeetingProceedings(meeting_id=meeting_id, speech_minutes=DEFAULT_SPEECH_MINUTES)
        session.add(row)
        await session.flush()
    return row


async def speech_minutes(session: AsyncSession, meeting_id: int) -> int:
    """The meeting's speaking time for new bookings (read only: nothing is created)."""
    row = await session.get(MeetingProceedings, meeting_id)
    return row.speech_minutes if row is not None else DEFAULT_SPEECH_MINUTES


async def speaker_name(
    session: AsyncSession, *, member_id: int | None, guest_id: int | None
) -> str:
    """A member's or a guest's name, for staff's lists."""
    if member_id is not None:
        member = await session.get(Member, member_id)
        return member.name if member is not None else "—"
    guest = await session.get(MeetingGuest, guest_id or 0)
    if guest is None:
        return "—"
    return f"{guest.name} ({guest.organisation})" if guest.organisation else guest.name
