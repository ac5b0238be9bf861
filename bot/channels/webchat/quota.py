"""How many files a browser may upload: per chat (its cookie) and per client address.

A new cookie costs nothing, so the address is limited too. The windows are kept by the
``limits`` library, in memory for one process; its Redis storage serves several.
"""

from __future__ import annotations

from limits import RateLimitItemPerHour
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter


class UploadQuota:
    """A moving one-hour window of uploads per chat and per client address."""

    def __init__(self, *, per_chat: int, per_address: int, storage: Storage | None = None) -> None:
        self._limiter = MovingWindowRateLimiter(storage or MemoryStorage())
        self._per_chat = RateLimitItemPerHour(per_chat)
        self._per_address = RateLimitItemPerHour(per_address)

    async def take(self, *, chat_id: int, address: str) -> bool:
        """Count one upload if both windows have room; whether they had."""
        chat = (self._per_chat, "webchat-upload-chat", str(chat_id))
        client = (self._per_address, "webchat-upload-address", address)
        for item, *keys in (chat, client):
            if not await self._limiter.test(item, *keys):
                return False
        for item, *keys in (chat, client):
            await self._limiter.hit(item, *keys)
        return True
