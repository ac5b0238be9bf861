"""A member logs activities: the full dialog, the shortcut, edits, and every refusal."""

from __future__ import annotations

import datetime as dt

import pytest
from aiogram.methods import AnswerCallbackQuery
from sqlalchemy import select

from handlers.states import ActivityForm
from services.clock import ManualClock
from storage.db import Database, write_transaction
from storage.models import Activity, ActivityPairedPerson, ActivityPhoto, ActivityRevision
from tests.support.chat import ChatUser, forged
from tests.support.state import entry_of


async def activities(db: Database) -> list[Activity]:
    async with db.session() as session:
        return list((await session.execute(select(Activity).order_by(Activity.id))).scalars())


async def log_full(member: ChatUser, *, people: str = "12") -> list[str]:
    await member.send("🗓 Log an activity")
    await member.press(member.button("Forum with sector group people"))
    await member.press(member.button("Yesterday"))
    await member.press(member.button("My sector"))
    await member.send(people)
    await member.press(member.button("王丽"))
    await member.press(member.button("赵敏"))
    await member.press(member.button("Done"))
    await member.press(member.button("Jingde"))
    await member.send("Forum with teachers about after-school care and homework load.")
    await member.photo("act-1")
    await member.send("✅ Done")
    return member.texts()


async def test_full_dialog_saves_everything(member: ChatUser, roster: Database) -> None:
    texts = await log_full(member)
    review = texts[-1]
    for part in (
        "Kind: Forum with sector group people",
        "Date: 2026-11-19",
        "Sector: Education",
        "People reached: 12",
        "Paired people: 王丽、赵敏",
        "Place: Jingde Street Community Liaison Station",
        "Photos: 1",
    ):
        assert part in review
    sent = await member.press(member.button("Save"))
    assert "This quarter: 1 qualifying activities (minimum 1)" in member.texts(sent)[-1]
    assert "This year: 12 of 40 person-times" in member.texts(sent)[-1]
    [activity] = await activities(roster)
    assert (activity.kind, activity.occurred_on, activity.people_count) == (
        "liaison-forum",
        dt.date(2026, 11, 19),
        12,
    )
    async with roster.session() as session:
        photos = (await session.execute(select(ActivityPhoto.file_id))).scalars().all()
        paired = (await session.execute(select(ActivityPairedPerson))).scalars().all()
    assert photos == ["act-1"] and len(paired) == 2


async def test_progress_card(member: ChatUser) -> None:
    await log_full(member)
    await member.press(member.button("Save"))
    sent = await member.send("📊 My progress")
    card = member.texts(sent)[0]
    for part in (
        "2026 Q4",
        "42 days left",
        "✅ Liaison activities this quarter: 1 (minimum 1)",
        "Person-times: 12 of 40",
        "⬜ Attend a plenary session",
        "⬜ Take part in a sector activity",  # a forum is not the sector activity
        "• 王丽 — last contacted 2026-11-19",
        "• 刘强 — not contacted yet",
        "2026-11-19 · Forum with sector group people · 12 people",
    ):
        assert part in card, part


async def test_shortcut_with_confirmation(member: ChatUser, roster: Database) -> None:
    sent = await member.send("/log 2026-11-20 12 teachers' forum on after-school care")
    review = member.texts(sent)[-1]
    assert "Kind: Visit to sector group people" in review and "People reached: 12" in review
    assert "teachers' forum on after-school care" in review
    assert await activities(roster) == []
    await member.press(member.button("Save"))
    assert len(await activities(roster)) == 1


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/log tomorrow 12 forum with the teachers", "Write it like this"),
        ("/log 2026-11-21 12 forum with the teachers", "in the future"),
        ("/log 2026-06-30 12 forum with the teachers", "from 2026-07-01 on"),
        ("/log 2026-11-20 0 forum with the teachers", "from 1 to 500"),
        ("/log 2026-11-20 10000 forum with the teachers", "from 1 to 500"),
        ("/log 2026-11-20 12 short", "too short"),
        ("/log 2026-11-20 12 " + "x" * 1001, "too long"),
        ("/log 2026-11-20", "Write it like this"),
    ],
)
async def test_shortcut_refusals(
    member: ChatUser, roster: Database, command: str, expected: str
) -> None:
    sent = await member.send(command)
    assert expected in member.texts(sent)[0]
    assert await activities(roster) == []


async def test_bad_input_in_the_dialog_keeps_what_was_entered(
    member: ChatUser, clock: ManualClock
) -> None:
    await member.send("🗓 Log an activity")
    await member.press(member.button("Visit to sector group people"))
    for typed, expected in (
        ("2026-11-25", "in the future"),
        ("2026-01-05", "from 2026-07-01 on"),
        ("someday", "Please type the date like 2026-11-20"),
    ):
        sent = await member.send(typed)
        assert expected in member.texts(sent)[0]
    sent = await member.send("2026-11-18")
    await member.press(member.button("My sector"))
    for typed in ("0", "10000", "many", "-3"):
        sent = await member.send(typed)
        assert "from 1 to 500" in member.texts(sent)[0]
    sent = await member.sticker()
    assert "answer with text" in member.texts(sent)[0]
    state, data = await entry_of(member)
    assert state == ActivityForm.people.state
    assert (data["kind"], data["day"]) == ("liaison-visit", "2026-11-18")
    await member.send("30人")
    await member.press(member.button("Done"))
    await member.send("x" * 101)
    assert "too long" in member.texts()[-1]
    await member.send("Community hall")
    sent = await member.send("too short")
    assert "a bit short" in member.texts(sent)[0]
    sent = await member.send("y" * 1001)
    assert "too long: 1001 characters" in member.texts(sent)[0]
    await member.send("Visited the after-school classes at the community hall.")
    clock.advance(dt.timedelta(minutes=1))  # a real person is slower than the flood limit
    for index in range(5):
        await member.photo(f"p{index}")
    sent = await member.photo("p5")
    assert "At most 5 photos" in member.texts(sent)[0]
    await member.document("application/pdf")
    assert "Please send a photo" in member.texts()[-1]
    sent = await member.send("✅ Done")
    review = member.texts(sent)[-1]
    assert "People reached: 30" in review and "Place: Community hall" in review


