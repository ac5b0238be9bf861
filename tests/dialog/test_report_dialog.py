"""The report on the dialog engine: restarts, detours, edits from the review, stale cards."""

from __future__ import annotations

from aiogram import Bot
from aiogram.methods import AnswerCallbackQuery
from aiogram.types import ReplyKeyboardMarkup
from sqlalchemy import select

from bot.app import AppContext, build_dispatcher
from handlers.states import ReportForm
from storage.db import Database
from storage.models import Attachment, Issue
from tests.support.chat import ChatUser
from tests.support.flows import CASE_NUMBER, write_report_until_review
from tests.support.state import dialog_stack, draft_of

DESCRIPTION = "Cars block the fire lane at gate 3 every night after 8 pm."


async def at_photos(user: ChatUser) -> None:
    await user.send("/report")
    await user.tap("Bei'an")
    await user.tap("Parking")
    await user.send(DESCRIPTION)


def answers(sent: list[object]) -> list[str]:
    return [str(r.text) for r in sent if isinstance(r, AnswerCallbackQuery) and r.text]


async def test_photos_and_cards_survive_a_restart(
    app: AppContext, bot: Bot, sqlite_db: Database
) -> None:
    first = ChatUser(build_dispatcher(app), bot, user_id=3101)
    await first.send("/report")
    data, message_id = first.button_on_message("Bei'an")
    # A new process: a card drawn before the restart still works.
    second = ChatUser(build_dispatcher(app), bot, user_id=3101)
    sent = await second.press(data, message_id=message_id)
    assert "Step 2 of 6" in second.texts(sent)[-1]
    await second.tap("Parking")
    await second.send(DESCRIPTION)
    await second.photo("kept-0")
    await second.photo("kept-1")
    third = ChatUser(build_dispatcher(app), bot, user_id=3101)
    state, data = await draft_of(third)
    assert state == ReportForm.photos.state
    assert [photo["file_id"] for photo in data["photos"]] == ["kept-0", "kept-1"]
    sent = await third.send("✅ Done")
    assert "Step 5 of 6" in third.texts(sent)[0]
    await third.send("⏭ Skip")
    await third.tap("anonymous")
    sent = await third.tap("Submit")
    number = next(m.group(1) for t in third.texts(sent) if (m := CASE_NUMBER.search(t)))
    async with sqlite_db.session() as session:
        issue = (await session.execute(select(Issue).where(Issue.number == number))).scalar_one()
        files = (
            await session.execute(select(Attachment.file_id).where(Attachment.issue_id == issue.id))
        ).scalars()
        assert list(files) == ["kept-0", "kept-1"]


async def test_a_card_pressed_after_the_report_ended_is_refused(resident: ChatUser) -> None:
    await write_report_until_review(resident)
    edit = resident.button("Station")
    sent = await resident.tap("Discard")
    assert "Nothing was sent." in resident.texts(sent)
    sent = await resident.press(edit)
    assert answers(sent) == ["This card is out of date. Here is where you are now."]
    assert "conversation that has ended" in resident.texts(sent)[-1]
    assert await draft_of(resident) == (None, {})


async def test_every_edit_comes_back_to_the_review(resident: ChatUser) -> None:
    await write_report_until_review(resident)
    await resident.tap("✏️ Photos")
    await resident.photo("late-photo")
    sent = await resident.send("✅ Done")
    assert "Photos: 1" in resident.texts(sent)[-1]
    await resident.tap("✏️ Location")
    sent = await resident.location(38.4901, 106.2421)
    assert "Location: 38.49010, 106.24210" in resident.texts(sent)[-1]
    await resident.tap("✏️ Station")
    await resident.tap("nearest")
    await resident.location(38.4899, 106.2419)
    sent = await resident.tap("km")
    review = resident.texts(sent)[-1]
    assert "Please check your report" in review and "Station: Bei'an" in review
    state, data = await draft_of(resident)
    assert state == ReportForm.review.state and "near" not in data and "editing" not in data


async def test_detours_answer_and_keep_the_draft(resident: ChatUser) -> None:
    await at_photos(resident)
    await resident.photo("p0")
    before = await draft_of(resident)
    for detour in ("/help", "📍 Liaison stations", "/stations", "/mydata"):
        sent = await resident.send(detour)
        texts = resident.texts(sent)
        if "stations" in detour.lower():
            # The directory opens on top of the report and offers to go back to it.
            assert "Liaison stations" in texts[-1], detour
            assert resident.button("Continue my report"), detour
            assert (await dialog_stack(resident))[0][1] == before[1], detour
            continue
        assert "Your unfinished report is kept. Let's go on:" in texts, detour
        assert "Step 4 of 6" in texts[-1] and "You have added 1 so far." in texts[-1], detour
        assert await draft_of(resident) == before, detour
    await resident.send("/stations")
    sent = await resident.tap("Continue my report")
    assert "Step 4 of 6" in resident.texts(sent)[-1]
    assert await draft_of(resident) == before
    # The next message goes on with the report, also while the directory is open.
    await resident.send("📍 Liaison stations")
    sent = await resident.send("✅ Done")
    assert "Step 5 of 6" in resident.texts(sent)[0]


async def test_resume_or_start_over(resident: ChatUser) -> None:
    await at_photos(resident)
    sent = await resident.send("📝 Report an issue")
    assert resident.texts(sent) == ["You have a report that is not sent yet."]
    sent = await resident.send("some words")
    assert resident.texts(sent) == ["Please choose with the buttons above."]
    sent = await resident.tap("Continue")
    assert "Step 4 of 6" in resident.texts(sent)[-1]
    assert (await draft_of(resident))[1]["description"] == DESCRIPTION
    await resident.send("/report")
    sent = await resident.tap("start over")
    assert "Step 1 of 6" in resident.texts(sent)[-1]
    state, data = await draft_of(resident)
    assert state == ReportForm.station.state and "description" not in data


async def test_the_contact_question_does_not_keep_the_location_keyboard(
    resident: ChatUser,
) -> None:
    await resident.send("/report")
    await resident.press(resident.button("Bei'an"))
    await resident.press(resident.button("Parking"))
    await resident.send("Cars block the fire lane at gate 3 every night after 8 pm.")
    await resident.send("⏭ Skip")  # no photos
    sent = await resident.send("⏭ Skip")  # no location
    # The location's Skip is replaced by the report's own keyboard before the question.
    markups = [r.reply_markup for r in sent if getattr(r, "reply_markup", None)]
    assert isinstance(markups[0], ReplyKeyboardMarkup)
    assert "Skip" not in str(markups[0]) and "✖ Cancel" in str(markups[0])
    assert "Stay anonymous" in str(markups[-1])
