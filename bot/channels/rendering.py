"""A session whose "server" is drawn by the bot itself: one renderer per Bot API method.

The web chat, the service account and WeCom have no Bot API server; their sessions turn each
call into what the channel shows, and answer with the JSON the Bot API would have sent, which
aiogram then reads as from Telegram. A method a channel cannot draw fails with a clear error,
never silently; a method with nothing to draw (a command menu, a webhook) answers ``True``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any, ClassVar, cast

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

Renderer = Callable[[Bot, Any], Awaitable[Any]]


class RenderingSession(BaseSession):
    """Dispatches each Bot API call to the renderer the subclass registered for it."""

    # Methods with nothing to draw on the channel: answered True.
    silent_methods: ClassVar[frozenset[str]] = frozenset()
    # What an undrawable method raises, and its words (``{name}`` is the method).
    unsupported_error: ClassVar[type[TelegramBadRequest]] = TelegramBadRequest
    cannot_render: ClassVar[str] = "Bad Request: this channel cannot render {name}"

    def __init__(self, now: Callable[[], dt.datetime]) -> None:
        super().__init__()
        self.now = now
        self._renderers: dict[str, Renderer] = {}

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        """Draw the call and answer as the Bot API would."""
        name = method.__api_method__
        if name in self.silent_methods:
            result: Any = True
        else:
            renderer = self._renderers.get(name)
            if renderer is None:
                raise self.unsupported_error(
                    method=method, message=self.cannot_render.format(name=name)
                )
            result = await renderer(bot, method)
        content = json.dumps({"ok": True, "result": result})
        return cast(TelegramType, self.check_response(bot, method, 200, content).result)

    async def file_bytes(self, file_id: str) -> bytes:
        """The bytes of a file a person sent, by the id getFile gave as its path."""
        raise FileNotFoundError(f"this channel keeps no file {file_id}")

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        """A download (``bot.download``): the file whose id ends the path getFile gave."""
        data = await self.file_bytes(url.rsplit("/", 1)[-1])
        for start in range(0, len(data), chunk_size):
            yield data[start : start + chunk_size]

    def chat_of(self, method: Any) -> int:
        """The chat a call is for; the Bot API's "chat not found" for anything else."""
        try:
            return int(method.chat_id)
        except (TypeError, ValueError):
            raise self.unsupported_error(
                method=method, message="Bad Request: chat not found"
            ) from None

    def message(self, bot: Bot, chat_id: int, message_id: int, **content: Any) -> dict[str, Any]:
        """The Message the Bot API answers with for a message the bot sent to ``chat_id``."""
        message = {
            "message_id": message_id,
            "date": int(self.now().timestamp()),
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": bot.id, "is_bot": True, "first_name": "Liaison"},
        }
        message.update({key: value for key, value in content.items() if value is not None})
        return message
