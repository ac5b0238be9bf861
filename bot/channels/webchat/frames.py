"""What a page sends, checked and turned into aiogram Updates."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass
from typing import Any

from aiogram.types import (
    CallbackQuery,
    Chat,
    Contact,
    Document,
    Location,
    Message,
    MessageEntity,
    PhotoSize,
    Update,
    User,
)

from bot.channels.webchat.media import MediaStore

MAX_FRAME_TEXT = 4096
MAX_CALLBACK_DATA = 64
MAX_ID = 64
MAX_PHONE = 32
FRAME_TYPES = frozenset({"text", "callback", "file", "location", "contact"})


class FrameError(ValueError):
    """A frame the page should never have sent; ``code`` says what was wrong."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Sender:
    """The person behind a web chat page."""

    chat_id: int
    language_code: str | None
    # The client's address, so that guesses (invitation codes) are counted per address too.
    address: str | None = None
    # The browser's own chat (its cookie): uploads belong to it, whichever demo persona it
    # then talks as.
    browser_chat_id: int | None = None

    @property
    def user(self) -> User:
        """The Telegram-shaped user."""
        return User(
            id=self.chat_id, is_bot=False, first_name="Web", language_code=self.language_code
        )

    @property
    def chat(self) -> Chat:
        """The Telegram-shaped private chat."""
        return Chat(id=self.chat_id, type="private")


def update_id_for(chat_id: int, frame_id: str) -> int:
    """A stable update id: the same frame sent twice is the same update (and handled once)."""
    digest = hashlib.sha256(f"{chat_id}:{frame_id}".encode()).digest()
    return int.from_bytes(digest[:7], "big")


def _text(frame: dict[str, Any], key: str, limit: int, code: str) -> str:
    value = frame.get(key)
    if not isinstance(value, str) or not value.strip():
        raise FrameError("malformed")
    if len(value) > limit:
        raise FrameError(code)
    return value


def _coordinate(value: Any, bound: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FrameError("malformed")
    number = float(value)
    if not math.isfinite(number) or abs(number) > bound:
        raise FrameError("malformed")
    return number


def build_update(
    frame: Any, *, sender: Sender, message_id: int, now: dt.datetime, media: MediaStore
) -> tuple[Update, dict[str, Any]]:
    """The Update for a frame, and the history entry that shows the user's own message."""
    # A page may send any JSON: check the type is a string before looking it up.
    kind = frame.get("type") if isinstance(frame, dict) else None
    if not isinstance(kind, str) or kind not in FRAME_TYPES:
        raise FrameError("malformed")
    frame_id = _text(frame, "id", MAX_ID, "malformed")
    update_id = update_id_for(sender.chat_id, frame_id)
    shown: dict[str, Any] = {
        "type": "user_message",
        "message_id": message_id,
        "date": int(now.timestamp()),
        "text": None,
        "photo": None,
        "document": None,
        "location": None,
        "contact": None,
    }
    base: dict[str, Any] = {
        "message_id": message_id,
        "date": now,
        "chat": sender.chat,
        "from_user": sender.user,
    }
    if kind == "callback":
        data = _text(frame, "data", 256, "malformed")
        if len(data.encode()) > MAX_CALLBACK_DATA:
            raise FrameError("malformed")
        target = frame.get("message_id")
        if isinstance(target, bool) or not isinstance(target, int) or target < 0:
            raise FrameError("malformed")
        on_message = Message(message_id=target, date=now, chat=sender.chat, text="")
        query = CallbackQuery(
            id=f"web-{update_id}",
            from_user=sender.user,
            chat_instance=str(sender.chat_id),
            message=on_message,
            data=data,
        )
        return Update(update_id=update_id, callback_query=query), {}
    if kind == "text":
        text = _text(frame, "text", MAX_FRAME_TEXT, "too_long")
        entities = None
        if text.startswith("/"):
            length = len(text.split()[0])
            entities = [MessageEntity(type="bot_command", offset=0, length=length)]
        shown["text"] = text
        message = Message(**base, text=text, entities=entities)
    elif kind == "location":
        latitude = _coordinate(frame.get("latitude"), 90)
        longitude = _coordinate(frame.get("longitude"), 180)
        shown["location"] = {"latitude": latitude, "longitude": longitude}
        message = Message(**base, location=Location(latitude=latitude, longitude=longitude))
    elif kind == "contact":
        phone = _text(frame, "phone", MAX_PHONE, "malformed")
        shown["contact"] = {"phone": phone}
        contact = Contact(phone_number=phone, first_name="Web", user_id=sender.chat_id)
        message = Message(**base, contact=contact)
    else:
        stored = media.get(_text(frame, "file_id", MAX_ID + 8, "malformed"))
        if stored is None:
            raise FrameError("unknown_file")
        url = media.url(stored.file_id, sender.chat_id)
        if stored.is_photo:
            shown["photo"] = {"url": url}
            size = PhotoSize(
                file_id=stored.file_id,
                file_unique_id=stored.file_id,
                width=stored.width,
                height=stored.height,
                file_size=stored.size,
            )
            message = Message(**base, photo=[size])
        else:
            shown["document"] = {"url": url, "name": stored.name}
            document = Document(
                file_id=stored.file_id,
                file_unique_id=stored.file_id,
                file_name=stored.name,
                mime_type=stored.mime_type,
                file_size=stored.size,
            )
            message = Message(**base, document=document)
    return Update(update_id=update_id, message=message), shown
