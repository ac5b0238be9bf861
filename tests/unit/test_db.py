"""The write discipline: each SQLite database queues its own writers; PostgreSQL needs no lock."""

from __future__ import annotations

from pathlib import Path

from storage import db as storage_db
from storage.db import Database, write_transaction


async def test_each_sqlite_database_queues_its_writers_on_its_own_lock(
    sqlite_db: Database, tmp_path: Path
) -> None:
    other = Database(f"sqlite+aiosqlite:///{tmp_path / 'other.db'}")
    try:
        assert sqlite_db.write_lock is not None and other.write_lock is not None
        async with sqlite_db.session() as session, write_transaction(session):
            assert sqlite_db.write_lock.locked()
            assert not other.write_lock.locked()
            async with other.writing():
                assert other.write_lock.locked()
        assert not sqlite_db.write_lock.locked() and not other.write_lock.locked()
    finally:
        await other.dispose()
    # The lock lives with its database: no registry of engines is kept beside them.
    assert not [name for name in vars(storage_db) if name.startswith("_write")]


async def test_only_sqlite_gets_a_process_write_lock(db: Database) -> None:
    async with db.writing() as session:
        assert session.in_transaction()
    assert (db.write_lock is None) == (not db.is_sqlite)
