"""Booked speeches (预约发言): booked and withdrawn by those taking part, run by staff.

Speeches are taken in the order of ``position``; each has a time limit in minutes (the
meeting's default when booked, staff may change it). Staff call the next speaker, who is
told by an outbox notice, mark a speech spoken and move a booking up or down.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.scope import StaffScope
from services.audit import Actor, audit
from services.consultations.taking_part import Participant, proceedings_of, staff_meeting
from services.errors import DomainError
from services.meetings.invitations import member_chats
from services.outbox.notices import Notifier
from services.outbox.queue import Recipient, add
from storage.db import write_transaction
from storage.models import ChatIdentity, Meeting, MeetingGuest, SpeechBooking, SpeechState

TITLE_MIN = 2
TITLE_MAX = 200
MINUTES_MAX = 60
ACTIVE = (SpeechState.BOOKED, SpeechState.CALLED)


def check_title(text: str) -> str:
    """What the speech is about, trimmed; refused empty or over-long."""
    text = " ".join(text.split())
    if not TITLE_MIN <= len(text) <= TITLE_MAX:
        raise DomainError("speech_title_length", maximum=TITLE_MAX)
    return text


def _open(meeting: Meeting, now: dt.datetime) -> None:
    if meeting.closed_at is not None or meeting.ends_at <= now:
        raise DomainError("proceedings_over")


def _own(booking: SpeechBooking, participant: Participant) -> bool:
    return booking.meeting_id == participant.meeting_id and (
        (participant.member_id is not None and booking.member_id == participant.member_id)
        or (participant.guest_id is not None and booking.guest_id == participant.guest_id)
    )


async def own_bookings(session: AsyncSession, *, participant: Participant) -> list[SpeechBooking]:
    """The participant's speeches at this meeting not withdrawn, in order."""
    owner = (
        col(SpeechBooking.member_id) == participant.member_id
        if participant.member_id is not None
        else col(SpeechBooking.guest_id) == participant.guest_id
    )
    rows = await session.scalars(
        select(SpeechBooking)
        .where(
            col(SpeechBooking.meeting_id) == participant.meeting_id,
            owner,
            col(SpeechBooking.state) != SpeechState.WITHDRAWN,
        )
        .order_by(col(SpeechBooking.position))
    )
    return list(rows)


async def book_speech(
    session: AsyncSession, *, participant: Participant, title: str, now: dt.datetime
) -> SpeechBooking:
    """Book a speech at the end of the order; one open booking per speaker."""
    title = check_title(title)
    _open(participant.meeting, now)
    async with write_transaction(session):
        if any(b.state in ACTIVE for b in await own_bookings(session, participant=participant)):
            raise DomainError("speech_already_booked")
        settings = await proceedings_of(session, participant.meeting_id)
        last = await session.scalar(
            select(func.max(col(SpeechBooking.position))).where(
                col(SpeechBooking.meeting_id) == participant.meeting_id
            )
        )
        booking = SpeechBooking(
            meeting_id=participant.meeting_id,
            member_id=participant.member_id,
            guest_id=participant.guest_id,
            title=title,
            position=(last or 0) + 1,
            minutes=settings.speech_minutes,
            booked_at=now,
        )
        session.add(booking)
        await session.flush()
    return booking


async def withdraw_speech(
    session: AsyncSession, *, participant: Participant, booking_id: int, now: dt.datetime
) -> SpeechBooking:
    """Withdraw one's own speech not yet spoken, before the meeting ends."""
    _open(participant.meeting, now)
    async with write_transaction(session):
        booking = await session.get(SpeechBooking, booking_id, populate_existing=True)
        if booking is None or not _own(booking, participant):
            raise DomainError("speech_unknown")
        if booking.state not in ACTIVE:
            raise DomainError("speech_not_open")
        booking.state = SpeechState.WITHDRAWN
        booking.withdrawn_at = now
        await session.flush()
    return booking


async def speech_order(session: AsyncSession, *, meeting_id: int) -> Sequence[SpeechBooking]:
    """The meeting's speeches not withdrawn, in order."""
    rows = await session.scalars(
        select(SpeechBooking)
        .where(
            col(SpeechBooking.meeting_id) == meeting_id,
            col(SpeechBooking.state) != SpeechState.WITHDRAWN,
        )
        .order_by(col(SpeechBooking.position), col(SpeechBooking.id))
    )
    return list(rows)


async def staff_speeches(
    session: AsyncSession, *, scope: StaffScope, meeting_id: int
) -> Sequence[SpeechBooking]:
    """The speeches list staff read, in order."""
    await staff_meeting(session, scope=scope, meeting_id=meeting_id)
    return await speech_order(session, meeting_id=meeting_id)


async def _staff_booking(
    session: AsyncSession, scope: StaffScope, meeting_id: int, booking_id: int
) -> tuple[Meeting, SpeechBooking]:
    meeting = await staff_meeting(session, scope=scope, meeting_id=meeting_id)
    booking = await session.get(SpeechBooking, booking_id, populate_existing=True)
    if booking is None or booking.meeting_id != meeting_id:
        raise DomainError("speech_unknown")
    return meeting, booking


