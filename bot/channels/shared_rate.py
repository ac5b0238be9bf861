"""One Telegram rate for every worker of the installation, kept in Redis.

Telegram counts what a bot sends, not what each process sends: about 30 messages a second in
all, and a ``retry_after`` that holds the whole bot. Of several workers, every message the
Telegram ``Bot`` sends takes a slot from one schedule in Redis, a GCRA: the key holds the
moment the next slot is free, and a Lua script reads Redis's own ``TIME`` so the workers'
clocks never disagree.

The two kinds of sender are not equal. A person's answer takes the next slot at once, however
far ahead it is; the delivery loop's bulk (notices, reminders, broadcasts) takes a slot only
when it is the next one, and otherwise waits for it. Bulk therefore never books ahead of
people, and the sum of both stays under the rate. A 429 pushes the schedule past its
``retry_after``, so every worker holds back together.

A worker that cannot reach Redis sends unpaced rather than not at all: Telegram's own 429 is
the backstop, and the delivery loop's own pace still holds the bulk.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# Set in the delivery loop's task: what it sends is bulk.
BULK: contextvars.ContextVar[bool] = contextvars.ContextVar("bulk", default=False)

# ARGV: interval (µs), bulk (1/0), pause (µs; a pause books nothing). Returns {taken, wait µs}.
TAKE_SLOT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local ttl = 600000
local pause = tonumber(ARGV[3])
if pause > 0 then
  if now + pause > free then
    redis.call('SET', KEYS[1], now + pause, 'PX', ttl)
  end
  return {0, 0}
end
local start = math.max(free, now)
if ARGV[2] == '1' and start - now > interval then
  return {0, start - now - interval}
end
redis.call('SET', KEYS[1], start + interval, 'PX', ttl)
return {1, start - now}
"""

# Telegram's broadcast limit without paid broadcasts, messages a second.
FREE_RATE = 30.0
# What costs a slot: every method that puts a new message in a chat, the kind Telegram's
# bulk limit counts. Edits and answers to button presses change what is already there.
PACED_PREFIXES = ("send", "copy", "forward")


class SharedRate:
    """The installation's schedule of slots for one channel, ``rate`` a second."""

    def __init__(self, redis: Redis, *, channel: str, rate: float) -> None:
        self.redis = redis
        self.key = f"liaison:rate:{channel}"
        self.interval_us = int(1_000_000 / rate)
        self._script = redis.register_script(TAKE_SLOT)

    async def take(self, *, bulk: bool) -> None:
        """Wait for a slot: at once for a person's answer, only the next free one for bulk."""
        while True:
            taken, wait_us = await self._script(
                keys=[self.key], args=[self.interval_us, int(bulk), 0]
            )
            if wait_us > 0:
                await asyncio.sleep(int(wait_us) / 1_000_000)
            if taken:
                return

    async def pause(self, seconds: float) -> None:
        """Hold every worker's next slot back for ``seconds``."""
        await self._script(keys=[self.key], args=[self.interval_us, 0, int(seconds * 1_000_000)])


class SharedRateMiddleware(BaseRequestMiddleware):
    """Makes each message the ``Bot`` sends take its slot first, and shares a 429's pause."""

    def __init__(self, rate: SharedRate) -> None:
        self.rate = rate

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        """Take a slot for a message, then send it."""
        name = method.__api_method__
        paced = name.startswith(PACED_PREFIXES) and name != "sendChatAction"
        if paced:
            try:
                await self.rate.take(bulk=BULK.get())
            except (RedisError, OSError) as error:
                log.warning("the shared Telegram rate is out of reach (%s): sending", error)
        try:
            return await make_request(bot, method)
        except TelegramRetryAfter as error:
            await self._pause(error.retry_after)
            raise

    async def _pause(self, seconds: float) -> None:
        try:
            await self.rate.pause(seconds)
        except (RedisError, OSError) as error:
            log.warning("the shared Telegram pause could not be kept: %s", error)


def share_rate(bot: Bot, redis: Redis, *, rate: float, channel: str = "telegram") -> SharedRate:
    """Pace every message ``bot`` sends on the installation's shared schedule."""
    shared = SharedRate(redis, channel=channel, rate=rate)
    bot.session.middleware(SharedRateMiddleware(shared))
    return shared


def as_bulk(context: contextvars.Context | None = None) -> contextvars.Context:
    """A context whose tasks send as bulk: the delivery loop runs in one."""
    context = context or contextvars.copy_context()
    context.run(BULK.set, True)
    return context
