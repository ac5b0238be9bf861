"""The delivery loop outlives a database that drops its connection for a moment."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from aiogram import Bot
from sqlalchemy.exc import OperationalError

from services.clock import ManualClock
from storage.db import Database
from tests.e2e.test_delivery import clock, queue, recipients, states, telegram, worker_for
from tests.support.fake_bot_api import FakeBotAPI

# The daytime clock and the bot on the fake, as the delivery tests have them.
__all__ = ["clock", "telegram"]


async def test_a_claim_that_fails_is_tried_again_and_nothing_is_lost(
    sqlite_db: Database, clock: ManualClock, telegram: Bot, fake: FakeBotAPI, tmp_path: Path
) -> None:
    people = await recipients(sqlite_db, 3, clock)
    for person in people:
        await queue(sqlite_db, person, f"m:{person.chat_id}", clock)
    worker = worker_for(sqlite_db, clock, telegram, tmp_path)
    claim_for_real = worker.drain
    failures = 2

    async def drain_through_an_outage() -> int:
        nonlocal failures
        if failures:
            failures -= 1
            raise OperationalError("SELECT ...", {}, ConnectionResetError("server closed"))
        return await claim_for_real()

    worker.drain = drain_through_an_outage  # type: ignore[method-assign]
    running = asyncio.create_task(worker.run())
    try:
        deadline = time.monotonic() + 30
        while set((await states(sqlite_db)).values()) != {"sent"}:
            assert not running.done(), running.exception()
            assert time.monotonic() < deadline, await states(sqlite_db)
            await asyncio.sleep(0.05)
    finally:
        await worker.stop()
        await running
    assert failures == 0
    assert len(fake.calls_of("sendMessage")) == 3
