"""Pacing for the delivery loop: a channel-wide rate, and a gap between messages to one chat.

The gap is a second by default (Telegram, the web chat); a channel may ask for more: WeCom
drops what goes beyond 30 messages a minute to one member, so it spaces them two seconds apart.
Both keep the order messages were claimed in (priority, due time, id): the channel's slots go
first come, first served, and a chat's messages go one after another, each a second after the
previous one was actually sent, so a pause for ``retry_after`` neither reorders nor bunches them.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiogram import Bot

PER_CHAT_INTERVAL = 1.0


class HaltedError(Exception):
    """The channel stopped handing out slots: the message goes back to the outbox unsent."""


class Pace:
    """Evenly spaced slots at ``rate`` a second, handed out in the order they were asked for.

    ``pause`` holds every slot back. One releasing task serves the waiters, so a burst of them
    cannot race for the same moment, and it ends once nobody waits.
    """

    def __init__(self, rate: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / rate
        self.monotonic = monotonic
        self._next = 0.0
        self.paused_until = 0.0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._releaser: asyncio.Task[None] | None = None

    async def wait(self) -> None:
        """Sleep until this caller's slot (and any pause) has come."""
        if not self._waiters and self._ready():
            return
        slot: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(slot)
        if self._releaser is None or self._releaser.done():
            self._releaser = asyncio.create_task(self._release())
        await slot

    def _ready(self) -> bool:
        """Take the slot now if it has come."""
        now = self.monotonic()
        slot = max(self._next, self.paused_until)
        if slot <= now:
            # The next slot follows the one due, not the moment this one was taken: waking
            # a little late must not slow the rate. After a lull it starts afresh: no burst.
            start = slot if slot >= now - self.interval else now
            self._next = start + self.interval
            return True
        return False

    async def _release(self) -> None:
        while self._waiters:
            if self._waiters[0].done():  # its sender was cancelled
                self._waiters.popleft()
                continue
            if self._ready():
                self._waiters.popleft().set_result(None)
                continue
            # A pause that starts during this sleep is seen on the next turn.
            await asyncio.sleep(max(self._next, self.paused_until) - self.monotonic())

    def pause(self, seconds: float) -> None:
        """Hold everything back for ``seconds`` (Telegram's ``retry_after``)."""
        self.paused_until = max(self.paused_until, self.monotonic() + seconds)

    def halt(self) -> None:
        """Turn away everyone waiting now: their ``wait`` raises :class:`HaltedError`."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(HaltedError())

    async def close(self) -> None:
        """Stop the releasing task; waiters left are cancelled."""
        if self._releaser is not None and not self._releaser.done():
            self._releaser.cancel()
            await asyncio.gather(self._releaser, return_exceptions=True)
        while self._waiters:
            self._waiters.popleft().cancel()


class ChatTurns:
    """One message at a time per chat, in the order they asked, ``interval`` after the last."""

    def __init__(
        self,
        monotonic: Callable[[], float] = time.monotonic,
        *,
        interval: float = PER_CHAT_INTERVAL,
    ) -> None:
        self.monotonic = monotonic
        self.interval = interval
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}
        self._last_sent: dict[int, float] = {}

    @asynccontextmanager
    async def turn(self, chat_id: int) -> AsyncIterator[None]:
        """Wait for the chat's turn and its gap; the send inside the block is timed."""
        lock, users = self._locks.get(chat_id, (asyncio.Lock(), 0))
        self._locks[chat_id] = (lock, users + 1)
        try:
            async with lock:
                last = self._last_sent.get(chat_id)
                if last is not None:
                    delay = last + self.interval - self.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                try:
                    yield
                finally:
                    self._last_sent[chat_id] = self.monotonic()
        finally:
            lock, users = self._locks[chat_id]
            if users == 1:
                del self._locks[chat_id]
            else:
                self._locks[chat_id] = (lock, users - 1)
            self._forget_old()

    def waiting(self, chat_id: int) -> int:
        """How many of the chat's messages are here, being sent or waiting for their turn."""
        found = self._locks.get(chat_id)
        return found[1] if found else 0

    def _forget_old(self) -> None:
        if len(self._last_sent) > 100_000:
            cutoff = self.monotonic() - self.interval
            for chat in [c for c, at in self._last_sent.items() if at < cutoff]:
                del self._last_sent[chat]


@dataclass
class Lane:
    """One channel: its Bot, its pace, its chats' turns, what is in flight.

    ``cap`` bounds the messages claimed but not yet sent to what the pace sends within half a
    lease, and a chat has at most ``per_chat`` messages here at once. Their leases are renewed
    while they wait (:mod:`bot.leases`), so a longer wait (a 429 pause) sends nothing twice;
    the bounds keep one sender from hoarding what others could send, and a shutdown quick.
    ``in_flight`` holds the messages claimed and not yet sent.
    """

    channel: str
    bot: Bot
    pace: Pace
    cap: int = 400
    per_chat: int = 60
    chats: ChatTurns = field(default_factory=ChatTurns)
    in_flight: set[int] = field(default_factory=set)
    generation: int = 0

    def halt(self) -> None:
        """Send back every claimed message not yet on its way (a revoked token, a shutdown).

        Messages that took their slot before the halt carry the old generation and go back
        too; the ones being sent finish.
        """
        self.generation += 1
        self.pace.halt()

    def chat_room(self, chat_id: int) -> int:
        """How many more of this chat's messages the lane may claim now."""
        return self.per_chat - self.chats.waiting(chat_id)

    @property
    def room(self) -> int:
        """How many more messages this lane may claim now."""
        return self.cap - len(self.in_flight)
