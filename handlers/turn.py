"""A turn of the conversation: everything a step needs to answer one chat."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import Chat, TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass
class Turn:
    """Everything a step needs to talk to one chat."""

    bot: Bot
    chat_id: int
    session: AsyncSession
    state: FSMContext
    locale: str
    tz: dt.tzinfo
    menu_role: str = "resident"

    async def say(self, text: str, **kwargs: Any) -> None:
        """Send a message to the chat."""
        await self.bot.send_message(self.chat_id, text, **kwargs)


class TurnMiddleware(BaseMiddleware):
    """Puts the ``turn`` of the event's chat in the handler data."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        """Build the turn from what the outer middlewares resolved."""
        chat: Chat | None = data.get("event_chat")
        state: FSMContext | None = data.get("state")
        if chat is not None and state is not None:
            data["turn"] = Turn(
                data["bot"],
                chat.id,
                data["session"],
                state,
                data["locale"],
                data["tz"],
                data.get("menu_role", "resident"),
            )
        return await handler(event, data)
