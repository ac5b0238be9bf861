"""Where the rate limits keep their windows: floods, uploads and wrong invitation codes.

The windows live where dialog state lives. With a Redis URL, dialog state is in Redis and so
are the windows, on the same connections: every process of the bot then counts against one
limit, and closing the dialog storage closes them too. Otherwise each process keeps its own
windows in memory, which is what a single process needs.

``limits`` measures its windows on the wall clock. The flood check's moving windows follow the
bot's clock instead (:func:`clocked_window_storage`), the one every dialog and simulation moves;
the upload and invitation windows are real hours, and tests that cross them move the wall clock
(``time_machine``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.redis import RedisStorage as RedisDialogStorage
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.storage.redis.redispy import RedispyBridge
from redis.asyncio import ConnectionPool

# Seconds since the epoch, as ``time.time`` tells them.
Timestamp = Callable[[], float]
# A sweep of the chats gone quiet runs once this many chats hold entries.
SWEEP_AT = 10_000


def rate_limit_storage(dialog_storage: BaseStorage | None) -> Storage:
    """The windows' storage: the dialog state's Redis when it has one, else this process."""
    if isinstance(dialog_storage, RedisDialogStorage):
        # The URL is a formality: the client is built on the dialog storage's pool. limits
        # documents ``connection_pool`` but types its options as scalars.
        return RedisStorage(
            "async+redis://",
            implementation="redispy",
            connection_pool=dialog_storage.redis.connection_pool,  # type: ignore[arg-type]
        )
    return MemoryStorage()


def clocked_window_storage(dialog_storage: BaseStorage | None, now: Timestamp) -> Storage:
    """Like :func:`rate_limit_storage`, for moving windows measured on ``now`` (the bot's clock).

    Only the moving-window strategy (:class:`limits.aio.strategies.MovingWindowRateLimiter`)
    may use it.
    """
    if isinstance(dialog_storage, RedisDialogStorage):
        return ClockedRedisStorage(now, dialog_storage.redis.connection_pool)
    return ClockedMemoryStorage(now)


class ClockedRedisStorage(RedisStorage):
    """limits' Redis moving windows, with entries stamped by a given clock.

    limits' own script does the counting; only the timestamp it is given changes. Keys still
    expire after the window's length in real seconds, which only bounds how long Redis keeps
    a quiet chat's entries.
    """

    def __init__(self, now: Timestamp, connection_pool: ConnectionPool) -> None:
        super().__init__(
            "async+redis://",
            implementation="redispy",
            connection_pool=connection_pool,  # type: ignore[arg-type]
        )
        self.now = now

    async def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        """Take ``amount`` entries of the moving window ``key`` if it has room at ``now``."""
        bridge = self.bridge
        assert isinstance(bridge, RedispyBridge)
        acquired = await bridge.lua_acquire_moving_window(
            [bridge.prefixed_key(key)], [self.now(), limit, expiry, amount]
        )
        return bool(acquired)

    async def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        """The window's oldest entry and its number of entries at ``now``."""
        bridge = self.bridge
        assert isinstance(bridge, RedispyBridge)
        timestamp = self.now()
        window = await bridge.lua_moving_window(
            [bridge.prefixed_key(key)], [timestamp - expiry, limit]
        )
        if window:
            return float(window[0]), int(window[1])
        return timestamp, 0


class ClockedMemoryStorage(MemoryStorage):
    """Moving windows in this process, on a given clock: each key keeps its newest entries.

    limits' memory storage stamps and expires entries on the wall clock; here a key holds at
    most ``limit`` timestamps of ``now``, and keys whose newest entry left its window are
    swept once many chats hold entries, so a quiet chat costs nothing for long.
    """

    def __init__(self, now: Timestamp) -> None:
        super().__init__()
        self.now = now
        self._windows: dict[str, tuple[deque[float], int]] = {}

    async def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        """Take ``amount`` entries of the moving window ``key`` if it has room at ``now``."""
        if amount > limit:
            return False
        timestamp = self.now()
        entries = self._entries(key, limit, expiry)
        # Newest first: the entry that must have left the window for ``amount`` more to fit.
        if len(entries) > limit - amount and entries[limit - amount] >= timestamp - expiry:
            return False
        entries.extendleft([timestamp] * amount)
        if len(self._windows) > SWEEP_AT:
            self._sweep(timestamp)
        return True

    async def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        """The window's oldest entry and its number of entries at ``now``."""
        timestamp = self.now()
        held = self._windows.get(key)
        inside = [entry for entry in held[0] if entry >= timestamp - expiry] if held else []
        return (inside[-1], len(inside)) if inside else (timestamp, 0)

    async def clear(self, key: str) -> None:
        """Forget the window ``key``."""
        self._windows.pop(key, None)
        await super().clear(key)

    async def reset(self) -> int | None:
        """Forget every window."""
        self._windows.clear()
        return await super().reset()

    def _entries(self, key: str, limit: int, expiry: int) -> deque[float]:
        held = self._windows.get(key)
        if held is None or held[0].maxlen != limit:
            held = self._windows[key] = (deque(maxlen=limit), expiry)
        return held[0]

    def _sweep(self, timestamp: float) -> None:
        quiet = [
            key
            for key, (entries, expiry) in self._windows.items()
            if not entries or entries[0] < timestamp - expiry
        ]
        for key in quiet:
            del self._windows[key]
