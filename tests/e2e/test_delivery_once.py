"""Exactly once without a crash: long 429s, transient errors, slow writes, two senders.

The delivery loop runs for real against the in-repo fake Bot API on the system clock, with a
lease much shorter than the waits it meets (a ``retry_after`` longer than the lease, a chat's
turn, a result not yet written). A message held by a live sender is never claimed by another,
and never claimed again by its own sender, so every chat gets its message once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiogram import Bot
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

import bot.delivery as bot_delivery
from bot.delivery import DeliverySettings, DeliveryWorker
from services.clock import Clock, ManualClock
from services.outbox.queue import (
    Delivery,
    OutboxState,
    Outgoing,
    Recipient,
    add,
    claim,
    free_orphans,
    record,
    renew,
)
from storage.db import Database, write_transaction
from storage.models import OutboxMessage
from tests.conftest import RUNNING_CLOCK
from tests.e2e.conftest import BotFactory
from tests.support.factories import add_chats
from tests.support.fake_bot_api import FakeBotAPI

FIRST_CHAT = 3_000_000
TEXT = "Water off on Friday"


@pytest.fixture
def telegram(bot_on_fake: BotFactory) -> Bot:
    return bot_on_fake("424242:once-test")


def worker_for(
    db: Database,
    bot: Bot,
    files: Path,
    *,
    rate: float,
    lease: dt.timedelta,
    clock: Clock | None = None,
) -> DeliveryWorker:
    """A worker with no quiet hours (equal ends), whatever the hour of the run."""
    settings = DeliverySettings(
        rates={"telegram": rate},
        quiet_start=dt.time(0, 0),
        quiet_end=dt.time(0, 0),
        tz=ZoneInfo("Asia/Shanghai"),
        files_dir=files,
        lease=lease,
    )
    return DeliveryWorker(db, clock or RUNNING_CLOCK, {"telegram": bot}, settings)


async def queue(db: Database, chats: int, clock: Clock) -> list[str]:
    """One message to each of ``chats`` chats; their tokens (the last word of each text)."""
    now = clock.now()
    identities = await add_chats(db, range(FIRST_CHAT, FIRST_CHAT + chats), now=now)
    people = [Recipient.of(identity) for identity in identities]
    tokens = [f"once-{index:04d}" for index in range(chats)]
    async with db.session() as session, write_transaction(session):
        for person, token in zip(people, tokens, strict=True):
            await add(
                session,
                to=person,
                message=Outgoing(text=f"{TEXT} {token}"),
                dedupe_key=f"once:{token}",
                now=now,
            )
    return tokens


def accepted(fake: FakeBotAPI) -> Counter[str]:
    """How many times the fake accepted each token."""
    return Counter(
        str(call.params["text"]).rsplit(" ", 1)[-1]
        for call in fake.calls_of("sendMessage")
        if call.ok
    )


async def states(db: Database) -> Counter[str]:
    async with db.session() as session:
        rows = (await session.execute(select(col(OutboxMessage.state)))).scalars().all()
    return Counter(rows)


async def deliver_all(
    workers: Sequence[DeliveryWorker], db: Database, fake: FakeBotAPI, tokens: list[str]
) -> None:
    """Run the workers until every token arrived, stop them, then sweep up what they put back.

    The sweep (a fresh worker's ``run_once``) sends whatever the stop returned to the outbox,
    so a message claimed twice shows up as a second arrival rather than hiding in a queue.
    """
    tasks = [asyncio.create_task(worker.run()) for worker in workers]
    try:
        await fake.wait_for(
            lambda: set(accepted(fake)) >= set(tokens) or any(t.done() for t in tasks),
            timeout=60,
            what="every message",
        )
    finally:
        for worker in workers:
            await worker.stop()
        await asyncio.gather(*tasks)
    first = workers[0]
    bots = {channel: lane.bot for channel, lane in first.lanes.items()}
    sweep = DeliveryWorker(db, RUNNING_CLOCK, bots, first.settings)
    await sweep.run_once()


def assert_exactly_once(fake: FakeBotAPI, tokens: list[str]) -> None:
    received = accepted(fake)
    twice = sorted(token for token, count in received.items() if count > 1)
    assert twice == [], f"{len(twice)} of {len(tokens)} chats got the message more than once"
    assert set(received) == set(tokens)


async def test_a_429_longer_than_the_lease_sends_every_message_once(
    sqlite_db: Database, telegram: Bot, fake: FakeBotAPI, tmp_path: Path
) -> None:
    # The tenth message is refused for three seconds; the lease is one: every message claimed
    # with it waits out the pause long after its lease would have run out.
    tokens = await queue(sqlite_db, 300, RUNNING_CLOCK)
    fake.fail_next("sendMessage", status=429, retry_after=3, chat_id=FIRST_CHAT + 9)
    worker = worker_for(sqlite_db, telegram, tmp_path, rate=100.0, lease=dt.timedelta(seconds=1))
    await deliver_all([worker], sqlite_db, fake, tokens)
    assert_exactly_once(fake, tokens)
    assert await states(sqlite_db) == {"sent": 300}
    refused = [call for call in fake.calls_of("sendMessage") if not call.ok]
    assert [(call.status, call.chat_id) for call in refused] == [(429, FIRST_CHAT + 9)]


async def test_random_429s_and_5xx_over_hundreds_of_chats_send_each_message_once(
    sqlite_db: Database, telegram: Bot, fake: FakeBotAPI, tmp_path: Path
) -> None:
    # A lease far shorter than a pause, a backoff or a chat's turn: the waits a busy day brings.
    tokens = await queue(sqlite_db, 300, RUNNING_CLOCK)
    fake.fail_every("sendMessage", 43, status=429, retry_after=1)
    fake.fail_every("sendMessage", 11, status=500)
    fake.fail_randomly("sendMessage", 0.02, status=502, seed=20261120)
    fake.fail_randomly("sendMessage", 0.01, status=429, retry_after=1, seed=7)
    worker = worker_for(sqlite_db, telegram, tmp_path, rate=200.0, lease=dt.timedelta(seconds=0.5))
    await deliver_all([worker], sqlite_db, fake, tokens)
    assert_exactly_once(fake, tokens)
    assert await states(sqlite_db) == {"sent": 300}
    statuses = Counter(call.status for call in fake.calls_of("sendMessage"))
    assert statuses[429] >= 5 and statuses[500] >= 20 and statuses[502] >= 2, statuses


async def test_two_senders_through_a_long_429_send_each_message_once(
    sqlite_db: Database, telegram: Bot, fake: FakeBotAPI, tmp_path: Path
) -> None:
    # Two workers on one outbox, as two processes would run: while one waits out a pause
    # longer than the lease, the other must not take over the messages it holds.
    tokens = await queue(sqlite_db, 300, RUNNING_CLOCK)
    fake.fail_next("sendMessage", status=429, retry_after=3, count=2)
    workers = [
        worker_for(sqlite_db, telegram, tmp_path, rate=60.0, lease=dt.timedelta(seconds=1))
        for _sender in range(2)
    ]
    assert workers[0].leases.owner != workers[1].leases.owner
    await deliver_all(workers, sqlite_db, fake, tokens)
    assert_exactly_once(fake, tokens)
    assert await states(sqlite_db) == {"sent": 300}


async def test_a_message_sent_but_not_yet_recorded_is_not_claimed_again(
    sqlite_db: Database,
    telegram: Bot,
    fake: FakeBotAPI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Writing the results takes three leases (a busy database): the messages they name went
    # out already and must stay this sender's until they are written.
    lease = dt.timedelta(seconds=0.3)
    tokens = await queue(sqlite_db, 40, RUNNING_CLOCK)
    writes: list[int] = []

    async def slow_record(session: AsyncSession, results: Sequence[Delivery], **how: Any) -> None:
        writes.append(len(results))
        await asyncio.sleep(3 * lease.total_seconds())  # the database is slow, not the test
        await record(session, results, **how)

    monkeypatch.setattr(bot_delivery, "record", slow_record)
    worker = worker_for(sqlite_db, telegram, tmp_path, rate=100.0, lease=lease)
    assert await worker.run_once() == 40
    assert_exactly_once(fake, tokens)
    assert await states(sqlite_db) == {"sent": 40}
    assert sum(writes) == 40


async def test_a_sender_that_lost_its_lease_does_not_send_and_the_new_holder_keeps_it(
    sqlite_db: Database, telegram: Bot, fake: FakeBotAPI, tmp_path: Path
) -> None:
    # The sender's clock jumps past its lease while everything waits out a 429 (as if it had
    # stalled), and another sender takes the messages over: they are that sender's now.
    clock = ManualClock(dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC))
    tokens = await queue(sqlite_db, 3, clock)
    fake.fail_next("sendMessage", status=429, retry_after=1)
    worker = worker_for(
        sqlite_db, telegram, tmp_path, rate=2.0, lease=dt.timedelta(minutes=2), clock=clock
    )
    running = asyncio.create_task(worker.run_once())
    await fake.wait_for_call("sendMessage")
    clock.advance(dt.timedelta(minutes=10))
    async with sqlite_db.session() as session:
        taken = await claim(
            session, channel="telegram", now=clock.now(), limit=10, quiet=False, owner="other"
        )
    assert len(taken) == 3
    await running
    assert [call.status for call in fake.calls_of("sendMessage")] == [429]  # nothing more
    async with sqlite_db.session() as session:
        rows = (await session.execute(select(OutboxMessage))).scalars().all()
    assert {(row.state, row.locked_by) for row in rows} == {("sending", "other")}

    # The other sender died: after its lease the first one sends them, once.
    clock.advance(dt.timedelta(minutes=10))
    assert await worker.run_once() == 3
    assert_exactly_once(fake, tokens)
    assert await states(sqlite_db) == {"sent": 3}


async def test_only_the_holder_renews_a_lease_or_writes_back_a_retry(
    db: Database, clock: ManualClock
) -> None:
    # The outbox side of the heartbeat, on SQLite and PostgreSQL alike.
    await queue(db, 2, clock)
    lease = dt.timedelta(seconds=30)
    async with db.session() as session:
        rows = await claim(
            session, channel="telegram", now=clock.now(), limit=10, quiet=False, lease=lease,
            owner="first",
        )  # fmt: skip
    ids = {row.id for row in rows if row.id is not None}
    assert len(ids) == 2 and {row.locked_by for row in rows} == {"first"}
    retried, sent = sorted(ids)
    later = clock.now() + dt.timedelta(minutes=10)
    async with db.session() as session:
        assert await renew(session, ids, owner="second", until=later) == set()
        assert await renew(session, ids, owner="first", until=later) == ids

    clock.advance(dt.timedelta(minutes=5))  # past the first lease, within the renewed one
    async with db.session() as session:
        assert await claim(
            session, channel="telegram", now=clock.now(), limit=10, quiet=False, owner="second"
        ) == []  # fmt: skip

    clock.advance(dt.timedelta(minutes=6))  # the first sender stopped renewing: it died
    async with db.session() as session:
        taken = await claim(
            session, channel="telegram", now=clock.now(), limit=10, quiet=False, owner="second"
        )
        assert {row.id for row in taken} == ids
        assert await renew(session, ids, owner="first", until=later) == set()

    async def row_states() -> dict[int | None, tuple[str, str | None]]:
        async with db.session() as session:
            found = (await session.execute(select(OutboxMessage))).scalars().all()
        return {row.id: (row.state, row.locked_by) for row in found}

    # A retry from the sender that lost the row is not written over the new holder's claim;
    # a message it did send is marked sent, so that the new holder does not send it again.
    async with db.session() as session:
        await record(
            session,
            [
                Delivery(retried, 0, OutboxState.PENDING, error="Bad Gateway"),
                Delivery(sent, 0, OutboxState.SENT, message_id=7),
            ],
            now=clock.now(),
            owner="first",
        )
    assert await row_states() == {retried: ("sending", "second"), sent: ("sent", None)}
    async with db.session() as session:
        await record(
            session,
            [
                Delivery(retried, 0, OutboxState.SENT, message_id=8),
                Delivery(sent, 0, OutboxState.PENDING, error="Bad Gateway"),
            ],
            now=clock.now(),
            owner="second",
        )
    assert await row_states() == {retried: ("sent", None), sent: ("sent", None)}


async def test_only_a_dead_workers_rows_are_freed_for_the_next_sender(
    db: Database, clock: ManualClock
) -> None:
    # On SQLite and PostgreSQL alike: a row is known by the worker part of its sender's name.
    await queue(db, 5, clock)
    lease = dt.timedelta(minutes=2)
    senders = ["alive:1/a", "dead:2/b", "legacy-sender", None, "alive:1/c"]
    async with db.session() as session, write_transaction(session):
        rows = (await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars()
        for row, sender in zip(rows, senders, strict=True):
            row.state, row.locked_by = OutboxState.SENDING, sender
            row.locked_until = clock.now() + lease
    async with db.session() as session, write_transaction(session):
        freed = await free_orphans(session, alive={"alive:1", "al%"}, now=clock.now())
    assert freed == 3
    clock.advance(dt.timedelta(seconds=1))
    async with db.session() as session:
        taken = await claim(
            session, channel="telegram", now=clock.now(), limit=10, quiet=False, owner="next/x"
        )
    assert sorted(str(row.locked_by) for row in taken) == ["next/x"] * 3
    async with db.session() as session:
        kept = (await session.execute(select(OutboxMessage.locked_by))).scalars().all()
    assert sorted(str(sender) for sender in kept) == ["alive:1/a", "alive:1/c", *["next/x"] * 3]
