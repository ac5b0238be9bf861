"""A member's upcoming meetings as a dialog: paging, the card, ways in from notices, refusals."""

from __future__ import annotations

import datetime as dt
import re

from aiogram.methods import AnswerCallbackQuery, SendDocument
from aiogram.types import BufferedInputFile

from bot.app import AppContext, build_dispatcher
from handlers.states import MemberMeetings
from services.meetings.invitations import MeetingInput, create_meeting
from storage.db import Database
from tests.support.chat import ChatUser, forged
from tests.support.members import NOW
from tests.support.notices import notifier
from tests.support.state import dialog_stack, draft_of


def answer(sent: list[object]) -> str:
    return str([r for r in sent if isinstance(r, AnswerCallbackQuery)][-1].text)


async def meeting(db: Database, title: str, *, days: int, audience: str = "all") -> int:
    """A meeting ``days`` from the tests' "now", for the audience given."""
    async with db.session() as session:
        created = await create_meeting(
            session,
            data=MeetingInput(
                kind="bimonthly",
                title=title,
                starts_at=NOW + dt.timedelta(days=days),
                ends_at=NOW + dt.timedelta(days=days, hours=2),
                venue="Committee hall",
                audience=[audience],
            ),
            staff_id=None,
            now=NOW,
            notifier=notifier(),
        )
    assert created.id is not None
    return created.id


async def test_the_list_pages_soonest_first(member: ChatUser, roster: Database) -> None:
    for day in range(1, 8):
        await meeting(roster, f"Session {day}", days=day)
    sent = await member.send("📅 Meetings")
    assert "Your upcoming meetings</b> Page 1 of 2." in member.texts(sent)[0]
    labels = [label for label, _ in member.inline_buttons()]
    assert [label.split(" · ")[1] for label in labels[:5]] == [f"Session {d}" for d in range(1, 6)]
    assert labels[-1] == "Later ▶"
    sent = await member.tap("Later")
    assert "Page 2 of 2." in member.texts(sent)[0]
    labels = [label for label, _ in member.inline_buttons()]
    assert [label.split(" · ")[1] for label in labels[:2]] == ["Session 6", "Session 7"]
    assert labels[-1] == "◀ Sooner"
    sent = await member.tap("Sooner")
    assert "Page 1 of 2." in member.texts(sent)[0]
    sent = await member.tap("Session 2")
    card = member.texts(sent)[0]
    assert "Session 2" in card and "Your answer: not answered yet" in card
    sent = await member.tap("I will attend")
    assert answer(sent) == "Noted: you will attend."
    assert "Your answer: attending" in member.texts(sent)[-1]
    assert "I will attend" not in [label for label, _ in member.inline_buttons()]
    sent = await member.tap("calendar")
    [calendar] = [r for r in sent if isinstance(r, SendDocument)]
    # The name travels with the upload: it is what the phone saves and opens the file as.
    assert isinstance(calendar.document, BufferedInputFile)
    assert re.fullmatch(r"meeting-\d+\.ics", calendar.document.filename or "")
    sent = await member.tap("◀ Back")
    assert "Session 2 · attending" in " ".join(label for label, _ in member.inline_buttons())


async def test_only_the_members_own_meetings(member: ChatUser, roster: Database) -> None:
    await meeting(roster, "Teachers' forum", days=2, audience="sector:education")
    elsewhere = await meeting(roster, "Doctors' forum", days=3, audience="sector:medicine")
    sent = await member.send("/meetings")
    labels = " ".join(label for label, _ in member.inline_buttons())
    assert "Teachers' forum" in labels and "Doctors' forum" not in labels
    # A forged item on the list: a meeting the member is not invited to, or no meeting at all.
    for item in (str(elsewhere), "424242", "x"):
        sent = await member.press(forged(member, f"meeting:{item}"))
        assert answer(sent) == "This meeting is not available."
        assert all(isinstance(request, AnswerCallbackQuery) for request in sent)
    assert (await draft_of(member))[0] == MemberMeetings.list.state
    # The card's buttons are not on the list: refused before anything happens.
    sent = await member.press(forged(member, "attend"))
    assert answer(sent) == "This button is no longer active. Please use the menu."


async def test_a_list_button_after_the_list_was_closed(member: ChatUser, roster: Database) -> None:
    await meeting(roster, "Elderly care", days=2)
    await member.send("📅 Meetings")
    card = member.button("Elderly care")
    await member.send("/cancel")
    sent = await member.press(card)
    assert "out of date" in answer(sent)
    assert not any("Your answer" in text for text in member.texts(sent))


async def test_the_card_from_a_notice_and_after_a_restart(
    app: AppContext, member: ChatUser, roster: Database
) -> None:
    meeting_id = await meeting(roster, "Elderly care", days=2)
    sent = await member.press(f"mt:view:{meeting_id}")
    assert "Your answer: not answered yet" in member.texts(sent)[0]
    # A new Dispatcher on the same database is a restarted process: the card still answers.
    restarted = ChatUser(build_dispatcher(app), member.bot, user_id=member.user.id)
    sent = await restarted.tap("I will attend")
    assert "Your answer: attending" in restarted.texts(sent)[-1]
    sent = await restarted.tap("◀ Back")
    assert "Elderly care · attending" in " ".join(label for label, _ in restarted.inline_buttons())


async def test_the_list_on_top_of_an_unsaved_entry(member: ChatUser, roster: Database) -> None:
    await meeting(roster, "Elderly care", days=2)
    await member.send("🗓 Log an activity")
    entry = await dialog_stack(member)
    await member.send("📅 Meetings")
    await member.tap("Elderly care")
    stack = await dialog_stack(member)
    assert stack[0] == entry[0] and stack[-1][0] == MemberMeetings.card.state
    await member.tap("◀ Back")
    sent = await member.tap("Continue the entry")
    assert "Step 1 of 8" in member.texts(sent)[-1]
    assert await dialog_stack(member) == entry
