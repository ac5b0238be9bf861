"""A main-menu button pressed in the middle of a typed step opens that menu item.

The steps show their own keyboard, but a label can still arrive: typed, or tapped on an older
keyboard further up the chat. It must never be taken for the title, venue, names, reason or reply
the step is waiting for.
"""

from __future__ import annotations

from sqlalchemy import func, select

from storage.db import Database
from storage.models import Issue, IssueEvent, Meeting
from tests.support.chat import ChatUser
from tests.support.flows import submit_report
from tests.support.notices import button_data, outbox


async def _meetings(db: Database) -> int:
    async with db.session() as session:
        return int((await session.execute(select(func.count()).select_from(Meeting))).scalar_one())


async def test_staff_menu_buttons_during_the_meeting_form(
    office: ChatUser, roster: Database
) -> None:
    await office.send("➕ New meeting")
    await office.press(office.button("Bimonthly consultation"))
    sent = await office.send("📥 Case queue")  # waiting for the title
    assert "Case queue" in office.texts(sent)[0]
    assert "Title" not in " ".join(office.texts(sent))

    await office.send("➕ New meeting")
    await office.press(office.button("Bimonthly consultation"))
    await office.send("Elderly care in old neighbourhoods")
    await office.send("2026-11-27 14:30")
    await office.send("17:00")
    sent = await office.send("📈 Reports")  # waiting for the venue
    assert "Venue" not in " ".join(office.texts(sent))
    assert office.inline_buttons(), "the reports menu offers its choices"

    await office.send("➕ New meeting")
    await office.press(office.button("Bimonthly consultation"))
    await office.send("Elderly care in old neighbourhoods")
    await office.send("2026-11-27 14:30")
    await office.send("17:00")
    await office.send("Committee hall, 3rd floor")
    await office.press(office.button("Named members"))
    sent = await office.send("📅 Meetings")  # waiting for the names
    assert "No member" not in " ".join(office.texts(sent))
    assert await _meetings(roster) == 0


async def test_member_menu_buttons_while_answering_a_case(
    resident: ChatUser, office: ChatUser, second_member: ChatUser, roster: Database
) -> None:
    await submit_report(resident)
    await office.send("📥 Case queue")
    await office.press(office.button("All stations"))
    await office.press(office.button("2026-"))
    await office.press(office.button("Accept"))
    await office.press(office.button("Assign"))
    await office.press(office.button("A member"))
    await office.press(office.button("李文静"))
    await office.press(office.button("Default: 10 days"))
    [assigned] = await outbox(roster, "case-assigned")

    await second_member.press(button_data(assigned, "Open the case"))
    await second_member.press(second_member.button("Reply to the resident"))
    sent = await second_member.send("📊 My progress")
    texts = " ".join(second_member.texts(sent))
    assert "The resident will read" not in texts
    assert "<b>My progress</b>" in texts

    await second_member.press(button_data(assigned, "Open the case"))
    await second_member.press(second_member.button("Ask for more time"))
    await second_member.press(second_member.button("+7 days"))
    sent = await second_member.send("🗓 Log an activity")  # waiting for the reason
    assert "What kind of activity was it?" in " ".join(second_member.texts(sent))
    async with roster.session() as session:
        kinds = (
            await session.execute(select(IssueEvent.kind).join(Issue).order_by(IssueEvent.id))
        ).scalars()
        assert "extension-requested" not in set(kinds)
