"""An unsaved activity entry is never lost without asking: /log and Edit offer to keep it first.

The menu button already did so; the ``/log`` shortcut and "Edit" under My activities used to
clear the open entry silently.
"""

from __future__ import annotations

from aiogram.methods import AnswerCallbackQuery
from sqlalchemy import select

from handlers.states import ActivityForm
from storage.db import Database
from storage.models import Activity
from tests.support.chat import ChatUser
from tests.support.state import draft_of

OPEN = "You have an activity entry that is not saved yet."
SHORTCUT = "/log 2026-11-20 12 teachers' forum on after-school care"


async def activities(db: Database) -> list[Activity]:
    async with db.session() as session:
        return list((await session.execute(select(Activity).order_by(Activity.id))).scalars())


async def open_entry(member: ChatUser) -> None:
    """A training entry, three steps in, waiting for the number of people."""
    await member.send("🗓 Log an activity")
    await member.press(member.button("Training"))
    await member.press(member.button("Today"))
    await member.press(member.button("My sector"))
    state, data = await draft_of(member)
    assert state == ActivityForm.people.state and data["kind"] == "training"


def labels(member: ChatUser) -> list[str]:
    return [text for text, _data in member.inline_buttons()]


def alert(sent: list[object]) -> str:
    answers = [r for r in sent if isinstance(r, AnswerCallbackQuery)]
    assert answers, sent
    return str(answers[-1].text)


async def test_the_shortcut_asks_before_replacing_an_open_entry(
    member: ChatUser, roster: Database
) -> None:
    await open_entry(member)
    before = await draft_of(member)
    sent = await member.send(SHORTCUT)
    assert OPEN in member.texts(sent)
    assert labels(member) == ["▶ Continue the entry", "🗑 Discard it and log this one"]
    state, data = await draft_of(member)
    assert state == before[0] and data["draft"] == before[1]["draft"]
    assert data["kind"] == "training" and await activities(roster) == []

    sent = await member.press(member.button("Continue the entry"))
    assert "How many people did you reach" in member.texts(sent)[-1]
    assert (await draft_of(member))[0] == ActivityForm.people.state

    await member.send(SHORTCUT)
    sent = await member.press(member.button("Discard it and log this one"))
    texts = member.texts(sent)
    assert "Entry discarded." in texts
    assert "Kind: Visit to sector group people" in texts[-1]
    assert "People reached: 12" in texts[-1]
    state, data = await draft_of(member)
    assert state == ActivityForm.review.state and data["draft"] != before[1]["draft"]
    assert "pending_shortcut" not in data
    await member.press(member.button("Save"))
    [activity] = await activities(roster)
    assert (activity.kind, activity.people_count) == ("liaison-visit", 12)
    assert activity.summary == "teachers' forum on after-school care"


async def test_a_shortcut_under_review_is_kept_too_and_old_choices_expire(
    member: ChatUser, roster: Database
) -> None:
    await member.send("/log 2026-11-20 8 visited the teachers at the primary school")
    first = await draft_of(member)
    assert first[0] == ActivityForm.review.state
    sent = await member.send(SHORTCUT)
    assert OPEN in member.texts(sent)
    older = member.button("Discard it and log this one")
    await member.send("/log 2026-11-19 30 parents' meeting about the school canteen")
    sent = await member.press(older)  # replaced by the newer line
    assert "That choice has expired" in alert(sent)
    assert (await draft_of(member))[1]["people"] == first[1]["people"] == 8

    newer = member.button("Discard it and log this one")
    sent = await member.press(member.button("Continue the entry"))
    assert "People reached: 8" in member.texts(sent)[-1]
    await member.press(member.button("Save"))
    sent = await member.press(newer)  # its draft is saved and gone
    assert "That choice has expired" in alert(sent)
    assert await draft_of(member) == (None, {})
    [activity] = await activities(roster)
    assert activity.people_count == 8


async def test_edit_asks_before_replacing_an_open_entry(member: ChatUser, roster: Database) -> None:
    await member.send("/log 2026-11-20 8 visited the teachers at the primary school")
    await member.press(member.button("Save"))
    [saved] = await activities(roster)
    await open_entry(member)
    before = await draft_of(member)

    await member.send("🗂 My activities")
    await member.press(member.button("2026-11-20"))
    sent = await member.press(member.button("Edit"))
    assert OPEN in member.texts(sent)
    assert labels(member) == ["▶ Continue the entry", "🗑 Discard it and edit this entry"]
    assert await draft_of(member) == before

    sent = await member.press(member.button("Continue the entry"))
    assert "How many people did you reach" in member.texts(sent)[-1]
    assert await draft_of(member) == before

    await member.press(f"av:edit:{saved.id}:0")
    sent = await member.press(member.button("Discard it and edit this entry"))
    texts = member.texts(sent)
    assert "Entry discarded." in texts and "People reached: 8" in texts[-1]
    state, data = await draft_of(member)
    assert state == ActivityForm.review.state and data["activity_id"] == saved.id
    await member.press(member.button("People"))
    await member.send("9")
    await member.press(member.button("Save the changes"))
    [activity] = await activities(roster)
    assert activity.id == saved.id and activity.people_count == 9


async def test_edit_without_an_open_entry_goes_straight_to_the_review(
    member: ChatUser, roster: Database
) -> None:
    await member.send("/log 2026-11-20 8 visited the teachers at the primary school")
    await member.press(member.button("Save"))
    [saved] = await activities(roster)
    sent = await member.press(f"av:edit:{saved.id}:0")
    assert OPEN not in member.texts(sent)
    assert "Please check the activity" in member.texts(sent)[-1]
    # A discard-and-edit button pressed late, with nothing open, just opens the entry.
    await member.press(member.button("Discard"))
    sent = await member.press(f"av:replace:{saved.id}:0")
    assert "Entry discarded." not in member.texts(sent)
    assert (await draft_of(member))[1]["activity_id"] == saved.id
