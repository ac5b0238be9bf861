"""Every member button that carries an id is checked again; forged or foreign ones are refused."""

from __future__ import annotations

import pytest
from aiogram.methods import AnswerCallbackQuery
from sqlalchemy import select

from handlers.states import ActivityForm
from storage.db import Database
from storage.models import Activity, PairedPerson
from tests.dialog.conftest import invitation
from tests.support.chat import ChatUser
from tests.support.state import draft_of

NOT_VALID = "This button is not valid."
STALE = "This button is no longer active. Please use the menu."


def answer_text(sent: list[object]) -> str:
    answers = [r for r in sent if isinstance(r, AnswerCallbackQuery)]
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
    await member.press(member.button("My sector"))
    await member.send("5")
    if step == "paired":
        return
    await member.press(member.button("Done"))


@pytest.mark.parametrize(
    ("step", "data", "expected"),
    [
        ("kind", "ak:karaoke", NOT_VALID),
        ("date", "ad:not-a-date", NOT_VALID),
        ("date", "ad:2031-01-01", "in the future"),
        ("date", "ad:2020-01-01", "from 2026-07-01 on"),
        ("sector", "as:9999", NOT_VALID),
        ("place", "al:9999", NOT_VALID),
        ("kind", "ad:2026-11-20", STALE),
        ("kind", "ar:save:0123456789abcdef", "already saved or discarded"),
        ("kind", "ax:wipe", None),
    ],
)
async def test_forged_buttons_inside_the_dialog(
    member: ChatUser, step: str, data: str, expected: str | None
) -> None:
    await at_step(member, step)
    before = await draft_of(member)
    sent = await member.press(data)
    if expected is None:
        assert NOT_VALID in member.texts(sent)
    else:
        assert expected in answer_text(sent)
    assert await draft_of(member) == before


async def test_someone_elses_paired_person(member: ChatUser, roster: Database) -> None:
    await at_step(member, "paired")
    async with roster.session() as session:
        foreign = (
            await session.execute(select(PairedPerson.id).where(PairedPerson.name == "陈芳"))
        ).scalar_one()
    sent = await member.press(f"ap:{foreign}")
    assert answer_text(sent) == NOT_VALID
    state, data = await draft_of(member)
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
    for data in (
        f"av:view:{theirs}:0",
        f"av:edit:{theirs}:0",
        f"av:replace:{theirs}:0",
        f"av:delete-confirmed:{theirs}:0",
    ):
        sent = await member.press(data)
        assert answer_text(sent) == "This activity is not available."
    for data in ("av:view:424242:0", f"av:burn:{theirs}:0"):
        sent = await member.press(data)
        assert answer_text(sent) == "This activity is not available."
    async with roster.session() as session:
        stored = await session.get(Activity, theirs)
    assert stored is not None and stored.deleted_at is None


async def test_pages_out_of_range_are_clamped(member: ChatUser) -> None:
    await member.send("/log 2026-11-20 8 visited the teachers at the primary school")
    await member.press(member.button("Save"))
    for page in ("aq:-5", "aq:999"):
        sent = await member.press(page)
        assert "1 in all" in member.texts(sent)[0]


async def test_forged_shortcut_tokens_change_nothing(member: ChatUser, resident: ChatUser) -> None:
    await member.send("/log 2026-11-20 8 visited the teachers at the primary school")
    before = await draft_of(member)
    for data in ("aj:0123456789abcdef", "aj:"):
        sent = await member.press(data)
        assert "That choice has expired" in answer_text(sent)
        assert await draft_of(member) == before
    # Not a member at all: the member refusal, whatever the token.
    sent = await resident.press("aj:0123456789abcdef")
    assert "This is for committee members" in answer_text(sent)
