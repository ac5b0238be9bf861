"""One due date per case, as staff, the assignee and the resident read it."""

from __future__ import annotations

import re

from aiogram.methods import AnswerCallbackQuery

from handlers.callbacks import StaffIssueCB
from storage.db import Database
from tests.dialog.test_casework_dialog import issue_id_of
from tests.dialog.test_reopen_reason import assigned_case, rate_not_solved
from tests.support.chat import ChatUser
from tests.support.notices import button_data, outbox

DUE_IN_HEADER = re.compile(r"Expected answer by: (\S+)")
DUE_ON_TIMELINE = re.compile(r"Expected answer by (\S+), since the case was reopened")


def alert(sent: list[object]) -> str:
    return str([r for r in sent if isinstance(r, AnswerCallbackQuery)][-1].text)


async def assigned_with_a_request(
    resident: ChatUser, office: ChatUser, member: ChatUser, db: Database
) -> str:
    """Assigned to the member, who asked for a week more; staff have not decided yet."""
    number = await assigned_case(resident, office)
    [assigned] = await outbox(db, "case-assigned")
    await member.press(button_data(assigned, "Open the case"))
    await member.press(member.button("Ask for more time"))
    await member.press(member.button("+7 days"))
    await member.send("Waiting for the estate's answer.")
    return number


async def test_more_time_granted_after_the_answer_is_refused_and_the_resident_not_told(
    resident: ChatUser, office: ChatUser, second_member: ChatUser, roster: Database
) -> None:
    number = await assigned_with_a_request(resident, office, second_member, roster)
    [assigned] = await outbox(roster, "case-assigned")
    await second_member.press(button_data(assigned, "Open the case"))
    await second_member.press(second_member.button("Reply to the resident"))
    await second_member.send("The fire lane is marked now.")
    await second_member.press(second_member.button("Send to the resident"))

    [request] = await outbox(roster, "case-extension-request")
    sent = await office.press(button_data(request, "Grant"))
    assert "This request lapsed" in alert(sent)
    # The case as it stands replaces the request: answered, with no date still to wait for.
    card = office.texts(sent)[-1]
    assert f"Case {number}" in card and "Status: Answered" in card
    assert "Expected answer by:" not in card
    assert await outbox(roster, "case-due-changed") == []

    await resident.send("📋 My issues")
    resident_card = resident.texts(await resident.press(resident.button(number)))
    assert resident_card and f"Case {number}" in resident_card[-1]
    assert not any("Expected answer by" in text for text in resident_card)


async def test_after_a_reopen_the_header_and_the_timeline_show_the_same_date(
    resident: ChatUser, office: ChatUser, second_member: ChatUser, roster: Database
) -> None:
    number = await assigned_with_a_request(resident, office, second_member, roster)
    [request] = await outbox(roster, "case-extension-request")
    sent = await office.press(button_data(request, "Grant"))
    assert alert(sent) == "More time granted."
    [moved] = await outbox(roster, "case-due-changed")
    assert moved.chat_id == resident.user.id
    [assigned] = await outbox(roster, "case-assigned")
    await second_member.press(button_data(assigned, "Open the case"))
    await second_member.press(second_member.button("Reply to the resident"))
    await second_member.send("The fire lane is marked now.")
    await second_member.press(second_member.button("Send to the resident"))
    await rate_not_solved(resident, roster)

    issue_id = await issue_id_of(roster, number)
    card = office.texts(await office.press(StaffIssueCB(action="view", id=issue_id).pack()))[-1]
    header, timeline = DUE_IN_HEADER.search(card), DUE_ON_TIMELINE.findall(card)
    assert header is not None and timeline
    assert timeline[-1] == header.group(1)
    assert "after 7 more days were granted" in card
