"""The active stations and categories, read once and kept while nothing changes them.

Every report step draws a list of stations or categories, and these change only when staff
or the command line edit them. A copy per engine serves those reads. It is exact within the
process: a write to either table through the engine empties it, when the statement runs and
again when its transaction ends (a concurrent reader may have put the old rows back in
between). A copy older than :data:`REFERENCE_MAX_AGE` is read again, for changes made by
another process. The rows handed out are detached and shared by every caller: read them,
never change them or add them to a session (a change goes through a query of its own, as
:func:`services.reference.catalog.set_due_days` does).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.sql.dml import Delete, Insert, Update
from sqlmodel import SQLModel

from storage.db import CACHES_KEY
from storage.models import IssueCategory, Station

# Seconds: how long a change made by another process may stay unseen.
REFERENCE_MAX_AGE = 60.0
_TABLES = frozenset({Station.__tablename__, IssueCategory.__tablename__})
CACHE_NAME = "reference"
_PENDING = "liaison_reference_invalidated"

Row = TypeVar("Row", bound=SQLModel)


@dataclass(frozen=True)
class _Copy:
    rows: tuple[SQLModel, ...]
    read_at: float


class ReferenceCache:
    """Column values of the active rows of each reference table, by model."""

    def __init__(self, engine: Engine, *, max_age: float = REFERENCE_MAX_AGE) -> None:
        self.max_age = max_age
        self._copies: dict[type[SQLModel], _Copy] = {}
        # Bumped by every invalidation: a read that began before it is not kept.
        self._generation = 0
        event.listen(engine, "before_execute", self._before_execute)
        event.listen(engine, "commit", self._after_transaction)
        event.listen(engine, "rollback", self._after_transaction)

    async def rows(
        self,
        model: type[Row],
        load: Callable[[], Awaitable[Sequence[Row]]],
    ) -> list[Row]:
        """The rows ``load`` reads, from memory while the copy is current (read-only, shared)."""
        copy = self._copies.get(model)
        if copy is None or not 0 <= time.monotonic() - copy.read_at < self.max_age:
            generation = self._generation
            loaded = await load()
            columns = [column.key for column in model.__table__.columns]  # type: ignore[attr-defined]
            copy = _Copy(
                rows=tuple(
                    _detached(model, {name: getattr(row, name) for name in columns})
                    for row in loaded
                ),
                read_at=time.monotonic(),
            )
            if generation == self._generation:
                self._copies[model] = copy
        return list(copy.rows)  # type: ignore[arg-type]

    def clear(self) -> None:
        """Forget every copy."""
        self._copies.clear()
        self._generation += 1

    def _before_execute(
        self, conn: Connection, clauseelement: Any, *_args: Any, **_kwargs: Any
    ) -> None:
        if not isinstance(clauseelement, Insert | Update | Delete):
            return
        if getattr(clauseelement.table, "name", None) not in _TABLES:
            return
        self.clear()
        conn.info[_PENDING] = True

    def _after_transaction(self, conn: Connection) -> None:
        if conn.info.pop(_PENDING, False):
            self.clear()


def _detached(model: type[Row], values: dict[str, Any]) -> Row:
    row = model(**values)
    make_transient_to_detached(row)
    return row


def reference_cache(session: AsyncSession) -> ReferenceCache | None:
    """The cache of the database ``session`` belongs to, or None for a session of no Database.

    The cache lives among the database's own caches (``storage.db.Database.caches``), and
    watches that database's engine from its first use.
    """
    caches: dict[str, object] | None = session.info.get(CACHES_KEY)
    if caches is None:
        return None
    cache = caches.get(CACHE_NAME)
    if not isinstance(cache, ReferenceCache):
        engine = session.get_bind()
        if not isinstance(engine, Engine):
            engine = engine.engine
        cache = ReferenceCache(engine)
        caches[CACHE_NAME] = cache
    return cache
