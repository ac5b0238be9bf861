"""Injected faults: one-off and recurring errors, blocked chats, Telegram's flood limits."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from tests.support.fake_bot_api.protocol import (
    RATE_LIMITED_METHODS,
    ApiError,
    as_int,
    canonical,
    error_for,
    too_many_requests,
)
from tests.support.fake_bot_api.records import CallRecord


@dataclass(slots=True)
class _Fault:
    method: str  # canonical name, or "*" for any method
    error: ApiError
    remaining: int
    chat_id: int | str | None

    def matches(self, record: CallRecord) -> bool:
        if self.method not in ("*", record.method):
            return False
        return self.chat_id is None or record.chat_id == self.chat_id


@dataclass(slots=True)
class _RecurringFault:
    """Fails every ``every``-th matching call, or each one with ``probability`` (seeded)."""

    method: str
    error: ApiError
    every: int | None
    probability: float
    rng: random.Random
    seen: int = 0

    def strikes(self, record: CallRecord) -> bool:
        if self.method not in ("*", record.method):
            return False
        self.seen += 1
        if self.every is not None:
            return self.seen % self.every == 0
        return self.rng.random() < self.probability


class _TokenBucket:
    """Refills ``rate`` tokens a second up to a burst of about one second's worth."""

    __slots__ = ("capacity", "rate", "tokens", "updated")

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.updated = time.monotonic()

    def ready(self, now: float) -> bool:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return self.tokens >= 1.0

    def take(self) -> None:
        self.tokens -= 1.0


def _method_name(method: str) -> str:
    return "*" if method == "*" else canonical(method)


class FaultInjector:
    """The faults a test set up, applied to each call: ``check`` first, ``gate`` once valid."""

    def __init__(self) -> None:
        self._faults: list[_Fault] = []
        self._recurring: list[_RecurringFault] = []
        self._blocked: set[int] = set()
        self._global_bucket: _TokenBucket | None = None
        self._per_chat_rate: float | None = None
        self._chat_buckets: dict[int, _TokenBucket] = {}

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int = 1,
        description: str | None = None,
        count: int = 1,
        chat_id: int | str | None = None,
    ) -> None:
        """Make the next ``count`` calls of ``method`` (``"*"``: any) fail with ``status``.

        With ``chat_id`` only calls for that chat fail. 429 carries
        ``parameters.retry_after``; descriptions default to Telegram's wording
        (403: "Forbidden: bot was blocked by the user"). Faults apply before validation.
        """
        error = error_for(status, description, retry_after)
        if count < 1:
            raise ValueError("count must be at least 1")
        chat = as_int(chat_id)
        self._faults.append(
            _Fault(_method_name(method), error, count, chat if chat is not None else chat_id)
        )

    def fail_every(
        self, method: str, every: int, *, status: int = 500, retry_after: int = 1
    ) -> None:
        """Fail every ``every``-th call of ``method`` (``"*"``: any) with ``status``, for good.

        Calls are counted per rule, failed ones included; a 429 carries ``retry_after``.
        Several rules may run at once (a 429 every 7th send, a 500 every 11th); a call two
        rules pick fails with the first one added.
        """
        if every < 1:
            raise ValueError("every must be at least 1")
        error = error_for(status, retry_after=retry_after)
        self._recurring.append(
            _RecurringFault(_method_name(method), error, every, 0.0, random.Random(0))
        )

    def fail_randomly(
        self,
        method: str,
        probability: float,
        *,
        status: int = 500,
        retry_after: int = 1,
        seed: int = 0,
    ) -> None:
        """Fail each call of ``method`` with ``probability``, drawn from a generator seeded
        with ``seed``, so that a run's failures can be replayed."""
        if not 0.0 <= probability <= 1.0:
            raise ValueError("probability must be between 0 and 1")
        error = error_for(status, retry_after=retry_after)
        self._recurring.append(
            _RecurringFault(_method_name(method), error, None, probability, random.Random(seed))
        )

    def block_chat(self, chat_id: int) -> None:
        """Answer 403 to every call acting on this chat, like a user who blocked the bot."""
        self._blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        """Undo ``block_chat``."""
        self._blocked.discard(chat_id)

    def rate_limit(self, per_second: float | None) -> None:
        """Cap sends globally (token bucket, burst of one second); None or 0 lifts the cap.

        A send over the cap answers 429 with ``retry_after=1``.
        """
        self._global_bucket = _TokenBucket(per_second) if per_second else None

    def per_chat_limit(self, per_second: float | None) -> None:
        """Cap sends per chat like ``rate_limit`` does globally; None or 0 lifts the cap."""
        self._per_chat_rate = per_second or None
        self._chat_buckets.clear()

    def reset(self) -> None:
        """Drop pending and recurring faults, blocked chats and rate limits."""
        self._faults.clear()
        self._recurring.clear()
        self._blocked.clear()
        self._global_bucket = None
        self._per_chat_rate = None
        self._chat_buckets.clear()

    def check(self, record: CallRecord) -> None:
        """Raise the injected error this call draws, if any; before any validation."""
        for fault in self._faults:
            if fault.matches(record):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                raise fault.error
        # Every rule counts every call it matches, so one rule's cadence ignores the others.
        struck = [rule.error for rule in self._recurring if rule.strikes(record)]
        if struck:
            raise struck[0]

    def gate(self, record: CallRecord, chat: int) -> None:
        """Blocked chats and rate limits; called once a call is valid, before it acts."""
        if chat in self._blocked:
            if chat > 0:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            raise ApiError(403, "Forbidden: bot was kicked from the group chat")
        if record.method not in RATE_LIMITED_METHODS:
            return
        buckets = [self._global_bucket]
        if self._per_chat_rate is not None:
            bucket = self._chat_buckets.get(chat)
            if bucket is None:
                bucket = self._chat_buckets[chat] = _TokenBucket(self._per_chat_rate)
            buckets.append(bucket)
        now = time.monotonic()
        active = [bucket for bucket in buckets if bucket is not None]
        # Check every bucket before taking from any, so a refusal costs no tokens.
        if not all([bucket.ready(now) for bucket in active]):
            raise too_many_requests(1)
        for bucket in active:
            bucket.take()
