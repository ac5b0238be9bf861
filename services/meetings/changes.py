"""Staff change a meeting (its time, venue or agenda) or cancel it; the invited are told.

Each change raises the meeting's ``sequence``: the calendar file's SEQUENCE, and the version
the staff's and members' cards were drawn for. A change names the sequence it was made
against, so one made on an out-of-date card is refused. Reminders already queued for a moved
or cancelled meeting are withdrawn; the planner queues the moved meeting's afresh.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.audit import Actor, audit
from services.errors import DomainError
from services.meetings.invitations import AGENDA_MAX, VENUE_MAX, member_chats
from services.outbox.notices import Notifier
from services.outbox.queue import URGENT_WITHIN, OutboxState, Recipient, add
from storage.db import write_transaction
from storage.models import Meeting, MeetingInvitee, OutboxMessage

# What a change withdraws when still waiting: reminders about the old time, or everything.
REMINDER_KINDS = ("meeting-reminder", "meeting-nudge", "meeting-unanswered")
CANCELLED_KINDS = (*REMINDER_KINDS, "meeting-invitation", "meeting-materials")


@dataclass(frozen=True)
class MeetingChange:
    """What staff change; a part left None stays as it is."""

    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    venue: str | None = None
    agenda: str | None = None


def reminder_scope(meeting: Meeting) -> str:
    """The start of a meeting reminder's dedupe key: a moved meeting's reminders are new ones."""
    if meeting.rescheduled:
        return f"meeting:{meeting.id}:r{meeting.rescheduled}"
    return f"meeting:{meeting.id}"


def _state(meeting: Meeting) -> dict[str, Any]:
    return {
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat(),
        "venue": meeting.venue,
        "agenda": meeting.agenda,
        "sequence": meeting.sequence,
    }


async def _current(
    session: AsyncSession, *, meeting_id: int, sequence: int, now: dt.datetime
) -> Meeting:
    """The meeting, if it may still change and is as the staff member last saw it."""
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        raise DomainError("not_found")
    if meeting.cancelled_at is not None:
        raise DomainError("cancelled")
    if meeting.sequence != sequence:
        raise DomainError("stale")
    if now >= meeting.starts_at:
        raise DomainError("started")
    return meeting


def _apply(meeting: Meeting, change: MeetingChange, now: dt.datetime) -> list[str]:
    """Check the change and make it; the names of the parts that changed."""
    starts = change.starts_at or meeting.starts_at
    ends = change.ends_at or meeting.ends_at
    venue = meeting.venue if change.venue is None else " ".join(change.venue.split())
    agenda = meeting.agenda if change.agenda is None else change.agenda.strip()
    if not venue or len(venue) > VENUE_MAX:
        raise DomainError("venue_length", maximum=VENUE_MAX)
    if len(agenda) > AGENDA_MAX:
        raise DomainError("agenda_length", maximum=AGENDA_MAX)
    if starts != meeting.starts_at and starts <= now:
        raise DomainError("starts_in_past")
    if ends <= starts:
        raise DomainError("ends_before_start")
    changed = [
        name
        for name, old, new in (
            ("time", (meeting.starts_at, meeting.ends_at), (starts, ends)),
            ("venue", meeting.venue, venue),
            ("agenda", meeting.agenda, agenda),
        )
        if old != new
    ]
    if not changed:
        raise DomainError("unchanged")
    if starts != meeting.starts_at:
        meeting.rescheduled += 1
    meeting.starts_at, meeting.ends_at, meeting.venue, meeting.agenda = starts, ends, venue, agenda
    meeting.sequence += 1
    return changed


async def _withdraw(session: AsyncSession, meeting_id: int, kinds: tuple[str, ...]) -> None:
    """Withdraw what is still waiting to go out about the meeting, of ``kinds``."""
    await session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.dedupe_key).startswith(f"meeting:{meeting_id}:"),
            col(OutboxMessage.kind).in_(kinds),
            col(OutboxMessage.state) == OutboxState.PENDING,
        )
        .values(state=OutboxState.CANCELLED, last_error="meeting changed")
    )


async def _tell_invited(
    session: AsyncSession,
    meeting: Meeting,
    *,
    kind: str,
    key: str,
    now: dt.datetime,
    notifier: Notifier,
    **data: Any,
) -> int:
    """Queue the notice ``kind`` to every chat of every invited member; how many."""
    member_ids = list(
        (
            await session.execute(
                select(col(MeetingInvitee.member_id)).where(
                    col(MeetingInvitee.meeting_id) == meeting.id
                )
            )
        ).scalars()
    )
    urgent = meeting.starts_at - now <= URGENT_WITHIN
    queued = 0
    for chats in (await member_chats(session, member_ids)).values():
        for identity in chats:
            to = Recipient.of(identity)
            queued += await add(
                session,
                to=to,
                message=notifier.render(kind, identity, meeting=meeting, **data),
                dedupe_key=f"meeting:{meeting.id}:{key}:{to.identity_id}",
                now=now,
                urgent=urgent,
                expires_at=meeting.ends_at,
                kind=kind,
            )
    return queued


async def change_meeting(
    session: AsyncSession,
    *,
    meeting_id: int,
    sequence: int,
    change: MeetingChange,
    now: dt.datetime,
    notifier: Notifier,
    actor: Actor,
) -> Meeting:
    """Change a meeting that has not started; the invited are told what changed.

    ``sequence`` is the meeting's as the staff member saw it: a meeting changed since is
    refused (``stale``). A moved start withdraws the reminders still waiting; the planner
    queues those of the new time.
    """
    async with write_transaction(session):
        meeting = await _current(session, meeting_id=meeting_id, sequence=sequence, now=now)
        before = _state(meeting)
        changed = _apply(meeting, change, now)
        await session.flush()
        if "time" in changed:
            await _withdraw(session, meeting_id, REMINDER_KINDS)
        await _tell_invited(
            session,
            meeting,
            kind="meeting-changed",
            key=f"changed-{meeting.sequence}",
            now=now,
            notifier=notifier,
            changed=changed,
        )
        audit(
            session,
            actor=actor,
            action="meeting.edit",
            object_kind="meeting",
            object_id=meeting_id,
            before=before,
            after=_state(meeting),
            now=now,
        )
    return meeting


async def cancel_meeting(
    session: AsyncSession,
    *,
    meeting_id: int,
    sequence: int,
    now: dt.datetime,
    notifier: Notifier,
    actor: Actor,
) -> Meeting:
    """Cancel a meeting that has not started: no reminders, answers or check-in from now on.

    Whatever about it is still waiting to go out is withdrawn, and the invited are told.
    """
    async with write_transaction(session):
        meeting = await _current(session, meeting_id=meeting_id, sequence=sequence, now=now)
        before = {**_state(meeting), "cancelled_at": None}
        meeting.cancelled_at = now
        meeting.sequence += 1
        await session.flush()
        await _withdraw(session, meeting_id, CANCELLED_KINDS)
        await _tell_invited(
            session, meeting, kind="meeting-cancelled", key="cancelled", now=now, notifier=notifier
        )
        audit(
            session,
            actor=actor,
            action="meeting.cancel",
            object_kind="meeting",
            object_id=meeting_id,
            before=before,
            after={**_state(meeting), "cancelled_at": now.isoformat()},
            now=now,
        )
    return meeting
