"""Wrong invitation codes counted by where they came from, not only by chat.

A web chat visitor who drops the cookie comes back as a new chat, with a fresh allowance of
wrong codes; counting by client address as well bounds what one visitor can try. The counts
are kept by ``limits`` for the length of the window, in this process's memory or in Redis,
never in the database: an address is personal data the database does not need, and
forgetting the counts on a restart gives at most one more window.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import time
from dataclasses import dataclass

from limits import RateLimitItemPerSecond
from limits.aio.storage import Storage
from limits.aio.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

# An IPv6 client usually holds a whole /64: count the network, not one of its addresses.
IPV6_PREFIX = 64


def address_source(address: str | None) -> str | None:
    """The key an address is counted under, or None when there is no usable address."""
    if not address:
        return None
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, IPV6_PREFIX), strict=False))
    return str(parsed)


class SourceLedger:
    """Recent wrong codes and lockouts by source.

    Wrong codes count in a moving window; the one past the allowance starts a lockout of
    its own length, a fixed window holding a single hit, so the source may try again a full
    lockout after that code whatever its earlier codes were.
    """

    def __init__(
        self, storage: Storage, *, allowed: int, window: dt.timedelta, lockout: dt.timedelta
    ) -> None:
        self.lockout = lockout
        self._failures = RateLimitItemPerSecond(allowed, int(window.total_seconds()))
        self._locked = RateLimitItemPerSecond(1, int(lockout.total_seconds()))
        self._counter = MovingWindowRateLimiter(storage)
        self._locks = FixedWindowRateLimiter(storage)

    async def locked_until(self, source: str, now: dt.datetime) -> dt.datetime | None:
        """When the source may try again, if it is locked out now."""
        if await self._locks.test(self._locked, "invite-lockout", source):
            return None
        stats = await self._locks.get_window_stats(self._locked, "invite-lockout", source)
        # limits keeps the wall clock's time; what is left of the lockout reads on any clock.
        left = max(stats.reset_time - time.time(), 0.0)
        return now + dt.timedelta(seconds=left)

    async def record_failure(self, source: str, now: dt.datetime) -> dt.datetime | None:
        """Note a wrong code; lock the source when the window's failures pass the limit."""
        if await self._counter.hit(self._failures, "invite-failures", source):
            return None
        if await self._locks.hit(self._locked, "invite-lockout", source):
            return now + self.lockout
        # Two wrong codes at once: the other one started the lockout.
        return await self.locked_until(source, now)


@dataclass(frozen=True)
class InviteSource:
    """Where one attempt came from, and the ledger that counts that source's wrong codes."""

    key: str
    ledger: SourceLedger

    async def locked_until(self, now: dt.datetime) -> dt.datetime | None:
        """When this source may try again, if it is locked out now."""
        return await self.ledger.locked_until(self.key, now)

    async def record_failure(self, now: dt.datetime) -> dt.datetime | None:
        """Count a wrong code from this source; the end of its lockout if it is now locked."""
        return await self.ledger.record_failure(self.key, now)
