"""Small write transactions that arrive together, committed as one (SQLite's one writer).

SQLite takes one writer at a time, and every transaction pays for its ``BEGIN IMMEDIATE``,
its commit and its turn on the process's write lock. A channel that writes a little for every
message (the callback stored, the message sent recorded, the update marked handled) would
spend the lock on that overhead under load. Here each such write hands its work over and
waits; a writer runs every piece of work handed over while the previous transaction ran in
one transaction, then wakes the callers. Alone, a write waits for its own transaction, so
nothing is slower when the bot is quiet. On PostgreSQL, where writers do not queue on one
lock, each work runs in a transaction of its own.

A work must only touch the database through the session it is given and be safe to run
again: when one work of a batch fails, the batch is rolled back and every work is run again
in a transaction of its own, so one bad write never fails the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)

T = TypeVar("T")
Work = Callable[[AsyncSession], Awaitable[Any]]


@dataclass
class _Pending:
    work: Work
    done: asyncio.Future[Any]


class BatchedWrites:
    """The writes of one database, batched into shared transactions on SQLite.

    ``writing`` opens one write transaction of the database; ``batch`` says whether writes
    queue on one writer (SQLite), the only case where sharing transactions pays.
    """

    def __init__(
        self, writing: Callable[[], AbstractAsyncContextManager[AsyncSession]], *, batch: bool
    ) -> None:
        self.writing = writing
        self.batch = batch
        self._pending: list[_Pending] = []
        self._writer: asyncio.Task[None] | None = None

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run ``work`` in a write transaction; return its result once committed."""
        if not self.batch:
            async with self.writing() as session:
                return await work(session)
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending.append(_Pending(work, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all(), name="batched-writes")
        # A cancelled caller does not cancel the transaction the others wait for.
        return await asyncio.shield(done)

    async def _write_all(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                results = await self._write(batch)
            except Exception:
                if len(batch) > 1:
                    log.info("a batch of %d writes failed; writing each alone", len(batch))
                for pending in batch:
                    await self._write_alone(pending)
            else:
                for pending, result in zip(batch, results, strict=True):
                    if not pending.done.done():
                        pending.done.set_result(result)

    async def _write(self, batch: list[_Pending]) -> list[Any]:
        async with self.writing() as session:
            return [await pending.work(session) for pending in batch]

    async def _write_alone(self, pending: _Pending) -> None:
        try:
            [result] = await self._write([pending])
        except Exception as error:
            if not pending.done.done():
                pending.done.set_exception(error)
        else:
            if not pending.done.done():
                pending.done.set_result(result)
