"""Casework buttons pressed where they do not belong: forged, stale or out of scope."""

from __future__ import annotations

import pytest
from aiogram.methods import AnswerCallbackQuery

from handlers.callbacks import StaffIssueCB, StaffMenuCB
from handlers.case_callbacks import ConditionsReportCB, ExtensionCB, RateCB
from services.accounts.invites import issue_invite
from storage.db import Database
from tests.dialog.test_casework_dialog import issue_id_of
from tests.support.cases import department_assignee, reload
from tests.support.chat import ChatUser, forged
from tests.support.flows import submit_report
from tests.support.members import NOW
from tests.support.notices import button_data, outbox


def alert(sent: list[object]) -> str:
    answers = [r for r in sent if isinstance(r, AnswerCallbackQuery)]
    return str(answers[-1].text) if answers else ""


async def assign_to_second_member(office: ChatUser, number: str) -> None:
    await office.send("📥 Case queue")
    await office.press(office.button("All stations"))
    await office.press(office.button(number))
    await office.press(office.button("Assign"))
    await office.press(office.button("A member"))
    await office.press(office.button("李文静"))
    await office.press(office.button("Default"))


async def test_residents_and_members_cannot_press_staff_buttons(
    resident: ChatUser, member: ChatUser, office: ChatUser, roster: Database
) -> None:
    number = await submit_report(resident)
    issue_id = await issue_id_of(roster, number)
    staff_buttons = [
        StaffIssueCB(action="view", id=issue_id),
        StaffMenuCB(action="queue"),
        ExtensionCB(action="grant", id=1),
        ConditionsReportCB(action="list"),
    ]
    for user in (resident, member):
        for data in staff_buttons:
            sent = await user.press(data.pack())
            assert alert(sent) == "This is for the committee office's staff.", data
    # The case desk's own buttons, pressed in another chat, open nothing there.
    await office.send("📥 Case queue")
    await office.tap("All stations")
    await office.tap(number)
    accept, message_id = office.button_on_message("Accept")
    for user in (resident, member):
        sent = await user.press(accept, message_id=message_id)
        assert "Accepted." not in alert(sent)
    sent = await resident.send("📥 Case queue")
    assert "committee office's staff" in resident.texts(sent)[0]
    assert (await reload(roster, issue_id)).status == "new"


async def test_forged_staff_buttons_are_refused(
    resident: ChatUser, office: ChatUser, roster: Database
) -> None:
    number = await submit_report(resident)
    issue_id = await issue_id_of(roster, number)
    refusals = [
        (StaffIssueCB(action="view", id=99999), "This case is not available."),
        (StaffIssueCB(action="delete", id=issue_id), "This case is not available."),
        (ExtensionCB(action="grant", id=99999), "This request is not available."),
        (ConditionsReportCB(action="view", id=99999), "This report is not available."),
    ]
    for data, expected in refusals:
        sent = await office.press(data.pack())
        assert alert(sent) == expected, data
    assert (await reload(roster, issue_id)).status == "new"
    assert await outbox(roster) == []


async def test_forged_items_on_the_case_desk_are_refused(
    resident: ChatUser, office: ChatUser, roster: Database
) -> None:
    number = await submit_report(resident)
    issue_id = await issue_id_of(roster, number)
    # Forged items on the desk's own cards: a station, a case, a member, a due date, a ready
    # answer, each with the intent id of the card on show.
    await office.send("📥 Case queue")
    sent = await office.press(forged(office, "station:99999"))
    assert alert(sent) == "This station is not available."
    sent = await office.press(forged(office, "station:x"))
    assert alert(sent) == "This button is not valid."
    assert (await reload(roster, issue_id)).status == "new"
    await office.tap("All stations")
    sent = await office.press(forged(office, "case:99999"))
    assert alert(sent) == "This case is not available."
    await office.tap(number)
    await office.tap("Assign")
    await office.tap("A member")
    await office.press(forged(office, "member:99999"))  # whom: the service judges it
    sent = await office.press(forged(office, "due:5"))
    assert alert(sent) == "This button is not valid."
    sent = await office.press(forged(office, "due:-1"))
    assert alert(sent) == "That member or department cannot take cases now."
    sent = await office.press(forged(office, "canned:1"))
    assert alert(sent) == "This button is no longer active. Please use the menu."
    await office.tap("Back to the case")
    await office.tap("Reply")
    sent = await office.press(forged(office, "canned:99999"))
    assert alert(sent) == "This button is not valid."
    sent = await office.press(forged(office, "send"))
    assert alert(sent) == "This button is no longer active. Please use the menu."
    assert (await reload(roster, issue_id)).status == "new"
    assert await outbox(roster) == []


