"""The meeting form and the meetings list on the dialog engine.

A half-set-up meeting survives a restart (on the database and on Redis), the review's edit
buttons lead back to the review, a card of a form that ended refuses its buttons, cancel
closes the form, and the list pages through the meetings and opens each one's card.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiogram import Bot
from aiogram.methods import AnswerCallbackQuery, SendPhoto
from sqlalchemy import func, select

from bot.app import AppContext, build_dispatcher
from services.meetings.invitations import MEETING_KINDS, MeetingInput, create_meeting
from storage.db import Database
from storage.models import Meeting
from tests.support.chat import ChatUser
from tests.support.notices import button_data, notifier, outbox
from tests.support.state import dialog_of

START = "2026-11-27 14:30"  # a week after the tests' "now"
TITLE = "Elderly care in old neighbourhoods"


def answer(sent: list[Any]) -> str:
    return str([r for r in sent if isinstance(r, AnswerCallbackQuery)][-1].text or "")


async def meetings(db: Database) -> list[Meeting]:
    async with db.session() as session:
        return list((await session.execute(select(Meeting).order_by(Meeting.id))).scalars())


async def to_the_review(office: ChatUser) -> list[Any]:
    await office.send("➕ New meeting")
    await office.tap("Bimonthly consultation")
    for text in (TITLE, START, "17:00", "Committee hall, 3rd floor"):
        await office.send(text)
    await office.tap("All members")
    await office.tap("Skip")  # the agenda, with the step's own button
    return await office.send("⏭ Skip")  # the materials, typed as on the old keyboard


async def test_a_restart_resumes_the_form(
    office: ChatUser, roster: Database, app: AppContext, bot: Bot
) -> None:
    await office.send("➕ New meeting")
    await office.tap("Bimonthly consultation")
    await office.send(TITLE)
    # A new Dispatcher on the same database is a restarted process.
    restarted = ChatUser(build_dispatcher(app), bot, user_id=office.user.id)
    sent = await restarted.send(START)
    assert "<b>Step 4 of 8</b>" in restarted.texts(sent)[-1]
    for text in ("17:00", "Committee hall, 3rd floor"):
        await restarted.send(text)
    await restarted.tap("All members")
    await restarted.tap("Skip")
    sent = await restarted.tap("Skip")
    assert f"Title: {TITLE}" in restarted.texts(sent)[-1]
    await restarted.tap("Create and invite")
    [meeting] = await meetings(roster)
    assert meeting.title == TITLE


async def test_on_redis_a_restart_resumes_the_form(
    office: ChatUser, redis_app: AppContext, bot: Bot
) -> None:
    redis_app.channels[bot.id] = "telegram"
    first = ChatUser(build_dispatcher(redis_app), bot, user_id=office.user.id)
    await first.send("/newmeeting")
    await first.tap("Bimonthly consultation")
    await first.dp.storage.close()
    restarted = ChatUser(build_dispatcher(redis_app), bot, user_id=office.user.id)
    sent = await restarted.send(TITLE)
    await restarted.dp.storage.close()
    assert "<b>Step 3 of 8</b>" in restarted.texts(sent)[-1]


async def test_edit_from_the_review_comes_back_to_the_review(
    office: ChatUser, roster: Database
) -> None:
    await to_the_review(office)
    sent = await office.tap("✏️ Title")
    assert office.texts(sent)[0] == "Editing the meeting…"
    assert "<b>Step 2 of 8</b>" in office.texts(sent)[-1]
    sent = await office.send("x")
    assert office.texts(sent) == ["Please give a title of 2 to 200 characters."]
    sent = await office.send("Care for the elderly")
    assert office.texts(sent)[0] == "Almost done."
    review = office.texts(sent)[-1]
    assert "Title: Care for the elderly" in review and "Venue: Committee hall" in review

    # A start after the end asks for the end again before the review.
    await office.tap("✏️ Start")
    sent = await office.send("2026-11-28 18:00")
    assert "<b>Step 4 of 8</b>" in office.texts(sent)[-1]
    sent = await office.send("19:30")
    assert "When: 2026-11-28 18:00 – 2026-11-28 19:30" in office.texts(sent)[-1]

    await office.tap("✏️ Kind")
    sent = await office.tap("Sector consultation")
    assert "Kind: Sector consultation" in office.texts(sent)[-1]
    await office.tap("Create and invite")
    [meeting] = await meetings(roster)
    assert (meeting.title, meeting.kind) == ("Care for the elderly", "sector")


async def test_the_cards_of_an_ended_form_are_refused(office: ChatUser, roster: Database) -> None:
    await to_the_review(office)
    create = office.button_on_message("Create and invite")
    title = office.button_on_message("✏️ Title")
    await office.press(create[0], message_id=create[1])
    for data, message_id in (create, title):
        sent = await office.press(data, message_id=message_id)
        assert "out of date" in answer(sent)
        assert "conversation that has ended" in " ".join(office.texts(sent))
    assert len(await meetings(roster)) == 1
    assert await dialog_of(office) == (None, {})


async def test_the_cards_of_a_discarded_form_are_refused(
    office: ChatUser, roster: Database
) -> None:
    await to_the_review(office)
    discard = office.button_on_message("Discard")
    create = office.button_on_message("Create and invite")
    sent = await office.press(discard[0], message_id=discard[1])
    assert "Nothing was sent." in office.texts(sent)[-1]
    sent = await office.press(create[0], message_id=create[1])
    assert "out of date" in answer(sent)
    assert await meetings(roster) == []


async def test_a_new_form_makes_the_older_cards_stale(office: ChatUser, roster: Database) -> None:
    await office.send("➕ New meeting")
    older = office.button_on_message("Bimonthly consultation")
    await office.send("➕ New meeting")
    sent = await office.press(older[0], message_id=older[1])
    assert "out of date" in answer(sent)
    assert "<b>Step 1 of 8</b>" in office.texts(sent)[-1]  # the current card, drawn again


async def test_cancel_closes_the_form(office: ChatUser, roster: Database) -> None:
    await office.send("➕ New meeting")
    await office.tap("Bimonthly consultation")
    sent = await office.send("✖ Cancel")
    assert office.texts(sent) == ["Cancelled; nothing was changed."]
    assert await dialog_of(office) == (None, {})
    sent = await office.send(TITLE)
    assert "Step 3 of 8" not in " ".join(office.texts(sent))


async def test_the_list_pages_and_opens_a_card(office: ChatUser, roster: Database) -> None:
    starts = dt.datetime(2026, 11, 27, 6, 30, tzinfo=dt.UTC)
    async with roster.session() as session:
        for day in range(10):
            await create_meeting(
                session,
                data=MeetingInput(
                    kind=MEETING_KINDS[0].code,
                    title=f"Meeting {day + 1:02d}",
                    starts_at=starts + dt.timedelta(days=day),
                    ends_at=starts + dt.timedelta(days=day, hours=2),
                    venue="Committee hall",
                    audience=["all"],
                ),
                staff_id=None,
                now=dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC),
                notifier=notifier(),
            )
    sent = await office.send("📅 Meetings")
    assert "<b>Upcoming meetings</b>" in office.texts(sent)[0]
    labels = [text for text, _data in office.inline_buttons()]
    assert "Meeting 01" in " ".join(labels) and "Meeting 09" not in " ".join(labels)
    sent = await office.tap(">")  # the next page
    labels = [text for text, _data in office.inline_buttons()]
    assert "Meeting 09" in " ".join(labels) and "Meeting 10" in " ".join(labels)
    sent = await office.tap("Meeting 10")
    assert "<b>Meeting 10</b>" in office.texts(sent)[-1]
    sent = await office.tap("QR")
    assert any(isinstance(request, SendPhoto) for request in sent)
    sent = await office.tap("◀ Back")
    assert "<b>Upcoming meetings</b>" in office.texts(sent)[-1]
    # Typing while the list is open goes on as if no list were there.
    sent = await office.send("hello")
    assert "Upcoming meetings" not in " ".join(office.texts(sent))


async def test_a_notice_opens_the_meeting_card(
    office: ChatUser, second_member: ChatUser, roster: Database
) -> None:
    await to_the_review(office)
    await office.tap("Create and invite")
    [invitation] = [
        row for row in await outbox(roster, "meeting-invitation") if row.chat_id == 7002
    ]
    await second_member.press(button_data(invitation, "Ask for leave"))
    await second_member.send("Travelling")
    [request] = await outbox(roster, "meeting-leave-request")
    [meeting] = await meetings(roster)
    # The nudge to staff carries "Open the meeting"; its data is the same for any notice.
    sent = await office.press(f"sm:view:{meeting.id}")
    card = office.texts(sent)[-1]
    assert f"<b>{TITLE}</b>" in card and "李文静" in card
    sent = await office.tap("◀ Back")
    assert TITLE in " ".join(text for text, _data in office.inline_buttons())
    assert request.chat_id == 8001
    async with roster.session() as session:
        assert (await session.execute(select(func.count()).select_from(Meeting))).scalar() == 1
