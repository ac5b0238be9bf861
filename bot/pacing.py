"""Pacing for the delivery loop: a channel-wide rate, one message a second per chat."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from aiogram import Bot

PER_CHAT_INTERVAL = 1.0


class Pace:
    """Evenly spaced slots at ``rate`` a second; ``pause`` holds every slot back."""

    def __init__(self, rate: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / rate
        self.monotonic = monotonic
        self._next = 0.0
        self.paused_until = 0.0

    async def wait(self) -> None:
        """Sleep until this caller's slot (and any pause) has come."""
        while True:
            now = self.monotonic()
            slot = max(now, self._next, self.paused_until)
            if slot <= now:
                self._next = now + self.interval
                return
            if self.paused_until > now:
                await asyncio.sleep(self.paused_until - now)
                continue
            self._next = slot + self.interval
            await asyncio.sleep(slot - now)
            if self.monotonic() >= self.paused_until:
                return

    def pause(self, seconds: float) -> None:
        """Hold everything back for ``seconds`` (Telegram's ``retry_after``)."""
        self.paused_until = max(self.paused_until, self.monotonic() + seconds)


@dataclass
class Lane:
    """One channel: its Bot, its pace, the next free second of each chat, what is in flight.

    ``cap`` bounds the messages claimed but not yet sent, so that every one of them is sent
    well within its lease and no other sender takes it over while it waits here.
    """

    channel: str
    bot: Bot
    pace: Pace
    cap: int = 400
    chat_next: dict[int, float] = field(default_factory=dict)
    in_flight: set[int] = field(default_factory=set)

    def chat_slot(self, chat_id: int, now: float) -> float:
        """Reserve the chat's next slot, one second after its previous one."""
        slot = max(now, self.chat_next.get(chat_id, 0.0))
        self.chat_next[chat_id] = slot + PER_CHAT_INTERVAL
        if len(self.chat_next) > 100_000:
            stale = [chat for chat, at in self.chat_next.items() if at < now]
            for chat in stale:
                del self.chat_next[chat]
        return slot

    @property
    def room(self) -> int:
        """How many more messages this lane may claim now."""
        return self.cap - len(self.in_flight)
