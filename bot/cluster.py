"""The workers of one installation: which are alive, and which one leads.

Several ``liaison run`` processes may serve one installation when they share PostgreSQL and
Redis. Each announces itself under a key that expires unless renewed, and the leader (the one
that runs the scheduler and the delivery loop) holds a lock with a lease, taken with
``SET NX PX`` and renewed only by its holder, as Redis documents for a single-instance lock. A
leader that dies stops renewing: another worker takes the lock once the lease runs out.

Without Redis the process is alone: it is the only worker alive, and it always leads.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from redis.asyncio import Redis

from bot.bus import Bus, LocalBus, RedisBus
from bot.redis_client import redis_client

log = logging.getLogger(__name__)

PREFIX = "liaison"

# Take the lock if it is free, or renew it if it is ours; answer whether we hold it now.
CLAIM_LEAD = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""

# Give the lock up only if it is still ours: a lease that ran out may be someone else's now.
RESIGN = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


# The next number of a shared counter, or -1 when the counter is gone (a Redis restarted empty).
NEXT_NUMBER = """
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
return redis.call('INCR', KEYS[1])
"""


def build_cluster(redis_url: str | None, *, lease_seconds: float) -> tuple[Cluster, Bus]:
    """The workers and the bus: in Redis when there is one, else a process alone."""
    if redis_url:
        cluster = RedisCluster.from_url(redis_url, lease_seconds=lease_seconds)
        return cluster, RedisBus.from_url(redis_url, worker=cluster.name)
    return SoleCluster(), LocalBus()


def inbox_options(cluster: Cluster) -> dict[str, Any]:
    """How an update inbox names its rows, and learns which workers are alive if others may be."""
    return {"owner": cluster.name, "alive": cluster.alive if cluster.several else None}


def worker_name() -> str:
    """A name no other worker has: the host, the process, and a random part."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


class Cluster(Protocol):
    """The installation's workers, as one of them sees them."""

    name: str
    # Whether other workers may share the installation.
    several: bool

    async def announce(self) -> None:
        """Say this worker is alive for another lease."""

    async def alive(self) -> set[str]:
        """The names of the workers alive now, this one included."""

    async def claim_lead(self) -> bool:
        """Take or renew the leadership; whether this worker leads now."""

    async def resign(self) -> None:
        """Give the leadership up, if this worker holds it, and stop announcing itself."""

    async def next_number(self, counter: str, floor: Callable[[], Awaitable[int]]) -> int:
        """The next number of a counter every worker shares, starting above ``floor()``."""

    async def close(self) -> None:
        """Let the connections go."""


class SoleCluster:
    """One process alone: alive by itself, always the leader."""

    several = False

    def __init__(self, name: str | None = None) -> None:
        self.name = name or worker_name()
        self._numbers: dict[str, int] = {}

    async def announce(self) -> None:
        """Nobody else listens."""

    async def alive(self) -> set[str]:
        """Only this process."""
        return {self.name}

    async def claim_lead(self) -> bool:
        """Always."""
        return True

    async def resign(self) -> None:
        """Nothing to give up."""

    async def next_number(self, counter: str, floor: Callable[[], Awaitable[int]]) -> int:
        """A counter of this process, started above ``floor()`` on first use."""
        if counter not in self._numbers:
            self._numbers[counter] = await floor()
        self._numbers[counter] += 1
        return self._numbers[counter]

    async def close(self) -> None:
        """Nothing to close."""


class RedisCluster:
    """Workers that meet in Redis: a key each, and one lock for the leader."""

    several = True

    def __init__(
        self, redis: Redis, *, lease_seconds: float, name: str | None = None, prefix: str = PREFIX
    ) -> None:
        self.redis = redis
        self.name = name or worker_name()
        self.lease_ms = int(lease_seconds * 1000)
        self.leader_key = f"{prefix}:leader"
        self.worker_prefix = f"{prefix}:worker:"
        self._claim = redis.register_script(CLAIM_LEAD)
        self._resign = redis.register_script(RESIGN)
        self._next_number = redis.register_script(NEXT_NUMBER)
        self.prefix = prefix

    @classmethod
    def from_url(cls, url: str, *, lease_seconds: float, name: str | None = None) -> RedisCluster:
        """A cluster on its own connection pool to the Redis at ``url``."""
        # Short timeouts: a stalled Redis must cost the leader its lease, not hang it.
        redis = redis_client(url, socket_timeout=lease_seconds / 2, socket_connect_timeout=2)
        return cls(redis, lease_seconds=lease_seconds, name=name)

    async def announce(self) -> None:
        """Renew this worker's key for another lease."""
        await self.redis.set(self.worker_prefix + self.name, b"1", px=self.lease_ms)

    async def alive(self) -> set[str]:
        """Every worker whose key has not expired."""
        names = set()
        async for key in self.redis.scan_iter(match=self.worker_prefix + "*", count=500):
            raw = key.decode() if isinstance(key, bytes) else str(key)
            names.add(raw.removeprefix(self.worker_prefix))
        names.add(self.name)
        return names

    async def leader(self) -> str | None:
        """Who holds the lock now, if anyone."""
        holder = await self.redis.get(self.leader_key)
        return holder.decode() if isinstance(holder, bytes) else holder

    async def claim_lead(self) -> bool:
        """Take the lock if free, renew it if ours."""
        held = await self._claim(keys=[self.leader_key], args=[self.name, self.lease_ms])
        return bool(held)

    async def resign(self) -> None:
        """Free the lock at once if ours, so another worker need not wait out the lease."""
        await self._resign(keys=[self.leader_key], args=[self.name])
        await self.redis.delete(self.worker_prefix + self.name)

    async def next_number(self, counter: str, floor: Callable[[], Awaitable[int]]) -> int:
        """The next number of a counter every worker shares.

        A counter that is not there (never made, or lost with a Redis restarted empty) starts
        again above ``floor()``, which the caller reads from what it has stored.
        """
        key = f"{self.prefix}:counter:{counter}"
        number = int(await self._next_number(keys=[key]))
        if number < 0:
            await self.redis.set(key, await floor(), nx=True)
            number = int(await self._next_number(keys=[key]))
        if number < 0:
            raise RuntimeError(f"the shared counter {counter} could not be started")
        return number

    async def close(self) -> None:
        """Close the connection pool."""
        await self.redis.aclose()
