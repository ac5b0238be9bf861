"""Composing a broadcast in the chat: audience, text, photo or document, preview, send, schedule."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.types import InlineKeyboardMarkup, MessageEntity
from sqlalchemy import select, update

from bot.app import AppContext, build_dispatcher
from bot.broadcast_monitor import BroadcastMonitor
from services.audit import list_entries
from services.clock import ManualClock
from storage.db import Database
from storage.models import Broadcast, OutboxMessage
from tests.conftest import TELEGRAM_TOKEN
from tests.support.chat import ChatUser
from tests.support.notices import message_of, notifier, outbox
from tests.support.recording import RecordingSession
from tests.support.state import dialog_of

TEXT = "Open session on Saturday at 9"
HTML = "<b>Open</b> session on Saturday at 9"


class FilesSession(RecordingSession):
    """Also answers getFile and downloads, so uploads can be kept."""

    def _result(self, bot: Bot, method: TelegramMethod[Any]) -> Any:
        if method.__api_method__ == "getFile":
            file_id = getattr(method, "file_id", "")
            return {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_path": file_id}
        return super()._result(bot, method)

    async def stream_content(self, *args: Any, **kwargs: Any) -> AsyncGenerator[bytes, None]:
        yield b"\x89PNG\r\n broadcast attachment"


@pytest.fixture
async def bot(app: AppContext) -> Bot:
    telegram = Bot(TELEGRAM_TOKEN, session=FilesSession())
    app.channels[telegram.id] = "telegram"
    return telegram


STALE = "This card is out of date. Here is where you are now."
ENDED = "That card is from a conversation that has ended. Choose from the menu."


def answer(sent: list[Any]) -> str:
    """What the press was answered: the first answer with a text (the engine answers last)."""
    answers = [r for r in sent if isinstance(r, AnswerCallbackQuery)]
    return str(next((a.text for a in answers if a.text), answers[-1].text))


def of(sent: list[Any], kind: type) -> list[Any]:
    return [request for request in sent if isinstance(request, kind)]


async def formatted(user: ChatUser, text: str = TEXT) -> list[Any]:
    """A message with a bold first word, as Telegram sends it."""
    bold = MessageEntity(type="bold", offset=0, length=4)
    return await user.send_message(user._message(text=text, entities=[bold]))


async def broadcasts(db: Database) -> list[Broadcast]:
    async with db.session() as session:
        return list((await session.execute(select(Broadcast).order_by(Broadcast.id))).scalars())


async def compose(office: ChatUser, *path: str, text: str = TEXT) -> list[Any]:
    """Open the dialog, press the audience buttons, type the text, skip the attachment."""
    await office.send("📣 Broadcast")
    for label in path:
        await office.tap(label)
    await formatted(office, text)
    return await office.send("⏭ Skip")


async def test_send_to_a_sector_with_a_photo(
    office: ChatUser, member: ChatUser, roster: Database, clock: ManualClock, app: AppContext
) -> None:
    sent = await office.send("📣 Broadcast")
    assert "Who should receive it?" in office.texts(sent)[-1]
    assert len(office.inline_buttons()) == 8
    sent = await office.tap("By sector")
    assert "By sector: which one?" in office.texts(sent)[-1]
    sent = await office.tap("Education")
    texts = office.texts(sent)
    assert "Audience: By sector · Education · recipients: 1 (0 have blocked the bot)" in texts[0]
    assert "Type the text" in texts[-1]
    sent = await office.sticker()
    assert "type the text first" in office.texts(sent)[0]
    sent = await office.send("/nonsense")
    assert "I do not know the command /nonsense" in office.texts(sent)[0]
    assert (await dialog_of(office))[0] == "BroadcastForm:text"
    sent = await office.send("x" * 4097)
    assert "4097 characters; a message can have at most 4096" in office.texts(sent)[0]
    sent = await formatted(office)
    assert "Send a photo or a document" in office.texts(sent)[0]
    sent = await office.send("hello")
    assert "Please send a photo or a document, or skip." in office.texts(sent)[0]
    sent = await office.photo("photo-1")
    [preview] = of(sent, SendPhoto)
    assert preview.caption == HTML and preview.photo == "photo-1" and preview.chat_id == 8001
    review = office.texts(sent)[-1]
    assert "Recipients: 1 (0 have blocked the bot)." in review
    assert "Attachment: photo.jpg" in review
    send_now, card = office.button_on_message("Send now")
    sent = await office.press(send_now, message_id=card)
    texts = office.texts(sent)
    assert "Broadcast #1 is on its way to 1 recipients." in texts[1]
    assert "Sent: 0 · pending: 1" in texts[-1]
    assert office.button("Cancel the broadcast") == "bc:1"
    # The dialog ended with the send: a second press on the card is refused, nothing is queued.
    sent = await office.press(send_now, message_id=card)
    assert answer(sent) == STALE and ENDED in office.texts(sent)

    [row] = await outbox(roster, "broadcast")
    assert row.chat_id == 7001 and message_of(row).text == HTML and message_of(row).photo
    [broadcast] = await broadcasts(roster)
    assert broadcast.progress_message_id and broadcast.progress_identity_id
    async with roster.session() as session:
        [entry] = await list_entries(session, action="broadcast.create")
    assert entry.actor_name == "王芳"

    # The monitor edits the progress message when the counts change, and only then.
    monitor = BroadcastMonitor(roster, clock, {"telegram": office.bot}, notifier())
    before = len(office.sent())
    assert await monitor.tick() == 0
    assert office.sent()[before:] == []  # nothing changed yet
    async with roster.writing() as session:
        await session.execute(update(OutboxMessage).values(state="sent"))
    assert await monitor.tick() == 1
    [edit] = of(office.sent()[before:], EditMessageText)
    assert edit.message_id == broadcast.progress_message_id and "Finished" in edit.text
    assert "Sent: 1 · pending: 0" in edit.text and edit.reply_markup is None
    [report] = await outbox(roster, "broadcast-report")
    assert report.chat_id == 8001 and "1 of 1 messages were delivered" in message_of(report).text


async def test_edit_every_part_then_discard(
    office: ChatUser, member: ChatUser, second_member: ChatUser, roster: Database
) -> None:
    sent = await compose(office, "All members")
    [preview] = of(sent, SendMessage)[-2:-1]
    assert preview.text == HTML
    assert "Recipients: 2 (" in office.texts(sent)[-1]
    await office.tap("✏️ Text")
    sent = await office.send("A <new> text & more")
    [preview] = of(sent, SendMessage)[-2:-1]
    assert preview.text == "A &lt;new&gt; text &amp; more"  # typed text is escaped
    await office.tap("✏️ Attachment")
    sent = await office.document("application/pdf", file_id="minutes")
    [document] = of(sent, SendDocument)
    assert document.caption == "A &lt;new&gt; text &amp; more" and document.document == "minutes"
    await office.tap("✏️ Text")
    sent = await office.send("y" * 1100)
    assert (
        "1100 characters; under a photo or document Telegram allows 1024" in office.texts(sent)[0]
    )
    assert (await dialog_of(office))[1]["document"]  # nothing entered was lost
    await office.send("Short again")
    await office.tap("✏️ Audience")
    sent = await office.tap("Everyone")
    assert "Recipients: 3 (" in office.texts(sent)[-1]  # two members and the office
    sent = await office.send("typing instead of pressing")
    assert "choose with the buttons" in office.texts(sent)[0]
    discard, card = office.button_on_message("Discard")
    sent = await office.press(discard, message_id=card)
    assert "Nothing was sent." in office.texts(sent)
    sent = await office.press(discard, message_id=card)
    assert answer(sent) == STALE and ENDED in office.texts(sent)
    assert await broadcasts(roster) == [] and await outbox(roster, "broadcast") == []


async def test_schedule_at_a_local_time_with_the_quiet_hours_named(
    office: ChatUser, member: ChatUser, roster: Database
) -> None:
    await compose(office, "By group", "Standing committee members")
    await office.tap("Send later")
    sent = await office.send("yesterday 10:00")
    assert "That time has passed" in office.texts(sent)[0]
    sent = await office.send("soon")
    assert "like 2026-12-05 14:30" in office.texts(sent)[0]
    sent = await office.send("2026-11-21 22:30")
    texts = office.texts(sent)
    assert "scheduled for 2026-11-21 22:30, to 1 recipients" in texts[0]
    assert "quiet hours (21:00–08:00)" in texts[1] and "waits until 2026-11-22 08:00" in texts[1]
    assert "🕒 Scheduled for 2026-11-21 22:30." in texts[2]
    [row] = await outbox(roster, "broadcast")
    assert row.due_at == dt.datetime(2026, 11, 21, 14, 30, tzinfo=dt.UTC)


async def test_nobody_to_reach_is_said_before_anything_is_written(
    office: ChatUser, roster: Database
) -> None:
    await office.send("📣 Broadcast")
    sent = await office.tap("All members")  # no member linked a chat yet
    assert answer(sent).startswith("Nobody in this audience can be reached")
    sent = await office.tap("Residents of a station")
    sent = await office.tap("Bei'an")
    assert answer(sent).startswith("Nobody in this audience can be reached")
    assert (await dialog_of(office))[0] == "BroadcastForm:audience_value"


async def test_sending_in_quiet_hours_says_when_it_goes(
    office: ChatUser, member: ChatUser, clock: ManualClock
) -> None:
    clock.set(dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC))  # 22:00 in Shanghai
    await compose(office, "All members")
    sent = await office.tap("Send now")
    assert any("waits until 2026-11-21 08:00" in text for text in office.texts(sent))
    assert isinstance(office.last_markup(), InlineKeyboardMarkup)


async def test_a_restart_resumes_the_draft_at_any_step(
    office: ChatUser, member: ChatUser, roster: Database, app: AppContext, bot: Bot
) -> None:
    await office.send("📣 Broadcast")
    await office.tap("All members")
    # A new Dispatcher on the same database is a restarted process: the typed step goes on.
    restarted = ChatUser(build_dispatcher(app), bot, user_id=8001)
    sent = await formatted(restarted)
    assert "Send a photo or a document" in restarted.texts(sent)[0]
    await restarted.send("⏭ Skip")
    send_now, card = restarted.button_on_message("Send now")
    again = ChatUser(build_dispatcher(app), bot, user_id=8001)
    sent = await again.press(send_now, message_id=card)
    assert "Broadcast #1 is on its way to 1 recipients." in again.texts(sent)[1]
    [row] = await outbox(roster, "broadcast")
    assert message_of(row).text == HTML


async def test_on_redis_a_restart_resumes_the_review(
    redis_app: AppContext, office: ChatUser, member: ChatUser, roster: Database, bot: Bot
) -> None:
    redis_app.channels[bot.id] = "telegram"
    # The office's chat, on the app that keeps dialogs in Redis.
    first = ChatUser(build_dispatcher(redis_app), bot, user_id=8001)
    await compose(first, "All members")
    await first.dp.storage.close()
    restarted = ChatUser(build_dispatcher(redis_app), bot, user_id=8001)
    await restarted.tap("✏️ Text")
    sent = await restarted.send("Changed after the restart")
    assert "Ready to send?" in restarted.texts(sent)[-1]
    sent = await restarted.tap("Send now")
    await restarted.dp.storage.close()
    assert "is on its way to 1 recipients" in restarted.texts(sent)[1]
    [broadcast] = await broadcasts(roster)
    assert broadcast.text == "Changed after the restart"


async def test_edits_from_the_review_come_back_to_it(
    office: ChatUser, member: ChatUser, roster: Database
) -> None:
    await compose(office, "All members")
    sent = await office.tap("✏️ Audience")
    assert "Editing the broadcast…" in office.texts(sent)[0]
    await office.tap("By sector")
    sent = await office.tap("Education")  # straight back: the text is not asked again
    assert "Audience: By sector · Education" in office.texts(sent)[0]
    assert "Ready to send?" in office.texts(sent)[-1]
    assert (await dialog_of(office))[0] == "BroadcastForm:review"
    await office.tap("✏️ Text")
    assert (await dialog_of(office))[0] == "BroadcastForm:text"
    sent = await office.send("Only the text changed")
    assert "Send a photo" not in " ".join(office.texts(sent))
    assert "Audience: By sector · Education" in office.texts(sent)[-1]
    _state, data = await dialog_of(office)
    assert data["text"] == "Only the text changed" and data["audience_kind"] == "sector"


async def test_cancel_ends_the_dialog_and_its_cards(office: ChatUser, member: ChatUser) -> None:
    await office.send("📣 Broadcast")
    sector, card = office.button_on_message("By sector")
    await office.tap("All members")
    sent = await office.send("✖ Cancel")
    assert office.texts(sent)[-1] == "Cancelled; nothing was changed."
    assert await dialog_of(office) == (None, {})
    sent = await office.press(sector, message_id=card)
    assert answer(sent) == STALE and ENDED in office.texts(sent)
