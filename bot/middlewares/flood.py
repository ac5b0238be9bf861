"""A chat sending faster than a person can is paused: one polite notice, the rest dropped.

Typed messages and button presses are counted apart, each in a moving window of one minute
(``limits``' moving-window strategy), sized from how fast a person really goes:

- **Messages: ``flood_limit`` a minute, 60 by default.** A person types at most about one
  message a second, and only in short bursts: between them they read the answer and think.
  Sixty a minute is that burst kept up for a whole minute, which nobody typing does; an
  album of ten photos (ten messages at once) fits six times over. A script sending ten a
  second is stopped within six seconds.
- **Presses: twice as many, 120 a minute by default.** Tapping is faster than typing: ticking
  names in a list, paging a calendar or a list, two or three taps a second in a burst.
- A member working through a dialog at one action every two seconds makes 30 actions a
  minute of both kinds together: a quarter of what the two windows allow.

A moving window forgives exactly as fast as the chat slows down: an entry counts for sixty
seconds after it was sent, whichever minute of the clock that spans. Dropped updates take no
entry, so writing through a pause does not make it longer, and whatever arrives once the
window has room again is answered. A dropped update reaches no handler and changes no dialog:
the dialog is where it was before it, and its next input is taken as usual.

The windows follow the bot's clock, not the wall clock ``limits`` reads, so every dialog and
simulation moves past a flood as a person would pause (see :mod:`bot.rate_limits`); with Redis,
every process of the bot counts in the same windows. ``flood_limit`` can be raised out of the
way (the benchmark sets 10,000): the windows keep counting but never trip.

The notice is written at most once a minute per chat, however many updates the pause drops,
and a pressed button has its spinner stopped with the same words every time. It speaks the
chat's language: the language the chat chose, then its app's, then the committee's default.
The flood check runs before the identity is resolved; the chosen language comes from the
identity cache the actor middleware fills, which holds every chat seen in the last minute,
so no update of a flood costs a database query.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Chat, TelegramObject, Update, User
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from limits import RateLimitItemPerMinute
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter

from bot.rate_limits import clocked_window_storage
from services.accounts.identities import IdentityCache, locale_from_language_code
from services.clock import Clock

log = logging.getLogger(__name__)

# Button presses a chat may make for each typed message it may send.
PRESSES_PER_MESSAGE = 2
# One notice per chat a minute: the time the notice asks the chat to wait.
NOTICE = RateLimitItemPerMinute(1)


class FloodMiddleware(BaseMiddleware):
    """Let a chat's updates through while it stays under the windows the module describes."""

    def __init__(
        self,
        i18n: I18n,
        *,
        limit: int,
        identities: IdentityCache | None = None,
        storage: Storage | None = None,
    ) -> None:
        """``limit`` typed messages a minute per chat; ``storage`` must stamp with the bot's clock.

        ``identities`` is the actor middleware's cache, read for the language of the notice.
        """
        self.i18n = i18n
        self.limit = limit
        self.identities = identities
        self._messages = RateLimitItemPerMinute(limit)
        self._presses = RateLimitItemPerMinute(limit * PRESSES_PER_MESSAGE)
        # Without a storage given, the first update brings the dialog storage and the clock.
        self._limiter = MovingWindowRateLimiter(storage) if storage is not None else None

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        """Run the handlers unless the chat is over its window for this kind of update."""
        chat: Chat | None = data.get("event_chat")
        if chat is None or not isinstance(event, Update):
            return await handler(event, data)
        if event.message is not None:
            item, kind = self._messages, "flood-messages"
        elif event.callback_query is not None:
            item, kind = self._presses, "flood-presses"
        else:
            return await handler(event, data)
        bot: Bot = data["bot"]
        clock: Clock = data["clock"]
        if self._limiter is None:
            storage = clocked_window_storage(
                data.get("fsm_storage"), lambda: clock.now().timestamp()
            )
            self._limiter = MovingWindowRateLimiter(storage)
        keys = (str(bot.id), str(chat.id))
        if await self._limiter.hit(item, kind, *keys):
            return await handler(event, data)
        notify = await self._limiter.hit(NOTICE, "flood-notice", *keys)
        await self._notice(event, chat.id, notify=notify, data=data)
        return None

    def _locale(self, chat_id: int, data: dict[str, Any]) -> str:
        """The chat's chosen language, then its app's, then the default; no query."""
        bot: Bot = data["bot"]
        clock: Clock = data["clock"]
        channel = data.get("channels", {}).get(bot.id, "telegram")
        chosen = None
        if self.identities is not None:
            chosen = self.identities.chosen_locale((channel, chat_id), clock.now())
        user: User | None = data.get("event_from_user")
        client = locale_from_language_code(user.language_code if user else None)
        return chosen or client or self.i18n.default_locale

    async def _notice(
        self, event: Update, chat_id: int, *, notify: bool, data: dict[str, Any]
    ) -> None:
        """Answer a pressed button every time; write the notice once a pause."""
        with self.i18n.context(), self.i18n.use_locale(self._locale(chat_id, data)):
            text = _("You are sending messages very fast. Please wait a minute, then go on.")
        try:
            if isinstance(event.callback_query, CallbackQuery):
                await event.callback_query.answer(text, show_alert=False)
            if notify:
                await data["bot"].send_message(chat_id, text)
        except TelegramAPIError as error:
            log.warning("flood notice to %s failed: %s", chat_id, error)