async def test_station_staff_cannot_reach_other_stations(
    resident: ChatUser,
    dispatcher,
    bot,
    roster: Database,  # type: ignore[no-untyped-def]
) -> None:
    from services.accounts.identities import touch_identity
    from services.accounts.staff import add_staff, bind_staff
    from services.reference.catalog import get_station_by_code
    from storage.db import write_transaction

    number = await submit_report(resident)  # at Bei'an
    issue_id = await issue_id_of(roster, number)
    local = ChatUser(dispatcher, bot, user_id=8101)
    async with roster.session() as session:
        station = await get_station_by_code(session, "xq-jingde")
        assert station is not None and station.id is not None
        staff = await add_staff(
            session, name="敬德站", role="station", now=NOW, station_ids=[station.id]
        )
        identity = await touch_identity(
            session, channel="telegram", chat_id=8101, chat_type="private", now=NOW
        )
        async with write_transaction(session):
            await bind_staff(session, staff_id=staff.id or 0, identity=identity, now=NOW)
    sent = await local.send("📥 Case queue")
    assert "nothing waits for a decision" in local.texts(sent)[0]
    sent = await local.press(StaffIssueCB(action="view", id=issue_id).pack())
    assert alert(sent) == "This case is not available."
    assert (await reload(roster, issue_id)).status == "new"


async def test_assignees_cannot_reach_what_is_not_theirs(
    resident: ChatUser,
    office: ChatUser,
    member: ChatUser,
    second_member: ChatUser,
    roster: Database,
) -> None:
    number = await submit_report(resident)
    issue_id = await issue_id_of(roster, number)
    await assign_to_second_member(office, number)
    for data in (
        f"ai:view:{issue_id}",
        f"ai:reply:{issue_id}",
        f"ai:handback:{issue_id}",
        f"ai:photos:{issue_id}",
    ):
        sent = await member.press(data)
        assert alert(sent) == "This case is not available.", data
    sent = await member.send("📨 Assigned cases")
    assert "No case is assigned to you" in member.texts(sent)[0]
    assert not member.inline_buttons()  # nothing to write a report from
    # The holder's own cards: a button of theirs pressed in another chat is refused.
    await second_member.send("📨 Assigned cases")
    await second_member.tap(number)
    reply = second_member.button_on_message("Reply to the resident")
    sent = await member.press(reply[0], message_id=reply[1])
    assert "out of date" in alert(sent)
    assert (await reload(roster, issue_id)).status == "assigned"
    sent = await resident.press(f"ai:view:{issue_id}")
    assert "committee members" in alert(sent)


async def test_ratings_only_on_ones_own_answered_case(
    resident: ChatUser, other_resident: ChatUser, roster: Database
) -> None:
    number = await submit_report(resident)
    issue_id = await issue_id_of(roster, number)
    sent = await other_resident.press(RateCB(id=issue_id, stars=5, solved="y").pack())
    assert alert(sent) == "This case is not available."
    sent = await resident.press(RateCB(id=issue_id, stars=5, solved="y").pack())
    assert alert(sent) == "This case has no answer to rate yet."
    sent = await resident.press(RateCB(id=issue_id, stars=9).pack())
    assert alert(sent) == "This button is not valid."
    assert (await reload(roster, issue_id)).rating is None


@pytest.mark.parametrize("channel_user", [9301])
async def test_a_department_handler_links_and_answers(
    resident: ChatUser,
    office: ChatUser,
    roster: Database,
    dispatcher,  # type: ignore[no-untyped-def]
    bot,  # type: ignore[no-untyped-def]
    channel_user: int,
) -> None:
    department = await department_assignee(roster)
    async with roster.session() as session:
        code = (await issue_invite(session, department_id=department.id, now=NOW)).code
    handler = ChatUser(dispatcher, bot, user_id=channel_user)
    sent = await handler.send(f"/start inv-{code}")
    assert "now linked to" in handler.texts(sent)[0]
    number = await submit_report(resident)
    await office.send("📥 Case queue")
    await office.press(office.button("All stations"))
    await office.press(office.button(number))
    await office.press(office.button("Assign"))
    await office.press(office.button("A department"))
    await office.press(office.button("Housing and Urban-Rural"))
    await office.press(office.button("Default"))
    [assigned] = await outbox(roster, "case-assigned")
    assert assigned.chat_id == channel_user
    sent = await handler.send("📨 Assigned cases")
    assert "1 waiting for your answer" in handler.texts(sent)[0]
    await handler.press(button_data(assigned, "Open the case"))
    await handler.press(handler.button("Ask for more time"))
    await handler.press(handler.button("+7 days"))
    sent = await handler.send("Waiting for the maintenance contract.")
    assert "sent to staff" in " ".join(handler.texts(sent))
    [request] = await outbox(roster, "case-extension-request")
    sent = await office.press(button_data(request, "Grant"))
    assert alert(sent) == "More time granted."
    await handler.press(button_data(assigned, "Open the case"))
    await handler.press(handler.button("Reply to the resident"))
    await handler.send("The lift was repaired on Monday.")
    await handler.press(handler.button("Send to the resident"))
    [reply] = await outbox(roster, "case-reply")
    assert reply.chat_id == resident.user.id
    sent = await handler.send("🗓 Log an activity")
    assert "committee members" in handler.texts(sent)[0]
    sent = await handler.send("/help")
    assert any("For departments" in text for text in handler.texts(sent))
    sent = await office.send("/help")
    assert any("For staff" in text for text in office.texts(sent))
