"""A case card's buttons act on the case as the card showed it; closing and merging ask twice."""

from __future__ import annotations

from aiogram.methods import AnswerCallbackQuery, EditMessageText

from handlers.callbacks import StaffIssueCB
from storage.db import Database
from tests.dialog.test_casework_dialog import issue_id_of
from tests.dialog.test_reopen_reason import answered_case, rate_not_solved
from tests.support.cases import reload
from tests.support.chat import ChatUser
from tests.support.flows import submit_report
from tests.support.notices import outbox


def alert(sent: list[object]) -> str:
    return str([r for r in sent if isinstance(r, AnswerCallbackQuery)][-1].text)


async def open_card(office: ChatUser, number: str) -> None:
    await office.send("📥 Case queue")
    await office.press(office.button("All stations"))
    await office.press(office.button(number))


async def test_a_resolve_on_a_card_drawn_before_the_case_reopened_is_refused(
    resident: ChatUser, office: ChatUser, second_member: ChatUser, roster: Database
) -> None:
    number = await answered_case(resident, office, second_member, roster)
    issue_id = await issue_id_of(roster, number)
    # As from a notice about the answered case.
    await office.press(StaffIssueCB(action="view", id=issue_id).pack())
    stale_resolve = office.button("Resolve")
    await rate_not_solved(resident, roster)
    assert (await reload(roster, issue_id)).status == "reopened"

    sent = await office.press(stale_resolve)
    assert "out of date" in alert(sent)
    assert (await reload(roster, issue_id)).status == "reopened"
    assert await outbox(roster, "case-resolved") == []
    # The card is drawn again in its place, as the case stands now.
    [redrawn] = [r for r in sent if isinstance(r, EditMessageText)]
    assert "Status: Reopened" in redrawn.text

    sent = await office.press(office.button("Resolve"))
    assert f"Close case {number} as resolved?" in office.texts(sent)[0]
    await office.press(office.button("Back to the case"))
    assert (await reload(roster, issue_id)).status == "reopened"
    await office.press(office.button("Resolve"))
    sent = await office.press(office.button("Yes, resolve it"))
    assert alert(sent) == "Resolved."
    assert (await reload(roster, issue_id)).status == "resolved"
    assert await outbox(roster, "case-resolved")


async def test_a_merge_names_both_cases_and_waits_for_yes(
    resident: ChatUser, other_resident: ChatUser, office: ChatUser, roster: Database
) -> None:
    first = await submit_report(resident)
    # Another problem: the same words would be offered the first case to follow instead.
    second = await submit_report(
        other_resident, description="Shared bikes pile up on the pavement outside the metro exit."
    )
    await open_card(office, second)
    await office.press(office.button("Duplicate"))
    sent = await office.send(second)
    assert "cannot be a duplicate of itself" in office.texts(sent)[0]
    sent = await office.send(first)
    assert f"Merge case {second} into case {first}?" in office.texts(sent)[0]
    await office.press(office.button("Back to the case"))
    assert (await reload(roster, await issue_id_of(roster, second))).status != "duplicate"
    assert await outbox(roster, "case-duplicate") == []
