"""A reminder whose moment passed before the invitation went out is folded into it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import update
from sqlmodel import col

from bot.planner import Planner
from services.clock import ManualClock
from services.meetings.invitations import MeetingInput, create_meeting
from services.outbox.queue import OutboxState
from services.reminders.settings import ReminderSettings
from storage.db import Database
from storage.models import Meeting, OutboxMessage
from tests.support.members import NOW
from tests.support.notices import message_of, notifier, outbox
from tests.unit.test_reminders import context, deliver_invitations

INVITED = ["member:M001", "member:M002", "member:M003"]


async def set_up(db: Database, *, starts_in: dt.timedelta, at: dt.datetime = NOW) -> Meeting:
    data = MeetingInput(
        kind="thematic",
        title="Thematic consultation on parking",
        starts_at=at + starts_in,
        ends_at=at + starts_in + dt.timedelta(hours=2),
        venue="Committee hall",
        audience=INVITED,
    )
    async with db.session() as session:
        return await create_meeting(
            session,
            data=data,
            staff_id=None,
            now=at,
            notifier=notifier(),
            reminders=ReminderSettings(),
        )


async def test_a_meeting_set_up_40_minutes_ahead_sends_one_message(
    roster: Database, tmp_path: Path
) -> None:
    meeting = await set_up(roster, starts_in=dt.timedelta(minutes=40))
    invitations = await outbox(roster, "meeting-invitation")
    assert len(invitations) == 3
    text = message_of(invitations[0]).text
    local = meeting.starts_at.astimezone(notifier().tz).strftime("%Y-%m-%d %H:%M")
    assert f"It starts soon: {local}." in text
    assert "if you cannot come, please ask for leave" in text
    clock = ManualClock(NOW)
    planner = Planner(context(roster, clock, tmp_path), ReminderSettings())
    # Before the invitations leave (held by the delivery loop), and every minute after.
    assert await planner.every_minute() == 0
    clock.set(NOW + dt.timedelta(seconds=30))
    await deliver_invitations(roster, clock.now())
    for minute in range(1, 40):
        clock.set(NOW + dt.timedelta(minutes=minute))
        assert await planner.every_minute() == 0, minute
    assert [row.kind for row in await outbox(roster)] == ["meeting-invitation"] * 3


async def test_reminders_still_due_later_are_sent_at_their_time(
    roster: Database, tmp_path: Path
) -> None:
    # Set up 5 hours ahead: the 2-day reminder and the 1-day nudge are folded, the 2-hour
    # reminder is not.
    meeting = await set_up(roster, starts_in=dt.timedelta(hours=5))
    [first, *_] = await outbox(roster, "meeting-invitation")
    assert "It starts soon" in message_of(first).text
    clock = ManualClock(NOW + dt.timedelta(minutes=1))
    await deliver_invitations(roster, clock.now())
    planner = Planner(context(roster, clock, tmp_path), ReminderSettings())
    assert await planner.every_minute() == 0
    clock.set(meeting.starts_at - dt.timedelta(hours=2, minutes=1))
    assert await planner.every_minute() == 0
    clock.set(meeting.starts_at - dt.timedelta(hours=2))
    assert await planner.every_minute() == 3  # the three invited have not answered
    reminders = await outbox(roster, "meeting-reminder")
    assert all("remind-2h" in row.dedupe_key for row in reminders)
    assert await outbox(roster, "meeting-nudge") == []
    assert await outbox(roster, "meeting-unanswered") == []


async def test_an_invitation_held_past_a_reminder_stands_in_for_it(
    roster: Database, tmp_path: Path
) -> None:
    # Set up 3 days ahead; the invitations wait (quiet hours, a busy loop) past the 2-day
    # moment: that reminder is not sent once they leave, and the nudge is sent at its time.
    meeting = await set_up(roster, starts_in=dt.timedelta(days=3))
    [first, *_] = await outbox(roster, "meeting-invitation")
    assert "It starts soon" not in message_of(first).text
    two_days = meeting.starts_at - dt.timedelta(days=2)
    clock = ManualClock(two_days)
    planner = Planner(context(roster, clock, tmp_path), ReminderSettings())
    assert await planner.every_minute() == 0  # still waiting: the invitation will say it
    clock.set(two_days + dt.timedelta(minutes=5))
    await deliver_invitations(roster, clock.now())
    clock.set(two_days + dt.timedelta(minutes=6))
    assert await planner.every_minute() == 0
    clock.set(meeting.starts_at - dt.timedelta(days=1))
    assert await planner.every_minute() == 4  # three nudges and the staff's list
    assert await outbox(roster, "meeting-reminder") == []


async def test_an_invitation_that_never_went_out_folds_nothing(
    roster: Database, tmp_path: Path
) -> None:
    meeting = await set_up(roster, starts_in=dt.timedelta(days=3))
    async with roster.writing() as session:
        await session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.kind) == "meeting-invitation")
            .values(state=OutboxState.FAILED)
        )
    clock = ManualClock(meeting.starts_at - dt.timedelta(days=2))
    planner = Planner(context(roster, clock, tmp_path), ReminderSettings())
    assert await planner.every_minute() == 3
