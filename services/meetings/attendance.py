"""Answers to invitations, leave and its decision, check-in, and attendance afterwards."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.accounts.staff import staff_recipients
from services.assessment.ledger import refresh_years
from services.audit import Actor, audit
from services.errors import DomainError
from services.meetings.invitations import (
    CHECKIN_FAILURES_ALLOWED,
    CHECKIN_OPENS,
    REASON_MAX,
    member_chats,
    member_meeting,
    upcoming_for_member,
)
from services.members.rules import RuleBook
from services.outbox.notices import Notifier
from services.outbox.queue import URGENT_WITHIN, Recipient, add
from storage.db import write_transaction
from storage.enums import Attendance, MeetingResponse
from storage.models import Meeting, MeetingInvitee, Member, Staff


async def respond(
    session: AsyncSession,
    *,
    meeting_id: int,
    member_id: int,
    attend: bool,
    reason: str = "",
    now: dt.datetime,
    notifier: Notifier,
) -> MeetingInvitee:
    """Attend, or ask for leave with a reason (staff are asked to decide); until the start."""
    found = await member_meeting(session, member_id=member_id, meeting_id=meeting_id)
    if found is None:
        raise DomainError("not_invited")
    meeting, _ = found
    if meeting.cancelled_at is not None:
        raise DomainError("cancelled")
    if now >= meeting.starts_at:
        raise DomainError("started")
    reason = " ".join(reason.split())
    if not attend and not 2 <= len(reason) <= REASON_MAX:
        raise DomainError("reason_length", maximum=REASON_MAX)
    async with write_transaction(session):
        found = await member_meeting(session, member_id=member_id, meeting_id=meeting_id)
        assert found is not None
        meeting, invitee = found
        invitee.response = MeetingResponse.ATTENDING if attend else MeetingResponse.LEAVE_REQUESTED
        invitee.leave_reason = None if attend else reason
        invitee.leave_decided_by_staff_id = None
        invitee.responded_at = now
        await session.flush()
        if not attend:
            member = await session.get(Member, member_id)
            stamp = int(now.timestamp())
            for _staff, to, identity in await staff_recipients(session):
                await add(
                    session,
                    to=to,
                    message=notifier.render(
                        "leave-request", identity, meeting=meeting, member=member, reason=reason
                    ),
                    dedupe_key=f"meeting:{meeting_id}:leave:{member_id}:{stamp}:{to.identity_id}",
                    now=now,
                    kind="meeting-leave-request",
                )
    return invitee


@dataclass(frozen=True)
class LeaveRequest:
    """A member's leave request as it stands: asked, or decided and by whom."""

    meeting: Meeting
    member: Member
    reason: str
    response: str
    decided_by: str | None


async def leave_request_of(
    session: AsyncSession, *, meeting_id: int, member_id: int
) -> LeaveRequest | None:
    """The member's leave request from the meeting, as stored; None when there is none."""
    found = await member_meeting(session, member_id=member_id, meeting_id=meeting_id)
    member = await session.get(Member, member_id)
    if found is None or member is None:
        return None
    meeting, invitee = found
    if invitee.leave_reason is None:
        return None
    decided_by = None
    if invitee.leave_decided_by_staff_id is not None:
        staff = await session.get(Staff, invitee.leave_decided_by_staff_id)
        decided_by = staff.name if staff is not None else None
    return LeaveRequest(meeting, member, invitee.leave_reason, invitee.response, decided_by)


async def decide_leave(
    session: AsyncSession,
    *,
    meeting_id: int,
    member_id: int,
    staff_id: int,
    approve: bool,
    now: dt.datetime,
    notifier: Notifier,
    actor: Actor | None = None,
) -> MeetingInvitee:
    """Approve or refuse a pending leave request; the member is told.

    A request may still be decided after the start (asked for that morning, say), but not once
    the meeting's attendance is recorded: the record would contradict the decision.
    """
    async with write_transaction(session):
        found = await member_meeting(session, member_id=member_id, meeting_id=meeting_id)
        if found is None:
            raise DomainError("not_invited")
        meeting, invitee = found
        if invitee.response != MeetingResponse.LEAVE_REQUESTED:
            raise DomainError("not_requested")
        if meeting.closed_at is not None or meeting.ends_at <= now:
            raise DomainError("meeting_over")
        invitee.response = (
            MeetingResponse.LEAVE_APPROVED if approve else MeetingResponse.LEAVE_REFUSED
        )
        invitee.leave_decided_by_staff_id = staff_id
        await session.flush()
        audit(
            session,
            actor=actor or Actor("staff", staff_id),
            action="meeting.leave",
            object_kind="meeting",
            object_id=meeting_id,
            before={"member_id": member_id, "response": MeetingResponse.LEAVE_REQUESTED},
            after={"member_id": member_id, "response": invitee.response},
            now=now,
        )
        chats = (await member_chats(session, [member_id]))[member_id]
        stamp = int(now.timestamp())
        for identity in chats:
            to = Recipient.of(identity)
            await add(
                session,
                to=to,
                message=notifier.render(
                    "leave-decision", identity, meeting=meeting, approved=approve
                ),
                dedupe_key=f"meeting:{meeting_id}:decision:{member_id}:{stamp}:{to.identity_id}",
                now=now,
                # Like any meeting message: at once only when the meeting is close.
                urgent=meeting.starts_at - now <= URGENT_WITHIN,
                expires_at=meeting.ends_at,
                kind="meeting-leave-decision",
            )
    return invitee


