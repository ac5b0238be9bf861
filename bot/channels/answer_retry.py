"""A person's answer that meets a 429 goes out after the pause Telegram asks for.

Telegram answers "Too Many Requests" with a ``retry_after`` (usually a second or two) when the
bot sends faster than it allows. The delivery loop has its own answer to that (the row waits
and the lane pauses); an answer to someone who just pressed a button or typed has none: the
update would fail and the person would read "something went wrong". So outside the delivery
loop a call that gets a 429 waits and is made again, as long as the waits stay short; a
longer pause is raised as before, and the update's error handler keeps what the person
entered.
"""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

from bot.channels.shared_rate import BULK

log = logging.getLogger(__name__)

# Seconds of 429 pauses one call may wait out in all: a person waits that long at most.
MOST_WAITED = 10.0


class AnswerRetryMiddleware(BaseRequestMiddleware):
    """Waits out short 429 pauses for everything but the delivery loop's bulk."""

    def __init__(self, most_waited: float = MOST_WAITED) -> None:
        self.most_waited = most_waited

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        """Make the call; after a 429, wait its ``retry_after`` and make it again."""
        if BULK.get():
            return await make_request(bot, method)
        waited = 0.0
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                pause = max(float(error.retry_after), 0.0)
                if waited + pause > self.most_waited:
                    raise
                waited += pause
                log.warning(
                    "%s got a 429: sent again in %s s", method.__api_method__, error.retry_after
                )
                await asyncio.sleep(pause)


def retry_answers(bot: Bot, most_waited: float = MOST_WAITED) -> None:
    """Install the retry on ``bot``; before any pacing, so each attempt is paced again."""
    bot.session.middleware(AnswerRetryMiddleware(most_waited))
