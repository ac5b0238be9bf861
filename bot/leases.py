"""The outbox rows one sender holds, and the heartbeat that keeps them its own.

A sender (one delivery worker) claims rows under a lease in its own name. From the claim until
the row's result is written, the row waits in the process: for a slot, for a 429 pause, for its
chat's turn, for the request, for the next write of results. However long that takes, the
heartbeat renews the lease a few times a lease, the way job queues built on PostgreSQL keep a
running job's lock, so no other sender claims a row while its holder lives. A row whose renewal
found it taken over is marked lost and not sent; a dead sender's rows simply run out of lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import secrets
import socket
from collections.abc import Iterable, KeysView

from services.clock import Clock
from services.outbox.queue import WORKER_MARK, renew
from storage.db import Database

log = logging.getLogger(__name__)

# Renewed this many times a lease: a missed or slow beat still leaves time for the next.
BEATS_PER_LEASE = 3


def sender_name(worker: str | None = None) -> str:
    """A name no other sender has: its worker's (or the host and the process), and a random part.

    The worker's name comes first, so rows a dead worker left can be told from a live one's
    (:func:`services.outbox.queue.free_orphans`).
    """
    worker = worker or f"{socket.gethostname()[:40]}:{os.getpid()}"
    return f"{worker}{WORKER_MARK}{secrets.token_hex(4)}"


class Leases:
    """What one sender holds, each row with the end of its lease as last renewed."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        lease: dt.timedelta,
        *,
        speed: float = 1.0,
        worker: str | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.lease = lease
        # The clock's speed: a lease of the bot's time lasts this many times less real time.
        self.speed = speed
        # Unique per worker, so two workers in one process never mistake each other's rows.
        self.owner = sender_name(worker)
        self._until: dict[int, dt.datetime | None] = {}  # None: the lease was lost

    def __len__(self) -> int:
        return len(self._until)

    def ids(self) -> KeysView[int]:
        """Every row held now (a live view): a claim leaves them out, whatever their lease."""
        return self._until.keys()

    def hold(self, outbox_id: int, until: dt.datetime | None) -> None:
        """A row was just claimed, leased until ``until``."""
        self._until[outbox_id] = until

    def holds(self, outbox_id: int) -> bool:
        """Whether the lease on a held row is still good now: only then may it be sent."""
        until = self._until.get(outbox_id)
        return until is not None and until > self.clock.now()

    def release(self, ids: Iterable[int]) -> None:
        """Let rows go: their results are written, or left to their lease like a crash's."""
        for outbox_id in ids:
            self._until.pop(outbox_id, None)

    async def renew(self) -> None:
        """Extend the lease of every row held; mark the ones another sender took over."""
        ids = list(self._until)
        if not ids:
            return
        until = self.clock.now() + self.lease
        try:
            async with self.db.session() as session:
                renewed = await renew(session, ids, owner=self.owner, until=until)
        except Exception:
            # The leases are still good for another beat or two; the next one tries again.
            log.exception("could not renew the lease of %d outbox messages", len(ids))
            return
        for outbox_id in ids:
            if outbox_id in self._until:  # its result may have been written meanwhile
                self._until[outbox_id] = until if outbox_id in renewed else None

    async def keep(self, finished: asyncio.Event) -> None:
        """The heartbeat: renew every so often until ``finished`` is set."""
        interval = self.lease.total_seconds() / self.speed / BEATS_PER_LEASE
        while not finished.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(finished.wait(), timeout=interval)
            if not finished.is_set():
                await self.renew()
