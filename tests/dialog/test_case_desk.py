"""The staff case desk on the dialog engine: paging, rewriting, restarts and stale presses."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.methods import AnswerCallbackQuery

from bot.app import AppContext, build_dispatcher
from handlers.callbacks import StaffIssueCB
from handlers.staff import case_desk_views
from services.cases import casework
from services.reference.catalog import get_station_by_code
from storage.db import Database, write_transaction
from storage.models import MemberStation
from tests.dialog.test_scope_refusals import open_case
from tests.support.cases import reload, staff_desk
from tests.support.chat import ChatUser
from tests.support.members import NOW, member_by_code
from tests.support.notices import message_of, notifier, outbox


def alert(sent: list[object]) -> str:
    answers = [r for r in sent if isinstance(r, AnswerCallbackQuery)]
    return str(answers[-1].text or "") if answers else ""


async def open_card(office: ChatUser, db: Database) -> int:
    """A new case at Bei'an, its card open in the office's chat."""
    issue_id = await open_case(db, chat_id=1001, station="jf-beian")
    sent = await office.press(StaffIssueCB(action="view", id=issue_id).pack())
    assert f"Case {(await reload(db, issue_id)).number}" in office.texts(sent)[0]
    return issue_id


async def test_the_queue_pages_with_the_engines_pager(office: ChatUser, roster: Database) -> None:
    numbers = []
    for chat_id in range(2001, 2011):  # ten cases: a page of eight, then two
        numbers.append(
            (
                await reload(roster, await open_case(roster, chat_id=chat_id, station="jf-beian"))
            ).number
        )
    sent = await office.send("📥 Case queue")
    assert "10 cases wait for a decision" in office.texts(sent)[0]
    sent = await office.tap("Bei'an")
    assert "Page 1 of 2." in office.texts(sent)[0]
    labels = [text for text, _data in office.inline_buttons()]
    assert "◀ Older" not in labels and "Newer ▶" in labels
    assert any(numbers[0] in label for label in labels)
    assert not any(numbers[9] in label for label in labels)
    sent = await office.tap("Newer ▶")
    assert "Page 2 of 2." in office.texts(sent)[0]
    labels = [text for text, _data in office.inline_buttons()]
    assert "◀ Older" in labels and "Newer ▶" not in labels
    assert any(numbers[9] in label for label in labels)
    sent = await office.tap(numbers[9])
    assert f"Case {numbers[9]}" in office.texts(sent)[0]
    await office.tap("Case queue")
    await office.tap("All stations")
    await office.tap("Newer ▶")
    sent = await office.tap("◀ Older")
    assert "Page 1 of 2." in office.texts(sent)[0]


async def test_the_assignee_pickers_page(
    office: ChatUser, roster: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(case_desk_views, "PAGE", 1)
    async with roster.session() as session:
        station = await get_station_by_code(session, "jf-beian")
        assert station is not None and station.id is not None
        member = await member_by_code(roster, "M001")
        async with write_transaction(session):
            session.add(MemberStation(member_id=member.id or 0, station_id=station.id))
    issue_id = await open_card(office, roster)
    await office.tap("Assign")
    sent = await office.tap("A member")
    assert "Members serving at the case's station: 2." in office.texts(sent)[0]
    labels = [text for text, _data in office.inline_buttons()]
    assert any("张建华" in label for label in labels) and "▶" in labels and "◀" not in labels
    await office.tap("▶")
    labels = [text for text, _data in office.inline_buttons()]
    assert any("李文静" in label for label in labels) and "◀" in labels and "▶" not in labels
    sent = await office.send("张")  # a search shows every match, without pages
    assert "Members matching “张”: 1." in office.texts(sent)[0]
    await office.tap("◀ Back")
    monkeypatch.setattr(case_desk_views, "PAGE", 3)
    sent = await office.tap("A department")
    assert "Which department?" in office.texts(sent)[0]
    first = [text for text, _data in office.inline_buttons()]
    await office.tap("▶")
    second = [text for text, _data in office.inline_buttons()]
    assert "◀" in second and set(first[:3]).isdisjoint(second[:3])
    await office.tap(second[0])
    sent = await office.tap("Default")
    assert alert(sent).startswith("Assigned; answer due")
    assert (await reload(roster, issue_id)).status == "assigned"


async def test_rewriting_the_answer_from_its_preview(office: ChatUser, roster: Database) -> None:
    await open_card(office, roster)
    await office.tap("Reply")
    sent = await office.send("The lamp will be fixed.")
    assert "The resident will read:" in office.texts(sent)[0]
    sent = await office.tap("Rewrite")
    texts = " ".join(office.texts(sent))
    assert "Rewrite the answer below." in texts and "Type the answer again." in texts
    sent = await office.send("The lamp was fixed on Monday.")
    assert "fixed on Monday" in office.texts(sent)[0]
    sent = await office.tap("Send to the resident")
    assert "can rate it" in " ".join(office.texts(sent))
    [reply] = await outbox(roster, "case-reply")
    assert "fixed on Monday" in message_of(reply).text


async def test_a_restart_resumes_a_half_written_reply(
    office: ChatUser, roster: Database, app: AppContext, bot: Bot
) -> None:
    await open_card(office, roster)
    await office.tap("Reply")
    # A new Dispatcher on the same database is a restarted process.
    restarted = ChatUser(build_dispatcher(app), bot, user_id=office.user.id)
    sent = await restarted.send("The lamp was fixed on Monday.")
    assert "The resident will read:" in restarted.texts(sent)[0]
    again = ChatUser(build_dispatcher(app), bot, user_id=office.user.id)
    sent = await again.tap("Send to the resident")
    assert "can rate it" in " ".join(again.texts(sent))
    assert len(await outbox(roster, "case-reply")) == 1


async def test_a_press_after_the_case_moved_on_changes_nothing(
    office: ChatUser, roster: Database
) -> None:
    issue_id = await open_card(office, roster)
    accept = office.button_on_message("Accept")
    admin = await staff_desk(roster, name="另一位工作人员")
    async with roster.session() as session:
        await casework.accept(
            session,
            issue_id=issue_id,
            scope=admin.scope,
            actor=admin.actor,
            now=NOW,
            notifier=notifier(),
        )
    sent = await office.press(accept[0], message_id=accept[1])
    # The colleague's accept made the card stale: refused, and drawn again as it stands.
    assert alert(sent).startswith("This card is out of date")
    assert any("Status: Accepted" in text for text in office.texts(sent))
    assert (await reload(roster, issue_id)).status == "accepted"


async def test_a_press_after_the_desk_ended_is_refused(office: ChatUser, roster: Database) -> None:
    issue_id = await open_card(office, roster)
    await office.tap("Reply")
    await office.send("The lamp will be fixed.")
    send = office.button_on_message("Send to the resident")
    await office.tap("Drop")
    sent = await office.press(send[0], message_id=send[1])
    assert "out of date" in alert(sent)
    assert "That card is from a conversation that has ended" in " ".join(office.texts(sent))
    assert await outbox(roster, "case-reply") == []
    assert (await reload(roster, issue_id)).status == "new"
