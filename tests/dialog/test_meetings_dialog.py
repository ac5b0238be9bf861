"""The full meeting cycle in the chat: set up, invite, attend or ask leave, check in, attendance."""

from __future__ import annotations

import datetime as dt

from aiogram.methods import AnswerCallbackQuery, SendDocument
from sqlalchemy import func, select

from bot.app import AppContext
from bot.planner import Planner
from services.clock import ManualClock
from storage.db import Database
from storage.models import Meeting, MeetingInvitee
from tests.support.chat import ChatUser
from tests.support.notices import button_data, message_of, outbox

START_LOCAL = "2026-11-27 14:30"  # a week after the tests' "now"
START_UTC = dt.datetime(2026, 11, 27, 6, 30, tzinfo=dt.UTC)


def forged(data: str, item: str) -> str:
    """The callback data of a list button with another item id."""
    return f"{data.rsplit(':', 1)[0]}:{item}"


def answer(sent: list[object]) -> str:
    return str([r for r in sent if isinstance(r, AnswerCallbackQuery)][-1].text)


async def set_up_meeting(office: ChatUser) -> None:
    await office.send("➕ New meeting")
    await office.press(office.button("Bimonthly consultation"))
    await office.send("Elderly care in old neighbourhoods")
    sent = await office.send("yesterday 10:00")
    assert "has passed" in office.texts(sent)[0]
    await office.send(START_LOCAL)
    sent = await office.send("14:00")
    assert "end must come after the start" in office.texts(sent)[0]
    await office.send("17:00")
    await office.send("Committee hall, 3rd floor")
    await office.press(office.button("All members"))
    await office.send("⏭ Skip")
    sent = await office.send("⏭ Skip")
    review = office.texts(sent)[-1]
    assert "When: 2026-11-27 14:30 – 2026-11-27 17:00" in review
    assert "Invited: All members (8 members)" in review
    sent = await office.press(office.button("Create and invite"))
    assert "invitations are on their way" in office.texts(sent)[-1]


async def test_the_whole_cycle(
    office: ChatUser,
    member: ChatUser,
    second_member: ChatUser,
    roster: Database,
    clock: ManualClock,
    app: AppContext,
) -> None:
    await set_up_meeting(office)
    invitations = await outbox(roster, "meeting-invitation")
    assert len(invitations) == 2  # the two linked members
    by_chat = {row.chat_id: row for row in invitations}
    assert "Elderly care in old neighbourhoods" in message_of(by_chat[7001]).text

    sent = await member.press(button_data(by_chat[7001], "I will attend"))
    assert answer(sent) == "Noted: you will attend."
    sent = await member.press(button_data(by_chat[7001], "calendar"))
    assert any(isinstance(r, SendDocument) for r in sent)

    await second_member.press(button_data(by_chat[7002], "Ask for leave"))
    sent = await second_member.send("At the hospital's night shift")
    assert "sent to the committee office" in second_member.texts(sent)[0]
    [request] = await outbox(roster, "meeting-leave-request")
    assert request.chat_id == 8001 and "night shift" in message_of(request).text
    approve = button_data(request, "Approve")
    sent = await office.press(approve)
    assert "Approved by 王芳." in office.texts(sent)[-1]
    sent = await office.press(approve)
    assert answer(sent) == "This request was already decided."
    [decision] = await outbox(roster, "meeting-leave-decision")
    assert decision.chat_id == 7002 and "was approved" in message_of(decision).text

    code = (await _meeting(roster)).checkin_code
    wrong = "000001" if code != "000001" else "000002"
    clock.set(START_UTC - dt.timedelta(hours=2))
    sent = await member.send(f"/checkin {code}")
    assert "not open now" in member.texts(sent)[0]
    clock.set(START_UTC - dt.timedelta(minutes=30))
    sent = await member.send(f"/checkin {wrong}")
    assert "not right" in member.texts(sent)[0]
    sent = await member.send(f"/checkin {code}")
    assert "You are checked in at Elderly care" in member.texts(sent)[0]
    clock.set(START_UTC + dt.timedelta(hours=3, minutes=1))
    sent = await second_member.send(f"/checkin {code}")
    assert "not open now" in second_member.texts(sent)[0]

    await Planner(app).every_minute()
    async with roster.session() as session:
        from sqlalchemy import select

        rows = (await session.execute(select(MeetingInvitee.attendance))).scalars().all()
    assert sorted(rows) == ["absent"] * 6 + ["attended", "excused"]
    [summary] = await outbox(roster, "meeting-summary")
    assert "Attended: 1; excused: 1; absent: 6" in message_of(summary).text


async def _meeting(db: Database):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from storage.models import Meeting

    async with db.session() as session:
        return (await session.execute(select(Meeting))).scalar_one()


async def test_check_in_by_the_meeting_qr_link(
    office: ChatUser, member: ChatUser, roster: Database, clock: ManualClock
) -> None:
    await set_up_meeting(office)
    meeting = await _meeting(roster)
    sent = await member.send(f"/start mt-{meeting.checkin_token}")
    assert "not open now" in member.texts(sent)[0]
    clock.set(START_UTC)
    sent = await member.send(f"/start mt-{meeting.checkin_token}")
    assert "checked in" in member.texts(sent)[0]


async def test_staff_sees_answers_and_gets_the_qr(
    office: ChatUser, member: ChatUser, roster: Database
) -> None:
    await set_up_meeting(office)
    meeting = await _meeting(roster)
    [invitation, *_] = await outbox(roster, "meeting-invitation")
    await member.press(button_data(invitation, "I will attend"))
    await office.send("📅 Meetings")
    sent = await office.press(office.button("Elderly care"))
    text = office.texts(sent)[0]
    assert (
        "attending (1): 张建华" in text
        and f"Check-in code: <code>{meeting.checkin_code}</code>" in text
    )
    sent = await office.press(office.button("QR"))
    assert sent[-1].__api_method__ == "sendPhoto"


