"""Alembic: every revision upgrades, downgrades and upgrades again; head matches the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from storage.db import Database
from storage.migrate import current_revision, downgrade, revision_ids, upgrade


async def test_stairway(db: Database) -> None:
    await downgrade(db, "base")
    previous = "base"
    for revision in revision_ids():
        await upgrade(db, revision)
        assert await current_revision(db) == revision
        await downgrade(db, previous)
        await upgrade(db, revision)
        previous = revision
    assert await current_revision(db) == revision_ids()[-1]


async def test_head_matches_the_models(db: Database) -> None:
    await upgrade(db)

    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))

    async with db.engine.connect() as connection:
        differences = await connection.run_sync(diff)
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert differences == []
    assert set(SQLModel.metadata.tables) <= tables


async def test_base_drops_every_table(db: Database) -> None:
    await downgrade(db, "base")
    async with db.engine.connect() as connection:
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert tables <= {"alembic_version"}
    await upgrade(db)
