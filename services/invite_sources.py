"""Wrong invitation codes counted by where they came from, not only by chat.

A web chat visitor who drops the cookie comes back as a new chat, with a fresh allowance of
wrong codes; counting by client address as well bounds what one visitor can try. The counts
live in this process's memory for the length of the window: an address is personal data the
database does not need, and forgetting the counts on a restart gives at most one more window.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections import OrderedDict, deque
from dataclasses import dataclass, field

# Enough for every address a busy hour brings; beyond it the quietest are forgotten first.
MAX_SOURCES = 10_000
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


@dataclass
class _Tries:
    failures: deque[dt.datetime] = field(default_factory=deque)
    locked_until: dt.datetime | None = None


class SourceLedger:
    """Recent wrong codes and lockouts by source, for one process."""

    def __init__(
        self,
        *,
        allowed: int,
        window: dt.timedelta,
        lockout: dt.timedelta,
        max_sources: int = MAX_SOURCES,
    ) -> None:
        self.allowed = allowed
        self.window = window
        self.lockout = lockout
        self.max_sources = max_sources
        self._tries: OrderedDict[str, _Tries] = OrderedDict()

    def locked_until(self, source: str, now: dt.datetime) -> dt.datetime | None:
        """When the source may try again, if it is locked out now."""
        tries = self._tries.get(source)
        if tries is None or tries.locked_until is None or tries.locked_until <= now:
            return None
        return tries.locked_until

    def record_failure(self, source: str, now: dt.datetime) -> dt.datetime | None:
        """Note a wrong code; lock the source when the window's failures pass the limit."""
        tries = self._tries.pop(source, None) or _Tries()
        # Most recently active last, so the oldest entries are the ones dropped.
        self._tries[source] = tries
        while tries.failures and tries.failures[0] <= now - self.window:
            tries.failures.popleft()
        tries.failures.append(now)
        if len(tries.failures) > self.allowed:
            tries.locked_until = now + self.lockout
        while len(self._tries) > self.max_sources:
            self._tries.popitem(last=False)
        return tries.locked_until if tries.locked_until and tries.locked_until > now else None


@dataclass(frozen=True)
class InviteSource:
    """Where one attempt came from, and the ledger that counts that source's wrong codes."""

    key: str
    ledger: SourceLedger

    def locked_until(self, now: dt.datetime) -> dt.datetime | None:
        """When this source may try again, if it is locked out now."""
        return self.ledger.locked_until(self.key, now)

    def record_failure(self, now: dt.datetime) -> dt.datetime | None:
        """Count a wrong code from this source; the end of its lockout if it is now locked."""
        return self.ledger.record_failure(self.key, now)
