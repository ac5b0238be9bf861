"""Small writes made at once share a transaction, and one bad write fails only itself."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.chats.wechat import chat_id_for
from storage.db import Database
from storage.models import ChannelUser
from tests.conftest import START


def person(name: str) -> Callable[[AsyncSession], Awaitable[int]]:
    async def work(session: AsyncSession) -> int:
        return await chat_id_for(session, channel="wechat", external_id=name, now=START)

    return work


async def test_writes_made_together_are_all_committed(db: Database) -> None:
    ids = await asyncio.gather(*(db.batched.run(person(f"o-{n}")) for n in range(20)))
    assert len(set(ids)) == 20
    async with db.session() as session:
        stored = (await session.execute(select(ChannelUser.external_id))).scalars().all()
    assert sorted(stored) == sorted(f"o-{n}" for n in range(20))


async def test_a_failing_write_fails_alone(db: Database) -> None:
    async def broken(session: AsyncSession) -> int:
        await chat_id_for(session, channel="wechat", external_id="o-broken", now=START)
        raise ValueError("this one is wrong")

    results = await asyncio.gather(
        db.batched.run(person("o-good-1")),
        db.batched.run(broken),
        db.batched.run(person("o-good-2")),
        return_exceptions=True,
    )
    assert isinstance(results[1], ValueError)
    assert all(isinstance(result, int) for result in (results[0], results[2]))
    async with db.session() as session:
        stored = set((await session.execute(select(ChannelUser.external_id))).scalars())
    # The broken work's own write is rolled back with it; the others are kept.
    assert stored == {"o-good-1", "o-good-2"}


async def test_a_cancelled_caller_leaves_the_write_to_the_others(db: Database) -> None:
    first = asyncio.ensure_future(db.batched.run(person("o-cancelled")))
    second = asyncio.ensure_future(db.batched.run(person("o-waiting")))
    await asyncio.sleep(0)
    first.cancel()
    assert isinstance(await second, int)
    with pytest.raises(asyncio.CancelledError):
        await first
