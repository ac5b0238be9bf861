"""A Bot API session whose server is the WeChat service account.

Handlers call the Bot API as on Telegram; this session draws each call as WeChat can show it.
What is said to the chat whose update is being handled is gathered for the passive reply
(bot/channels/wechat/replies.py); anything else goes at once as a customer-service message,
after one is taken from the chat's window (bot/channels/wechat/sending.py). An edit is a new
message: WeChat changes nothing once sent.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.types import InputFile

from bot.channels.rendering import RenderingSession
from bot.channels.wechat.api import WeChatApi, WeChatApiError
from bot.channels.wechat.files import SignedFiles, safe_name
from bot.channels.wechat.render import hints, keyboard, link, mode_of, plain_text
from bot.channels.wechat.replies import Piece, current_reply, merge
from bot.channels.wechat.sending import CHANNEL, Sender, WeChatUnsupportedError
from services.chats.wechat import find_message, record_message
from services.clock import Clock
from services.reference.maps import map_link
from storage.db import Database

log = logging.getLogger(__name__)

WECHAT_BOT_ID = 2
WECHAT_BOT_TOKEN = f"{WECHAT_BOT_ID}:wechat"
WECHAT_BOT_USERNAME = "liaison_wechat"
# Nothing to draw: WeChat has no typing indicator, command list or deletion.
SILENT_METHODS = frozenset(
    {
        "setMyCommands",
        "deleteMyCommands",
        "setChatMenuButton",
        "deleteWebhook",
        "close",
        "sendChatAction",
        "deleteMessage",
    }
)


class WeChatSession(RenderingSession):
    """Renders sendMessage, sendPhoto, sendLocation and edits as WeChat messages."""

    silent_methods = SILENT_METHODS
    unsupported_error = WeChatUnsupportedError
    cannot_render = "Bad Request: the service account cannot render {name}"

    def __init__(
        self,
        db: Database,
        clock: Clock,
        api: WeChatApi,
        *,
        map_template: str,
        files: SignedFiles | None = None,
    ) -> None:
        super().__init__(clock.now)
        self.db = db
        self.files = files
        self.clock = clock
        self.wechat = api
        self.sender = Sender(db, clock, api)
        self.map_template = map_template
        self._renderers = {
            "getMe": self._get_me,
            "sendMessage": self._send_message,
            "editMessageText": self._send_message,
            "editMessageReplyMarkup": self._edit_markup,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendLocation": self._send_location,
            "answerCallbackQuery": self._answer_callback,
            "getFile": self._get_file,
        }

    async def close(self) -> None:
        """Close the API client."""
        await self.wechat.close()

    async def file_bytes(self, file_id: str) -> bytes:
        """A file a resident sent, by its WeChat media id."""
        try:
            return await self.wechat.get_media(file_id)
        except WeChatApiError as error:
            raise FileNotFoundError(f"WeChat media {file_id}: {error}") from error

    # --- sending -----------------------------------------------------------------------------

    async def _say(self, method: Any, chat_id: int, text: str, markup: Any) -> int:
        """Keep the message and its buttons, then gather it for the reply or send it now."""
        drawn = keyboard(markup, hints())
        now = self.clock.now()
        message_id, tokens = await self.db.batched.run(
            lambda session: record_message(
                session,
                channel=CHANNEL,
                chat_id=chat_id,
                text=text,
                now=now,
                buttons=drawn.buttons,
            )
        )
        lines = drawn.draw(tokens)
        full = f"{text}\n\n{lines}" if text and lines else (text or lines)
        if full:
            await self._out(method, chat_id, Piece(text=full))
        return message_id

    async def _out(self, method: Any, chat_id: int, piece: Piece) -> None:
        reply = current_reply.get()
        if reply is not None and reply.chat_id == chat_id and not reply.closed:
            if piece.media_id is not None:
                reply.pieces.append(piece)
            else:
                reply.add_text(piece.text)
            return
        for part in merge([piece]):
            await self.sender.send_now(method, chat_id, part, answer=False)

    # --- the Bot API methods -----------------------------------------------------------------

    async def _get_me(self, bot: Bot, method: Any) -> dict[str, Any]:
        return {
            "id": bot.id,
            "is_bot": True,
            "first_name": "Liaison",
            "username": WECHAT_BOT_USERNAME,
        }

    async def _send_message(self, bot: Bot, method: Any) -> dict[str, Any]:
        chat_id = self.chat_of(method)
        text = plain_text(method.text, mode_of(bot, method.parse_mode))
        if not text.strip():
            raise WeChatUnsupportedError(
                method=method, message="Bad Request: message text is empty"
            )
        message_id = await self._say(method, chat_id, text, method.reply_markup)
        return self.message(bot, chat_id, message_id, text=method.text)

    async def _edit_markup(self, bot: Bot, method: Any) -> dict[str, Any]:
        chat_id = self.chat_of(method)
        markup = method.reply_markup
        if markup is None or not markup.inline_keyboard:
            # Buttons taken away: the old ones are refused as stale when tapped anyway.
            return self.message(bot, chat_id, int(method.message_id or 0))
        async with self.db.session() as session:
            old = await find_message(
                session, channel=CHANNEL, chat_id=chat_id, message_id=int(method.message_id or 0)
            )
        text = old.text if old is not None else ""
        message_id = await self._say(method, chat_id, text, markup)
        return self.message(bot, chat_id, message_id, text=text or "…")

    async def _send_photo(self, bot: Bot, method: Any) -> dict[str, Any]:
        chat_id = self.chat_of(method)
        photo = method.photo
        if isinstance(photo, InputFile):
            data = b"".join([chunk async for chunk in photo.read(bot)])
            media_id = await self.wechat.upload_image(data, photo.filename or "photo.jpg")
        else:
            # A media id WeChat gave us (a resident's photo, within its three days).
            media_id = str(photo)
        await self._out(method, chat_id, Piece(media_id=media_id))
        caption = plain_text(method.caption, mode_of(bot, method.parse_mode))
        message_id = await self._say(method, chat_id, caption, method.reply_markup)
        size = {"file_id": media_id, "file_unique_id": media_id[:64], "width": 0, "height": 0}
        return self.message(bot, chat_id, message_id, photo=[size], caption=method.caption)

    async def _send_document(self, bot: Bot, method: Any) -> dict[str, Any]:
        """A file as a signed link under its caption: WeChat has no file message."""
        chat_id = self.chat_of(method)
        document = method.document
        if self.files is None or not isinstance(document, InputFile):
            raise WeChatUnsupportedError(
                method=method, message="Bad Request: the service account sends files as links"
            )
        data = b"".join([chunk async for chunk in document.read(bot)])
        name = safe_name(document.filename or "file")
        url, _expires = await self.files.keep(data, name)
        caption = plain_text(method.caption, mode_of(bot, method.parse_mode))
        line = f"{link(url, f'📎 {name}')}\n{hints()['document']}"
        text = f"{caption}\n\n{line}" if caption else line
        message_id = await self._say(method, chat_id, text, method.reply_markup)
        file = {"file_id": url, "file_unique_id": name[:64], "file_name": name}
        return self.message(bot, chat_id, message_id, document=file, caption=method.caption)

    async def _send_location(self, bot: Bot, method: Any) -> dict[str, Any]:
        chat_id = self.chat_of(method)
        url = map_link(self.map_template, method.latitude, method.longitude)
        text = link(url, f"📍 {method.latitude:.5f}, {method.longitude:.5f}")
        message_id = await self._say(method, chat_id, text, method.reply_markup)
        location = {"latitude": method.latitude, "longitude": method.longitude}
        return self.message(bot, chat_id, message_id, location=location)

    async def _answer_callback(self, bot: Bot, method: Any) -> bool:
        reply = current_reply.get()
        if method.text and reply is not None and not reply.closed:
            reply.toast = method.text
        return True

    async def _get_file(self, bot: Bot, method: Any) -> dict[str, Any]:
        return {
            "file_id": method.file_id,
            "file_unique_id": method.file_id[:64],
            "file_path": method.file_id,
        }