async def check_in(
    session: AsyncSession,
    *,
    member_id: int,
    now: dt.datetime,
    code: str | None = None,
    token: str | None = None,
) -> Meeting:
    """Record a member's arrival, by the meeting's 6-digit code or its QR token.

    Open from an hour before the start until the end. Wrong codes are counted per
    invitation; after five, that invitation can no longer check in by code.
    """
    if token is not None:
        stmt = select(Meeting).where(col(Meeting.checkin_token) == token)
        meeting = (await session.execute(stmt)).scalar_one_or_none()
        if meeting is None:
            raise DomainError("checkin_unknown")
        if meeting.cancelled_at is not None:
            raise DomainError("cancelled")
        candidates = [meeting]
    else:
        candidates = [
            meeting
            for meeting, _ in await upcoming_for_member(session, member_id=member_id, now=now)
            if meeting.starts_at - CHECKIN_OPENS <= now <= meeting.ends_at
        ]
        if not candidates:
            raise DomainError("checkin_closed")
    async with write_transaction(session):
        for meeting in candidates:
            assert meeting.id is not None
            found = await member_meeting(session, member_id=member_id, meeting_id=meeting.id)
            if found is None:
                if token is not None:
                    raise DomainError("not_invited")
                continue
            _, invitee = found
            if not meeting.starts_at - CHECKIN_OPENS <= now <= meeting.ends_at:
                raise DomainError("checkin_closed")
            if token is None and invitee.checkin_failures >= CHECKIN_FAILURES_ALLOWED:
                raise DomainError("checkin_locked")
            if token is not None or secrets.compare_digest(meeting.checkin_code, code or ""):
                if invitee.checked_in_at is None:
                    invitee.checked_in_at = now
                return meeting
        for meeting in candidates:
            assert meeting.id is not None
            found = await member_meeting(session, member_id=member_id, meeting_id=meeting.id)
            if found is not None:
                found[1].checkin_failures += 1
    raise DomainError("checkin_wrong")


def attendance_of(invitee: MeetingInvitee) -> Attendance:
    """How an invitation ends: there, excused, or absent."""
    if invitee.checked_in_at is not None:
        return Attendance.ATTENDED
    if invitee.response == MeetingResponse.LEAVE_APPROVED:
        return Attendance.EXCUSED
    return Attendance.ABSENT


async def close_ended(
    session: AsyncSession,
    *,
    now: dt.datetime,
    notifier: Notifier,
    rulebook: RuleBook | None = None,
    tz: dt.tzinfo | None = None,
) -> int:
    """Record attendance of meetings that ended, and send staff a summary; return how many.

    With ``rulebook`` and ``tz`` the invitees' assessment lines are written in the same
    transaction (the meeting counts in the year of its start, local time).
    """
    ended = (
        await session.execute(
            select(Meeting).where(
                col(Meeting.ends_at) <= now,
                col(Meeting.closed_at).is_(None),
                col(Meeting.cancelled_at).is_(None),
            )
        )
    ).scalars()
    closed = 0
    for meeting in list(ended):
        async with write_transaction(session):
            invitees = (
                await session.execute(
                    select(MeetingInvitee, Member)
                    .join(Member, col(Member.id) == col(MeetingInvitee.member_id))
                    .where(col(MeetingInvitee.meeting_id) == meeting.id)
                    .order_by(col(Member.code))
                )
            ).all()
            counts = dict.fromkeys(Attendance, 0)
            absent = []
            for invitee, member in invitees:
                outcome = attendance_of(invitee)
                invitee.attendance = outcome
                counts[outcome] += 1
                if outcome == Attendance.ABSENT:
                    absent.append(member.name)
            meeting.closed_at = now
            if rulebook is not None and tz is not None and meeting.id is not None:
                await session.flush()
                await refresh_years(
                    session,
                    source_kind="invitation",
                    source_id=meeting.id,
                    years=[meeting.starts_at.astimezone(tz).year],
                    rulebook=rulebook,
                    tz=tz,
                    now=now,
                )
            for _staff, to, identity in await staff_recipients(session):
                await add(
                    session,
                    to=to,
                    message=notifier.render(
                        "meeting-summary", identity, meeting=meeting, counts=counts, absent=absent
                    ),
                    dedupe_key=f"meeting:{meeting.id}:summary:{to.identity_id}",
                    now=now,
                    kind="meeting-summary",
                )
        closed += 1
    return closed
