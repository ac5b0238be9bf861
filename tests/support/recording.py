"""A Bot API session that records every call and answers like Telegram would."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import AsyncGenerator
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

MESSAGE_METHODS = {
    "sendMessage",
    "sendPhoto",
    "sendDocument",
    "sendLocation",
    "sendVenue",
    "editMessageText",
    "editMessageReplyMarkup",
    "editMessageCaption",
}


class RecordingSession(BaseSession):
    """Keeps every request in ``requests``; message methods return a plausible Message."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[TelegramMethod[Any]] = []
        self._message_ids = itertools.count(5000)
        self._sent_ids: dict[int, int] = {}

    def message_id_of(self, request: TelegramMethod[Any]) -> int:
        """The id of the message a recorded request sent or edited."""
        return self._sent_ids[id(request)]

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        self.requests.append(method)
        result = self._result(bot, method)
        if isinstance(result, dict) and "message_id" in result:
            self._sent_ids[id(method)] = result["message_id"]
        content = json.dumps({"ok": True, "result": result})
        return self.check_response(bot, method, 200, content).result  # type: ignore[return-value]

    def _result(self, bot: Bot, method: TelegramMethod[Any]) -> Any:
        name = method.__api_method__
        if name == "getMe":
            return {
                "id": bot.id,
                "is_bot": True,
                "first_name": "Liaison",
                "username": "liaison_bot",
            }
        if name in MESSAGE_METHODS:
            chat_id = getattr(method, "chat_id", None)
            message_id = getattr(method, "message_id", None) or next(self._message_ids)
            message: dict[str, Any] = {
                "message_id": message_id,
                "date": int(dt.datetime.now(dt.UTC).timestamp()),
                "chat": {"id": chat_id, "type": "private"},
            }
            text = getattr(method, "text", None)
            if text is not None:
                message["text"] = text
            return message
        return True

    async def close(self) -> None:
        return None

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""
