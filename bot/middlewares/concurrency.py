"""A cap on updates handled at once, so the connection pool can never run dry.

An update holds one pooled connection while its handlers read, and its dialog-state writes
no longer take one (they commit with its replay record). A dialog state not in the storage's
memory (after a restart) is still read on a connection of its own, briefly, while the
update may hold its first. Without a cap, a burst (a getUpdates batch of 100, a webhook
storm, many web chat pages) could let every update take its first connection and wait for a
second one. With at most ``limit`` updates at once and a pool larger than twice that, a
second connection is always free.

An update whose handlers are done and whose connection went back to the pool only waits for
the group commit (bot/middlewares/commit.py); it gives up its slot first (see
:func:`release_slot`), so that the next update runs meanwhile and shares that commit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

# Where the chain finds the function that gives up the update's slot early.
RELEASE_SLOT_KEY = "release_update_slot"


class ConcurrencyLimitMiddleware(BaseMiddleware):
    """Lets at most ``limit`` updates past at a time; the rest wait their turn."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self._slots = asyncio.Semaphore(limit)
        self.in_use = 0

    @property
    def full(self) -> bool:
        """Whether the next update would have to wait for a slot."""
        return self.in_use >= self.limit

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        """Wait for a free slot, then run the rest of the chain."""
        await self._slots.acquire()
        self.in_use += 1
        held = True

        def release() -> None:
            nonlocal held
            if held:
                held = False
                self.in_use -= 1
                self._slots.release()

        data[RELEASE_SLOT_KEY] = release
        try:
            return await handler(event, data)
        finally:
            release()


def release_slot(data: dict[str, Any]) -> None:
    """Give up the update's slot: it holds no connection and will not take one again."""
    release = data.get(RELEASE_SLOT_KEY)
    if release is not None:
        release()
