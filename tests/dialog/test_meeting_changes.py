"""Staff change or cancel a meeting in the chat; stale cards refuse; past meetings."""

from __future__ import annotations

import datetime as dt

from aiogram.methods import AnswerCallbackQuery, SendDocument
from aiogram.types import BufferedInputFile
from icalendar import Calendar
from sqlalchemy import select, update

from bot.app import AppContext
from bot.planner import Planner
from services.audit import Actor
from services.clock import ManualClock
from services.meetings.attendance import check_in
from services.meetings.changes import MeetingChange, change_meeting
from services.meetings.invitations import MeetingInput, create_meeting
from services.outbox.queue import OutboxState
from storage.db import Database, write_transaction
from storage.models import AuditEntry, Meeting, MeetingInvitee, OutboxMessage
from tests.dialog.test_meetings_dialog import START_UTC, set_up_meeting
from tests.support.chat import ChatUser, forged
from tests.support.members import NOW, member_by_code
from tests.support.notices import button_data, message_of, notifier, outbox

OUT_OF_DATE = "This card is out of date. Here is where you are now."


def answer(sent: list[object]) -> str:
    return str([r for r in sent if isinstance(r, AnswerCallbackQuery)][-1].text)


def calendar_of(sent: list[object]) -> Calendar:
    [document] = [r for r in sent if isinstance(r, SendDocument)]
    assert isinstance(document.document, BufferedInputFile)
    return Calendar.from_ical(document.document.data)


async def the_meeting(db: Database) -> Meeting:
    async with db.session() as session:
        return (await session.execute(select(Meeting))).scalar_one()


async def colleague_changes(
    db: Database, meeting: Meeting, sequence: int, change: MeetingChange
) -> None:
    """Another staff member changes the meeting, as it stood at ``sequence``."""
    async with db.session() as session:
        await change_meeting(
            session,
            meeting_id=meeting.id or 0,
            sequence=sequence,
            change=change,
            now=NOW,
            notifier=notifier(),
            actor=Actor("staff", None, "李明"),
        )


async def invitations_went_out(db: Database) -> None:
    """The delivery loop sent what was queued, now."""
    async with db.session() as session, write_transaction(session):
        await session.execute(update(OutboxMessage).values(state=OutboxState.SENT, sent_at=NOW))


async def test_a_new_time_is_told_and_the_reminders_follow(
    office: ChatUser,
    member: ChatUser,
    second_member: ChatUser,
    roster: Database,
    clock: ManualClock,
    app: AppContext,
) -> None:
    await set_up_meeting(office)
    await invitations_went_out(roster)
    await office.send("📅 Meetings")
    await office.tap("Elderly care")
    sent = await office.tap("✏️ Change")
    review = office.texts(sent)[-1]
    assert "Please check the changes" in review
    labels = [label for label, _ in office.inline_buttons()]
    assert "✏️ Start" in labels and "✏️ Kind" not in labels and "✏️ Invited" not in labels
    await office.tap("✏️ Start")
    await office.send("2026-11-28 14:30")
    # The old end no longer follows the new start: it is asked for again.
    await office.send("17:00")
    sent = await office.tap("Save and tell the invited")
    assert "everyone invited is told what changed" in office.texts(sent)[-1]
    meeting = await the_meeting(roster)
    new_start = START_UTC + dt.timedelta(days=1)
    assert meeting.sequence == 1 and meeting.starts_at == new_start
    notices = await outbox(roster, "meeting-changed")
    assert sorted(row.chat_id for row in notices) == [7001, 7002]
    text = message_of(notices[0]).text
    assert "Changed: the time." in text and "2026-11-28 14:30" in text
    calendar = calendar_of(await member.press(button_data(notices[0], "calendar")))
    event = calendar.walk("VEVENT")[0]
    assert str(event["UID"]) == f"meeting-{meeting.id}@liaison-bot"
    assert event.decoded("SEQUENCE") == 1 and event.decoded("DTSTART") == new_start
    # Two days before the old start nothing is due; two days before the new one, it is.
    clock.set(START_UTC - dt.timedelta(days=2))
    await Planner(app).every_minute()
    assert await outbox(roster, "meeting-reminder") == []
    clock.set(new_start - dt.timedelta(days=2))
    await Planner(app).every_minute()
    reminders = await outbox(roster, "meeting-reminder")
    assert reminders and all(":r1:remind-2d:" in row.dedupe_key for row in reminders)
    async with roster.session() as session:
        [entry] = (
            await session.execute(select(AuditEntry).where(AuditEntry.action == "meeting.edit"))
        ).scalars()
    assert entry.actor_kind == "staff" and entry.actor_name == "王芳"
    assert START_UTC.isoformat() in (entry.before or "")
    assert new_start.isoformat() in (entry.after or "")


