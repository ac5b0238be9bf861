"""A Bot API session whose server is WeCom: each call the handlers make, sent as WeCom does.

sendMessage with up to six callback buttons is a ``button_interaction`` card; other keyboards
are numbered options in a text message. An edit of a card whose click is being answered
updates the card with that click's response code (once, within 72 hours); any other edit is
a new message, and the Message returned names it, so aiogram-dialog follows it. Sending to a
person (spacing, WeCom's duplicate check) is :mod:`bot.channels.wecom.sending`'s.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from aiogram import Bot
from aiogram.types import InputFile

from bot.channels.rendering import RenderingSession
from bot.channels.webchat.render import resolve
from bot.channels.wecom.api import WeComAPI
from bot.channels.wecom.render import (
    MAX_TITLE,
    card,
    clean_text,
    drawing,
    fits_card,
    numbered_text,
    plain,
    shorten,
    split_text,
    to_wecom_text,
)
from bot.channels.wecom.sending import WeComSender, WeComUnsupportedError
from bot.channels.wecom.spacing import Spacer
from services.chats.wecom_messages import (
    DrawnButton,
    draw_buttons,
    message_text,
    new_message,
    record_card,
    take_card_code,
)
from services.clock import Clock
from services.reference.maps import map_link
from storage.db import Database

log = logging.getLogger(__name__)

WECOM_BOT_ID = 3
WECOM_BOT_TOKEN = f"{WECOM_BOT_ID}:wecom"
WECOM_BOT_USERNAME = "liaison_wecom"
MAX_FILE_BYTES = 20 * 1024 * 1024
SILENT_METHODS = frozenset(
    {
        "setMyCommands",
        "deleteMyCommands",
        "setChatMenuButton",
        "deleteWebhook",
        "sendChatAction",
        "deleteMessage",
        "close",
    }
)


class WeComSession(RenderingSession):
    """Carries sendMessage, edits, photos, documents and friends to WeCom."""

    silent_methods = SILENT_METHODS
    unsupported_error = WeComUnsupportedError
    cannot_render = "Bad Request: WeCom cannot carry {name}"

    def __init__(
        self, api: WeComAPI, db: Database, clock: Clock, spacer: Spacer, *, map_template: str
    ) -> None:
        super().__init__(clock.now)
        self.wecom = api
        self.db = db
        self.clock = clock
        self.map_template = map_template
        self.sender = WeComSender(api, db, spacer)
        # The click each chat is being answered for, and whether anything was sent for it.
        self._clicks: dict[int, tuple[str, bool]] = {}
        self._renderers = {
            "getMe": self._get_me,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendLocation": self._send_location,
            "editMessageText": self._edit_text,
            "editMessageReplyMarkup": self._edit_markup,
            "answerCallbackQuery": self._answer_callback,
            "getFile": self._get_file,
        }

    def click_started(self, chat_id: int, callback_id: str) -> None:
        """A click of the chat is being handled: a toast shows only if nothing else is sent."""
        self._clicks[chat_id] = (callback_id, False)

    async def close(self) -> None:
        """Close the API client's connections."""
        await self.wecom.close()

    async def file_bytes(self, file_id: str) -> bytes:
        """A file someone sent, by its WeCom media id."""
        return await self.wecom.download(file_id)

    # --- sending -----------------------------------------------------------------------------

    async def _userid(self, method: Any) -> tuple[int, str]:
        return await self.sender.person(method)

    async def _post(self, method: Any, chat_id: int, userid: str, payload: dict[str, Any]) -> None:
        clicked = self._clicks.get(chat_id)
        if clicked is not None:
            self._clicks[chat_id] = (clicked[0], True)
        await self.sender.post(method, userid, payload)

    async def _post_text(self, method: Any, chat_id: int, userid: str, text: str) -> None:
        for part in split_text(text):
            if part.strip():
                await self._post(
                    method, chat_id, userid, {"msgtype": "text", "text": {"content": part}}
                )

    async def _draw(self, method: Any, chat_id: int, userid: str, text: str, markup: Any) -> int:
        """Send ``text`` (WeCom text) with ``markup``; the new message's id."""
        drawn = drawing(markup)
        now = self.clock.now()
        async with self.db.session() as session:
            message_id = await new_message(session, chat_id=chat_id, text=plain(text), now=now)
            buttons = drawn.card or drawn.numbered
            tokens = await draw_buttons(
                session, chat_id=chat_id, message_id=message_id, buttons=buttons, now=now
            )
            if drawn.card:
                task_id = f"m{message_id}-{secrets.token_hex(6)}"
                await record_card(
                    session, chat_id=chat_id, message_id=message_id, task_id=task_id, now=now
                )
        if drawn.card:
            whole = fits_card(text)
            if not whole:
                await self._post_text(method, chat_id, userid, text)
            body = card(text, _keys(tokens, drawn.card), task_id=task_id, whole=whole)
            await self._post(
                method, chat_id, userid, {"msgtype": "template_card", "template_card": body}
            )
        else:
            await self._post_text(method, chat_id, userid, numbered_text(text, drawn))
        return message_id

    def _text_of(self, bot: Bot, text: str | None, parse_mode: Any) -> str:
        mode = resolve(bot, parse_mode)
        return to_wecom_text(clean_text(text or ""), mode if isinstance(mode, str) else None)

    async def _send_message(self, bot: Bot, method: Any) -> dict[str, Any]:
        chat_id, userid = await self._userid(method)
        if not method.text or len(method.text) > 4096:
            raise WeComUnsupportedError(
                method=method, message="Bad Request: message text is empty or too long"
            )
        text = self._text_of(bot, method.text, method.parse_mode)
        message_id = await self._draw(method, chat_id, userid, text, method.reply_markup)
        return self.message(bot, chat_id, message_id, text=method.text)

    async def _file(self, bot: Bot, method: Any, value: str | InputFile, kind: str) -> str:
        """A media id for what was given: bytes uploaded, or a media id WeCom gave us."""
        if not isinstance(value, InputFile):
            return str(value)
        data = b"".join([chunk async for chunk in value.read(bot)])
        if len(data) > MAX_FILE_BYTES:
            raise WeComUnsupportedError(
                method=method, message="Bad Request: WeCom takes files of at most 20 MB"
            )
        return await self.wecom.upload(kind, value.filename or kind, data, method=method)

    async def _send_media(self, bot: Bot, method: Any, value: Any, kind: str) -> dict[str, Any]:
        chat_id, userid = await self._userid(method)
        media_id = await self._file(bot, method, value, kind)
        await self._post(method, chat_id, userid, {"msgtype": kind, kind: {"media_id": media_id}})
        caption = self._text_of(bot, method.caption, method.parse_mode)
        if caption or method.reply_markup is not None:
            message_id = await self._draw(method, chat_id, userid, caption, method.reply_markup)
        else:
            async with self.db.session() as session:
                message_id = await new_message(
                    session, chat_id=chat_id, text="", now=self.clock.now()
                )
        if kind == "image":
            photo = [{"file_id": media_id, "file_unique_id": media_id, "width": 0, "height": 0}]
            return self.message(bot, chat_id, message_id, photo=photo, caption=method.caption)
        document = {"file_id": media_id, "file_unique_id": media_id}
        return self.message(bot, chat_id, message_id, document=document, caption=method.caption)

    async def _send_photo(self, bot: Bot, method: Any) -> dict[str, Any]:
        return await self._send_media(bot, method, method.photo, "image")

    async def _send_document(self, bot: Bot, method: Any) -> dict[str, Any]:
        return await self._send_media(bot, method, method.document, "file")

    async def _send_location(self, bot: Bot, method: Any) -> dict[str, Any]:
        chat_id, userid = await self._userid(method)
        link = map_link(self.map_template, method.latitude, method.longitude)
        text = f'📍 <a href="{link}">{method.latitude:.5f}, {method.longitude:.5f}</a>'
        message_id = await self._draw(method, chat_id, userid, text, method.reply_markup)
        location = {"latitude": method.latitude, "longitude": method.longitude}
        return self.message(bot, chat_id, message_id, location=location)

    # --- edits -------------------------------------------------------------------------------

    async def _edit(
        self, bot: Bot, method: Any, text: str, markup: Any, original: str | None
    ) -> dict[str, Any]:
        chat_id, userid = await self._userid(method)
        message_id = int(method.message_id or 0)
        now = self.clock.now()
        drawn = drawing(markup)
        async with self.db.session() as session:
            taken = await take_card_code(session, chat_id=chat_id, message_id=message_id, now=now)
            code, task_id = taken if taken is not None else (None, "")
            if code is not None and drawn.card and fits_card(text):
                tokens = await draw_buttons(
                    session,
                    chat_id=chat_id,
                    message_id=message_id,
                    buttons=drawn.card,
                    now=now,
                    text=plain(text),
                )
        if code is not None and drawn.card and fits_card(text):
            body = card(text, _keys(tokens, drawn.card), task_id=task_id, whole=True)
            await self._update_card(method, chat_id, userid, code, {"template_card": body})
            return self.message(bot, chat_id, message_id, text=original)
        if code is not None:
            # The old card's buttons are retired with the answer's first line; the rest follows
            # as a new message.
            title = shorten(plain(text).strip().partition("\n")[0] or "✓", MAX_TITLE)
            await self._update_card(
                method, chat_id, userid, code, {"button": {"replace_name": title}}
            )
        new_id = await self._draw(method, chat_id, userid, text, markup)
        return self.message(bot, chat_id, new_id, text=original)

    async def _update_card(
        self, method: Any, chat_id: int, userid: str, code: str, change: dict[str, Any]
    ) -> None:
        clicked = self._clicks.get(chat_id)
        if clicked is not None:
            self._clicks[chat_id] = (clicked[0], True)
        body = {
            "userids": [userid],
            "agentid": self.wecom.agent_id,
            "response_code": code,
            **change,
        }
        await self.wecom.call("/cgi-bin/message/update_template_card", body, method=method)

    async def _edit_text(self, bot: Bot, method: Any) -> dict[str, Any]:
        text = self._text_of(bot, method.text, method.parse_mode)
        return await self._edit(bot, method, text, method.reply_markup, method.text)

    async def _edit_markup(self, bot: Bot, method: Any) -> dict[str, Any]:
        chat_id, _userid = await self._userid(method)
        async with self.db.session() as session:
            text = await message_text(
                session, chat_id=chat_id, message_id=int(method.message_id or 0)
            )
        return await self._edit(bot, method, text or "…", method.reply_markup, None)

    # --- the rest ----------------------------------------------------------------------------

    async def _answer_callback(self, bot: Bot, method: Any) -> bool:
        """A toast becomes a short message, unless the click was answered otherwise."""
        chat_text, _, _rest = str(method.callback_query_id).partition("-")
        if not method.text or not chat_text.isdigit():
            return True
        chat_id = int(chat_text)
        clicked = self._clicks.get(chat_id)
        if clicked is None or clicked[0] != method.callback_query_id or clicked[1]:
            return True
        userid = await self.sender.userid_of(chat_id)
        if userid is not None:
            await self._post_text(method, chat_id, userid, clean_text(method.text))
        return True

    async def _get_me(self, bot: Bot, method: Any) -> dict[str, Any]:
        return {
            "id": bot.id,
            "is_bot": True,
            "first_name": "Liaison",
            "username": WECOM_BOT_USERNAME,
        }

    async def _get_file(self, bot: Bot, method: Any) -> dict[str, Any]:
        return {
            "file_id": method.file_id,
            "file_unique_id": method.file_id,
            "file_path": method.file_id,
        }


def _keys(tokens: list[str], buttons: list[DrawnButton]) -> list[tuple[str, str]]:
    return [(token, button.label) for token, button in zip(tokens, buttons, strict=True)]
