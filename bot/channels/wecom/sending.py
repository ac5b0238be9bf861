"""Sending to one WeCom person: their userid, room under WeCom's limits, retries made safe.

Every send to a person waits for room under WeCom's per-member limits (30 a minute, 1,000 an
hour; beyond them WeCom drops messages without a word). A notice from the outbox, which the
delivery loop may send again after an error, asks WeCom to drop a copy of the same content
sent within :data:`DUPLICATE_INTERVAL`; the answer to a person's own message does not, since
it is never retried and the same answer to the same mistake made twice must arrive twice.
"""

from __future__ import annotations

import contextvars
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiogram.exceptions import TelegramBadRequest

from bot.channels.wecom.api import WeComAPI
from bot.channels.wecom.spacing import Spacer
from services.chats.wecom_users import wecom_userid
from storage.db import Database

# A send retried within this many seconds is not delivered twice. Short, because WeCom
# compares content: the same notice asked for again a little later must still arrive.
DUPLICATE_INTERVAL = 60
# Set while one of the channel's updates is handled: what is sent then answers the person.
_answering: contextvars.ContextVar[bool] = contextvars.ContextVar("wecom_answering", default=False)


class WeComUnsupportedError(TelegramBadRequest):
    """WeCom cannot carry this Bot API call."""


@asynccontextmanager
async def answering(_update: Any) -> AsyncIterator[None]:
    """Around an update's handling: its sends are answers, not retried notices."""
    token = _answering.set(True)
    try:
        yield
    finally:
        _answering.reset(token)


class WeComSender:
    """Puts messages to WeCom people, one person's messages spaced."""

    def __init__(self, api: WeComAPI, db: Database, spacer: Spacer) -> None:
        self.wecom = api
        self.db = db
        self.spacer = spacer
        self._userids: dict[int, str] = {}

    async def person(self, method: Any) -> tuple[int, str]:
        """The chat id a Bot API call names and that person's userid."""
        try:
            chat_id = int(method.chat_id)
        except (TypeError, ValueError):
            chat_id = 0
        userid = await self.userid_of(chat_id)
        if userid is None:
            raise WeComUnsupportedError(method=method, message="Bad Request: chat not found")
        return chat_id, userid

    async def userid_of(self, chat_id: int) -> str | None:
        """The userid of the person with this chat id; None if there is none."""
        userid = self._userids.get(chat_id)
        if userid is None:
            async with self.db.session() as session:
                userid = await wecom_userid(session, chat_id=chat_id)
            if userid is not None:
                self._userids[chat_id] = userid
        return userid

    async def post(self, method: Any, userid: str, payload: dict[str, Any]) -> None:
        """Send ``payload`` (a message/send body without its addressee) once there is room."""
        await self.spacer.wait(userid)
        body: dict[str, Any] = {"touser": userid, "agentid": self.wecom.agent_id, **payload}
        if not _answering.get():
            body |= {"enable_duplicate_check": 1, "duplicate_check_interval": DUPLICATE_INTERVAL}
        await self.wecom.call("/cgi-bin/message/send", body, method=method)
