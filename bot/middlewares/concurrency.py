"""A cap on updates handled at once, so the connection pool can never run dry.

An update holds one pooled connection while its handlers read, and its dialog-state writes
no longer take one (they commit with its replay record). A dialog state not in the storage's
memory (after a restart) is still read on a connection of its own, briefly, while the
update may hold its first. Without a cap, a burst (a getUpdates batch of 100, a webhook
storm, many web chat pages) could let every update take its first connection and wait for a
second one. With at most ``limit`` updates at once and a pool larger than twice that, a
second connection is always free.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject


class ConcurrencyLimitMiddleware(BaseMiddleware):
    """Lets at most ``limit`` updates past at a time; the rest wait their turn."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self._slots = asyncio.Semaphore(limit)

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        """Wait for a free slot, then run the rest of the chain."""
        async with self._slots:
            return await handler(event, data)
