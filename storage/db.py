"""Engine, session factory and the write-transaction discipline for SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from storage.batching import BatchedWrites

log = logging.getLogger(__name__)

IMMEDIATE_OPTION = "liaison_immediate"
# Where a session finds its database's write lock (see ``Database.write_lock``).
WRITE_LOCK_KEY = "liaison_write_lock"
# Where a session finds the in-process caches kept for its database (see ``Database.caches``).
CACHES_KEY = "liaison_caches"
SQLITE_BUSY_TIMEOUT_MS = 15_000
# Connections kept open: above the cap on concurrent updates (see bot/middlewares/concurrency.py),
# whose updates hold one each, with room left for the delivery loop and the scheduler.
POOL_SIZE = 20


class Database:
    """One engine and its session factory; SQLite gets WAL, a busy timeout and immediate writes."""

    def __init__(self, url: str | URL, *, echo: bool = False, pool_size: int = POOL_SIZE) -> None:
        self.url = make_url(url)
        if self.is_sqlite:
            _ensure_sqlite_dir(self.url)
        self.engine: AsyncEngine = create_async_engine(
            self.url, echo=echo, **_engine_options(self.url, pool_size)
        )
        # SQLite has one writer at a time. This database's writers in this process queue on
        # this lock instead of on SQLite's busy handler, which sleeps up to 100 ms between
        # tries; other processes still wait through the busy timeout. Every session it opens
        # carries the lock in its ``info``, where :func:`write_transaction` looks.
        self.write_lock: asyncio.Lock | None = None
        if self.is_sqlite:
            _install_sqlite_listeners(self.engine)
            self.write_lock = asyncio.Lock()
        # Caches of what this database holds (reference data), kept by the services that own
        # them under their own key; every session carries them, so no module keeps one.
        self.caches: dict[str, object] = {}
        info: dict[str, object] = {CACHES_KEY: self.caches}
        if self.write_lock is not None:
            info[WRITE_LOCK_KEY] = self.write_lock
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, info=info)
        # Small writes made at once share one transaction (see storage.batching).
        self.batched = BatchedWrites(self.writing, batch=self.is_sqlite)

    @property
    def is_sqlite(self) -> bool:
        """Whether the backend is SQLite."""
        return self.url.get_backend_name() == "sqlite"

    def session(self) -> AsyncSession:
        """Open a session; reads begin deferred, writes go through :func:`write_transaction`."""
        return self.sessionmaker()

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncSession]:
        """Open a session that is one write transaction, committed on success."""
        async with self.sessionmaker() as session, write_transaction(session):
            yield session

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


async def flush_erased(session: AsyncSession) -> bool:
    """Move every committed change out of SQLite's write-ahead log and empty the log.

    Called after an erasure: the log still holds the pages as they were before it, personal
    data included, until a checkpoint copies the new pages into the database and TRUNCATE
    shortens the log to nothing. Returns whether the log was emptied (a reader holding an
    older snapshot can keep it busy; the next checkpoint then finishes the job). PostgreSQL
    needs nothing here: its WAL is the server's, recycled by its own checkpoints.
    """
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return True
    if session.in_transaction():
        await session.commit()
    busy, _log, _moved = (await session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))).one()
    await session.commit()
    return not busy


@asynccontextmanager
async def write_transaction(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """Run a block as one write transaction: committed on success, rolled back on error.

    On SQLite the transaction starts with ``BEGIN IMMEDIATE``: the busy timeout does not
    cover a read lock being upgraded to a write lock, so a write must take the lock first.
    A read transaction already open on the session is committed before.
    """
    if session.in_transaction():
        await session.commit()
    lock: asyncio.Lock | None = session.info.get(WRITE_LOCK_KEY)
    if lock is None:
        async with _transaction(session):
            yield session
        return
    async with lock, _transaction(session):
        yield session


@asynccontextmanager
async def _transaction(session: AsyncSession) -> AsyncIterator[None]:
    await session.connection(execution_options={IMMEDIATE_OPTION: True})
    try:
        yield
    except BaseException:
        await session.rollback()
        raise
    await session.commit()


def _ensure_sqlite_dir(url: URL) -> None:
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _engine_options(url: URL, pool_size: int) -> dict[str, Any]:
    # As many again at a peak as kept open: the pool holds up to twice ``pool_size``.
    pool = {"pool_size": pool_size, "max_overflow": pool_size}
    if url.get_backend_name() == "sqlite":
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **pool}
    return {"pool_pre_ping": True, **pool}


def _install_sqlite_listeners(engine: AsyncEngine) -> None:
    """Take transaction control away from the driver so BEGIN can be chosen per transaction."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # Erased personal data is overwritten with zeros, not left in free pages.
            cursor.execute("PRAGMA secure_delete=ON")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(IMMEDIATE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
