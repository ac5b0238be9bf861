"""Meeting materials: staff attach a document in step 8, and every invited chat receives it.

The materials step takes only a document; a photo or a sticker is refused in the chat's
language and the draft stays as it was. The document is downloaded from Telegram, kept on
disk by its hash, and queued next to each invitation, so the delivery loop sends the file
to each member.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import AsyncGenerator
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.methods import SendDocument, TelegramMethod
from aiogram.types import BufferedInputFile, Document
from sqlalchemy import select

from bot.app import AppContext
from bot.leader_duties import build_worker
from services.meetings.materials import file_path
from storage.db import Database
from storage.models import Meeting, OutboxMessage, StoredFile
from tests.conftest import TELEGRAM_TOKEN
from tests.support.chat import ChatUser
from tests.support.members import NOW
from tests.support.notices import message_of, outbox
from tests.support.recording import RecordingSession
from tests.support.state import dialog_of

MATERIALS = b"%PDF-1.7\n the agenda, the background paper and the draft proposal\n%%EOF"
TITLE = "Elderly care in old neighbourhoods"
REFUSAL = "Please send the materials as a document (a file), or skip."
REFUSAL_ZH = "请以文件形式发送会议材料，或跳过。"


class FilesSession(RecordingSession):
    """Also answers getFile and serves the file's bytes, as Telegram does for a download."""

    def __init__(self) -> None:
        super().__init__()
        self.downloads = 0

    def _result(self, bot: Bot, method: TelegramMethod[Any]) -> Any:
        if method.__api_method__ == "getFile":
            file_id = getattr(method, "file_id", "")
            return {
                "file_id": file_id,
                "file_unique_id": f"u-{file_id}",
                "file_size": len(MATERIALS),
                "file_path": f"documents/{file_id}.pdf",
            }
        return super()._result(bot, method)

    async def stream_content(self, *args: Any, **kwargs: Any) -> AsyncGenerator[bytes, None]:
        self.downloads += 1
        yield MATERIALS


@pytest.fixture
async def bot(app: AppContext) -> Bot:
    telegram = Bot(TELEGRAM_TOKEN, session=FilesSession())
    app.channels[telegram.id] = "telegram"
    return telegram


async def document(user: ChatUser, *, name: str | None, size: int = len(MATERIALS)) -> list[Any]:
    """A PDF sent as a file, with the name Telegram reports for it."""
    sent = Document(
        file_id="materials-1",
        file_unique_id="u-materials-1",
        file_name=name,
        mime_type="application/pdf",
        file_size=size,
    )
    return await user.send_message(user._message(document=sent))


async def up_to_the_materials_step(
    office: ChatUser, *, kind: str = "Bimonthly", everyone: str = "All members"
) -> None:
    """Steps 1 to 7 of a meeting for all members, a week after the tests' now.

    ``kind`` and ``everyone`` are button labels, in the staff member's language.
    """
    await office.send("/newmeeting")
    await office.press(office.button(kind))
    await office.send(TITLE)
    await office.send("2026-11-27 14:30")
    await office.send("17:00")
    await office.send("Committee hall, 3rd floor")
    await office.press(office.button(everyone))
    sent = await office.send("⏭ Skip")  # the agenda
    assert (await dialog_of(office))[0] == "MeetingForm:materials", office.texts(sent)


async def test_refused_attachments_keep_the_draft_and_a_document_is_kept(
    office: ChatUser, member: ChatUser, second_member: ChatUser, roster: Database, app: AppContext
) -> None:
    await up_to_the_materials_step(office)
    _, before = await dialog_of(office)
    for attempt in (office.photo, office.sticker, lambda: office.send("the minutes, later")):
        sent = await attempt()
        assert office.texts(sent) == [REFUSAL]
        assert await dialog_of(office) == ("MeetingForm:materials", before)
    sent = await document(office, name="agenda.pdf", size=21 * 1024 * 1024)
    assert "larger than 20 MB" in office.texts(sent)[0]
    assert await dialog_of(office) == ("MeetingForm:materials", before)
    assert isinstance(office.bot.session, FilesSession) and office.bot.session.downloads == 0

    sent = await document(office, name="agenda.pdf")
    review = office.texts(sent)[-1]
    assert "Materials: agenda.pdf" in review and "Invited: All members (8 members)" in review
    state, draft = await dialog_of(office)
    assert state == "MeetingForm:review" and draft["title"] == TITLE  # nothing typed was lost
    key = draft["materials"]
    assert key == hashlib.sha256(MATERIALS).hexdigest()[:40]
    assert file_path(app.settings.files_dir, key).read_bytes() == MATERIALS
    async with roster.session() as session:
        stored = await session.get(StoredFile, key)
    assert stored is not None
    assert (stored.name, stored.mime_type, stored.size) == (
        "agenda.pdf",
        "application/pdf",
        len(MATERIALS),
    )

    sent = await office.press(office.button("Create and invite"))
    assert "invitations are on their way" in office.texts(sent)[-1]
    async with roster.session() as session:
        meeting = (await session.execute(select(Meeting))).scalar_one()
    assert (meeting.materials_file, meeting.materials_name) == (key, "agenda.pdf")
    invitations = await outbox(roster, "meeting-invitation")
    materials = await outbox(roster, "meeting-materials")
    assert sorted(row.chat_id for row in invitations) == [7001, 7002]
    assert sorted(row.chat_id for row in materials) == [7001, 7002]
    for row in materials:
        assert message_of(row).document == key
        assert message_of(row).text == f"Materials for {TITLE}"
        # The invitation comes first: the file follows the card it belongs to.
        assert row.priority > invitations[0].priority


