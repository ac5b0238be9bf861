"""A suspended member cannot log activities: not from the menu, nor by saving an open entry."""

from __future__ import annotations

from aiogram.methods import AnswerCallbackQuery
from sqlalchemy import select, update

from handlers.states import ActivityForm
from storage.db import Database
from storage.enums import MemberStatus
from storage.models import Activity, Member
from tests.support.chat import ChatUser
from tests.support.state import entry_of

REFUSED = "Your membership is not active at the moment"


async def set_status(db: Database, code: str, status: MemberStatus) -> None:
    async with db.session() as session:
        await session.execute(update(Member).where(Member.code == code).values(status=status))
        await session.commit()


async def activities(db: Database) -> list[Activity]:
    async with db.session() as session:
        return list((await session.execute(select(Activity))).scalars())


def alert(sent: list[object]) -> str:
    answers = [r for r in sent if isinstance(r, AnswerCallbackQuery)]
    assert answers, sent
    return str(answers[-1].text)


async def test_a_suspended_member_cannot_start_an_entry(member: ChatUser, roster: Database) -> None:
    await set_status(roster, "M001", MemberStatus.SUSPENDED)
    sent = await member.send("🗓 Log an activity")
    assert REFUSED in member.texts(sent)[0]
    assert not any("Step 1 of" in text for text in member.texts(sent))
    assert await entry_of(member) == (None, {})
    sent = await member.send("/log 2026-11-20 12 teachers' forum on after-school care")
    assert REFUSED in member.texts(sent)[0]
    assert await entry_of(member) == (None, {})


async def test_suspended_in_the_middle_of_an_entry_cannot_save_it(
    member: ChatUser, roster: Database
) -> None:
    await member.send("🗓 Log an activity")
    await member.press(member.button("Forum with sector group people"))
    await member.press(member.button("Yesterday"))
    await member.press(member.button("My sector"))
    await member.send("12")
    await member.press(member.button("Done"))
    await member.press(member.button("Jingde"))
    await member.send("Forum with teachers about after-school care and homework load.")
    await member.send("⏭ Skip")
    save = member.button("Save")
    before = await entry_of(member)
    assert before[0] == ActivityForm.review.state

    await set_status(roster, "M001", MemberStatus.SUSPENDED)
    sent = await member.press(save)
    assert REFUSED in alert(sent)
    assert not any("Saved" in text for text in member.texts(sent))
    assert await activities(roster) == []
    assert await entry_of(member) == before  # nothing was written, nothing moved on

    # Typing the next answer does not get the entry any further either.
    sent = await member.send("Forum with teachers about the school library hours.")
    assert await activities(roster) == [] and await entry_of(member) == before
