"""FSM storage in the database, so a restart never drops a half-written dialog."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
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
from sqlmodel import col

from storage.db import Database
from storage.models import FsmRecord
from storage.queries import table_of, upsert


class SQLStorage(BaseStorage):
    """aiogram's storage interface over the ``fsm_record`` table; one short transaction a call."""

    def __init__(
        self,
        db: Database,
        now: Callable[[], dt.datetime],
        key_builder: KeyBuilder | None = None,
    ) -> None:
        self.db = db
        self.now = now
        self.key_builder = key_builder or DefaultKeyBuilder(with_bot_id=True, with_destiny=True)

    def _key(self, key: StorageKey) -> str:
        return self.key_builder.build(key)

    async def _read(self, key: StorageKey) -> FsmRecord | None:
        async with self.db.session() as session:
            return await session.get(FsmRecord, self._key(key))

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        """Store the state; a row with neither state nor data is deleted."""
        value = state.state if isinstance(state, State) else state
        await self._write(key, state=value, data=None)

    async def get_state(self, key: StorageKey) -> str | None:
        """Return the stored state, or None."""
        record = await self._read(key)
        return record.state if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        """Replace the stored data."""
        await self._write(key, state=None, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        """Return a copy of the stored data."""
        record = await self._read(key)
        if record is None:
            return {}
        loaded: dict[str, Any] = json.loads(record.data)
        return loaded

    async def _write(
        self, key: StorageKey, *, state: str | None, data: dict[str, Any] | None
    ) -> None:
        storage_key = self._key(key)
        async with self.db.writing() as session:
            current = (
                await session.execute(
                    select(col(FsmRecord.state), col(FsmRecord.data)).where(
                        col(FsmRecord.key) == storage_key
                    )
                )
            ).first()
            new_state = state if data is None else (current.state if current else None)
            new_data = (
                json.dumps(data, ensure_ascii=False)
                if data is not None
                else (current.data if current else "{}")
            )
            if new_state is None and new_data == "{}":
                if current is not None:
                    await session.execute(
                        delete(FsmRecord).where(col(FsmRecord.key) == storage_key)
                    )
                return
            await upsert(
                session,
                table_of(FsmRecord),
                {
                    "key": storage_key,
                    "state": new_state,
                    "data": new_data,
                    "updated_at": self.now(),
                },
                conflict_columns=["key"],
                update_columns=["state", "data", "updated_at"],
            )

    async def close(self) -> None:
        """Nothing to close: the database is owned by the application."""
