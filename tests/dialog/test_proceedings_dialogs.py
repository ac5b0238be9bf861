"""A consultation in the chat: members and guests book speeches and write remarks; staff call
the next speaker, record the steps and form the outcome; forged and out-of-scope presses refused.
"""

from __future__ import annotations

import datetime as dt

from aiogram import Dispatcher
from aiogram.filters import Command, CommandObject
from aiogram.methods import AnswerCallbackQuery
from aiogram.types import Message
from aiogram_dialog import DialogManager
from sqlalchemy import select

from handlers.consultation.entry import start_speaking
from services.accounts.identities import touch_identity
from services.clock import ManualClock
from storage.db import Database
from storage.models import (
    MeetingStep,
    OutboxMessage,
    Outcome,
    OutcomeGuest,
    RemoteRemark,
    SpeechBooking,
)
from tests.support.cases import NOW, staff_desk
from tests.support.chat import ChatUser, forged
from tests.support.proceedings import guest_pass, live_meeting


def alerts(sent: list[object]) -> list[str]:
    return [str(r.text) for r in sent if isinstance(r, AnswerCallbackQuery) and r.text]


async def _rows(db: Database, model: type) -> list:  # type: ignore[type-arg]
    async with db.session() as session:
        return list((await session.execute(select(model))).scalars())


async def _identity(db: Database, chat_id: int) -> int:
    async with db.session() as session:
        identity = await touch_identity(
            session, channel="telegram", chat_id=chat_id, chat_type="private", now=NOW
        )
        return identity.id or 0


def _guest_entry(dispatcher: Dispatcher) -> None:
    """What the guests' menu does: open the speaking screen of a meeting (``/speak ID``)."""

    async def speak(
        message: Message, command: CommandObject, dialog_manager: DialogManager
    ) -> None:
        await start_speaking(dialog_manager, int(command.args or 0))

    dispatcher.message.register(speak, Command("speak"))


async def test_member_books_and_writes_remarks_only_in_the_window(
    member: ChatUser, roster: Database, clock: ManualClock
) -> None:
    meeting_id = await live_meeting(roster, invited=("M001",))
    await member.press(f"mt:view:{meeting_id}")
    sent = await member.tap("Speeches and remarks")
    card = member.texts(sent)[-1]
    assert "&lt;老旧小区&gt;" in card and "Remarks are taken from" in card
    await member.tap("Book a speech")
    sent = await member.send("x")
    assert "2 to 200 characters" in member.texts(sent)[-1]
    sent = await member.send("加装电梯的资金来源")
    assert "Your speech is booked: number 1, 5 minutes." in member.texts(sent)
    assert "1. 加装电梯的资金来源 (5 min, waiting)" in member.texts(sent)[-1]
    assert "Book a speech" not in " ".join(label for label, _ in member.inline_buttons())
    await member.tap("Write a remark")
    sent = await member.send("支持加装，<建议>分摊")
    assert "Your remark is sent to the meeting." in member.texts(sent)
    # The meeting is over by the time the next remark arrives: refused, and kept.
    await member.tap("Write a remark")
    clock.set(NOW + dt.timedelta(hours=3))
    sent = await member.send("会后补充一条")
    texts = member.texts(sent)
    assert any("Remarks are taken only from" in text and "kept" in text for text in texts)
    assert "会后补充一条" in texts[-1] and "kept, not sent yet" in texts[-1]
    remarks = await _rows(roster, RemoteRemark)
    assert [r.text for r in remarks] == ["支持加装，<建议>分摊"]
    bookings = await _rows(roster, SpeechBooking)
    assert [(b.title, b.position) for b in bookings] == [("加装电梯的资金来源", 1)]


async def test_forged_withdrawal_and_other_meetings_refused(
    member: ChatUser, second_member: ChatUser, roster: Database
) -> None:
    meeting_id = await live_meeting(roster, invited=("M001", "M002"))
    elsewhere = await live_meeting(roster, invited=("M002",))
    await second_member.press(f"mt:view:{meeting_id}")
    await second_member.tap("Speeches and remarks")
    await second_member.tap("Book a speech")
    await second_member.send("第二位委员的发言")
    [theirs] = await _rows(roster, SpeechBooking)
    await member.press(f"mt:view:{meeting_id}")
    await member.tap("Speeches and remarks")
    # Another member's booking id on a forged "withdraw" button.
    sent = await member.press(forged(member, f"withdraw:{theirs.id}"))
    assert alerts(sent) == ["This speech is not available."]
    assert (await _rows(roster, SpeechBooking))[0].state == "booked"
    # A meeting the member is not invited to.
    sent = await member.press(f"mt:view:{elsewhere}")
    assert alerts(sent) == ["This meeting is not available."]


