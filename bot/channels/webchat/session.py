"""A Bot API session whose "server" is the web chat page: each call is drawn in the browser."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Collection
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    EditMessageReplyMarkup,
    EditMessageText,
    GetFile,
    SendDocument,
    SendLocation,
    SendMessage,
    SendPhoto,
)
from aiogram.types import InputFile

from bot.channels.rendering import RenderingSession
from bot.channels.webchat.hub import WebChatHub
from bot.channels.webchat.media import MediaStore
from bot.channels.webchat.render import inline_keyboard, reply_keyboard, to_html
from bot.channels.webchat.store import WebChatStore
from handlers.exports import PersonalExport
from services.chats.webchat_files import FileKind

log = logging.getLogger(__name__)

WEB_BOT_ID = 1
WEB_BOT_TOKEN = f"{WEB_BOT_ID}:web-chat"
WEB_BOT_USERNAME = "liaison_web"
MAX_TEXT = 4096
# Nothing to draw for these; the page has no command menu or chat actions to set.
SILENT_METHODS = frozenset(
    {"setMyCommands", "deleteMyCommands", "setChatMenuButton", "deleteWebhook", "close"}
)


class WebChatUnsupportedError(TelegramBadRequest):
    """The web chat cannot draw this Bot API method."""


class WebChatSession(RenderingSession):
    """Renders sendMessage, sendPhoto, editMessageText and friends as JSON events."""

    silent_methods = SILENT_METHODS
    unsupported_error = WebChatUnsupportedError
    cannot_render = "Bad Request: the web chat cannot render {name}"

    def __init__(
        self,
        hub: WebChatHub,
        media: MediaStore,
        store: WebChatStore,
        now: Callable[[], dt.datetime],
        *,
        export_lifetime: dt.timedelta,
    ) -> None:
        super().__init__(now)
        self.hub = hub
        self.media = media
        self.store = store
        self.export_lifetime = export_lifetime
        # Chats erased during the update being handled: what the bot still says to them is
        # shown, not stored, so the erasure leaves no row behind.
        self._erased: set[int] = set()
        self._renderers = {
            "getMe": self._get_me,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendLocation": self._send_location,
            "editMessageText": self._edit_text,
            "editMessageReplyMarkup": self._edit_markup,
            "deleteMessage": self._delete,
            "answerCallbackQuery": self._answer_callback,
            "sendChatAction": self._chat_action,
            "getFile": self._get_file,
        }

    async def forget_chat(self, chat_id: int, file_ids: Collection[str]) -> None:
        """Delete the given files from disk and redraw the chat's open pages empty.

        The chat's rows (history, file claims) went with the erasure's transaction; the
        files given are the ones nothing kept refers to any more.
        """
        self._erased.add(chat_id)
        for file_id in file_ids:
            await asyncio.to_thread(self.media.delete, file_id)
        await self.hub.clear(chat_id)

    def update_done(self, chat_id: int) -> None:
        """The chat's update is handled: from now on its messages are stored again."""
        self._erased.discard(chat_id)

    async def close(self) -> None:
        """Nothing to close: the pages belong to the web server."""

    async def file_bytes(self, file_id: str) -> bytes:
        """A file the page uploaded, by its web file id."""
        path = self.media.path(file_id)
        if path is None:
            raise FileNotFoundError(f"the web chat has no file {file_id}")
        return await asyncio.to_thread(path.read_bytes)

    # --- rendering ---------------------------------------------------------------------------

    async def _publish(self, chat_id: int, event: dict[str, Any]) -> None:
        if chat_id not in self._erased:
            await self.store.record(chat_id, event)
        await self.hub.push(chat_id, event)

    async def _get_me(self, bot: Bot, method: Any) -> dict[str, Any]:
        return {"id": bot.id, "is_bot": True, "first_name": "Liaison", "username": WEB_BOT_USERNAME}

    async def _send_message(self, bot: Bot, method: SendMessage) -> dict[str, Any]:
        chat_id = self.chat_of(method)
        if not method.text or len(method.text) > MAX_TEXT:
            raise WebChatUnsupportedError(
                method=method, message="Bad Request: message text is empty or too long"
            )
        message_id = await self.store.next_message_id()
        await self._publish(
            chat_id,
            self._event(
                message_id,
                html=to_html(bot, method.text, method.parse_mode),
                markup=method.reply_markup,
            ),
        )
        return self.message(bot, chat_id, message_id, text=method.text)

    def _event(self, message_id: int, *, markup: Any, **content: Any) -> dict[str, Any]:
        return {
            "type": "message",
            "message_id": message_id,
            "date": int(self.now().timestamp()),
            "html": None,
            "photo": None,
            "document": None,
            "location": None,
            **content,
            "inline_keyboard": inline_keyboard(markup),
            "reply_keyboard": reply_keyboard(markup),
        }

    async def _file_id(self, bot: Bot, value: str | InputFile, chat_id: int) -> str | None:
        """A web file id for what was given: a web file id, or bytes to store; None otherwise.

        The chat's claim on the file is noted first, so that bytes on disk always have a row
        (the cleanup job deletes bytes no row refers to).
        """
        if isinstance(value, InputFile):
            data = b"".join([chunk async for chunk in value.read(bot)])
            stored = self.media.describe(data, name=value.filename or "file")
            export = isinstance(value, PersonalExport)
            await self.store.hold(
                stored,
                chat_id=chat_id,
                kind=FileKind.EXPORT if export else FileKind.OUTGOING,
                lifetime=self.export_lifetime if export else None,
            )
            await asyncio.to_thread(self.media.write, data, stored)
            return stored.file_id
        stored_file = self.media.get(value)
        if stored_file is not None:
            # Someone else's file (a case photo shown to staff): seen, not kept, by this chat.
            await self.store.hold(stored_file, chat_id=chat_id, kind=FileKind.SHOWN)
            return value
        log.info("web chat %s: file %r is not a web file; shown as text", chat_id, value)
        return None

    async def _send_photo(self, bot: Bot, method: SendPhoto) -> dict[str, Any]:
        chat_id = self.chat_of(method)
        file_id = await self._file_id(bot, method.photo, chat_id)
        message_id = await self.store.next_message_id()
        caption = to_html(bot, method.caption, method.parse_mode)
        if file_id is None:
            await self._publish(
                chat_id, self._event(message_id, html=caption or "📷", markup=method.reply_markup)
            )
            return self.message(bot, chat_id, message_id, text=method.caption or "📷")
        stored = self.media.get(file_id)
        assert stored is not None
        await self._publish(
            chat_id,
            self._event(
                message_id,
                html=caption,
                photo={"url": self.media.url(file_id, chat_id)},
                markup=method.reply_markup,
            ),
        )
        size = {
            "file_id": file_id,
            "file_unique_id": file_id,
            "width": stored.width,
            "height": stored.height,
            "file_size": stored.size,
        }
        return self.message(bot, chat_id, message_id, photo=[size], caption=method.caption)

    async def _send_document(self, bot: Bot, method: SendDocument) -> dict[str, Any]:
        chat_id = self.chat_of(method)
        file_id = await self._file_id(bot, method.document, chat_id)
        message_id = await self.store.next_message_id()
        caption = to_html(bot, method.caption, method.parse_mode)
        stored = self.media.get(file_id) if file_id else None
        if file_id is None or stored is None:
            raise WebChatUnsupportedError(
                method=method, message="Bad Request: the web chat has no such file"
            )
        await self._publish(
            chat_id,
            self._event(
                message_id,
                html=caption,
                document={"url": self.media.url(file_id, chat_id), "name": stored.name},
                markup=method.reply_markup,
            ),
        )
        document = {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": stored.name,
            "mime_type": stored.mime_type,
            "file_size": stored.size,
        }
        return self.message(bot, chat_id, message_id, document=document, caption=method.caption)

    async def _send_location(self, bot: Bot, method: SendLocation) -> dict[str, Any]:
        chat_id = self.chat_of(method)
        message_id = await self.store.next_message_id()
        location = {"latitude": method.latitude, "longitude": method.longitude}
        await self._publish(
            chat_id, self._event(message_id, location=location, markup=method.reply_markup)
        )
        return self.message(bot, chat_id, message_id, location=location)

    async def _edit_text(self, bot: Bot, method: EditMessageText) -> dict[str, Any]:
        chat_id = self.chat_of(method)
        message_id = int(method.message_id or 0)
        html = to_html(bot, method.text, method.parse_mode)
        keyboard = inline_keyboard(method.reply_markup)
        stored = await self.store.find(chat_id, message_id)
        if stored is not None:
            if stored.get("html") == html and stored.get("inline_keyboard") == keyboard:
                raise TelegramBadRequest(
                    method=method,
                    message="Bad Request: message is not modified",
                )
            await self.store.update(chat_id, message_id, html=html, inline_keyboard=keyboard)
        await self.hub.push(
            chat_id,
            {"type": "edit", "message_id": message_id, "html": html, "inline_keyboard": keyboard},
        )
        return self.message(bot, chat_id, message_id, text=method.text)

    async def _edit_markup(self, bot: Bot, method: EditMessageReplyMarkup) -> dict[str, Any]:
        chat_id = self.chat_of(method)
        message_id = int(method.message_id or 0)
        keyboard = inline_keyboard(method.reply_markup)
        await self.store.update(chat_id, message_id, inline_keyboard=keyboard)
        await self.hub.push(
            chat_id,
            {"type": "edit", "message_id": message_id, "html": None, "inline_keyboard": keyboard},
        )
        return self.message(bot, chat_id, message_id)

    async def _delete(self, bot: Bot, method: DeleteMessage) -> bool:
        chat_id = self.chat_of(method)
        await self.store.remove(chat_id, method.message_id)
        await self.hub.push(chat_id, {"type": "delete", "message_id": method.message_id})
        return True

    async def _answer_callback(self, bot: Bot, method: AnswerCallbackQuery) -> bool:
        chat_id = self.hub.chat_of_callback(method.callback_query_id)
        if chat_id is not None and method.text:
            await self.hub.push(
                chat_id, {"type": "toast", "text": method.text, "alert": bool(method.show_alert)}
            )
        return True

    async def _get_file(self, bot: Bot, method: GetFile) -> dict[str, Any]:
        stored = self.media.get(method.file_id)
        if stored is None:
            raise WebChatUnsupportedError(method=method, message="Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_id,
            "file_size": stored.size,
            "file_path": stored.file_id,
        }

    async def _chat_action(self, bot: Bot, method: Any) -> bool:
        await self.hub.push(self.chat_of(method), {"type": "typing"})
        return True
