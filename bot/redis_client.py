"""Redis clients whose pools wait for a free connection instead of failing past their size.

redis-py's asyncio pool refuses a request once ``max_connections`` are in use; under a burst
(a broadcast's sends, two hundred chats at once) that would be an error in a person's chat.
A blocking pool makes the request wait its turn, bounded by a timeout.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis

# Connections each pool of a worker may hold; Redis serves 10,000 clients by default.
MAX_CONNECTIONS = 200
# How long a request waits for a free connection before it fails.
WAIT_SECONDS = 10


def redis_client(url: str, **kwargs: Any) -> Redis:
    """A client of the Redis at ``url``; ``kwargs`` are connection options."""
    pool = BlockingConnectionPool.from_url(
        url, max_connections=MAX_CONNECTIONS, timeout=WAIT_SECONDS, **kwargs
    )
    # The client owns the pool: closing it closes the connections too.
    return Redis.from_pool(pool)