async def test_the_member_receives_the_materials_as_a_file(
    office: ChatUser, member: ChatUser, roster: Database, app: AppContext, bot: Bot
) -> None:
    await up_to_the_materials_step(office)
    await document(office, name="agenda.pdf")
    await office.press(office.button("Create and invite"))
    before = len(member.sent())

    sent = await build_worker(app, {"telegram": bot}).run_once()
    assert sent == 2  # the invitation and the materials, to the one linked member
    documents = [r for r in member.sent()[before:] if isinstance(r, SendDocument)]
    [delivered] = [r for r in documents if r.chat_id == 7001]
    assert delivered.caption == f"Materials for {TITLE}"
    assert isinstance(delivered.document, BufferedInputFile)
    assert delivered.document.filename == "agenda.pdf"
    assert delivered.document.data == MATERIALS
    async with roster.session() as session:
        states = (await session.execute(select(OutboxMessage.kind, OutboxMessage.state))).all()
    assert sorted(states) == [("meeting-invitation", "sent"), ("meeting-materials", "sent")]


async def test_a_document_without_a_name_is_called_materials(
    office: ChatUser, member: ChatUser, roster: Database
) -> None:
    await up_to_the_materials_step(office)
    sent = await document(office, name=None)
    assert "Materials: materials" in office.texts(sent)[-1]


async def test_materials_can_be_replaced_or_dropped_at_the_review(
    office: ChatUser, member: ChatUser, roster: Database
) -> None:
    await up_to_the_materials_step(office)
    await document(office, name="agenda.pdf")
    await office.press(office.button("✏️ Materials"))
    sent = await office.sticker()
    assert office.texts(sent) == [REFUSAL]
    assert (await dialog_of(office))[1]["materials_name"] == "agenda.pdf"  # still the file
    sent = await office.send("⏭ Skip")
    assert "Materials: none" in office.texts(sent)[-1]
    await office.press(office.button("Create and invite"))
    assert await outbox(roster, "meeting-materials") == []
    assert len(await outbox(roster, "meeting-invitation")) == 1


@pytest.fixture
async def chinese_office(roster: Database, dispatcher: Dispatcher, bot: Bot) -> ChatUser:
    """李主任, staff, whose Telegram app speaks Chinese."""
    from services.accounts.identities import touch_identity
    from services.accounts.staff import add_staff, bind_staff
    from storage.db import write_transaction

    user = ChatUser(dispatcher, bot, user_id=8002, language_code="zh-hans")
    async with roster.session() as session:
        staff = await add_staff(session, name="李主任", now=NOW)
        identity = await touch_identity(
            session,
            channel="telegram",
            chat_id=8002,
            chat_type="private",
            now=NOW + dt.timedelta(seconds=1),
            client_locale="zh_CN",
        )
        async with write_transaction(session):
            await bind_staff(session, staff_id=staff.id or 0, identity=identity, now=NOW)
    return user


async def test_the_refusal_speaks_the_staff_members_language(
    chinese_office: ChatUser, member: ChatUser, roster: Database
) -> None:
    await up_to_the_materials_step(chinese_office, kind="双月协商座谈会", everyone="全体委员")
    _, before = await dialog_of(chinese_office)
    for attempt in (chinese_office.photo, chinese_office.sticker):
        sent = await attempt()
        assert chinese_office.texts(sent) == [REFUSAL_ZH]
        assert await dialog_of(chinese_office) == ("MeetingForm:materials", before)
    sent = await document(chinese_office, name="议程.pdf")
    assert "材料：议程.pdf" in chinese_office.texts(sent)[-1]
