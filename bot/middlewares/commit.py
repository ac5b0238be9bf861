"""Group commit: what many updates write when they end, in one write transaction.

An update's handlers end with two writes: its dialog state (collected by
:meth:`storage.fsm.SQLStorage.deferred`) and its replay record. Each update hands both to
the committer and waits; the committer writes everything handed to it while the previous
transaction ran, in one transaction, then wakes the waiting updates. Under load, a hundred
updates share one ``BEGIN IMMEDIATE`` and one commit; alone, an update waits for its own.
No update holds a connection while it waits, and no Bot API call runs inside the
transaction.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from services.chats.updates import record_updates
from services.clock import Clock
from storage.db import Database
from storage.fsm import FsmBatch, SQLStorage

log = logging.getLogger(__name__)


@dataclass
class _Entry:
    key: tuple[int, int]
    storage: SQLStorage | None
    batch: FsmBatch | None
    done: asyncio.Future[None]


class UpdateCommitter:
    """Writes the end of many updates at once; each caller returns when its part is committed."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._pending: list[_Entry] = []
        self._writer: asyncio.Task[None] | None = None

    async def commit(
        self,
        key: tuple[int, int],
        storage: SQLStorage | None = None,
        batch: FsmBatch | None = None,
    ) -> None:
        """Record the update id ``key`` with the dialog state ``batch``; wait for the commit."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append(_Entry(key, storage, batch, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all(), name="update-commit")
        # A cancelled caller does not cancel the commit the others wait for.
        await asyncio.shield(done)

    async def _write_all(self) -> None:
        while self._pending:
            entries, self._pending = self._pending, []
            try:
                await self._write(entries)
            except Exception as error:
                if len(entries) == 1:
                    self._fail(entries[0], error)
                    continue
                # One bad entry must not fail the others: write each on its own.
                for entry in entries:
                    try:
                        await self._write([entry])
                    except Exception as own_error:
                        self._fail(entry, own_error)
                    else:
                        self._succeed(entry)
            else:
                for entry in entries:
                    self._succeed(entry)

    async def _write(self, entries: list[_Entry]) -> None:
        # One statement or two per storage, whatever the number of updates.
        batches: dict[int, tuple[SQLStorage, list[FsmBatch]]] = {}
        for entry in entries:
            if entry.storage is not None and entry.batch:
                batches.setdefault(id(entry.storage), (entry.storage, []))[1].append(entry.batch)
        async with self.db.writing() as session:
            for storage, written in batches.values():
                await storage.write_batch(session, *written)
            new = await record_updates(
                session, keys=[entry.key for entry in entries], now=self.clock.now()
            )
        if new < len(entries):
            log.warning("%d of %d updates were handled twice", len(entries) - new, len(entries))

    @staticmethod
    def _succeed(entry: _Entry) -> None:
        if entry.storage is not None and entry.batch is not None:
            entry.storage.committed(entry.batch)
        if not entry.done.done():
            entry.done.set_result(None)

    @staticmethod
    def _fail(entry: _Entry, error: Exception) -> None:
        if entry.storage is not None and entry.batch is not None:
            entry.storage.forget(entry.batch)
        if not entry.done.done():
            entry.done.set_exception(error)
        else:
            log.error("update %s not recorded: %s", entry.key, error)
