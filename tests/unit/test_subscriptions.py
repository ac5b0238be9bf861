"""Residents' opt-in to a station's notices, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from services.accounts.identities import find_resident, touch_identity
from services.broadcasts.subscriptions import is_subscribed, subscribe, subscriptions, unsubscribe
from services.errors import NotFoundError
from storage.db import Database
from storage.models import Station
from tests.support.members import NOW
from tests.unit.test_audiences import station_id


async def chat(db: Database, chat_id: int = 501) -> int:
    async with db.session() as session:
        identity = await touch_identity(
            session, channel="web", chat_id=chat_id, chat_type="private", now=NOW
        )
    assert identity.id is not None
    return identity.id


async def test_opt_in_and_out(db: Database) -> None:
    me = await chat(db)
    beian, jingde = await station_id(db, "jf-beian"), await station_id(db, "xq-jingde")
    async with db.session() as session:
        assert await unsubscribe(session, identity_id=me, station_id=beian) is False
        assert await find_resident(session, identity_id=me) is None
        assert await subscribe(session, identity_id=me, station_id=beian, now=NOW) is True
        assert await subscribe(session, identity_id=me, station_id=beian, now=NOW) is False
        assert await subscribe(session, identity_id=me, station_id=jingde, now=NOW) is True
        assert await find_resident(session, identity_id=me) is not None
        assert await is_subscribed(session, identity_id=me, station_id=beian)
        listed = await subscriptions(session, identity_id=me)
        assert sorted(s.code for s in listed) == ["jf-beian", "xq-jingde"]
        assert await unsubscribe(session, identity_id=me, station_id=beian) is True
        assert await unsubscribe(session, identity_id=me, station_id=beian) is False
        assert not await is_subscribed(session, identity_id=me, station_id=beian)
        assert [s.code for s in await subscriptions(session, identity_id=me)] == ["xq-jingde"]
        other = await chat(db, 502)
        assert await subscriptions(session, identity_id=other) == []


async def test_unknown_or_closed_stations_are_refused(db: Database) -> None:
    me = await chat(db)
    jingde = await station_id(db, "xq-jingde")
    async with db.session() as session:
        with pytest.raises(NotFoundError):
            await subscribe(session, identity_id=me, station_id=4242, now=NOW)
        await subscribe(session, identity_id=me, station_id=jingde, now=NOW)
    async with db.writing() as session:
        await session.execute(update(Station).where(Station.id == jingde).values(active=False))
    async with db.session() as session:
        with pytest.raises(NotFoundError):
            await subscribe(session, identity_id=me, station_id=jingde, now=NOW)
        assert await subscriptions(session, identity_id=me) == []  # a closed station is not listed
