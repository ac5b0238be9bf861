"""At report time: a report that looks like an open case shows it; "me too" or "different"."""

from __future__ import annotations

from aiogram.methods import AnswerCallbackQuery
from aiogram_dialog.utils import CB_SEP
from sqlalchemy import func, select

from storage.db import Database, write_transaction
from storage.models import Attachment, Issue, IssueSupport
from tests.support.chat import ChatUser
from tests.support.flows import CASE_NUMBER, submit_report, write_report_until_review

LOOKS_LIKE = "Is it one of these?"


def refusal(sent: list[object]) -> str:
    answers = [r for r in sent if isinstance(r, AnswerCallbackQuery)]
    assert len(answers) == 1 and answers[0].text, sent
    return str(answers[0].text)


def forged(user: ChatUser, payload: str) -> str:
    """A press on the chat's current dialog card with a made-up button."""
    for _text, data in reversed(user.inline_buttons()):
        if CB_SEP in data:
            return data.split(CB_SEP)[0] + CB_SEP + payload
    raise AssertionError("no dialog button on screen")


async def cases(db: Database) -> list[Issue]:
    async with db.session() as session:
        return list((await session.execute(select(Issue).order_by(Issue.id))).scalars())


async def supporters(db: Database) -> list[tuple[int, int]]:
    async with db.session() as session:
        rows = await session.execute(select(IssueSupport.issue_id, IssueSupport.resident_id))
        return [(issue_id, resident_id) for issue_id, resident_id in rows.all()]


async def test_me_too_follows_the_case_and_sends_nothing(
    resident: ChatUser, other_resident: ChatUser, sqlite_db: Database
) -> None:
    number = await submit_report(other_resident)
    await write_report_until_review(resident)
    sent = await resident.press(resident.button("Submit"))
    card = "\n".join(resident.texts(sent))
    assert LOOKS_LIKE in card and number in card and "Cars block the fire lane" in card
    sent = await resident.tap("Me too")
    assert any("You now follow case" in text and number in text for text in resident.texts(sent))
    assert len(await cases(sqlite_db)) == 1
    (original,) = await cases(sqlite_db)
    assert [issue_id for issue_id, _ in await supporters(sqlite_db)] == [original.id]
    sent = await resident.send("📋 My issues")
    assert any("👥" in text for text, _data in resident.inline_buttons())
    sent = await resident.tap(number)
    card = "\n".join(resident.texts(sent))
    assert "You follow this case" in card
    assert all("Rate" not in text for text, _data in resident.inline_buttons())


async def test_different_sends_the_report_with_everything_kept(
    resident: ChatUser, other_resident: ChatUser, sqlite_db: Database
) -> None:
    await submit_report(other_resident)
    await write_report_until_review(
        resident, photos=1, location=(38.4901, 106.2421), phone="+86 138 0013 8000"
    )
    await resident.press(resident.button("Submit"))
    assert LOOKS_LIKE in "\n".join(resident.texts())
    sent = await resident.tap("mine is different")
    numbers = [m.group(1) for text in resident.texts(sent) if (m := CASE_NUMBER.search(text))]
    assert numbers
    _, mine = await cases(sqlite_db)
    assert mine.number == numbers[0]
    assert mine.description.startswith("Cars block the fire lane")
    assert (mine.latitude, mine.longitude) == (38.4901, 106.2421)
    assert mine.contact_phone == "+8613800138000"
    async with sqlite_db.session() as session:
        photos = await session.execute(
            select(func.count()).select_from(Attachment).where(Attachment.issue_id == mine.id)
        )
        assert photos.scalar_one() == 1
    assert await supporters(sqlite_db) == []


async def test_own_case_is_not_offered(resident: ChatUser, sqlite_db: Database) -> None:
    await submit_report(resident)
    await submit_report(resident)
    assert LOOKS_LIKE not in "\n".join(resident.texts())
    assert len(await cases(sqlite_db)) == 2


async def test_forged_and_stale_me_too_are_refused(
    resident: ChatUser, other_resident: ChatUser, sqlite_db: Database
) -> None:
    await submit_report(other_resident)
    # A case of another station, never shown to this draft.
    await submit_report(other_resident, station="Yuehai")
    shown, hidden = await cases(sqlite_db)
    await write_report_until_review(resident)
    await resident.press(resident.button("Submit"))
    sent = await resident.press(forged(resident, f"metoo:{hidden.id}"))
    assert refusal(sent) == "This case is not available."
    sent = await resident.press(forged(resident, "metoo:not-a-number"))
    assert refusal(sent) == "This case is not available."
    me_too = resident.button("Me too")
    async with sqlite_db.session() as session, write_transaction(session):
        closed = await session.get(Issue, shown.id)
        assert closed is not None
        closed.status = "resolved"
    sent = await resident.press(me_too)
    assert refusal(sent).startswith("That case is closed now.")
    assert await supporters(sqlite_db) == []
    # The draft is intact: "different" still sends it.
    sent = await resident.tap("mine is different")
    assert any(CASE_NUMBER.search(text) for text in resident.texts(sent))


async def test_staff_see_the_support_on_the_case_card(
    resident: ChatUser, other_resident: ChatUser, office: ChatUser
) -> None:
    number = await submit_report(other_resident)
    await write_report_until_review(resident)
    await resident.press(resident.button("Submit"))
    await resident.tap("Me too")
    await office.send("📥 Case queue")
    await office.press(office.button("All stations"))
    sent = await office.press(office.button(number))
    assert any("said “me too”: 1" in text for text in office.texts(sent))