async def test_guest_books_through_start_speaking_and_only_for_their_meeting(
    dispatcher: Dispatcher, roster: Database, member: ChatUser
) -> None:
    _guest_entry(dispatcher)
    meeting_id = await live_meeting(roster)
    elsewhere = await live_meeting(roster)
    guest = ChatUser(dispatcher, member.bot, user_id=9101)
    guest_id = await guest_pass(roster, meeting_id, await _identity(roster, 9101))
    sent = await guest.send(f"/speak {meeting_id}")
    assert "Book a speech" in " ".join(label for label, _ in guest.inline_buttons())
    await guest.tap("Book a speech")
    sent = await guest.send("住建局关于资金的说明")
    assert "Your speech is booked: number 1, 5 minutes." in guest.texts(sent)
    await guest.tap("Write a remark")
    await guest.send("我们会配合")
    [booking] = await _rows(roster, SpeechBooking)
    assert (booking.guest_id, booking.member_id) == (guest_id, None)
    # The pass opens its own meeting only: another meeting shows nothing to press.
    sent = await guest.send(f"/speak {elsewhere}")
    assert "This meeting is not available." in guest.texts(sent)[-1]
    sent = await guest.press(forged(guest, "book"))
    assert alerts(sent)
    assert len(await _rows(roster, SpeechBooking)) == 1


async def test_staff_call_next_record_steps_and_form_the_outcome(
    office: ChatUser, member: ChatUser, roster: Database, dispatcher: Dispatcher
) -> None:
    meeting_id = await live_meeting(roster, invited=("M001",))
    await member.press(f"mt:view:{meeting_id}")
    await member.tap("Speeches and remarks")
    await member.tap("Book a speech")
    await member.send("关于电梯维护")
    await office.send("/meetings")
    await office.tap("老旧小区")
    sent = await office.tap("Proceedings")
    assert "关于电梯维护" in office.texts(sent)[-1]
    sent = await office.tap("Call the next speaker")
    assert "Speech 1 is called." in alerts(sent)
    notices = [r for r in await _rows(roster, OutboxMessage) if r.kind == "speech-called"]
    assert len(notices) == 1 and "You are next to speak" in notices[0].payload
    await office.tap("张建华")
    sent = await office.tap("Spoken")
    assert "Marked as spoken." in alerts(sent)
    await office.tap("Steps")
    # A press of "Form the outcome" before confirmation is not on the card at all.
    sent = await office.press(forged(office, "form"))
    assert alerts(sent)
    for note in ("各方陈述", "充分讨论", "修改完善"):
        await office.tap("➡")
        await office.send(note)
    stale = office.button("➡")
    await office.tap("➡")
    sent = await office.send("-")
    assert "numbered line" in office.texts(sent)[-1]
    sent = await office.send("1. 设立专项资金\n2. 简化审批")
    assert "1. 设立专项资金" in office.texts(sent)[-1]
    steps = await _rows(roster, MeetingStep)
    assert [s.step for s in steps] == ["opinions", "discussion", "revision", "confirmation"]
    sent = await office.press(stale)
    assert alerts(sent)
    assert len(await _rows(roster, MeetingStep)) == 4
    sent = await office.tap("Form the outcome")
    assert "Outcome 2026-C-0001 is formed." in alerts(sent)
    sent = await office.tap("Form the outcome")
    assert "Outcome 2026-C-0001 was formed already." in alerts(sent)
    [outcome] = await _rows(roster, Outcome)
    assert outcome.source == "meeting" and outcome.meeting_id == meeting_id
    assert await _rows(roster, OutcomeGuest) == []


async def test_forged_speech_and_station_staff_refused(
    office: ChatUser, member: ChatUser, roster: Database, dispatcher: Dispatcher
) -> None:
    meeting_id = await live_meeting(roster, invited=("M001",))
    other = await live_meeting(roster, invited=("M001",), starts=dt.timedelta(minutes=-20))
    await member.press(f"mt:view:{other}")
    await member.tap("Speeches and remarks")
    await member.tap("Book a speech")
    await member.send("别的会议的发言")
    [elsewhere] = await _rows(roster, SpeechBooking)
    await office.send("/meetings")
    await office.press(office.inline_buttons()[0][1])
    await office.tap("Proceedings")
    sent = await office.press(forged(office, f"speech:{elsewhere.id}"))
    assert alerts(sent) == ["This speech is not available."]
    await staff_desk(roster, stations=("jf-beian",), name="站点", chat_id=8101)
    station = ChatUser(dispatcher, member.bot, user_id=8101)
    sent = await station.send("/meetings")
    assert "Meetings are run by the committee office's administrators." in station.texts(sent)
    sent = await station.press(forged(office, "call"))
    assert alerts(sent)
    assert [r for r in await _rows(roster, OutboxMessage) if r.kind == "speech-called"] == []
    assert meeting_id
