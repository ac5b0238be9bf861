"""FSM storage in the database, so a restart never drops a half-written dialog.

Reads are served from a bounded in-memory copy and every write goes through to the
database, so a dialog step costs one short write transaction instead of several reads.
That copy is exact for one process: the in-memory event isolation that goes with this
storage already assumes a single process. Several processes share Redis instead
(``LIAISON_REDIS_URL``), as aiogram's own storages do.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)
from sqlalchemy import delete
from sqlmodel import col

from storage.db import Database
from storage.models import FsmRecord
from storage.queries import table_of, upsert

CACHED_KEYS = 20_000
EMPTY_DATA = "{}"


@dataclass(frozen=True)
class _Record:
    state: str | None
    data: str


_ABSENT = _Record(state=None, data=EMPTY_DATA)


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
        async with self.db.session() as session:
            row = await session.get(FsmRecord, storage_key)
        record = _Record(state=row.state, data=row.data) if row is not None else _ABSENT
        self._remember(storage_key, record)
        return record

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
        # Forget first: if the write fails, the next read goes back to the database.
        self._cache.pop(storage_key, None)
        async with self.db.writing() as session:
            if record.state is None and record.data == EMPTY_DATA:
                await session.execute(delete(FsmRecord).where(col(FsmRecord.key) == storage_key))
            else:
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
        self._remember(storage_key, record)

    async def close(self) -> None:
        """Forget the in-memory copy; the database is owned by the application."""
        self._cache.clear()