async def move_speech(
    session: AsyncSession,
    *,
    scope: StaffScope,
    actor: Actor,
    meeting_id: int,
    booking_id: int,
    up: bool,
    now: dt.datetime,
) -> None:
    """Swap a booked speech with its neighbour above or below; at an end, nothing moves."""
    async with write_transaction(session):
        _meeting, booking = await _staff_booking(session, scope, meeting_id, booking_id)
        if booking.state != SpeechState.BOOKED:
            raise DomainError("speech_not_open")
        waiting = [
            b
            for b in await speech_order(session, meeting_id=meeting_id)
            if b.state == SpeechState.BOOKED
        ]
        index = next(i for i, b in enumerate(waiting) if b.id == booking.id)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(waiting):
            return
        neighbour = waiting[other]
        booking.position, neighbour.position = neighbour.position, booking.position
        await session.flush()
        audit(
            session,
            actor=actor,
            action="speech.move",
            object_kind="meeting",
            object_id=meeting_id,
            after={"speech": booking.id, "position": booking.position},
            now=now,
        )


async def set_minutes(
    session: AsyncSession,
    *,
    scope: StaffScope,
    actor: Actor,
    meeting_id: int,
    minutes: int,
    now: dt.datetime,
) -> None:
    """Change the meeting's speaking time, for the speeches still waiting as well."""
    if not 1 <= minutes <= MINUTES_MAX:
        raise DomainError("speech_minutes_range", maximum=MINUTES_MAX)
    async with write_transaction(session):
        await staff_meeting(session, scope=scope, meeting_id=meeting_id)
        settings = await proceedings_of(session, meeting_id)
        before = settings.speech_minutes
        settings.speech_minutes = minutes
        for booking in await speech_order(session, meeting_id=meeting_id):
            if booking.state == SpeechState.BOOKED:
                booking.minutes = minutes
        await session.flush()
        audit(
            session,
            actor=actor,
            action="speech.minutes",
            object_kind="meeting",
            object_id=meeting_id,
            before={"minutes": before},
            after={"minutes": minutes},
            now=now,
        )


async def _speaker_chats(session: AsyncSession, booking: SpeechBooking) -> list[ChatIdentity]:
    if booking.member_id is not None:
        return (await member_chats(session, [booking.member_id]))[booking.member_id]
    guest = await session.get(MeetingGuest, booking.guest_id or 0)
    if guest is None or guest.identity_id is None:
        return []
    identity = await session.get(ChatIdentity, guest.identity_id)
    return [identity] if identity is not None else []


async def call_next(
    session: AsyncSession,
    *,
    scope: StaffScope,
    actor: Actor,
    meeting_id: int,
    notifier: Notifier,
    now: dt.datetime,
) -> SpeechBooking | None:
    """Call the first waiting speaker, who is told "you are next"; None when nobody waits."""
    async with write_transaction(session):
        meeting = await staff_meeting(session, scope=scope, meeting_id=meeting_id)
        _open(meeting, now)
        waiting = [
            b
            for b in await speech_order(session, meeting_id=meeting_id)
            if b.state == SpeechState.BOOKED
        ]
        if not waiting:
            return None
        booking = waiting[0]
        booking.state = SpeechState.CALLED
        booking.called_at = now
        await session.flush()
        for identity in await _speaker_chats(session, booking):
            to = Recipient.of(identity)
            await add(
                session,
                to=to,
                message=notifier.render(
                    "speech-called", identity, meeting=meeting, booking=booking
                ),
                dedupe_key=f"speech:{booking.id}:called:{to.identity_id}",
                now=now,
                urgent=True,
                expires_at=meeting.ends_at,
                kind="speech-called",
            )
        audit(
            session,
            actor=actor,
            action="speech.call",
            object_kind="meeting",
            object_id=meeting_id,
            after={"speech": booking.id, "position": booking.position},
            now=now,
        )
    return booking


async def mark_spoken(
    session: AsyncSession,
    *,
    scope: StaffScope,
    actor: Actor,
    meeting_id: int,
    booking_id: int,
    now: dt.datetime,
) -> SpeechBooking:
    """Record that a called (or still waiting) speaker has spoken."""
    async with write_transaction(session):
        _meeting, booking = await _staff_booking(session, scope, meeting_id, booking_id)
        if booking.state not in ACTIVE:
            raise DomainError("speech_not_open")
        before = booking.state
        booking.state = SpeechState.SPOKEN
        booking.spoken_at = now
        await session.flush()
        audit(
            session,
            actor=actor,
            action="speech.spoken",
            object_kind="meeting",
            object_id=meeting_id,
            before={"speech": booking.id, "state": before},
            after={"speech": booking.id, "state": booking.state},
            now=now,
        )
    return booking
