"""Word between the workers of one installation: a few named topics, published to all.

One worker renders a message for a web chat page open on another, or queues a notice that
only the leader's delivery loop sends. With Redis, a publication reaches every worker (this
one included) through Redis pub/sub, in the order one worker published; a worker reads its
subscription in one task, so each topic's handler sees the publications one after another.
Pub/sub keeps nothing: what a worker misses while its connection is down is lost, which is
why the database stays the source (a web chat page draws its history from it again, the
delivery tick finds every due row), and ``on_reconnect`` tells the handlers when to look.

Without Redis the process is alone, and a publication is handed to its handler directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.redis_client import redis_client

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[None]]
Hook = Callable[[], Awaitable[None]]

CHANNEL_PREFIX = "liaison:bus:"
RECONNECT_SECONDS = 0.5


class Bus(Protocol):
    """Topics every worker hears."""

    def subscribe(self, topic: str, handler: Handler) -> None:
        """Hand every publication on ``topic`` to ``handler``; before ``start``."""

    def on_reconnect(self, hook: Hook) -> None:
        """Run ``hook`` after a lost subscription is back: publications may have been missed."""

    async def publish(self, topic: str, payload: dict[str, Any]) -> None:
        """Send ``payload`` to every worker's handler of ``topic``."""

    async def start(self) -> None:
        """Start listening."""

    async def close(self) -> None:
        """Stop listening and let the connections go."""


class LocalBus:
    """One process: a publication goes straight to this process's handler."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def subscribe(self, topic: str, handler: Handler) -> None:
        """Keep the topic's handler."""
        self._handlers[topic] = handler

    def on_reconnect(self, hook: Hook) -> None:
        """Nothing to reconnect."""

    async def publish(self, topic: str, payload: dict[str, Any]) -> None:
        """Call the topic's handler, if any."""
        handler = self._handlers.get(topic)
        if handler is not None:
            await handler(payload)

    async def start(self) -> None:
        """Nothing to start."""

    async def close(self) -> None:
        """Nothing to close."""


class RedisBus:
    """Redis pub/sub: one channel per topic, one listening task per worker."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._handlers: dict[str, Handler] = {}
        self._hooks: list[Hook] = []
        self._task: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    @classmethod
    def from_url(cls, url: str, *, worker: str = "") -> RedisBus:
        """A bus on its own connection pool to the Redis at ``url``.

        Its connections are named after the worker, so an operator's ``CLIENT LIST`` tells
        whose they are.
        """
        redis = redis_client(
            url,
            socket_connect_timeout=2,
            health_check_interval=10,
            client_name=f"liaison-bus:{worker}" if worker else "liaison-bus",
        )
        return cls(redis)

    def subscribe(self, topic: str, handler: Handler) -> None:
        """Keep the topic's handler; the subscription is made by ``start``."""
        self._handlers[topic] = handler

    def on_reconnect(self, hook: Hook) -> None:
        """Keep a hook for the moments the subscription comes back."""
        self._hooks.append(hook)

    async def publish(self, topic: str, payload: dict[str, Any]) -> None:
        """Publish to every worker; a Redis that cannot be reached loses this one only."""
        try:
            await self.redis.publish(
                CHANNEL_PREFIX + topic, json.dumps(payload, ensure_ascii=False)
            )
        except (RedisError, OSError) as error:
            log.warning("bus: %s not published: %s", topic, error)

    async def start(self) -> None:
        """Listen in the background; return once the first subscription is in place."""
        if self._task is None:
            self._task = asyncio.create_task(self._listen(), name="bus")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._subscribed.wait(), timeout=5)

    async def close(self) -> None:
        """Stop listening and close the pool."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self.redis.aclose()

    async def _listen(self) -> None:
        channels = [CHANNEL_PREFIX + topic for topic in self._handlers]
        first = True
        while True:
            try:
                async with self.redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(*channels)
                    self._subscribed.set()
                    if not first:
                        log.info("bus: subscription back")
                        await self._run_hooks()
                    first = False
                    async for message in pubsub.listen():
                        await self._dispatch(message)
            except (RedisError, OSError) as error:
                log.warning("bus: subscription lost (%s); reconnecting", error)
                first = False
                await asyncio.sleep(RECONNECT_SECONDS)

    async def _dispatch(self, message: dict[str, Any]) -> None:
        channel = message.get("channel")
        topic = (channel.decode() if isinstance(channel, bytes) else str(channel)).removeprefix(
            CHANNEL_PREFIX
        )
        handler = self._handlers.get(topic)
        if handler is None:
            return
        try:
            await handler(json.loads(message["data"]))
        except Exception:
            log.exception("bus: the %s handler failed", topic)

    async def _run_hooks(self) -> None:
        for hook in self._hooks:
            try:
                await hook()
            except Exception:
                log.exception("bus: a reconnect hook failed")
