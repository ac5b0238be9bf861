"""Every member button that carries an id is checked again; forged or foreign ones are refused."""

from __future__ import annotations

import datetime as dt

import pytest
from aiogram.methods import AnswerCallbackQuery
from sqlalchemy import select

from handlers.states import ActivityForm
from storage.db import Database
from storage.models import Activity, PairedPerson
from tests.dialog.conftest import invitation
from tests.support.chat import ChatUser, forged
from tests.support.state import entry_of

NOT_VALID = "This button is not valid."
STALE = "This button is no longer active. Please use the menu."


def answer_text(sent: list[object]) -> str:
    """The answer that said something (the engine also answers every press, silently)."""
    answers = [r for r in sent if isinstance(r, AnswerCallbackQuery) and r.text]
    assert answers, sent
    return str(answers[-1].text)


async def at_step(member: ChatUser, step: str) -> None:
    await member.send("🗓 Log an activity")
    if step == "kind":
        return
    await member.press(member.button("Training"))
    if step == "date":
        return
    await member.press(member.button("Today"))
    if step == "sector":
        return
    if step == "sectors":
        await member.press(member.button("Another sector"))
        return
    await member.press(member.button("My sector"))
    await member.send("5")
    if step == "paired":
        return
    await member.press(member.button("Done"))


def raw(day: str) -> str:
    """A day as the calendar's buttons carry it."""
    return str((dt.date.fromisoformat(day) - dt.date(1970, 1, 1)).days * 86400)


@pytest.mark.parametrize(
    ("step", "widget", "expected"),
    [
        ("kind", "kind:karaoke", NOT_VALID),
        ("date", "day:not-a-date", NOT_VALID),
        ("date", f"day:{raw('2031-01-01')}", "in the future"),
        ("date", f"day:{raw('2020-01-01')}", "from 2026-07-01 on"),
        ("sectors", "sector:9999", NOT_VALID),
        ("sectors", "sector:x", NOT_VALID),
        ("place", "station:9999", NOT_VALID),
        # A button of another step's card changes nothing: the card is drawn again.
        ("kind", f"day:{raw('2026-11-20')}", None),
        ("kind", "save", None),
    ],
)
async def test_forged_buttons_inside_the_dialog(
    member: ChatUser, step: str, widget: str, expected: str | None
) -> None:
    await at_step(member, step)
    before = await entry_of(member)
    sent = await member.press(forged(member, widget))
    if expected is None:
        assert "What kind of activity was it?" in member.texts(sent)[-1]
    else:
        assert expected in answer_text(sent)
    assert await entry_of(member) == before


@pytest.mark.parametrize("data", ["ak:karaoke", "ad:2026-11-20", "ar:save:0123456789abcdef"])
async def test_buttons_of_no_card_draw_the_current_card_again(member: ChatUser, data: str) -> None:
    await at_step(member, "kind")
    before = await entry_of(member)
    sent = await member.press(data)
    # No handler takes it, so the open dialog draws its current card again.
    assert "What kind of activity was it?" in member.texts(sent)[-1]
    assert await entry_of(member) == before


async def test_someone_elses_paired_person(member: ChatUser, roster: Database) -> None:
    await at_step(member, "paired")
    async with roster.session() as session:
        foreign = (
            await session.execute(select(PairedPerson.id).where(PairedPerson.name == "陈芳"))
        ).scalar_one()
    sent = await member.press(forged(member, f"paired:{foreign}"))
    assert answer_text(sent) == NOT_VALID
    assert not any("陈芳" in text for text, _data in member.inline_buttons())
    state, data = await entry_of(member)
    assert state == ActivityForm.paired.state and data["paired"] == []


async def test_someone_elses_activity(
    member: ChatUser,
    roster: Database,
    dispatcher,
    bot,  # type: ignore[no-untyped-def]
) -> None:
    other = ChatUser(dispatcher, bot, user_id=7002)
    await other.send(f"/start inv-{await invitation(roster, 'M002')}")
    await other.send("/log 2026-11-20 8 visited the nurses at the community clinic")
    await other.press(other.button("Save"))
    async with roster.session() as session:
        theirs = (await session.execute(select(Activity.id))).scalar_one()
    await member.send("/log 2026-11-20 8 visited the teachers at the primary school")
    await member.press(member.button("Save"))
    await member.send("🗂 My activities")
    for item in (theirs, 424242, "burn"):
        sent = await member.press(forged(member, f"activity:{item}"))
        assert answer_text(sent) == "This activity is not available."
    # A button of the other member's own card, pressed in this chat, is no card of this chat.
    await other.send("🗂 My activities")
    await other.press(other.button("2026-11-20"))
    sent = await member.press(other.button("Delete"))
    assert "out of date" in answer_text(sent)
    async with roster.session() as session:
        stored = await session.get(Activity, theirs)
    assert stored is not None and stored.deleted_at is None


async def test_pages_out_of_range_are_clamped(member: ChatUser) -> None:
    await member.send("/log 2026-11-20 8 visited the teachers at the primary school")
    await member.press(member.button("Save"))
    await member.send("🗂 My activities")
    for page in ("newer:-5", "older:999"):
        sent = await member.press(forged(member, page))
        assert "1 in all" in member.texts(sent)[0]


async def test_forged_offer_buttons_change_nothing(
    member: ChatUser, resident: ChatUser, roster: Database
) -> None:
    await member.send("/log 2026-11-20 8 visited the teachers at the primary school")
    before = await entry_of(member)
    save = member.button("Save")
    sent = await member.press("0123456789abcdef\x1ddiscard")  # no such card
    assert "out of date" in answer_text(sent)
    assert "Please check the activity" in member.texts(sent)[-1]
    sent = await member.press("\x1dcontinue")  # no card named: the current one is drawn again
    assert "Please check the activity" in member.texts(sent)[-1]
    assert await entry_of(member) == before
    # Not this chat's card at all: refused, and nothing is saved.
    sent = await resident.press(save)
    assert "out of date" in answer_text(sent)
    async with roster.session() as session:
        assert (await session.execute(select(Activity.id))).first() is None
    assert await entry_of(member) == before
