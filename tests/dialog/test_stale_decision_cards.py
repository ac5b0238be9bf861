"""A decision card pressed after the thing it shows was decided: refused, drawn as it is now."""

from __future__ import annotations

from aiogram.methods import AnswerCallbackQuery

from handlers.case_callbacks import ConditionsReportCB
from services.members.conditions_reports import submit_report
from storage.db import Database
from tests.support.cases import NOW
from tests.support.chat import ChatUser
from tests.support.notices import notifier
from tests.unit.test_case_assignee import assigned, member_assignee


def alert(sent: list[object]) -> str:
    return str([r for r in sent if isinstance(r, AnswerCallbackQuery)][-1].text)


async def test_returning_a_report_accepted_from_another_card_is_refused(
    office: ChatUser, roster: Database
) -> None:
    member = await member_assignee(roster, "M002")
    issue_id, _desk = await assigned(roster, member, 711)
    async with roster.session() as session:
        report = await submit_report(
            session, member_id=member.id, issue_ids=[issue_id], title="Night parking",
            body="Cars in the fire lane every night.", now=NOW, notifier=notifier(),
        )  # fmt: skip
    view = ConditionsReportCB(action="view", id=report.id or 0).pack()
    await office.press(view)
    stale_return = office.button("Return")
    # A colleague, or the same person in the web chat, accepts it meanwhile.
    sent = await office.press(ConditionsReportCB(action="accept", id=report.id or 0).pack())
    assert alert(sent) == "Accepted; it counts in the member's record."

    sent = await office.press(stale_return)
    assert "This card is out of date" in alert(sent)
    card = office.texts(sent)[-1]
    assert "Decision: accepted" in card
    assert not any("Return" in label for label, _data in office.inline_buttons())
