"""Customer-service and template messages to a chat, within its window.

A customer-service message is taken from the chat's window first (services/outbox/windows.py)
in one statement, so several processes never overspend it; what WeChat refuses gives the count
back, or shuts the window when WeChat says it is shut. Errors come out as the Bot API's, so the
outbox treats them as it treats Telegram's.
"""

from __future__ import annotations

from typing import Any

from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramServerError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.budget import OutsideWindowError
from bot.channels.wechat.api import GONE_ERRORS, WINDOW_ERRORS, WeChatApi, WeChatApiError
from bot.channels.wechat.replies import Piece
from services.chats.wechat import external_id_of, record_message
from services.clock import Clock
from services.outbox import windows
from storage.db import Database

CHANNEL = "wechat"


class WeChatUnsupportedError(TelegramBadRequest):
    """The service account cannot render this Bot API method."""


class Sender:
    """Sends to one chat at once, spending its window."""

    def __init__(self, db: Database, clock: Clock, api: WeChatApi) -> None:
        self.db = db
        self.clock = clock
        self.wechat = api

    async def send_now(self, method: Any, chat_id: int, piece: Piece, *, answer: bool) -> None:
        """A customer-service message, once the window allows one.

        ``OutsideWindowError`` when it does not (or WeChat says so); ``TelegramForbiddenError``
        when the person left the account.
        """
        now = self.clock.now()

        async def take_one(session: AsyncSession) -> tuple[str | None, bool]:
            openid = await external_id_of(session, channel=CHANNEL, chat_id=chat_id)
            reserved = openid is not None and await windows.reserve(
                session, channel=CHANNEL, chat_id=chat_id, now=now, answer=answer
            )
            return openid, reserved

        openid, reserved = await self.db.batched.run(take_one)
        if openid is None:
            raise WeChatUnsupportedError(method=method, message="Bad Request: chat not found")
        if not reserved:
            raise OutsideWindowError(method=method, message="the customer-service window is shut")
        try:
            if piece.media_id is not None:
                await self.wechat.send_image(openid, piece.media_id)
            else:
                await self.wechat.send_text(openid, piece.text)
        except WeChatApiError as error:
            async with self.db.writing() as session:
                if error.code in WINDOW_ERRORS:
                    await windows.mark_shut(session, channel=CHANNEL, chat_id=chat_id)
                else:
                    await windows.give_back(session, channel=CHANNEL, chat_id=chat_id)
            if error.code in WINDOW_ERRORS:
                raise OutsideWindowError(method=method, message=str(error)) from error
            if error.code in GONE_ERRORS:
                raise TelegramForbiddenError(method=method, message=str(error)) from error
            if error.code < 0:  # "system busy": worth trying again later
                raise TelegramServerError(method=method, message=str(error)) from error
            raise TelegramBadRequest(method=method, message=str(error)) from error

    async def send_template(
        self, chat_id: int, template_id: str, data: dict[str, str], *, url: str | None = None
    ) -> int:
        """A template message to the chat, outside its window; the message id."""
        async with self.db.session() as session:
            openid = await external_id_of(session, channel=CHANNEL, chat_id=chat_id)
        if openid is None:
            raise LookupError(f"no WeChat person has chat id {chat_id}")
        await self.wechat.send_template(openid, template_id, data, url)
        async with self.db.writing() as session:
            message_id, _tokens = await record_message(
                session, channel=CHANNEL, chat_id=chat_id, text="", now=self.clock.now()
            )
        return message_id