async def test_forged_meeting_buttons(
    office: ChatUser,
    member: ChatUser,
    second_member: ChatUser,
    resident: ChatUser,
    roster: Database,
) -> None:
    await set_up_meeting(office)
    meeting = await _meeting(roster)
    assert answer(await member.press("mt:view:4242")) == "This meeting is not available."
    assert answer(await member.press(f"mt:shred:{meeting.id}")) == "This meeting is not available."
    member_id = 2
    leave = f"lv:approve:{meeting.id}:{member_id}"
    for outsider in (resident, member):
        assert answer(await outsider.press(leave)) == "This is for the committee office's staff."
    assert answer(await office.press(leave)) == "This request was already decided."
    assert (
        answer(await office.press(f"lv:adopt:{meeting.id}:{member_id}"))
        == "This button is not valid."
    )
    assert answer(await office.press("sm:view:4242")) == "This meeting is not available."
    assert answer(await office.press("si:view:4242")) == "This case is not available."
    assert "committee members" in answer(await resident.press(f"mt:attend:{meeting.id}"))
    assert answer(await member.press("ai:view:1")) == "This case is not available."
    sent = await resident.send("/newmeeting")
    assert "committee office's staff" in resident.texts(sent)[0]


async def test_member_meeting_list_answers_and_reminder_buttons(
    office: ChatUser, member: ChatUser, roster: Database
) -> None:
    await set_up_meeting(office)
    sent = await member.send("📅 Meetings")
    assert "Your upcoming meetings" in member.texts(sent)[0]
    sent = await member.press(member.button("Elderly care"))
    assert "Your answer: not answered yet" in member.texts(sent)[0]
    await member.press(member.button("Ask for leave"))
    sent = await member.sticker()
    assert "answer with text" in member.texts(sent)[0]
    sent = await member.send("x")
    assert "give a reason" in member.texts(sent)[0]
    await member.send("A family matter that day")
    await member.send("📅 Meetings")
    sent = await member.press(member.button("Elderly care"))
    assert "Your answer: leave requested" in member.texts(sent)[0]
    sent = await member.press(member.button("I will attend"))
    assert "Your answer: attending" in member.texts(sent)[-1]
    sent = await member.press("mm:progress")
    assert "My progress" in member.texts(sent)[0]
    sent = await member.press("mm:log")
    assert "Step 1 of 8" in member.texts(sent)[-1]
    assert "This button is not valid." in member.texts(await member.press("mm:dance"))


async def test_inviting_a_sector_or_named_members(
    office: ChatUser, member: ChatUser, roster: Database
) -> None:
    await office.send("/newmeeting")
    await office.press(office.button("Sector consultation"))
    await office.send("Teachers' workload")
    await office.send(START_LOCAL)
    await office.send("16:00")
    await office.send("Station hall")
    await office.press(office.button("By sector"))
    sent = await office.press(office.button("Education"))
    assert "Invited: Education (1 members)" in office.texts(sent)[0]
    await office.send("The new homework rules")
    sent = await office.send("⏭ Skip")
    assert "Agenda:" in office.texts(sent)[-1]
    await office.press(office.button("Invited"))
    await office.press(office.button("Named members"))
    sent = await office.send("M002, nobody")
    assert "Not found or not unique: nobody" in office.texts(sent)[0]
    sent = await office.send("M002, 王志强")
    assert "Invited: 李文静、王志强 (2 members)" in office.texts(sent)[-1]
    # A press on a card this chat never had is refused, and creates nothing.
    sent = await office.press("0123456789abcdef\x1dcreate")
    assert "out of date" in answer(sent)
    await office.tap("Invited")
    # Forged items on the form's own cards: an audience kind and a committee that do not exist.
    data, message_id = office.button_on_message("By special committee")
    sent = await office.press(forged(data, "everyone"), message_id=message_id)
    assert answer(sent) == "This button is not valid."
    await office.tap("By special committee")
    data, message_id = office.button_on_message("Economic Committee")
    sent = await office.press(forged(data, "nowhere"), message_id=message_id)
    assert answer(sent) == "This button is not valid."
    async with roster.session() as session:
        assert (await session.execute(select(func.count()).select_from(Meeting))).scalar() == 0


async def test_staff_meeting_actions_are_audited(
    office: ChatUser, second_member: ChatUser, roster: Database
) -> None:
    from services.audit import list_entries

    await set_up_meeting(office)
    [invitation] = [
        row for row in await outbox(roster, "meeting-invitation") if row.chat_id == 7002
    ]
    await second_member.press(button_data(invitation, "Ask for leave"))
    await second_member.send("Travelling")
    [request] = await outbox(roster, "meeting-leave-request")
    await office.press(button_data(request, "Refuse"))
    async with roster.session() as session:
        entries = await list_entries(session, object_kind="meeting")
    assert [(e.action, e.actor_name) for e in entries] == [
        ("meeting.leave", "王芳"),
        ("meeting.create", "王芳"),
    ]
    assert '"response": "leave_refused"' in (entries[0].after or "")


async def test_staff_reach_their_meetings_list_by_command(office: ChatUser) -> None:
    sent = await office.send("/meetings")
    assert "No upcoming meetings" in office.texts(sent)[0]
    await set_up_meeting(office)
    sent = await office.send("/meetings")
    assert "Upcoming meetings" in office.texts(sent)[0]
    assert office.button("Elderly care in old neighbourhoods")
