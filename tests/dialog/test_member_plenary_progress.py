"""A plenary check-in in the chat ticks the plenary six one on the member's progress card."""

from __future__ import annotations

import datetime as dt

from services.clock import ManualClock
from services.meetings.invitations import MeetingInput, create_meeting
from storage.db import Database
from tests.support.chat import ChatUser
from tests.support.members import NOW
from tests.support.notices import notifier

START = NOW + dt.timedelta(days=2)


async def test_a_plenary_check_in_shows_on_my_progress(
    member: ChatUser, second_member: ChatUser, roster: Database, clock: ManualClock
) -> None:
    data = MeetingInput(
        kind="plenary",
        title="The fifth session's plenary",
        starts_at=START,
        ends_at=START + dt.timedelta(hours=3),
        venue="Grand hall",
        audience=["member:M001", "member:M002"],
    )
    async with roster.session() as session:
        meeting = await create_meeting(
            session, data=data, staff_id=None, now=NOW, notifier=notifier()
        )
    card = member.texts(await member.send("📊 My progress"))[0]
    assert "⬜ Attend a plenary session" in card
    assert "Paired people</b> · 4 of 4" in card, card
    clock.set(START + dt.timedelta(minutes=5))
    sent = await member.send(f"/checkin {meeting.checkin_code}")
    assert "You are checked in" in member.texts(sent)[0]
    card = member.texts(await member.send("📊 My progress"))[0]
    assert "✅ Attend a plenary session" in card, card
    # Invited too, but not checked in.
    other = second_member.texts(await second_member.send("📊 My progress"))[0]
    assert "⬜ Attend a plenary session" in other