async def test_a_cancelled_meeting_and_the_cards_drawn_before(
    office: ChatUser,
    member: ChatUser,
    second_member: ChatUser,
    roster: Database,
    clock: ManualClock,
    app: AppContext,
) -> None:
    await set_up_meeting(office)
    await member.send("📅 Meetings")
    await member.tap("Elderly care")
    await office.send("📅 Meetings")
    await office.tap("Elderly care")
    await office.tap("Cancel the meeting")
    sent = await office.tap("Yes, cancel it")
    assert answer(sent) == "The meeting is cancelled; the invited are told."
    assert "✖ Cancelled at" in office.texts(sent)[-1]
    assert "✏️ Change" not in [label for label, _ in office.inline_buttons()]
    notices = await outbox(roster, "meeting-cancelled")
    assert sorted(row.chat_id for row in notices) == [7001, 7002]
    assert "will not take place" in message_of(notices[0]).text
    # The member's card was drawn before: its answer buttons are out of date.
    sent = await member.tap("I will attend")
    assert answer(sent) == OUT_OF_DATE
    assert "This meeting was cancelled." in member.texts(sent)[-1]
    assert "✅ I will attend" not in [label for label, _ in member.inline_buttons()]
    calendar = calendar_of(await member.press(button_data(notices[0], "calendar")))
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(calendar.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    # No reminders for a cancelled meeting, nor an answer from an old invitation.
    clock.set(START_UTC - dt.timedelta(hours=2))
    await Planner(app).every_minute()
    assert await outbox(roster, "meeting-reminder") == []
    [invitation, *_] = await outbox(roster, "meeting-invitation")
    sent = await second_member.press(button_data(invitation, "I will attend"))
    assert answer(sent) == "This meeting was cancelled."
    async with roster.session() as session:
        [entry] = (
            await session.execute(select(AuditEntry).where(AuditEntry.action == "meeting.cancel"))
        ).scalars()
    assert '"cancelled_at": null' in (entry.before or "")


async def test_a_staff_card_drawn_before_a_colleagues_change(
    office: ChatUser, member: ChatUser, roster: Database
) -> None:
    await set_up_meeting(office)
    await office.send("📅 Meetings")
    await office.tap("Elderly care")
    meeting = await the_meeting(roster)
    await colleague_changes(roster, meeting, 0, MeetingChange(venue="Room 301"))
    sent = await office.tap("Cancel the meeting")
    assert answer(sent) == OUT_OF_DATE
    assert "Venue: Room 301" in office.texts(sent)[-1]
    assert (await the_meeting(roster)).cancelled_at is None
    # Drawn again as it stands, the card's buttons work.
    sent = await office.tap("Cancel the meeting")
    assert "Cancel this meeting?" in office.texts(sent)[-1]
    # The confirmation was drawn for that version too: another change makes it stale.
    await colleague_changes(roster, meeting, 1, MeetingChange(agenda="1. Parking"))
    sent = await office.tap("Yes, cancel it")
    assert answer(sent) == OUT_OF_DATE
    assert (await the_meeting(roster)).cancelled_at is None
    sent = await office.tap("✏️ Change")
    assert "Please check the changes" in office.texts(sent)[-1]


async def test_past_meetings_with_their_attendance(
    office: ChatUser, member: ChatUser, roster: Database, clock: ManualClock
) -> None:
    async def meeting(title: str, audience: str) -> Meeting:
        async with roster.session() as session:
            return await create_meeting(
                session,
                data=MeetingInput(
                    kind="bimonthly",
                    title=title,
                    starts_at=NOW + dt.timedelta(days=1),
                    ends_at=NOW + dt.timedelta(days=1, hours=2),
                    venue="Committee hall",
                    audience=[audience],
                ),
                staff_id=None,
                now=NOW,
                notifier=notifier(),
            )

    mine = await meeting("Elderly care", "all")
    elsewhere = await meeting("Doctors' forum", "sector:medicine")
    m1 = (await member_by_code(roster, "M001")).id or 0
    async with roster.session() as session:
        await check_in(session, member_id=m1, now=mine.starts_at, code=mine.checkin_code)
    clock.set(NOW + dt.timedelta(days=2))

    await office.send("📅 Meetings")
    sent = await office.tap("Past meetings")
    assert "Past meetings" in office.texts(sent)[-1]
    labels = " ".join(label for label, _ in office.inline_buttons())
    assert "Elderly care · ✔1 🙋0 ✖7" in labels and "Doctors' forum" in labels

    sent = await member.send("📅 Meetings")
    assert "You have no upcoming meetings." in member.texts(sent)[-1]
    await member.tap("Past meetings")
    labels = " ".join(label for label, _ in member.inline_buttons())
    assert "Elderly care · attended" in labels and "Doctors' forum" not in labels
    # A forged item: a past meeting the member was not invited to.
    sent = await member.press(forged(member, f"past:{elsewhere.id}"))
    assert answer(sent) == "This meeting is not available."
    sent = await member.tap("Elderly care")
    assert "You attended." in member.texts(sent)[-1]


async def test_a_change_saved_after_a_colleagues_is_refused(
    office: ChatUser, member: ChatUser, roster: Database
) -> None:
    await set_up_meeting(office)
    await office.send("📅 Meetings")
    await office.tap("Elderly care")
    await office.tap("✏️ Change")
    await office.tap("✏️ Venue")
    await office.send("Room 302")
    meeting = await the_meeting(roster)
    await colleague_changes(roster, meeting, 0, MeetingChange(venue="Room 301"))
    sent = await office.tap("Save and tell the invited")
    assert answer(sent) == OUT_OF_DATE
    # The form ends, and the meeting's card is drawn as the colleague left it.
    assert any("Venue: Room 301" in text for text in office.texts(sent))
    assert (await the_meeting(roster)).venue == "Room 301"
    assert len(await outbox(roster, "meeting-changed")) == 1  # the colleague's, to M001


async def test_an_answer_from_an_invitation_sent_before_a_change_is_refused(
    office: ChatUser, member: ChatUser, second_member: ChatUser, roster: Database
) -> None:
    await set_up_meeting(office)
    by_chat = {row.chat_id: row for row in await outbox(roster, "meeting-invitation")}
    meeting = await the_meeting(roster)
    await colleague_changes(roster, meeting, 0, MeetingChange(venue="Room 301"))
    sent = await member.press(button_data(by_chat[7001], "I will attend"))
    assert answer(sent) == (
        "This card is out of date: the meeting has changed. Here it is as it stands now."
    )
    assert "Venue: Room 301" in member.texts(sent)[-1]
    async with roster.session() as session:
        responses = (await session.execute(select(MeetingInvitee.response))).scalars().all()
    assert "attending" not in responses
    # The change notice carries the meeting as it is now: its answer counts.
    changed = {row.chat_id: row for row in await outbox(roster, "meeting-changed")}
    sent = await member.press(button_data(changed[7001], "I will attend"))
    assert answer(sent) == "Noted: you will attend."
    # A button from before versions were written still answers, as it always did.
    sent = await second_member.press(f"mt:attend:{meeting.id}")
    assert answer(sent) == "Noted: you will attend."