async def test_edit_from_the_review_and_within_seven_days(
    member: ChatUser, roster: Database, clock: ManualClock
) -> None:
    await log_full(member)
    await member.press(member.button("People"))
    sent = await member.send("15")
    assert "People reached: 15" in member.texts(sent)[-1]
    await member.press(member.button("Save"))
    clock.advance(dt.timedelta(days=6))
    await member.send("🗂 My activities")
    await member.press(member.button("2026-11-19"))
    await member.press(member.button("Edit"))
    await member.press(member.button("Summary"))
    await member.send("Forum with teachers; the school agreed to extend the library hours.")
    sent = await member.press(member.button("Save the changes"))
    assert "Saved" in member.texts(sent)[-1]
    [activity] = await activities(roster)
    assert activity.summary.startswith("Forum with teachers; the school agreed")
    async with roster.session() as session:
        actions = (await session.execute(select(ActivityRevision.action))).scalars().all()
    assert actions == ["created", "edited"]
    await member.send("🗂 My activities")
    sent = await member.press(member.button("2026-11-19"))
    assert "logged" in member.texts(sent)[0] and "edited" in member.texts(sent)[0]


async def test_no_edit_or_delete_after_seven_days(
    member: ChatUser, roster: Database, clock: ManualClock
) -> None:
    await log_full(member)
    await member.press(member.button("Save"))
    assert len(await activities(roster)) == 1
    clock.advance(dt.timedelta(days=8))
    await member.send("🗂 My activities")
    sent = await member.press(member.button("2026-11-19"))
    assert [text for text, _ in member.inline_buttons()] == ["◀ Back to my activities"]
    # Buttons the card no longer draws, forged with the card's own dialog id.
    for widget in ("edit", "delete"):
        sent = await member.press(forged(member, widget))
        alerts = [r.text for r in sent if isinstance(r, AnswerCallbackQuery) and r.text]
        assert any("for 7 days after they are logged" in text for text in alerts)
    await member.press(forged(member, "delete_confirmed"))  # a button of another card
    assert len(await activities(roster)) == 1
    [stored] = await activities(roster)
    assert stored.deleted_at is None


async def test_delete_asks_first(member: ChatUser, roster: Database) -> None:
    await log_full(member)
    await member.press(member.button("Save"))
    await member.send("/activities")
    await member.press(member.button("2026-11-19"))
    sent = await member.press(member.button("Delete"))
    assert "Delete this entry?" in member.texts(sent)[0]
    await member.press(member.button("Yes, delete it"))
    [activity] = await activities(roster)
    assert activity.deleted_at is not None
    sent = await member.send("/activities")
    assert "not logged any activity yet" in member.texts(sent)[0]


async def test_cancel_discards_the_entry(member: ChatUser, roster: Database) -> None:
    await member.send("🗓 Log an activity")
    await member.press(member.button("Training"))
    sent = await member.send("✖ Cancel")
    assert "activity entry was discarded" in member.texts(sent)[0]
    assert (await entry_of(member))[0] is None


async def test_a_card_left_open_while_the_entry_changed_elsewhere_is_out_of_date(
    member: ChatUser, roster: Database
) -> None:
    await log_full(member)
    await member.press(member.button("Save"))
    await member.send("🗂 My activities")
    await member.press(member.button("2026-11-19"))
    stale_delete = member.button("Delete")
    # The same member changes the entry from their other chat (the web chat) meanwhile.
    [activity] = await activities(roster)
    async with roster.session() as session, write_transaction(session):
        stored = await session.get(Activity, activity.id)
        assert stored is not None
        stored.people_count = 25
        stored.updated_at = stored.updated_at + dt.timedelta(minutes=1)
        session.add(
            ActivityRevision(
                activity_id=activity.id or 0, at=stored.updated_at, action="edited", snapshot="{}"
            )
        )

    sent = await member.press(stale_delete)
    alerts = [r.text for r in sent if isinstance(r, AnswerCallbackQuery) and r.text]
    assert any("This card is out of date" in text for text in alerts)
    card = member.texts(sent)[-1]
    assert "People reached: 25" in card and "edited" in card
    [activity] = await activities(roster)
    assert activity.deleted_at is None
    # Drawn again, the card's own buttons work.
    await member.press(member.button("Delete"))
    await member.press(member.button("Yes, delete it"))
    [activity] = await activities(roster)
    assert activity.deleted_at is not None
