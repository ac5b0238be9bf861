"""Who is writing: the chat identity, its channel and the language to answer in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import Chat, TelegramObject, User

from bot.settings import Settings
from services.accounts.identities import effective_locale, locale_from_language_code, touch_identity
from services.clock import Clock


class IdentityMiddleware(BaseMiddleware):
    """Put ``identity``, ``channel`` and ``locale`` in the handler data."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        """Resolve the identity and language, then run the handlers."""
        bot: Bot = data["bot"]
        settings: Settings = data["settings"]
        channel = data["channels"].get(bot.id, "telegram")
        data["channel"] = channel
        chat: Chat | None = data.get("event_chat")
        user: User | None = data.get("event_from_user")
        identity = None
        if chat is not None:
            clock: Clock = data["clock"]
            identity = await touch_identity(
                data["session"],
                channel=channel,
                chat_id=chat.id,
                chat_type=chat.type,
                now=clock.now(),
                client_locale=locale_from_language_code(user.language_code if user else None),
            )
        # End the read transaction: the connection goes back to the pool instead of waiting
        # through the handlers' network calls.
        session = data["session"]
        if session.in_transaction():
            await session.commit()
        data["identity"] = identity
        data["locale"] = effective_locale(
            identity, user.language_code if user else None, settings.default_locale
        )
        return await handler(event, data)
