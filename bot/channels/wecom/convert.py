"""What WeCom delivers, as aiogram Updates: messages, file kinds, and card clicks.

Messages keep WeCom's MsgId as their update id, so a callback WeCom sends again is the same
update; events have no MsgId and get a stable 63-bit hash of who, when and what instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from aiogram.types import (
    CallbackQuery,
    Chat,
    Document,
    Location,
    Message,
    MessageEntity,
    PhotoSize,
    Update,
    User,
    Video,
    Voice,
)

from bot.channels.wecom.render import clean_text
from services.chats.wecom_messages import PressedButton

MAX_TEXT = 4096


@dataclass(frozen=True)
class Inbound:
    """One callback's content: who sent it and the raw fields of WeCom's XML."""

    userid: str
    fields: dict[str, Any]

    @property
    def kind(self) -> str:
        """``text``, ``image``... or for an event ``event:<name>``."""
        kind = str(self.fields.get("MsgType", "")).lower()
        if kind == "event":
            return f"event:{str(self.fields.get('Event', '')).lower()}"
        return kind

    @property
    def sent_at(self) -> dt.datetime:
        """When WeCom says it was sent."""
        try:
            seconds = int(self.fields.get("CreateTime") or 0)
        except ValueError:
            seconds = 0
        return dt.datetime.fromtimestamp(seconds, dt.UTC)

    @property
    def update_id(self) -> int:
        """MsgId for a message; a stable 63-bit hash of the event for an event."""
        msg_id = str(self.fields.get("MsgId") or "")
        if msg_id.isdigit() and 0 < int(msg_id) < 2**63:
            return int(msg_id)
        what = "|".join(
            str(self.fields.get(key) or "")
            for key in ("FromUserName", "CreateTime", "Event", "EventKey", "TaskId")
        )
        return int.from_bytes(hashlib.sha256(what.encode()).digest()[:8], "big") >> 1


def _sender(chat_id: int, userid: str) -> tuple[Chat, User]:
    return Chat(id=chat_id, type="private"), User(id=chat_id, is_bot=False, first_name=userid)


def message_update(inbound: Inbound, chat_id: int) -> Update | None:
    """The Update of a message (text, image, file, location, voice, video); None for others."""
    chat, user = _sender(chat_id, inbound.userid)
    fields = inbound.fields
    message_id = inbound.update_id % 2**31
    base: dict[str, Any] = {
        "message_id": message_id,
        "date": inbound.sent_at,
        "chat": chat,
        "from_user": user,
    }
    kind = inbound.kind
    media_id = str(fields.get("MediaId") or "")
    if kind == "text":
        text = clean_text(str(fields.get("Content") or ""))[:MAX_TEXT]
        if not text.strip():
            return None
        return Update(update_id=inbound.update_id, message=text_message(base, text))
    if kind == "image" and media_id:
        size = PhotoSize(file_id=media_id, file_unique_id=media_id, width=0, height=0)
        message = Message(**base, photo=[size])
    elif kind == "file" and media_id:
        name = str(fields.get("FileName") or fields.get("Title") or "file")
        message = Message(
            **base, document=Document(file_id=media_id, file_unique_id=media_id, file_name=name)
        )
    elif kind == "location":
        try:
            latitude = float(fields.get("Location_X") or "")
            longitude = float(fields.get("Location_Y") or "")
        except ValueError:
            return None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            return None
        message = Message(**base, location=Location(latitude=latitude, longitude=longitude))
    elif kind == "voice" and media_id:
        message = Message(
            **base, voice=Voice(file_id=media_id, file_unique_id=media_id, duration=0)
        )
    elif kind == "video" and media_id:
        video = Video(file_id=media_id, file_unique_id=media_id, width=0, height=0, duration=0)
        message = Message(**base, video=video)
    else:
        return None
    return Update(update_id=inbound.update_id, message=message)


def text_message(base: dict[str, Any], text: str) -> Message:
    """A text message, its leading command marked as Telegram marks it."""
    entities = None
    if text.startswith("/"):
        entities = [MessageEntity(type="bot_command", offset=0, length=len(text.split()[0]))]
    return Message(**base, text=text, entities=entities)


def option_update(
    inbound: Inbound, chat_id: int, pressed: PressedButton, *, callback_id: str
) -> Update:
    """The Update of a pressed button: a callback query, or the text a menu option sends."""
    chat, user = _sender(chat_id, inbound.userid)
    if pressed.kind == "text":
        base = {
            "message_id": inbound.update_id % 2**31,
            "date": inbound.sent_at,
            "chat": chat,
            "from_user": user,
        }
        return Update(update_id=inbound.update_id, message=text_message(base, pressed.data))
    on_message = Message(
        message_id=pressed.message_id, date=inbound.sent_at, chat=chat, text=pressed.message_text
    )
    query = CallbackQuery(
        id=callback_id,
        from_user=user,
        chat_instance=str(chat_id),
        message=on_message,
        data=pressed.data,
    )
    return Update(update_id=inbound.update_id, callback_query=query)
