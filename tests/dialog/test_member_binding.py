"""Linking a chat to a member by invitation, and what that changes."""

from __future__ import annotations

import datetime as dt

from aiogram.types import ReplyKeyboardMarkup

from services.clock import ManualClock
from storage.db import Database
from tests.dialog.conftest import invitation
from tests.support.chat import ChatUser


async def test_invitation_links_the_chat_and_shows_the_member_menu(
    roster: Database, resident: ChatUser
) -> None:
    sent = await resident.send(f"/start inv-{await invitation(roster)}")
    assert "<b>张建华</b>, Education" in resident.texts(sent)[0]
    markup = sent[0].reply_markup  # type: ignore[attr-defined]
    assert isinstance(markup, ReplyKeyboardMarkup)
    assert markup.keyboard[0][0].text == "🗓 Log an activity"
    sent = await resident.send("/start")
    assert "Welcome, 张建华" in resident.texts(sent)[0]


async def test_used_expired_and_wrong_codes(
    roster: Database, resident: ChatUser, other_resident: ChatUser, clock: ManualClock
) -> None:
    code = await invitation(roster)
    await resident.send(f"/start inv-{code}")
    sent = await other_resident.send(f"/start inv-{code}")
    assert "already used" in other_resident.texts(sent)[0]
    fresh = await invitation(roster, "M002")
    clock.advance(dt.timedelta(days=8))
    sent = await other_resident.send(f"/bind {fresh}")
    assert "has expired" in other_resident.texts(sent)[0]
    sent = await other_resident.send("/bind NOTACODE")
    assert "not valid" in other_resident.texts(sent)[0]
    sent = await other_resident.send("/bind")
    assert "/bind K7Q2MX9PT3HW" in other_resident.texts(sent)[0]


async def test_six_wrong_codes_lock_the_chat(
    roster: Database, resident: ChatUser, clock: ManualClock
) -> None:
    for attempt in range(5):
        sent = await resident.send(f"/start inv-WRONG{attempt}")
        assert "not valid" in resident.texts(sent)[0]
        clock.advance(dt.timedelta(minutes=5))
    sent = await resident.send("/start inv-WRONG6")
    assert "Too many wrong codes" in resident.texts(sent)[0] and "11:25" in resident.texts(sent)[0]
    sent = await resident.send(f"/start inv-{await invitation(roster)}")
    assert "Too many wrong codes" in resident.texts(sent)[0]
    clock.advance(dt.timedelta(hours=1, minutes=1))
    sent = await resident.send(f"/start inv-{await invitation(roster)}")
    assert "now linked" in resident.texts(sent)[0]


async def test_residents_cannot_reach_member_features(resident: ChatUser) -> None:
    for text in ("/log 2026-11-20 12 forum with teachers", "/progress", "🗓 Log an activity"):
        sent = await resident.send(text)
        assert "This is for committee members" in resident.texts(sent)[0]
    for data in ("mt:view:1", "mm:log", "mm:progress"):
        sent = await resident.press(data)
        answer = sent[-1]
        assert answer.__api_method__ == "answerCallbackQuery"
        assert "This is for committee members" in answer.text  # type: ignore[attr-defined]


async def test_suspended_members_are_refused(roster: Database, member: ChatUser) -> None:
    async with roster.writing() as session:
        from sqlalchemy import update

        from storage.models import Member

        await session.execute(
            update(Member).where(Member.code == "M001").values(status="suspended")
        )
    sent = await member.send("/progress")
    assert "membership is not active" in member.texts(sent)[0]
    sent = await member.press("mm:progress")
    assert "membership is not active" in sent[-1].text  # type: ignore[attr-defined]
    sent = await member.send("/start")
    assert "Welcome to the CPPCC liaison desk" in member.texts(sent)[0]
