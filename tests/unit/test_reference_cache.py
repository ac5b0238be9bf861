"""Stations and categories served from the database's cache, and never stale in-process."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col

from services.reference.catalog import get_station, list_categories, list_stations
from storage.db import Database, write_transaction
from storage.models import IssueCategory, Station


async def test_a_deactivated_station_leaves_the_cached_list_at_once(db: Database) -> None:
    async with db.session() as session:
        before = await list_stations(session)
    gone = before[0]
    assert gone.id is not None
    async with db.session() as session, write_transaction(session):
        await session.execute(
            update(Station).where(col(Station.id) == gone.id).values(active=False)
        )
    async with db.session() as session:
        after = await list_stations(session)
        assert [s.id for s in after] == [s.id for s in before[1:]]
        assert await get_station(session, gone.id) is None


async def test_a_renamed_category_is_read_again(db: Database) -> None:
    async with db.session() as session:
        first = (await list_categories(session))[0]
    async with db.session() as session, write_transaction(session):
        await session.execute(
            update(IssueCategory)
            .where(col(IssueCategory.id) == first.id)
            .values(name_en="Roads and parking")
        )
    async with db.session() as session:
        assert (await list_categories(session))[0].name_en == "Roads and parking"


async def test_each_database_keeps_its_own_copy(db: Database, sqlite_db: Database) -> None:
    async with db.session() as session:
        await list_stations(session)
    async with sqlite_db.session() as session:
        await list_stations(session)
    assert db.caches.keys() == {"reference"}
    assert db.caches is not sqlite_db.caches
