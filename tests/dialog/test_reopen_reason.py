"""After "not solved", the resident may say why; the sentence reaches staff and the assignee."""

from __future__ import annotations

from storage.db import Database
from tests.dialog.test_casework_dialog import issue_id_of
from tests.support.cases import reload
from tests.support.chat import ChatUser
from tests.support.flows import submit_report
from tests.support.notices import button_data, message_of, outbox


async def assigned_case(resident: ChatUser, office: ChatUser) -> str:
    """A resident's case, accepted and assigned to 李文静 with the default due date."""
    number = await submit_report(resident)
    await office.send("📥 Case queue")
    await office.press(office.button("All stations"))
    await office.press(office.button(number))
    await office.press(office.button("Accept"))
    await office.press(office.button("Assign"))
    await office.press(office.button("A member"))
    await office.press(office.button("李文静"))
    await office.press(office.button("Default: 10 days"))
    return number


async def answered_case(
    resident: ChatUser, office: ChatUser, member: ChatUser, db: Database
) -> str:
    """A case assigned to the member, who answered it; the resident holds the answer."""
    number = await assigned_case(resident, office)
    [assigned] = await outbox(db, "case-assigned")
    await member.press(button_data(assigned, "Open the case"))
    await member.press(member.button("Reply to the resident"))
    await member.send("We asked the estate to mark the fire lane.")
    await member.press(member.button("Send to the resident"))
    return number


async def rate_not_solved(resident: ChatUser, db: Database) -> list[object]:
    [reply] = await outbox(db, "case-reply")
    await resident.press(button_data(reply, "Rate the answer"))
    await resident.press(resident.button("★★☆☆☆"))
    return await resident.press(resident.button("No, not solved"))


async def test_the_reason_reaches_staff_and_the_assignee_and_the_timeline(
    resident: ChatUser, office: ChatUser, second_member: ChatUser, roster: Database
) -> None:
    number = await answered_case(resident, office, second_member, roster)
    sent = await rate_not_solved(resident, roster)
    texts = resident.texts(sent)
    assert "open again" in texts[0]
    assert "what is still wrong" in texts[-1] and "Skip" in str(sent[-1])
    sent = await resident.send("Cars still park there every night.")
    assert f"went to the staff with case {number}" in resident.texts(sent)[-1]
    [to_staff] = await outbox(roster, "case-reopen-reason")
    assert to_staff.chat_id == 8001
    assert "Cars still park there every night." in message_of(to_staff).text
    [to_member] = await outbox(roster, "case-reopen-reason-assignee")
    assert to_member.chat_id == 7002
    issue_id = await issue_id_of(roster, number)
    assert (await reload(roster, issue_id)).status == "reopened"
    sent = await resident.press(button_data(to_staff, "Open the case"))
    # The staff's button is not the resident's: refused, nothing shown.
    assert "Cars still park" not in " ".join(resident.texts(sent))
    sent = await office.press(button_data(to_staff, "Open the case"))
    assert "Cars still park there every night." in " ".join(office.texts(sent))
    sent = await resident.send("📋 My issues")
    sent = await resident.press(resident.button(number))
    card = " ".join(resident.texts(sent))
    assert "The resident says why it is not solved" in card and "Cars still park" in card
    # One sentence per reopening: the next text is not taken as another.
    await resident.send("And the lights are out.")
    assert len(await outbox(roster, "case-reopen-reason")) == 1


async def test_skip_leaves_it_unsaid_and_the_case_reopened(
    resident: ChatUser, office: ChatUser, second_member: ChatUser, roster: Database
) -> None:
    number = await answered_case(resident, office, second_member, roster)
    await rate_not_solved(resident, roster)
    await resident.press(resident.button("Skip"))
    assert await outbox(roster, "case-reopen-reason") == []
    assert await outbox(roster, "case-reopened")
    assert (await reload(roster, await issue_id_of(roster, number))).status == "reopened"


async def test_an_over_long_or_non_text_reason_is_refused_and_the_question_stays(
    resident: ChatUser, office: ChatUser, second_member: ChatUser, roster: Database
) -> None:
    await answered_case(resident, office, second_member, roster)
    await rate_not_solved(resident, roster)
    sent = await resident.send("x" * 501)
    assert "under 500" in resident.texts(sent)[0]
    sent = await resident.photo()
    assert "write a sentence" in resident.texts(sent)[0]
    await resident.send("Still blocked.")
    [to_staff] = await outbox(roster, "case-reopen-reason")
    assert "Still blocked." in message_of(to_staff).text


async def test_a_solved_rating_asks_nothing(
    resident: ChatUser, office: ChatUser, second_member: ChatUser, roster: Database
) -> None:
    await answered_case(resident, office, second_member, roster)
    [reply] = await outbox(roster, "case-reply")
    await resident.press(button_data(reply, "Rate the answer"))
    await resident.press(resident.button("★★★★★"))
    sent = await resident.press(resident.button("Yes, solved"))
    assert not any("what is still wrong" in text for text in resident.texts(sent))


async def test_a_skip_pressed_after_the_question_ended_is_refused(
    resident: ChatUser, office: ChatUser, second_member: ChatUser, roster: Database
) -> None:
    await answered_case(resident, office, second_member, roster)
    await rate_not_solved(resident, roster)
    skip = resident.button("Skip")
    await resident.send("Cars still park there every night.")
    sent = await resident.press(skip)
    said = " ".join(str(getattr(request, "text", "")) for request in sent)
    assert "out of date" in said
    assert len(await outbox(roster, "case-reopen-reason")) == 1
