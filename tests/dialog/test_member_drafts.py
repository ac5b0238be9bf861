"""An unsaved activity entry is never lost without asking: /log and Edit offer to keep it first.

The entry is a dialog kept in the bot's storage: it survives a restart, and a button of a card
whose dialog has moved on or ended is refused.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.methods import AnswerCallbackQuery
from sqlalchemy import select

from bot.app import AppContext, build_dispatcher
from handlers.states import ActivityForm
from storage.db import Database
from storage.models import Activity
from tests.dialog.conftest import invitation
from tests.support.chat import ChatUser
from tests.support.members import import_sample
from tests.support.state import dialog_stack, entry_of

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
    state, data = await entry_of(member)
    assert state == ActivityForm.people.state and data["kind"] == "training"


def labels(member: ChatUser) -> list[str]:
    return [text for text, _data in member.inline_buttons()]


def alert(sent: list[object]) -> str:
    answers = [r for r in sent if isinstance(r, AnswerCallbackQuery) and r.text]
    assert answers, sent
    return str(answers[-1].text)


async def test_the_shortcut_asks_before_replacing_an_open_entry(
    member: ChatUser, roster: Database
) -> None:
    await open_entry(member)
    before = await entry_of(member)
    sent = await member.send(SHORTCUT)
    assert OPEN in member.texts(sent)
    assert labels(member) == ["▶ Continue the entry", "🗑 Discard it and log this one"]
    assert await entry_of(member) == before
    assert await activities(roster) == []

    sent = await member.press(member.button("Continue the entry"))
    assert "How many people did you reach" in member.texts(sent)[-1]
    assert (await entry_of(member))[0] == ActivityForm.people.state

    await member.send(SHORTCUT)
    sent = await member.press(member.button("Discard it and log this one"))
    texts = member.texts(sent)
    assert "Entry discarded." in texts
    assert "Kind: Visit to sector group people" in texts[-1]
    assert "People reached: 12" in texts[-1]
    state, data = await entry_of(member)
    assert state == ActivityForm.review.state and data["kind"] == "liaison-visit"
    assert [state for state, _data, _start in await dialog_stack(member)] == [state]
    await member.press(member.button("Save"))
    [activity] = await activities(roster)
    assert (activity.kind, activity.people_count) == ("liaison-visit", 12)
    assert activity.summary == "teachers' forum on after-school care"


async def test_a_shortcut_under_review_is_kept_too_and_old_choices_expire(
    member: ChatUser, roster: Database
) -> None:
    await member.send("/log 2026-11-20 8 visited the teachers at the primary school")
    first = await entry_of(member)
    assert first[0] == ActivityForm.review.state
    sent = await member.send(SHORTCUT)
    assert OPEN in member.texts(sent)
    older = member.button("Discard it and log this one")
    await member.send("/log 2026-11-19 30 parents' meeting about the school canteen")
    sent = await member.press(older)  # replaced by the newer line
    assert "out of date" in alert(sent)
    assert (await entry_of(member))[1]["people"] == first[1]["people"] == 8

    newer = member.button("Discard it and log this one")
    sent = await member.press(member.button("Continue the entry"))
    assert "People reached: 8" in member.texts(sent)[-1]
    await member.press(member.button("Save"))
    sent = await member.press(newer)  # its draft is saved and gone
    assert "out of date" in alert(sent)
    assert "conversation that has ended" in member.texts(sent)[-1]
    assert await entry_of(member) == (None, {})
    [activity] = await activities(roster)
    assert activity.people_count == 8


async def test_edit_asks_before_replacing_an_open_entry(member: ChatUser, roster: Database) -> None:
    await member.send("/log 2026-11-20 8 visited the teachers at the primary school")
    await member.press(member.button("Save"))
    [saved] = await activities(roster)
    await open_entry(member)
    before = await entry_of(member)

    await member.send("🗂 My activities")
    await member.press(member.button("2026-11-20"))
    sent = await member.press(member.button("Edit"))
    assert OPEN in member.texts(sent)
    assert labels(member) == ["▶ Continue the entry", "🗑 Discard it and edit this entry"]
    assert await entry_of(member) == before

    sent = await member.press(member.button("Continue the entry"))
    assert "How many people did you reach" in member.texts(sent)[-1]
    assert await entry_of(member) == before

    await member.send("🗂 My activities")
    await member.press(member.button("2026-11-20"))
    await member.press(member.button("Edit"))
    sent = await member.press(member.button("Discard it and edit this entry"))
    texts = member.texts(sent)
    assert "Entry discarded." in texts and "People reached: 8" in texts[-1]
    state, data = await entry_of(member)
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
    await member.send("🗂 My activities")
    await member.press(member.button("2026-11-20"))
    sent = await member.press(member.button("Edit"))
    assert OPEN not in member.texts(sent)
    assert "Please check the activity" in member.texts(sent)[-1]
    assert (await entry_of(member))[1]["activity_id"] == saved.id


async def test_an_entry_resumes_after_a_restart(
    member: ChatUser, roster: Database, app: AppContext
) -> None:
    await open_entry(member)
    await member.send("12")
    tick = member.button("王丽")
    # A new Dispatcher on the same database is a restarted process.
    restarted = ChatUser(build_dispatcher(app), member.bot, user_id=member.user.id)
    sent = await restarted.press(tick)
    assert any("☑ 王丽" in text for text, _data in restarted.inline_buttons()), sent
    await restarted.press(restarted.button("Done"))
    await restarted.press(restarted.button("Skip"))
    await restarted.send("Training on the new consultation rules for the sector.")
    sent = await restarted.send("⏭ Skip")
    review = restarted.texts(sent)[-1]
    assert "People reached: 12" in review and "Paired people: 王丽" in review
    await restarted.press(restarted.button("Save"))
    [activity] = await activities(roster)
    assert (activity.kind, activity.people_count) == ("training", 12)


async def test_an_entry_resumes_after_a_restart_on_redis(
    redis_app: AppContext, bot: Bot, sqlite_db: Database
) -> None:
    await import_sample(sqlite_db)
    redis_app.channels[bot.id] = "telegram"
    first = ChatUser(build_dispatcher(redis_app), bot, user_id=7001)
    await first.send(f"/start inv-{await invitation(sqlite_db)}")
    await open_entry(first)
    await first.dp.storage.close()
    restarted = ChatUser(build_dispatcher(redis_app), bot, user_id=7001)
    sent = await restarted.send("7")
    await restarted.dp.storage.close()
    assert "Did it reach any of the people you are paired with" in restarted.texts(sent)[-1]


async def test_a_card_of_a_saved_entry_is_refused(member: ChatUser, roster: Database) -> None:
    await member.send("/log 2026-11-20 8 visited the teachers at the primary school")
    people = member.button("People")
    await member.press(member.button("Save"))
    sent = await member.press(people)
    assert "out of date" in alert(sent)
    assert "conversation that has ended" in member.texts(sent)[-1]
    assert await entry_of(member) == (None, {})
    [activity] = await activities(roster)
    assert activity.people_count == 8


async def test_edit_from_the_review_comes_back_to_the_review(member: ChatUser) -> None:
    await member.send("/log 2026-11-20 8 visited the teachers at the primary school")
    sent = await member.tap("✏️ Date")
    assert "When was it?" in member.texts(sent)[-1]
    sent = await member.tap("Yesterday")
    assert "Date: 2026-11-19" in member.texts(sent)[-1]
    await member.tap("✏️ Sector")
    await member.tap("Another sector")
    sent = await member.tap("Medicine")
    assert "Sector: Medicine" in member.texts(sent)[-1]
    await member.tap("✏️ Place")
    sent = await member.send("Primary school hall")
    assert "Place: Primary school hall" in member.texts(sent)[-1]
    state, data = await entry_of(member)
    assert state == ActivityForm.review.state and not data["editing"]
    assert (data["day"], data["people"]) == ("2026-11-19", 8)


async def test_the_calendar_offers_only_the_allowed_days(member: ChatUser) -> None:
    await member.send("🗓 Log an activity")
    await member.tap("Training")
    labels = [text for text, _data in member.inline_buttons()]
    assert "🗓 2026-11" in labels and "[ 20 ]" in labels  # today, by the bot's clock
    assert "21" not in labels and "2026-12 ▶" not in labels  # nothing after today
    for month in ("2026-10", "2026-09", "2026-08", "2026-07"):
        await member.tap(f"◀ {month}")
    labels = [text for text, _data in member.inline_buttons()]
    assert "🗓 2026-07" in labels and "1" in labels
    assert not any(label.startswith("◀") for label in labels)  # not before the previous quarter
    sent = await member.tap("15")
    assert "Which sector's people took part?" in member.texts(sent)[-1]
    assert (await entry_of(member))[1]["day"] == "2026-07-15"


async def test_my_activities_during_an_entry_goes_back_to_it(member: ChatUser) -> None:
    await member.send("/log 2026-11-20 8 visited the teachers at the primary school")
    await member.press(member.button("Save"))
    await open_entry(member)
    before = await entry_of(member)
    await member.send("🗂 My activities")
    await member.tap("2026-11-20")
    await member.tap("Back to my activities")
    sent = await member.tap("Continue the entry")
    assert "How many people did you reach" in member.texts(sent)[-1]
    assert await entry_of(member) == before
    sent = await member.send("/cancel")
    assert "activity entry was discarded" in member.texts(sent)[0]
    assert await dialog_stack(member) == []


async def test_my_activities_pages_through_older_entries(
    member: ChatUser, roster: Database
) -> None:
    for day in range(10, 16):  # six entries: one more than a page
        await member.send(f"/log 2026-11-{day} 3 talked with the neighbours about parking")
        await member.press(member.button("Save"))
    await member.send("🗂 My activities")
    assert "Older ▶" in labels(member) and "◀ Newer" not in labels(member)
    assert "2026-11-15" in " ".join(labels(member))
    await member.tap("Older ▶")
    assert "2026-11-10" in " ".join(labels(member))
    assert "◀ Newer" in labels(member) and "Older ▶" not in labels(member)
    await member.tap("◀ Newer")
    assert "2026-11-15" in " ".join(labels(member))
