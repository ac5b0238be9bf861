"""📁 My record: the year card, an item's lines, a correction asked; forged lines refused."""

from __future__ import annotations

from aiogram.methods import AnswerCallbackQuery
from sqlalchemy import select

from storage.db import Database
from storage.models import AssessmentCorrection
from tests.support.assessment_ledger import YEAR, entry, rebuild
from tests.support.chat import ChatUser, forged
from tests.support.members import member_by_code


def alerts(sent: list[object]) -> list[str]:
    return [str(r.text) for r in sent if isinstance(r, AnswerCallbackQuery) and r.text]


async def lines_for(db: Database, code: str) -> None:
    member = await member_by_code(db, code)
    await entry(db, "M18", member_id=member.id, level="oral")
    await rebuild(db)


async def test_record_line_and_correction(roster: Database, member: ChatUser) -> None:
    await lines_for(roster, "M001")
    sent = await member.send("📁 My record")
    card = member.texts(sent)[-1]
    assert f"My record</b> · 张建华 · {YEAR}" in card
    assert "Total so far" in card and "Six ones" in card and "Attendance" in card
    await member.press(member.button("Items and lines"))
    await member.press(member.button("·"))
    sent = await member.press(member.button("office entry"))
    assert "From: office entry “Entry”" in member.texts(sent)[-1]
    await member.press(member.button("Ask for a correction"))
    sent = await member.send("x")
    assert "2 to 500 characters" in member.texts(sent)[-1]
    sent = await member.send("I gave two speeches, not one.")
    assert "I gave two speeches" in member.texts(sent)[-1]
    sent = await member.press(member.button("Send"))
    assert "Sent to the office." in alerts(sent)
    assert "waits for the office" in member.texts(sent)[-1]
    async with roster.session() as session:
        [stored] = (await session.execute(select(AssessmentCorrection))).scalars().all()
    assert stored.reason == "I gave two speeches, not one." and stored.state == "pending"


async def test_forged_line_of_another_member_is_refused(
    roster: Database, member: ChatUser, second_member: ChatUser
) -> None:
    await lines_for(roster, "M002")
    other = await member_by_code(roster, "M002")
    await lines_for(roster, "M001")
    async with roster.session() as session:
        from services.assessment.scores import member_lines

        [theirs] = await member_lines(session, member_id=other.id or 0, year=YEAR)
    await member.send("/record")
    await member.press(member.button("Items and lines"))
    await member.press(member.button("·"))
    sent = await member.press(forged(member, f"line:{theirs.id}"))
    assert "This line is not available." in alerts(sent)
    assert "Entry" not in " ".join(member.texts(sent)).replace("office entry", "")
    sent = await member.press(forged(member, "item:M01"))
    assert all("not available" not in t for t in member.texts(sent))
