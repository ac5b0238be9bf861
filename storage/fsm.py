"""FSM storage in the database, so a restart never drops a half-written dialog.

Reads are served from a bounded in-memory copy. A write outside an update goes through to
the database at once; inside :meth:`SQLStorage.deferred` (the replay guard opens it around
an update's handlers) the writes of the update are collected and committed once, when the
update is over, together with its replay record, on no connection of their own. A key the
copy lacks is read on the update's own session, never on a second connection; and a key
that has no row at all (a new chat, a dialog's new context) is known without a query: the
storage knows every key that has a row, from one scan of the keys when it is first read and
its own writes since. That knowledge is exact for one process: the in-memory event
isolation that goes with this storage already assumes a single process (rows deleted by
another one, such as an erasure from the command line, only make it look up a key that is
gone). Several processes share Redis instead (``LIAISON_REDIS_URL``), as aiogram's own
storages do.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.db import Database
from storage.models import FsmRecord
from storage.queries import table_of, upsert, upsert_many

CACHED_KEYS = 20_000
EMPTY_DATA = "{}"


@dataclass(frozen=True)
class _Record:
    state: str | None
    data: str


_ABSENT = _Record(state=None, data=EMPTY_DATA)


def _empty(record: _Record) -> bool:
    return record.state is None and record.data == EMPTY_DATA


@dataclass
class FsmBatch:
    """The dialog-state writes of one update, by storage key, waiting for its commit.

    ``session`` is the update's own session: what the update reads and the copy lacks is
    read there.
    """

    records: dict[str, _Record] = field(default_factory=dict)
    open: bool = True
    session: AsyncSession | None = None

    def __bool__(self) -> bool:
        return bool(self.records)


class SQLStorage(BaseStorage):
    """aiogram's storage interface over the ``fsm_record`` table."""

    def __init__(
        self,
        db: Database,
        now: Callable[[], dt.datetime],
        key_builder: KeyBuilder | None = None,
        *,
        cached_keys: int = CACHED_KEYS,
    ) -> None:
        self.db = db
        self.now = now
        self.key_builder = key_builder or DefaultKeyBuilder(with_bot_id=True, with_destiny=True)
        self._cache: OrderedDict[str, _Record] = OrderedDict()
        self._cached_keys = cached_keys
        self._batch: ContextVar[FsmBatch | None] = ContextVar("fsm_batch", default=None)
        # Every key that has a row (and maybe a few that no longer do); None until first read.
        self._stored: set[str] | None = None
        # Keys written while the scan for ``_stored`` may still be running.
        self._written: set[str] = set()

    @contextmanager
    def deferred(self, session: AsyncSession | None = None) -> Iterator[FsmBatch]:
        """Collect the writes made inside the block, for :meth:`write_batch` to commit.

        Reads inside the block see the collected writes; a key not in memory is read on
        ``session`` (the update's own). A write made after the block (by a task the update
        left running) goes straight to the database again.
        """
        batch = FsmBatch(session=session)
        token = self._batch.set(batch)
        try:
            yield batch
        finally:
            batch.open = False
            self._batch.reset(token)

    async def write_batch(self, session: AsyncSession, *batches: FsmBatch) -> None:
        """Write closed batches in the caller's open write transaction, in a statement or two.

        A key written by several batches ends as the last of them left it.
        """
        records: dict[str, _Record] = {}
        for batch in batches:
            records.update(batch.records)
        gone = [key for key, record in records.items() if _empty(record)]
        if gone:
            await session.execute(delete(FsmRecord).where(col(FsmRecord.key).in_(gone)))
        now = self.now()
        await upsert_many(
            session,
            table_of(FsmRecord),
            [
                {"key": key, "state": record.state, "data": record.data, "updated_at": now}
                for key, record in records.items()
                if not _empty(record)
            ],
            conflict_columns=["key"],
            update_columns=["state", "data", "updated_at"],
        )

    def forget(self, batch: FsmBatch) -> None:
        """Drop the cached copies of a batch whose commit failed: the database has the truth."""
        for storage_key in batch.records:
            self._cache.pop(storage_key, None)

    def committed(self, batch: FsmBatch) -> None:
        """Note the rows a committed batch deleted, unless a later write brought them back."""
        for storage_key, record in batch.records.items():
            if _empty(record):
                self._deleted(storage_key)

    def _deleted(self, storage_key: str) -> None:
        # Only while the copy says so: a write still waiting for its commit may have brought
        # the key back, and a key kept too long only costs a query.
        current = self._cache.get(storage_key)
        if self._stored is not None and current is not None and _empty(current):
            self._stored.discard(storage_key)

    def _key(self, key: StorageKey) -> str:
        return self.key_builder.build(key)

    def _remember(self, storage_key: str, record: _Record) -> None:
        self._cache[storage_key] = record
        self._cache.move_to_end(storage_key)
        while len(self._cache) > self._cached_keys:
            self._cache.popitem(last=False)

    async def _read(self, storage_key: str) -> _Record:
        cached = self._cache.get(storage_key)
        if cached is not None:
            self._cache.move_to_end(storage_key)
            return cached
        batch = self._batch.get()
        if batch is not None and batch.open and batch.session is not None:
            record = await self._load(batch.session, storage_key)
        else:
            async with self.db.session() as session:
                record = await self._load(session, storage_key)
        self._remember(storage_key, record)
        return record

    async def _load(self, session: AsyncSession, storage_key: str) -> _Record:
        if self._stored is None:
            keys = (await session.execute(select(col(FsmRecord.key)))).scalars()
            # Another read may have filled it meanwhile, with the writes since included.
            if self._stored is None:
                self._stored = set(keys) | self._written
                self._written.clear()
        if storage_key not in self._stored:
            return _ABSENT
        row = await session.get(FsmRecord, storage_key)
        return _Record(state=row.state, data=row.data) if row is not None else _ABSENT

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        """Store the state; a row with neither state nor data is deleted."""
        storage_key = self._key(key)
        value = state.state if isinstance(state, State) else state
        current = await self._read(storage_key)
        await self._write(storage_key, _Record(state=value, data=current.data))

    async def get_state(self, key: StorageKey) -> str | None:
        """Return the stored state, or None."""
        return (await self._read(self._key(key))).state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        """Replace the stored data."""
        storage_key = self._key(key)
        current = await self._read(storage_key)
        encoded = json.dumps(dict(data), ensure_ascii=False)
        await self._write(storage_key, _Record(state=current.state, data=encoded))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        """Return a copy of the stored data."""
        loaded: dict[str, Any] = json.loads((await self._read(self._key(key))).data)
        return loaded

    async def _write(self, storage_key: str, record: _Record) -> None:
        if self._cache.get(storage_key) == record:
            return
        if not _empty(record):
            # Before the row exists: a key listed without a row only costs a query.
            (self._written if self._stored is None else self._stored).add(storage_key)
        batch = self._batch.get()
        if batch is not None and batch.open:
            batch.records[storage_key] = record
            self._remember(storage_key, record)
            return
        # Forget first: if the write fails, the next read goes back to the database.
        self._cache.pop(storage_key, None)
        async with self.db.writing() as session:
            await self._store(session, storage_key, record)
        self._remember(storage_key, record)
        if _empty(record):
            self._deleted(storage_key)

    async def _store(self, session: AsyncSession, storage_key: str, record: _Record) -> None:
        if _empty(record):
            await session.execute(delete(FsmRecord).where(col(FsmRecord.key) == storage_key))
            return
        await upsert(
            session,
            table_of(FsmRecord),
            {
                "key": storage_key,
                "state": record.state,
                "data": record.data,
                "updated_at": self.now(),
            },
            conflict_columns=["key"],
            update_columns=["state", "data", "updated_at"],
        )

    async def close(self) -> None:
        """Forget the in-memory copy; the database is owned by the application."""
        self._cache.clear()
        self._stored = None
        self._written.clear()
