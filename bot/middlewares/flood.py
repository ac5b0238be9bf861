"""More than N messages a minute from one chat: one polite notice, the rest dropped."""

from __future__ import annotations

import logging
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Chat, TelegramObject, Update
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from services.clock import Clock
from services.identities import locale_from_language_code

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60.0
TRACKED_CHATS = 50_000


class FloodMiddleware(BaseMiddleware):
    """A sliding one-minute window per chat, kept in memory and bounded in size."""

    def __init__(self, i18n: I18n, *, limit: int) -> None:
        self.i18n = i18n
        self.limit = limit
        self._windows: OrderedDict[tuple[int, int], deque[float]] = OrderedDict()
        self._noticed: dict[tuple[int, int], float] = {}

    def _allow(self, key: tuple[int, int], now: float) -> bool:
        window = self._windows.pop(key, None) or deque()
        while window and now - window[0] >= WINDOW_SECONDS:
            window.popleft()
        window.append(now)
        self._windows[key] = window
        if len(self._windows) > TRACKED_CHATS:
            self._windows.popitem(last=False)
        return len(window) <= self.limit

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
        bot: Bot = data["bot"]
        clock: Clock = data["clock"]
        key = (bot.id, chat.id)
        now = clock.now().timestamp()
        if self._allow(key, now):
            self._noticed.pop(key, None)
            return await handler(event, data)
        await self._notice(event, key, now, data)
        return None

    async def _notice(
        self, event: Update, key: tuple[int, int], now: float, data: dict[str, Any]
    ) -> None:
        last = self._noticed.get(key)
        user = data.get("event_from_user")
        locale = locale_from_language_code(user.language_code if user else None)
        with self.i18n.context(), self.i18n.use_locale(locale or self.i18n.default_locale):
            text = _("You are sending messages very fast. Please wait a minute, then go on.")
        try:
            if isinstance(event.callback_query, CallbackQuery):
                await event.callback_query.answer(text, show_alert=False)
            if last is not None and now - last < WINDOW_SECONDS:
                return
            self._noticed[key] = now
            await data["bot"].send_message(key[1], text)
        except TelegramAPIError as error:
            log.warning("flood notice to %s failed: %s", key[1], error)
