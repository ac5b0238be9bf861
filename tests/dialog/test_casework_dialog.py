"""The whole life of a case in the chat: report, queue, assign, answer, rate, reopen, close."""

from __future__ import annotations

from aiogram.methods import AnswerCallbackQuery

from storage.db import Database
from tests.support.cases import reload
from tests.support.chat import ChatUser
from tests.support.flows import submit_report
from tests.support.notices import button_data, message_of, outbox


def alert(sent: list[object]) -> str:
    return str([r for r in sent if isinstance(r, AnswerCallbackQuery)][-1].text)


async def issue_id_of(db: Database, number: str) -> int:
    from sqlalchemy import select

    from storage.models import Issue

    async with db.session() as session:
        issue = (await session.execute(select(Issue).where(Issue.number == number))).scalar_one()
    assert issue.id is not None
    return issue.id


async def test_a_case_from_report_to_rating_and_reopening(
    resident: ChatUser, office: ChatUser, second_member: ChatUser, roster: Database
) -> None:
    number = await submit_report(resident, phone="13800138000")
    issue_id = await issue_id_of(roster, number)

    sent = await office.send("📥 Case queue")
    assert "1 cases wait for a decision" in office.texts(sent)[0]
    await office.press(office.button("All stations"))
    sent = await office.press(office.button(number))
    card = office.texts(sent)[0]
    assert f"Case {number}" in card and "Contact (with consent): 13800138000" in card
    sent = await office.press(office.button("Accept"))
    assert alert(sent) == "Accepted."
    await office.press(office.button("Assign"))
    sent = await office.press(office.button("A member"))
    assert "Members serving at the case's station: 1." in office.texts(sent)[0]
    await office.press(office.button("李文静"))
    sent = await office.press(office.button("Default: 10 days"))
    assert alert(sent).startswith("Assigned; answer due")
    assert "Assigned to: 李文静" in " ".join(office.texts(sent))

    [assigned] = await outbox(roster, "case-assigned")
    assert assigned.chat_id == 7002
    sent = await second_member.press(button_data(assigned, "Open the case"))
    assert "Contact (with consent): 13800138000" in second_member.texts(sent)[0]
    await second_member.press(second_member.button("Reply to the resident"))
    sent = await second_member.send("We asked the estate to mark the fire lane.")
    assert "The resident will read:" in second_member.texts(sent)[0]
    sent = await second_member.press(second_member.button("Send to the resident"))
    assert "can rate it" in " ".join(second_member.texts(sent))

    [reply] = await outbox(roster, "case-reply")
    assert reply.chat_id == resident.user.id
    assert "We asked the estate" in message_of(reply).text
    assert "李文静" not in message_of(reply).text
    await resident.press(button_data(reply, "Rate the answer"))
    await resident.press(resident.button("★★☆☆☆"))
    sent = await resident.press(resident.button("No, not solved"))
    assert "open again" in resident.texts(sent)[0]
    assert (await reload(roster, issue_id)).status == "reopened"

    [reopened] = await outbox(roster, "case-reopened")
    assert reopened.chat_id == 8001 and "★★☆☆☆" in message_of(reopened).text
    assert await outbox(roster, "case-reopened-assignee")
    await office.press(button_data(reopened, "Open the case"))
    await office.press(office.button("Reply"))
    sent = await office.press(office.button("The problem is solved"))
    assert "After coordination" in office.texts(sent)[-1]
    sent = await office.press(office.button("Send to the resident"))
    assert "Sent to the resident" in " ".join(office.texts(sent))
    replies = await outbox(roster, "case-reply")
    assert len(replies) == 2
    await resident.press(button_data(replies[-1], "Rate the answer"))
    await resident.press(resident.button("★★★★★"))
    sent = await resident.press(resident.button("Yes, solved"))
    assert "Thank you for rating" in resident.texts(sent)[0]
    stored = await reload(roster, issue_id)
    assert (stored.status, stored.rating, stored.solved) == ("resolved", 5, True)

    sent = await resident.send("📋 My issues")
    sent = await resident.press(resident.button(number))
    timeline = resident.texts(sent)[0]
    assert "Reply from the committee member handling your case" in timeline
    assert "Reply from the committee office" in timeline
    assert "Rated ★★☆☆☆ · not solved" in timeline and "Rated ★★★★★ · solved" in timeline
    assert "(internal)" not in timeline and "李文静" not in timeline


async def test_reject_duplicate_and_note_by_typing(
    resident: ChatUser, other_resident: ChatUser, office: ChatUser, roster: Database
) -> None:
    first = await submit_report(resident)
    # Another problem: the same words would be offered the first case to follow instead.
    second = await submit_report(
        other_resident, description="Shared bikes pile up on the pavement outside the metro exit."
    )
    await office.send("📥 Case queue")
    await office.press(office.button("All stations"))
    await office.press(office.button(second))
    await office.press(office.button("Duplicate"))
    sent = await office.send("2026-999999")
    assert "no case with that number" in office.texts(sent)[0]
    sent = await office.send(first)
    assert f"Merge case {second} into case {first}?" in office.texts(sent)[0]
    sent = await office.press(office.button("Yes, merge"))
    assert f"Merged with case {first}" in office.texts(sent)[0]
    [merged] = await outbox(roster, "case-duplicate")
    assert merged.chat_id == other_resident.user.id and first in message_of(merged).text

    await office.send("📥 Case queue")
    await office.press(office.button("All stations"))
    await office.press(office.button(first))
    await office.press(office.button("Note"))
    await office.send("/weird")  # an unknown command is not taken as the note
    sent = await office.send("Called the estate office, no answer yet.")
    assert "Note added." in office.texts(sent)[0]
    await office.press(office.button("Reject"))
    sent = await office.send("x" * 1001)
    assert "please keep it under 1000" in office.texts(sent)[0]
    sent = await office.send("This is a matter for the courts.")
    assert "resident was told why" in office.texts(sent)[0]
    rejected = await outbox(roster, "case-rejected")
    assert sorted(row.chat_id for row in rejected) == sorted(
        [resident.user.id, other_resident.user.id]
    )

    sent = await other_resident.send("📋 My issues")
    sent = await other_resident.press(other_resident.button(second))
    view = other_resident.texts(sent)[0]
    assert "which your case follows" in view and "matter for the courts" in view
    assert "Called the estate office" not in view


async def test_staff_and_assignee_see_photos_and_place(
    resident: ChatUser, office: ChatUser, second_member: ChatUser, roster: Database
) -> None:
    from aiogram.methods import SendLocation, SendPhoto

    number = await submit_report(resident, photos=2, location=(39.91, 116.40))
    await office.send("📥 Case queue")
    await office.press(office.button("All stations"))
    sent = await office.press(office.button(number))
    assert "Photos: 2" in office.texts(sent)[0]
    sent = await office.press(office.button("Photos"))
    assert [r.photo for r in sent if isinstance(r, SendPhoto)] == ["photo-0", "photo-1"]
    sent = await office.press(office.button("Map"))
    [place] = [r for r in sent if isinstance(r, SendLocation)]
    assert (place.latitude, place.longitude) == (39.91, 116.40)
    await office.press(office.button("Assign"))
    await office.press(office.button("A member"))
    await office.press(office.button("李文静"))
    await office.press(office.button("Default"))
    [assigned] = await outbox(roster, "case-assigned")
    await second_member.press(button_data(assigned, "Open the case"))
    sent = await second_member.press(second_member.button("Photos"))
    assert len([r for r in sent if isinstance(r, SendPhoto)]) == 2
