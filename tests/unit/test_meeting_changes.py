"""Staff change or cancel a meeting: notices, reminders, the calendar file, the audit log."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from icalendar import Calendar
from sqlalchemy import select, update

from services.audit import Actor
from services.errors import DomainError
from services.meetings.attendance import check_in, close_ended, respond
from services.meetings.changes import MeetingChange, cancel_meeting, change_meeting
from services.meetings.invitations import MeetingInput, create_meeting, ics
from services.meetings.past import member_past_page, past_meetings_page
from services.outbox.queue import OutboxState
from services.reminders.planning import meeting_reminders, queue_dues
from services.reminders.settings import ReminderSettings
from storage.db import Database, write_transaction
from storage.enums import Attendance
from storage.models import AuditEntry, Meeting, OutboxMessage
from tests.support.members import NOW, member_by_code
from tests.support.notices import message_of, notifier, outbox

START_AT = NOW + dt.timedelta(days=5)
ACTOR = Actor("staff", 1, "王芳")


async def make_meeting(db: Database, start: dt.datetime = START_AT) -> Meeting:
    data = MeetingInput(
        kind="thematic",
        title="Thematic consultation on parking",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        venue="Committee hall",
        audience=["member:M001", "member:M002", "member:M003"],
        agenda="1. Report",
    )
    created = NOW - dt.timedelta(days=10)
    async with db.session() as session:
        meeting = await create_meeting(
            session, data=data, staff_id=None, now=created, notifier=notifier()
        )
        # The invitations went out at once: reminders are not folded into them.
        async with write_transaction(session):
            await session.execute(
                update(OutboxMessage).values(state=OutboxState.SENT, sent_at=created)
            )
    return meeting


async def plan(db: Database, now: dt.datetime) -> int:
    async with db.session() as session:
        dues = await meeting_reminders(session, now=now, settings=ReminderSettings())
        return await queue_dues(session, dues, notifier=notifier(), now=now)


async def audit_entries(db: Database, action: str) -> list[AuditEntry]:
    async with db.session() as session:
        found = await session.execute(select(AuditEntry).where(AuditEntry.action == action))
        return list(found.scalars())


async def test_a_new_time_is_told_and_reminders_follow_it(roster: Database) -> None:
    meeting = await make_meeting(roster)
    # Two days before the old start: the 2-day reminder is queued for it.
    assert await plan(roster, START_AT - dt.timedelta(days=2)) == 3
    later = START_AT + dt.timedelta(days=3)
    async with roster.session() as session:
        changed = await change_meeting(
            session,
            meeting_id=meeting.id or 0,
            sequence=0,
            change=MeetingChange(starts_at=later, ends_at=later + dt.timedelta(hours=2)),
            now=START_AT - dt.timedelta(days=2),
            notifier=notifier(),
            actor=ACTOR,
        )
    assert changed.sequence == 1 and changed.starts_at == later
    notices = await outbox(roster, "meeting-changed")
    assert len(notices) == 3
    text = message_of(notices[0]).text
    assert "Meeting changed" in text and "Changed: the time." in text
    # The reminder for the old time, not yet sent, is withdrawn.
    old = await outbox(roster, "meeting-reminder")
    assert {row.state for row in old} == {OutboxState.CANCELLED}
    # Nothing is due at the old time any more; two days before the new one, it is.
    assert await plan(roster, START_AT) == 0
    assert await plan(roster, later - dt.timedelta(days=2)) == 3
    fresh = [r for r in await outbox(roster, "meeting-reminder") if r.state == OutboxState.PENDING]
    assert len(fresh) == 3 and all(":r1:remind-2d:" in row.dedupe_key for row in fresh)
    event = Calendar.from_ical(ics(changed)).walk("VEVENT")[0]
    assert str(event["UID"]) == f"meeting-{meeting.id}@liaison-bot"
    assert event.decoded("SEQUENCE") == 1 and str(event["STATUS"]) == "CONFIRMED"
    [entry] = await audit_entries(roster, "meeting.edit")
    assert json.loads(entry.before or "{}")["starts_at"] == START_AT.isoformat()
    assert json.loads(entry.after or "{}")["starts_at"] == later.isoformat()
    assert entry.actor_name == "王芳"


async def test_a_venue_change_keeps_the_reminders_already_sent(roster: Database) -> None:
    meeting = await make_meeting(roster)
    assert await plan(roster, START_AT - dt.timedelta(days=2)) == 3
    async with roster.session() as session:
        await change_meeting(
            session,
            meeting_id=meeting.id or 0,
            sequence=0,
            change=MeetingChange(venue="Room 301"),
            now=START_AT - dt.timedelta(days=2),
            notifier=notifier(),
            actor=ACTOR,
        )
    assert {row.state for row in await outbox(roster, "meeting-reminder")} == {OutboxState.PENDING}
    assert await plan(roster, START_AT - dt.timedelta(days=2)) == 0
    assert "Changed: the venue." in message_of((await outbox(roster, "meeting-changed"))[0]).text


async def test_a_stale_or_empty_change_is_refused(roster: Database) -> None:
    meeting = await make_meeting(roster)
    async with roster.session() as session:
        with pytest.raises(DomainError) as error:
            await change_meeting(
                session,
                meeting_id=meeting.id or 0,
                sequence=0,
                change=MeetingChange(venue="Committee hall"),
                now=NOW,
                notifier=notifier(),
                actor=ACTOR,
            )
        assert error.value.code == "unchanged"
        await change_meeting(
            session,
            meeting_id=meeting.id or 0,
            sequence=0,
            change=MeetingChange(agenda="1. Report\n2. Vote"),
            now=NOW,
            notifier=notifier(),
            actor=ACTOR,
        )
        with pytest.raises(DomainError) as error:
            await cancel_meeting(
                session,
                meeting_id=meeting.id or 0,
                sequence=0,
                now=NOW,
                notifier=notifier(),
                actor=ACTOR,
            )
        assert error.value.code == "stale"


async def test_a_cancelled_meeting_is_told_and_goes_quiet(roster: Database) -> None:
    meeting = await make_meeting(roster)
    m1 = (await member_by_code(roster, "M001")).id or 0
    async with roster.session() as session:
        cancelled = await cancel_meeting(
            session,
            meeting_id=meeting.id or 0,
            sequence=0,
            now=NOW,
            notifier=notifier(),
            actor=ACTOR,
        )
    assert cancelled.cancelled_at == NOW and cancelled.sequence == 1
    notices = await outbox(roster, "meeting-cancelled")
    assert len(notices) == 3 and "will not take place" in message_of(notices[0]).text
    assert await plan(roster, START_AT - dt.timedelta(days=2)) == 0
    assert await plan(roster, START_AT - dt.timedelta(hours=2)) == 0
    async with roster.session() as session:
        with pytest.raises(DomainError) as error:
            await respond(
                session,
                meeting_id=meeting.id or 0,
                member_id=m1,
                attend=True,
                now=NOW,
                notifier=notifier(),
            )
        assert error.value.code == "cancelled"
        with pytest.raises(DomainError):
            await check_in(session, member_id=m1, now=START_AT, token=meeting.checkin_token)
    calendar = Calendar.from_ical(ics(cancelled))
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED" and event.decoded("SEQUENCE") == 1
    assert str(event["UID"]) == f"meeting-{meeting.id}@liaison-bot"
    [entry] = await audit_entries(roster, "meeting.cancel")
    assert json.loads(entry.before or "{}")["cancelled_at"] is None
    assert json.loads(entry.after or "{}")["cancelled_at"] == NOW.isoformat()


async def test_past_meetings_with_their_attendance(roster: Database) -> None:
    meeting = await make_meeting(roster)
    m1, m2 = [(await member_by_code(roster, code)).id or 0 for code in ("M001", "M002")]
    over = START_AT + dt.timedelta(hours=3)
    async with roster.session() as session:
        await check_in(session, member_id=m1, now=START_AT, code=meeting.checkin_code)
        assert (await past_meetings_page(session, now=NOW)).total == 0
        # Before the meeting is closed the counts are what closing will record.
        [(listed, counts)] = (await past_meetings_page(session, now=over)).items
        assert listed.id == meeting.id
        assert counts[Attendance.ATTENDED] == 1 and counts[Attendance.ABSENT] == 2
        await close_ended(session, now=over, notifier=notifier())
        [(_, counts)] = (await past_meetings_page(session, now=over)).items
        assert counts[Attendance.ATTENDED] == 1 and counts[Attendance.ABSENT] == 2
        [(_, mine)] = (await member_past_page(session, member_id=m1, now=over)).items
        [(_, theirs)] = (await member_past_page(session, member_id=m2, now=over)).items
    assert (mine, theirs) == (Attendance.ATTENDED, Attendance.ABSENT)
