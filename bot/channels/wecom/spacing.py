"""Space the messages to one WeCom member: WeCom silently drops those beyond its limits.

30 a minute and 1,000 an hour to one member (configurable): every send, direct answer or
outbox notice, waits until both moving windows have room; nothing is dropped. The windows
are measured on the bot's clock and kept where the flood check keeps its own (Redis when
the dialog state is there, so that every process counts against one limit).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from limits import RateLimitItemPerHour, RateLimitItemPerMinute
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter

# The longest real pause between two looks at the windows: a moved clock is noticed soon.
MAX_PAUSE = 0.25


class Spacer:
    """Waits for room under the per-member limits before each send."""

    def __init__(
        self, storage: Storage, now: Callable[[], float], *, per_minute: int, per_hour: int
    ) -> None:
        self.limiter = MovingWindowRateLimiter(storage)
        self.now = now
        self.limits = (RateLimitItemPerMinute(per_minute), RateLimitItemPerHour(per_hour))
        self.waits = 0

    async def wait(self, userid: str) -> None:
        """Return once a message to ``userid`` fits under both limits, counting it."""
        key = f"wecom-send-{userid}"
        while True:
            if all([await self.limiter.test(item, key) for item in self.limits]):
                minute, hour = self.limits
                if await self.limiter.hit(minute, key) and await self.limiter.hit(hour, key):
                    return
            self.waits += 1
            resets = [await self.limiter.get_window_stats(item, key) for item in self.limits]
            ahead = max(0.0, min(stats.reset_time for stats in resets) - self.now())
            await asyncio.sleep(min(max(ahead, 0.01), MAX_PAUSE))
