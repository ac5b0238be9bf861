"""Drive a Dispatcher like a Telegram user would: messages, photos, button presses."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import (
    CallbackQuery,
    Chat,
    Contact,
    Document,
    InlineKeyboardMarkup,
    Location,
    Message,
    PhotoSize,
    ReplyKeyboardMarkup,
    Sticker,
    Update,
    User,
)

from tests.support.recording import RecordingSession

_update_ids = itertools.count(1)
_message_ids = itertools.count(1)


class ChatUser:
    """One person in a private chat with the bot."""

    def __init__(
        self,
        dp: Dispatcher,
        bot: Bot,
        *,
        user_id: int,
        language_code: str | None = "en",
        first_name: str = "Resident",
    ) -> None:
        self.dp = dp
        self.bot = bot
        self.user = User(
            id=user_id, is_bot=False, first_name=first_name, language_code=language_code
        )
        self.chat = Chat(id=user_id, type="private")

    @property
    def session(self) -> RecordingSession:
        assert isinstance(self.bot.session, RecordingSession)
        return self.bot.session

    async def feed(self, update: Update) -> list[TelegramMethod[Any]]:
        before = len(self.session.requests)
        await self.dp.feed_update(self.bot, update)
        return self.session.requests[before:]

    def _message(self, **fields: Any) -> Message:
        return Message(
            message_id=next(_message_ids),
            date=dt.datetime.now(dt.UTC),
            chat=self.chat,
            from_user=self.user,
            **fields,
        )

    async def send_message(self, message: Message) -> list[TelegramMethod[Any]]:
        return await self.feed(Update(update_id=next(_update_ids), message=message))

    async def send(self, text: str) -> list[TelegramMethod[Any]]:
        return await self.send_message(self._message(text=text))

    async def photo(self, file_id: str = "photo-1") -> list[TelegramMethod[Any]]:
        sizes = [
            PhotoSize(file_id=f"{file_id}-s", file_unique_id=f"{file_id}-us", width=90, height=90),
            PhotoSize(file_id=file_id, file_unique_id=f"u-{file_id}", width=1280, height=960),
        ]
        return await self.send_message(self._message(photo=sizes))

    async def document(
        self, mime_type: str, file_size: int = 1000, file_id: str = "doc-1"
    ) -> list[TelegramMethod[Any]]:
        document = Document(
            file_id=file_id, file_unique_id=f"u-{file_id}", mime_type=mime_type, file_size=file_size
        )
        return await self.send_message(self._message(document=document))

    async def sticker(self) -> list[TelegramMethod[Any]]:
        sticker = Sticker(
            file_id="stk",
            file_unique_id="ustk",
            type="regular",
            width=512,
            height=512,
            is_animated=False,
            is_video=False,
        )
        return await self.send_message(self._message(sticker=sticker))

    async def location(self, latitude: float, longitude: float) -> list[TelegramMethod[Any]]:
        location = Location(latitude=latitude, longitude=longitude)
        return await self.send_message(self._message(location=location))

    async def contact(self, phone: str, *, user_id: int | None = None) -> list[TelegramMethod[Any]]:
        contact = Contact(
            phone_number=phone,
            first_name=self.user.first_name,
            user_id=self.user.id if user_id is None else user_id,
        )
        return await self.send_message(self._message(contact=contact))

    async def press(self, data: str, *, message_id: int = 1) -> list[TelegramMethod[Any]]:
        message = Message(
            message_id=message_id,
            date=dt.datetime.now(dt.UTC),
            chat=self.chat,
            from_user=User(id=self.bot.id, is_bot=True, first_name="Liaison"),
            text="…",
        )
        query = CallbackQuery(
            id=str(next(_update_ids)),
            from_user=self.user,
            chat_instance="ci",
            message=message,
            data=data,
        )
        return await self.feed(Update(update_id=next(_update_ids), callback_query=query))

    async def tap(self, label: str) -> list[TelegramMethod[Any]]:
        """Press the newest inline button whose text contains ``label``, on its own message."""
        data, message_id = self.button_on_message(label)
        return await self.press(data, message_id=message_id)

    def button_on_message(self, contains: str) -> tuple[str, int]:
        """Callback data of the newest button with ``contains`` in its text, and its message id."""
        for request in reversed(self.session.requests):
            markup = getattr(request, "reply_markup", None)
            if not isinstance(markup, InlineKeyboardMarkup):
                continue
            for row in markup.inline_keyboard:
                for button in row:
                    if contains in button.text and button.callback_data:
                        return button.callback_data, self.session.message_id_of(request)
        raise AssertionError(f"no button with {contains!r} in {self.inline_buttons()}")

    # --- reading what the bot did --------------------------------------------------------

    def sent(self) -> list[TelegramMethod[Any]]:
        return list(self.session.requests)

    def texts(self, requests: list[TelegramMethod[Any]] | None = None) -> list[str]:
        found = []
        for request in self.sent() if requests is None else requests:
            text = getattr(request, "text", None)
            if text is not None:
                found.append(str(text))
        return found

    def last_markup(self) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
        for request in reversed(self.session.requests):
            markup = getattr(request, "reply_markup", None)
            if markup is not None:
                return markup  # type: ignore[no-any-return]
        return None

    def inline_buttons(self) -> list[tuple[str, str]]:
        """Every inline button of the most recent inline keyboard: (text, callback data)."""
        for request in reversed(self.session.requests):
            markup = getattr(request, "reply_markup", None)
            if isinstance(markup, InlineKeyboardMarkup):
                return [
                    (button.text, button.callback_data or "")
                    for row in markup.inline_keyboard
                    for button in row
                ]
        return []

    def button(self, contains: str) -> str:
        """Callback data of the newest inline button whose text contains ``contains``."""
        for text, data in self.inline_buttons():
            if contains in text:
                return data
        raise AssertionError(f"no button with {contains!r} in {self.inline_buttons()}")


def forged(user: ChatUser, widget_data: str) -> str:
    """Callback data for ``widget_data`` on the dialog card the chat shows now, as a forger would
    write it: the card's intent id, then any widget id and item (``"kind:karaoke"``)."""
    intent_id = next(data for _text, data in user.inline_buttons() if "\x1d" in data)
    return f"{intent_id.split(chr(0x1D))[0]}\x1d{widget_data}"
