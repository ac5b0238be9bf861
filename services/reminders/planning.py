"""Which reminders are due now, and queuing them: the common parts, and meetings' reminders.

Cases' reminders are in ``case_reminders``, the minimums' in ``duty_reminders``, proposals'
and consultation outcomes' in ``services.reminders.pipeline``.

Each reminder has a dedupe key, so planning it twice (a second process, a restart, the next
minute's run) queues it once. A reminder whose moment passed during downtime is planned late
if it is still useful, and not at all once it is not; of several missed ones only the latest
goes out. A meeting reminder or nudge whose moment passed before the member's invitation went
out is not sent at all: the invitation stands in for it (and, written after that moment, says
so itself).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.staff import staff_recipients
from services.cases.facts import with_case_facts
from services.meetings.changes import reminder_scope
from services.meetings.invitations import member_chats
from services.outbox.notices import Notifier
from services.outbox.queue import URGENT_WITHIN, OutboxState, Recipient, add
from services.reminders.settings import ReminderSettings, latest_passed
from storage.db import write_transaction
from storage.enums import MeetingResponse
from storage.models import (
    ChatIdentity,
    Issue,
    Meeting,
    MeetingInvitee,
    Member,
    OutboxMessage,
)


@dataclass(frozen=True)
class Due:
    """A reminder to queue: for whom, under which key, and what to say."""

    key: str
    kind: str
    identity: ChatIdentity
    data: dict[str, Any] = field(default_factory=dict)
    urgent: bool = False
    expires_at: dt.datetime | None = None
    # A reminder to a resident about their case carries the case's facts (a template message
    # stands in for it on a channel that may not send the reminder itself).
    resident_case: Issue | None = None


def label(offset: dt.timedelta) -> str:
    """``2d``, ``2h`` or ``30m``: the part of a dedupe key naming an offset."""
    seconds = int(offset.total_seconds())
    if seconds % 86400 == 0:
        return f"{seconds // 86400}d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    return f"{seconds // 60}m"


def latest_after(
    moment: dt.datetime, delays: Sequence[dt.timedelta], now: dt.datetime
) -> dt.timedelta | None:
    """Of the reminders ``delay`` after ``moment``, the one most recently due; None if none."""
    passed = [delay for delay in delays if moment + delay <= now]
    return max(passed) if passed else None


async def already_queued(session: AsyncSession, keys: Sequence[str]) -> set[str]:
    """The keys among ``keys`` that are in the outbox already."""
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = list(keys[start : start + 500])
        rows = await session.execute(
            select(col(OutboxMessage.dedupe_key)).where(col(OutboxMessage.dedupe_key).in_(chunk))
        )
        found.update(rows.scalars())
    return found


async def meeting_reminders(
    session: AsyncSession, *, now: dt.datetime, settings: ReminderSettings
) -> list[Due]:
    """Reminders to the invited, nudges to those who did not answer, a word to staff."""
    horizon = max((*settings.meeting_before, settings.nudge_before))
    rows = (
        await session.execute(
            select(Meeting, MeetingInvitee)
            .join(MeetingInvitee, col(MeetingInvitee.meeting_id) == col(Meeting.id))
            .where(
                col(Meeting.cancelled_at).is_(None),
                col(Meeting.starts_at) > now,
                col(Meeting.starts_at) <= now + horizon,
            )
        )
    ).all()
    chats = await member_chats(session, sorted({invitee.member_id for _, invitee in rows}))
    went_out = await _invitations_out(
        session,
        [
            f"meeting:{meeting.id}:invite:{identity.id}"
            for meeting, invitee in rows
            for identity in chats.get(invitee.member_id, [])
        ],
        now=now,
    )
    dues: list[Due] = []
    unanswered: dict[int, tuple[Meeting, list[int]]] = {}
    for meeting, invitee in rows:
        urgent = meeting.starts_at - now <= URGENT_WITHIN
        offset = latest_passed(meeting.starts_at, settings.meeting_before, now)
        interested = invitee.response in (MeetingResponse.PENDING, MeetingResponse.ATTENDING)
        pending = invitee.response == MeetingResponse.PENDING
        nudge_at = meeting.starts_at - settings.nudge_before
        nudge = pending and nudge_at <= now
        # The list of the silent would reach staff as the invitations leave: nobody could
        # have answered yet, so a meeting set up after the nudge's moment goes without it.
        if pending and nudge and nudge_at > meeting.created_at:
            unanswered.setdefault(meeting.id or 0, (meeting, []))[1].append(invitee.member_id)
        scope = reminder_scope(meeting)
        for identity in chats.get(invitee.member_id, []):
            data = {"meeting": meeting, "response": invitee.response}
            # A moment that passed before this chat's invitation went out is folded into it.
            sent = went_out.get(f"meeting:{meeting.id}:invite:{identity.id}")
            if (
                offset is not None
                and interested
                and (sent is None or meeting.starts_at - offset > sent)
            ):
                dues.append(
                    Due(
                        key=f"{scope}:remind-{label(offset)}:{identity.id}",
                        kind="meeting-reminder",
                        identity=identity,
                        data=data,
                        urgent=urgent,
                        expires_at=meeting.starts_at,
                    )
                )
            if nudge and (sent is None or nudge_at > sent):
                dues.append(
                    Due(
                        key=f"{scope}:nudge-{label(settings.nudge_before)}:{identity.id}",
                        kind="meeting-nudge",
                        identity=identity,
                        data=data,
                        urgent=urgent,
                        expires_at=meeting.starts_at,
                    )
                )
    if unanswered:
        staff = await staff_recipients(session)
        for meeting, member_ids in unanswered.values():
            names = list(
                (
                    await session.execute(
                        select(col(Member.name))
                        .where(col(Member.id).in_(member_ids))
                        .order_by(col(Member.code))
                    )
                ).scalars()
            )
            for _staff, _to, identity in staff:
                dues.append(
                    Due(
                        key=f"{reminder_scope(meeting)}:unanswered:{identity.id}",
                        kind="meeting-unanswered",
                        identity=identity,
                        data={"meeting": meeting, "names": names},
                        expires_at=meeting.starts_at,
                    )
                )
    return dues


async def _invitations_out(
    session: AsyncSession, keys: Sequence[str], *, now: dt.datetime
) -> dict[str, dt.datetime]:
    """When each invitation among ``keys`` went out to its chat.

    One still waiting (quiet hours, the delivery loop's turn) goes out ``now`` at the
    earliest, so a reminder due by now is folded into it as well. One that never went out
    (failed, blocked, cancelled) folds nothing: a reminder is then the member's first word.
    """
    out: dict[str, dt.datetime] = {}
    for start in range(0, len(keys), 500):
        chunk = list(keys[start : start + 500])
        rows = await session.execute(
            select(
                col(OutboxMessage.dedupe_key), col(OutboxMessage.state), col(OutboxMessage.sent_at)
            ).where(col(OutboxMessage.dedupe_key).in_(chunk))
        )
        for key, state, sent_at in rows.all():
            if state == OutboxState.SENT and sent_at is not None:
                out[key] = sent_at
            elif state in (OutboxState.PENDING, OutboxState.SENDING):
                out[key] = now
    return out


async def queue_dues(
    session: AsyncSession, dues: Sequence[Due], *, notifier: Notifier, now: dt.datetime
) -> int:
    """Render and queue the reminders not queued before; return how many were new."""
    if not dues:
        return 0
    done = await already_queued(session, [due.key for due in dues])
    fresh = [due for due in dues if due.key not in done]
    queued = 0
    async with write_transaction(session):
        for due in fresh:
            message = notifier.render(due.kind, due.identity, **due.data)
            if due.resident_case is not None:
                message = await with_case_facts(
                    session,
                    message,
                    notifier=notifier,
                    identity=due.identity,
                    issue=due.resident_case,
                    own=due.resident_case,
                    now=now,
                )
            queued += await add(
                session,
                to=Recipient.of(due.identity),
                message=message,
                dedupe_key=due.key,
                now=now,
                urgent=due.urgent,
                expires_at=due.expires_at,
                kind=due.kind,
            )
    return queued
