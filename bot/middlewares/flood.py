"""More than N messages a minute from one chat: one polite notice, the rest dropped.

``limits`` counts each chat's messages in the storage :func:`bot.rate_limits.rate_limit_storage`
chooses. The windows are the minutes of the bot's clock, named in the key, not the wall clock
``limits`` reads: every dialog and simulation moves the bot's clock past a flood as a person
would pause, and several processes on one Redis agree on the minute. A paused chat is answered
again from the next minute on, as the notice promises, and is told once a pause.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Chat, TelegramObject, Update
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from limits import RateLimitItemPerMinute
from limits.aio.storage import Storage
from limits.aio.strategies import FixedWindowRateLimiter

from bot.rate_limits import rate_limit_storage
from services.accounts.identities import locale_from_language_code
from services.clock import Clock

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60
# One notice per chat and window: a pause lasts to the end of its window.
NOTICE = RateLimitItemPerMinute(1)


class FloodMiddleware(BaseMiddleware):
    """Let a chat's updates through while it stays under ``limit`` messages a minute."""

    def __init__(self, i18n: I18n, *, limit: int, storage: Storage | None = None) -> None:
        self.i18n = i18n
        self.limit = limit
        self._messages = RateLimitItemPerMinute(limit)
        # Without a storage given, the first update brings the dispatcher's dialog storage.
        self._limiter = FixedWindowRateLimiter(storage) if storage is not None else None

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        """Run the handlers unless the chat is over its limit."""
        chat: Chat | None = data.get("event_chat")
        if chat is None or not isinstance(event, Update):
            return await handler(event, data)
        if event.message is None and event.callback_query is None:
            return await handler(event, data)
        if self._limiter is None:
            self._limiter = FixedWindowRateLimiter(rate_limit_storage(data.get("fsm_storage")))
        bot: Bot = data["bot"]
        clock: Clock = data["clock"]
        minute = int(clock.now().timestamp()) // WINDOW_SECONDS
        keys = (str(bot.id), str(chat.id), str(minute))
        if await self._limiter.hit(self._messages, "flood", *keys):
            return await handler(event, data)
        notify = await self._limiter.hit(NOTICE, "flood-notice", *keys)
        await self._notice(event, chat.id, notify=notify, data=data)
        return None

    async def _notice(
        self, event: Update, chat_id: int, *, notify: bool, data: dict[str, Any]
    ) -> None:
        """Answer a pressed button every time; write the notice once a pause."""
        user = data.get("event_from_user")
        locale = locale_from_language_code(user.language_code if user else None)
        with self.i18n.context(), self.i18n.use_locale(locale or self.i18n.default_locale):
            text = _("You are sending messages very fast. Please wait a minute, then go on.")
        try:
            if isinstance(event.callback_query, CallbackQuery):
                await event.callback_query.answer(text, show_alert=False)
            if notify:
                await data["bot"].send_message(chat_id, text)
        except TelegramAPIError as error:
            log.warning("flood notice to %s failed: %s", chat_id, error)
