"""Simulated users: messages and button presses, shaped as Telegram sends them to a bot."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Mapping
from typing import Any

from tests.support.fake_bot_api.chats import Chats
from tests.support.fake_bot_api.html import utf16_length
from tests.support.fake_bot_api.protocol import JSONDict


class SimulatedUsers:
    """Builds users' updates and hands them to ``push`` (the fake's update queue)."""

    def __init__(self, chats: Chats, push: Callable[[Mapping[str, Any]], JSONDict]) -> None:
        self._chats = chats
        self._push = push
        self._callback_numbers = itertools.count(1)

    def message(
        self,
        chat_id: int,
        text: str | None,
        *,
        user_id: int | None = None,
        first_name: str = "Tester",
        language_code: str | None = "en",
        **extra: Any,
    ) -> JSONDict:
        """Push a message from a user; returns the update.

        ``text`` starting with "/" gets a bot_command entity; ``extra`` is merged into the
        message (``photo=[...]``, ``caption=...``, ``contact=...``). In a private chat
        (positive ``chat_id``) the user is the chat; groups need ``user_id``.
        """
        user = _user(chat_id, user_id, first_name, language_code)
        message: JSONDict = {
            "message_id": self._chats.allocate_message_id(chat_id),
            "from": user,
            "chat": self._user_chat(chat_id, user),
            "date": int(time.time()),
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split(maxsplit=1)[0]
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": utf16_length(command)}
                ]
        message.update(extra)
        return self._push({"message": message})

    def callback(
        self,
        chat_id: int,
        data: str,
        message_id: int,
        *,
        user_id: int | None = None,
        first_name: str = "Tester",
        language_code: str | None = "en",
    ) -> JSONDict:
        """Push a press on an inline button of the bot's message ``message_id``.

        The callback carries the message as the fake knows it (edits applied); an unknown
        message is made up and remembered, so the bot can edit it.
        """
        user = _user(chat_id, user_id, first_name, language_code)
        message = self._chats.messages.get((chat_id, message_id))
        if message is None:
            message = {
                "message_id": message_id,
                "from": self._chats.bot_user(self._chats.last_token),
                "chat": self._chats.chat_object(chat_id),
                "date": int(time.time()),
            }
            self._chats.remember(chat_id, message_id, message)
        callback: JSONDict = {
            "id": str(next(self._callback_numbers)),
            "from": user,
            "message": message,
            "chat_instance": f"ci{abs(chat_id)}",
            "data": data,
        }
        return self._push({"callback_query": callback})

    def _user_chat(self, chat_id: int, user: JSONDict) -> JSONDict:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": user["first_name"]}
        return self._chats.chat_object(chat_id)


def _user(
    chat_id: int, user_id: int | None, first_name: str, language_code: str | None
) -> JSONDict:
    if user_id is None:
        if chat_id <= 0:
            raise ValueError("a group chat needs an explicit user_id")
        user_id = chat_id
    user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
    if language_code is not None:
        user["language_code"] = language_code
    return user
