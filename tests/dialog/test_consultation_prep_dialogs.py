"""Preparing a consultation in the chat: staff add a material and a research task, write the
draft and send it round; the invited member comments from the notice; a forged "Comment" of
a meeting not theirs is refused; staff read the comments in order.
"""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.methods import AnswerCallbackQuery, SendDocument

from bot.app import AppContext
from handlers.consultation.callbacks import DraftCommentCB
from storage.db import Database
from tests.conftest import TELEGRAM_TOKEN
from tests.dialog.test_meeting_materials import FilesSession
from tests.support.chat import ChatUser
from tests.support.guests import upcoming_meeting
from tests.support.notices import message_of, outbox
from tests.support.outcomes import member_ids


@pytest.fixture
async def bot(app: AppContext) -> Bot:
    """A bot whose uploads can be downloaded, as Telegram serves them."""
    telegram = Bot(TELEGRAM_TOKEN, session=FilesSession())
    app.channels[telegram.id] = "telegram"
    return telegram


def alerts(sent: list[object]) -> list[str]:
    return [str(r.text) for r in sent if isinstance(r, AnswerCallbackQuery) and r.text]


async def _invite(db: Database, meeting_id: int, code: str) -> None:
    from storage.db import write_transaction
    from storage.models import MeetingInvitee

    [member_id] = await member_ids(db, code)
    async with db.session() as session, write_transaction(session):
        session.add(MeetingInvitee(meeting_id=meeting_id, member_id=member_id))


async def _open_prep(office: ChatUser) -> list[object]:
    await office.send("/meetings")
    await office.press(office.button("老旧小区加装电梯"))
    return await office.press(office.button("Preparation"))


async def test_staff_prepare_and_a_member_comments(
    roster: Database, office: ChatUser, member: ChatUser, second_member: ChatUser
) -> None:
    meeting_id = await upcoming_meeting(roster)
    other_id = await upcoming_meeting(roster, title="另一场", tag="other")
    await _invite(roster, meeting_id, "M001")
    sent = await _open_prep(office)
    assert "<b>Research tasks</b>" in office.texts(sent)[-1]
    await office.press(office.button("Add a material"))
    sent = await office.send("not a document")
    assert "Please send the material as a document." in office.texts(sent)
    sent = await office.document("application/pdf", file_id="背景材料")
    assert "📎 " in office.texts(sent)[-1]
    await office.press(office.button("Add a research task"))
    await office.send("M001")
    await office.send("调研<加装>意愿")
    sent = await office.send("1999-01-01")
    assert "Send a date from today on, like 2026-12-31." in office.texts(sent)
    sent = await office.send("2099-01-01")
    assert "张建华: 调研&lt;加装&gt;意愿 (2099-01-01)" in office.texts(sent)[-1]
    assert len(await outbox(roster, "research-task")) == 1
    await office.press(office.button("Write the draft report"))
    await office.send("一、资金来源\n二、<维护>责任")
    sent = await office.send("2099-01-01")
    assert "not sent yet" in office.texts(sent)[-1]
    sent = await office.press(office.button("Send the draft round"))
    assert "Sent to 1 chats." in alerts(sent)
    [notice] = await outbox(roster, "draft-report")
    comment = message_of(notice).buttons[0][0]["callback_data"]

    # The member never invited presses the same button, and a forged one for another meeting.
    sent = await second_member.press(comment)
    assert alerts(sent) == ["This draft report is not available."]
    sent = await member.press(DraftCommentCB(meeting=other_id).pack())
    assert alerts(sent) == ["This draft report is not available."]
    sent = await member.press(comment)
    assert "&lt;维护&gt;责任" in member.texts(sent)[-1]
    sent = await member.photo()
    assert "Please send your comment as text." in member.texts(sent)
    await member.send("建议<一>")
    sent = await member.send("建议二")
    assert "Thank you, your comment is saved." in member.texts(sent)
    assert "1. 建议&lt;一&gt;\n2. 建议二" in member.texts(sent)[-1]

    sent = await _open_prep(office)
    assert "2 comments" in office.texts(sent)[-1]
    sent = await office.press(office.button("Read the comments"))
    text = office.texts(sent)[-1]
    assert text.index("建议&lt;一&gt;") < text.index("建议二")
    await office.press(office.button("Back"))
    sent = await office.press(office.button("✔ 调研"))
    assert "Marked done." in alerts(sent)
    assert "✔ 张建华" in office.texts(sent)[-1]
    sent = await office.press(office.button("✖ "))
    assert "Removed." in alerts(sent)
    assert not [r for r in sent if isinstance(r, SendDocument)]


async def test_an_invited_member_downloads_the_materials(
    roster: Database, office: ChatUser, member: ChatUser, second_member: ChatUser
) -> None:
    meeting_id = await upcoming_meeting(roster)
    await _invite(roster, meeting_id, "M001")
    await _open_prep(office)
    await office.press(office.button("Add a material"))
    await office.document("application/pdf", file_id="背景材料")
    await member.send("/meetings")
    await member.press(member.button("老旧小区加装电梯"))
    sent = await member.press(member.button("Materials"))
    assert [r.document for r in sent if isinstance(r, SendDocument)] == ["背景材料"]
    # The member not invited, pressing the same button on their own card, gets nothing.
    sent = await second_member.press(member.button("Materials"))
    assert not [r for r in sent if isinstance(r, SendDocument)]
