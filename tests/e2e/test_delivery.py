"""The delivery loop against the fake Bot API: pace, 429, 403, retries, quiet hours, leases."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiogram import Bot
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

import bot.delivery as bot_delivery
from bot.delivery import DeliverySettings, DeliveryWorker
from services.accounts.identities import touch_identity
from services.clock import ManualClock
from services.outbox.queue import Delivery, OutboxState, Outgoing, Recipient, claim, enqueue, record
from storage.db import Database
from storage.models import ChatIdentity, OutboxMessage
from tests.e2e.conftest import BotFactory
from tests.support.factories import add_chats
from tests.support.fake_bot_api import FakeBotAPI

TZ = ZoneInfo("Asia/Shanghai")
DAYTIME = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
NIGHT = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)  # 22:00 in Shanghai


@pytest.fixture
def telegram(bot_on_fake: BotFactory) -> Bot:
    return bot_on_fake("424242:delivery-test")


def worker_for(
    db: Database,
    clock: ManualClock,
    bot: Bot,
    tmp_path: object,
    rate: float = 500.0,
    **extra: object,
) -> DeliveryWorker:
    settings = DeliverySettings(
        rates={"telegram": rate},
        quiet_start=dt.time(21, 0),
        quiet_end=dt.time(8, 0),
        tz=TZ,
        files_dir=tmp_path,  # type: ignore[arg-type]
        **extra,  # type: ignore[arg-type]
    )
    return DeliveryWorker(db, clock, {"telegram": bot}, settings)


async def recipients(db: Database, count: int, clock: ManualClock) -> list[Recipient]:
    chats = await add_chats(db, range(1000, 1000 + count), now=clock.now())
    return [Recipient.of(identity) for identity in chats]


async def queue(db: Database, to: Recipient, key: str, clock: ManualClock, **extra: object) -> None:
    async with db.session() as session:
        await enqueue(
            session,
            to=to,
            message=Outgoing(text=f"message {key}"),
            dedupe_key=key,
            now=clock.now(),
            **extra,
        )


async def states(db: Database) -> dict[str, str]:
    async with db.session() as session:
        rows = (await session.execute(select(OutboxMessage.dedupe_key, OutboxMessage.state))).all()
    return dict(rows)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(DAYTIME)


async def test_everything_due_is_sent_once_and_a_chat_gets_one_a_second(
    sqlite_db: Database, clock: ManualClock, telegram: Bot, fake: FakeBotAPI, tmp_path
) -> None:
    people = await recipients(sqlite_db, 5, clock)
    for person in people:
        for index in range(3):
            await queue(sqlite_db, person, f"m:{person.chat_id}:{index}", clock)
    await queue(sqlite_db, people[0], "m:1000:0", clock)  # the same key again: no new row
    worker = worker_for(sqlite_db, clock, telegram, tmp_path)
    assert await worker.run_once() == 15
    assert set((await states(sqlite_db)).values()) == {"sent"}
    calls = fake.calls_of("sendMessage")
    assert sorted(call.params["text"] for call in calls) == sorted(
        f"message m:{p.chat_id}:{i}" for p in people for i in range(3)
    )
    for person in people:
        times = [call.timestamp for call in calls if call.params["chat_id"] == person.chat_id]
        assert all(later - earlier >= 0.95 for earlier, later in itertools.pairwise(times))
    assert await worker.run_once() == 0


async def test_a_429_pauses_the_channel_and_the_message_goes_after_it(
    sqlite_db: Database, clock: ManualClock, telegram: Bot, fake: FakeBotAPI, tmp_path
) -> None:
    [person] = await recipients(sqlite_db, 1, clock)
    await queue(sqlite_db, person, "first", clock)
    await queue(sqlite_db, person, "second", clock)
    fake.fail_next("sendMessage", status=429, retry_after=1)
    worker = worker_for(sqlite_db, clock, telegram, tmp_path)
    await worker.run_once()
    assert worker.lanes["telegram"].pace.paused_until > 0
    calls = fake.calls_of("sendMessage")
    # Waited out in the chat's turn: the refused one again after the pause, then the next.
    assert [call.params["text"] for call in calls] == [
        "message first",
        "message first",
        "message second",
    ]
    assert calls[1].timestamp - calls[0].timestamp >= 0.95
    async with sqlite_db.session() as session:
        rows = (await session.execute(select(OutboxMessage))).scalars().all()
    assert {(row.dedupe_key, row.state, row.attempts) for row in rows} == {
        ("first", "sent", 1),
        ("second", "sent", 1),
    }


async def test_a_message_told_to_wait_again_and_again_goes_back_to_the_outbox(
    sqlite_db: Database, clock: ManualClock, telegram: Bot, fake: FakeBotAPI, tmp_path
) -> None:
    [person] = await recipients(sqlite_db, 1, clock)
    await queue(sqlite_db, person, "first", clock)
    fake.fail_next("sendMessage", status=429, retry_after=1, count=3)
    worker = worker_for(sqlite_db, clock, telegram, tmp_path)
    await worker.run_once()
    async with sqlite_db.session() as session:
        row = (await session.execute(select(OutboxMessage))).scalar_one()
    assert (row.state, row.attempts) == ("pending", 0) and row.due_at > clock.now()
    clock.advance(dt.timedelta(seconds=1))
    await worker.run_once()
    assert await states(sqlite_db) == {"first": "sent"}


async def test_a_403_blocks_the_chat_for_good(
    sqlite_db: Database, clock: ManualClock, telegram: Bot, fake: FakeBotAPI, tmp_path
) -> None:
    blocked, fine = await recipients(sqlite_db, 2, clock)
    fake.block_chat(blocked.chat_id)
    await queue(sqlite_db, blocked, "a", clock)
    await queue(sqlite_db, fine, "b", clock)
    worker = worker_for(sqlite_db, clock, telegram, tmp_path)
    await worker.run_once()
    await queue(sqlite_db, blocked, "c", clock)
    await worker.run_once()
    assert await states(sqlite_db) == {"a": "blocked", "b": "sent", "c": "blocked"}
    assert len(fake.calls_of("sendMessage")) == 2  # "c" was never tried
    async with sqlite_db.session() as session:
        identity = await session.get(ChatIdentity, blocked.identity_id)
    assert identity is not None and identity.blocked


async def test_transient_errors_retry_with_backoff(
    sqlite_db: Database, clock: ManualClock, telegram: Bot, fake: FakeBotAPI, tmp_path
) -> None:
    [person] = await recipients(sqlite_db, 1, clock)
    await queue(sqlite_db, person, "flaky", clock)
    worker = worker_for(sqlite_db, clock, telegram, tmp_path)
    fake.fail_next("sendMessage", status=500, count=1)
    await worker.run_once()
    assert (await states(sqlite_db))["flaky"] == "pending"
    clock.advance(dt.timedelta(seconds=1))
    assert await worker.run_once() == 0  # the first retry waits 2 s
    clock.advance(dt.timedelta(seconds=1))
    await worker.run_once()
    assert (await states(sqlite_db))["flaky"] == "sent"


async def test_transient_errors_give_up_after_five_attempts(
    sqlite_db: Database, clock: ManualClock, telegram: Bot, fake: FakeBotAPI, tmp_path
) -> None:
    [person] = await recipients(sqlite_db, 1, clock)
    await queue(sqlite_db, person, "doomed", clock)
    worker = worker_for(sqlite_db, clock, telegram, tmp_path)
    fake.fail_next("sendMessage", status=502, count=100)
    for _ in range(8):
        await worker.run_once()
        clock.advance(dt.timedelta(minutes=10))
    async with sqlite_db.session() as session:
        doomed = (await session.execute(select(OutboxMessage))).scalar_one()
    assert doomed.state == "failed" and "gave up" in (doomed.last_error or "")
    assert doomed.attempts == 5
    assert len(fake.calls_of("sendMessage")) == 5


async def test_bad_requests_fail_at_once(
    sqlite_db: Database, clock: ManualClock, telegram: Bot, fake: FakeBotAPI, tmp_path
) -> None:
    [person] = await recipients(sqlite_db, 1, clock)
    async with sqlite_db.session() as session:
        await enqueue(
            session,
            to=person,
            message=Outgoing(text="x" * 5000),
            dedupe_key="long",
            now=clock.now(),
        )
    await worker_for(sqlite_db, clock, telegram, tmp_path).run_once()
    assert await states(sqlite_db) == {"long": "failed"}


async def test_quiet_hours_hold_all_but_urgent(
    sqlite_db: Database, telegram: Bot, fake: FakeBotAPI, tmp_path
) -> None:
    clock = ManualClock(NIGHT)
    [person] = await recipients(sqlite_db, 1, clock)
    await queue(sqlite_db, person, "notice", clock)
    await queue(sqlite_db, person, "meeting-soon", clock, urgent=True)
    worker = worker_for(sqlite_db, clock, telegram, tmp_path)
    await worker.run_once()
    assert await states(sqlite_db) == {"notice": "pending", "meeting-soon": "sent"}
    clock.set(dt.datetime(2026, 11, 20, 23, 59, tzinfo=dt.UTC))  # 07:59 in Shanghai
    await worker.run_once()
    assert (await states(sqlite_db))["notice"] == "pending"
    clock.advance(dt.timedelta(minutes=1))
    await worker.run_once()
    assert (await states(sqlite_db))["notice"] == "sent"


async def test_a_held_meeting_message_goes_once_its_meeting_is_three_hours_off(
    sqlite_db: Database, telegram: Bot, fake: FakeBotAPI, tmp_path
) -> None:
    # Queued at 22:00 in Shanghai for a meeting at 07:30: held, then sent from 04:30, not at
    # 08:00 when the meeting has begun and the message would have expired unsent.
    clock = ManualClock(dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC))
    starts = dt.datetime(2026, 11, 20, 23, 30, tzinfo=dt.UTC)
    [person] = await recipients(sqlite_db, 1, clock)
    await queue(
        sqlite_db, person, "invitation", clock, kind="meeting-invitation", expires_at=starts
    )
    await queue(sqlite_db, person, "minimums", clock, kind="minimum-short", expires_at=starts)
    worker = worker_for(sqlite_db, clock, telegram, tmp_path)
    await worker.run_once()
    assert await states(sqlite_db) == {"invitation": "pending", "minimums": "pending"}
    clock.set(starts - dt.timedelta(hours=3, minutes=1))
    await worker.run_once()
    assert (await states(sqlite_db))["invitation"] == "pending"
    clock.advance(dt.timedelta(minutes=1))
    await worker.run_once()
    # Only meeting messages are urgent near their meeting; other kinds wait for the morning.
    assert await states(sqlite_db) == {"invitation": "sent", "minimums": "pending"}


async def test_a_chat_backlog_is_claimed_a_lease_worth_at_a_time(
    sqlite_db: Database, clock: ManualClock
) -> None:
    # One a second per chat: more than that chat's share would still wait when the lease ends.
    busy, quiet_one = await recipients(sqlite_db, 2, clock)
    for index in range(10):
        await queue(sqlite_db, busy, f"busy:{index}", clock)
    await queue(sqlite_db, quiet_one, "other", clock)
    async with sqlite_db.session() as session:
        taken = await claim(
            session,
            channel="telegram",
            now=clock.now(),
            limit=8,
            quiet=False,
            chat_room=lambda chat: 3 if chat == busy.chat_id else 10,
        )
    keys = [row.dedupe_key for row in taken]
    assert keys == ["busy:0", "busy:1", "busy:2", "other"]
    left = await states(sqlite_db)
    assert [k for k, state in left.items() if state == "pending"] == [
        f"busy:{index}" for index in range(3, 10)
    ]


@pytest.mark.parametrize("paid", [False, True])
async def test_paid_broadcasts_are_asked_for_only_when_configured(
    sqlite_db: Database,
    clock: ManualClock,
    telegram: Bot,
    fake: FakeBotAPI,
    tmp_path: object,
    paid: bool,
) -> None:
    [person] = await recipients(sqlite_db, 1, clock)
    await queue(sqlite_db, person, "notice", clock)
    channels = frozenset({"telegram"}) if paid else frozenset()
    await worker_for(sqlite_db, clock, telegram, tmp_path, paid=channels).run_once()
    [call] = fake.calls_of("sendMessage")
    assert call.params.get("allow_paid_broadcast", False) is paid


async def test_a_revoked_token_holds_the_messages_instead_of_failing_them(
    sqlite_db: Database, clock: ManualClock, telegram: Bot, fake: FakeBotAPI, tmp_path: object
) -> None:
    people = await recipients(sqlite_db, 5, clock)
    for person in people:
        await queue(sqlite_db, person, f"notice:{person.chat_id}", clock)
    fake.fail_next("sendMessage", status=401, description="Unauthorized")
    # Two a second: the other four wait for their slots when the 401 comes back.
    worker = worker_for(sqlite_db, clock, telegram, tmp_path, rate=2.0)
    started = time.monotonic()
    await worker.run_once()
    assert time.monotonic() - started < 5, "the waiting messages were sent back at once"
    assert len(fake.calls_of("sendMessage")) == 1  # nobody else met the same 401
    async with sqlite_db.session() as session:
        rows = (await session.execute(select(OutboxMessage))).scalars().all()
    # Nothing failed for the token's fault, and no attempt was used up.
    assert {(row.state, row.attempts) for row in rows} == {("pending", 0)}
    assert sum("Unauthorized" in (row.last_error or "") for row in rows) == 1
    clock.advance(dt.timedelta(seconds=61))
    worker.lanes["telegram"].pace.paused_until = 0.0  # an operator fixed the token
    await worker.run_once()
    assert set((await states(sqlite_db)).values()) == {"sent"}


async def test_stopping_puts_back_what_waits_and_ends_at_once(
    sqlite_db: Database,
    clock: ManualClock,
    telegram: Bot,
    fake: FakeBotAPI,
    tmp_path: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    people = await recipients(sqlite_db, 3, clock)
    for person in people:
        await queue(sqlite_db, person, f"notice:{person.chat_id}", clock)
    fake.fail_next("sendMessage", status=429, retry_after=30)
    worker = worker_for(sqlite_db, clock, telegram, tmp_path, rate=2.0)
    pace = worker.lanes["telegram"].pace
    paused = asyncio.Event()
    pause = pace.pause

    def pause_and_tell(seconds: float) -> None:
        pause(seconds)
        paused.set()

    monkeypatch.setattr(pace, "pause", pause_and_tell)
    running = asyncio.create_task(worker.run())
    # The 429 came back: from now on everyone waits out the 30 s pause.
    await asyncio.wait_for(paused.wait(), timeout=10)
    assert len(fake.calls_of("sendMessage")) == 1
    started = time.monotonic()
    await worker.stop()
    await asyncio.wait_for(running, timeout=5)
    assert time.monotonic() - started < 2
    assert set((await states(sqlite_db)).values()) == {"pending"}
    assert len(fake.calls_of("sendMessage")) == 1


async def test_a_full_chat_does_not_crowd_out_the_chats_behind_it(
    sqlite_db: Database, clock: ManualClock
) -> None:
    busy, other = await recipients(sqlite_db, 2, clock)
    for index in range(20):
        await queue(sqlite_db, busy, f"busy:{index:02}", clock)
    await queue(sqlite_db, other, "other", clock)
    room = {busy.chat_id: 3, other.chat_id: 10}
    async with sqlite_db.session() as session:
        taken = await claim(
            session, channel="telegram", now=clock.now(), limit=4, quiet=False,
            chat_room=lambda chat: room[chat],
        )  # fmt: skip
    assert [row.dedupe_key for row in taken] == ["busy:00", "busy:01", "busy:02", "other"]
    room[busy.chat_id] = 0  # those three are still on their way
    async with sqlite_db.session() as session:
        again = await claim(
            session, channel="telegram", now=clock.now(), limit=4, quiet=False,
            chat_room=lambda chat: room[chat],
        )  # fmt: skip
    assert again == []


async def test_expired_messages_are_not_sent(
    sqlite_db: Database, clock: ManualClock, telegram: Bot, fake: FakeBotAPI, tmp_path
) -> None:
    [person] = await recipients(sqlite_db, 1, clock)
    await queue(sqlite_db, person, "late", clock, expires_at=clock.now() - dt.timedelta(minutes=1))
    await worker_for(sqlite_db, clock, telegram, tmp_path).run_once()
    assert await states(sqlite_db) == {"late": "failed"}
    assert fake.calls_of("sendMessage") == []


async def test_a_message_left_sending_by_a_crash_is_sent_after_its_lease(
    sqlite_db: Database, clock: ManualClock, telegram: Bot, fake: FakeBotAPI, tmp_path
) -> None:
    [person] = await recipients(sqlite_db, 1, clock)
    await queue(sqlite_db, person, "orphan", clock)
    async with sqlite_db.session() as session:
        taken = await claim(session, channel="telegram", now=clock.now(), limit=10, quiet=False)
    assert len(taken) == 1  # claimed by a sender that then died
    worker = worker_for(sqlite_db, clock, telegram, tmp_path, lease=dt.timedelta(seconds=30))
    assert await worker.run_once() == 0
    clock.advance(dt.timedelta(minutes=3))
    assert await worker.run_once() == 1
    assert await states(sqlite_db) == {"orphan": "sent"}


async def test_two_workers_never_send_the_same_message(
    sqlite_db: Database, clock: ManualClock, telegram: Bot, fake: FakeBotAPI, tmp_path
) -> None:
    people = await recipients(sqlite_db, 40, clock)
    for person in people:
        await queue(sqlite_db, person, f"k{person.chat_id}", clock)
    first = worker_for(sqlite_db, clock, telegram, tmp_path)
    second = worker_for(sqlite_db, clock, telegram, tmp_path)
    counts = await asyncio.gather(first.run_once(), second.run_once())
    assert sum(counts) == 40
    assert len(fake.calls_of("sendMessage")) == 40


async def test_a_chat_that_writes_again_is_unblocked(
    sqlite_db: Database, clock: ManualClock
) -> None:
    [person] = await recipients(sqlite_db, 1, clock)
    async with sqlite_db.writing() as session:
        await session.execute(update(ChatIdentity).values(blocked=True))
    clock.advance(dt.timedelta(minutes=10))
    async with sqlite_db.session() as session:
        identity = await touch_identity(
            session,
            channel="telegram",
            chat_id=person.chat_id,
            chat_type="private",
            now=clock.now(),
        )
    assert not identity.blocked
    assert OutboxState.BLOCKED == "blocked"


async def test_a_sender_never_claims_again_what_it_is_still_sending(
    sqlite_db: Database, clock: ManualClock
) -> None:
    [person] = await recipients(sqlite_db, 1, clock)
    await queue(sqlite_db, person, "slow", clock)
    lease = dt.timedelta(seconds=2)
    async with sqlite_db.session() as session:
        [row] = await claim(
            session, channel="telegram", now=clock.now(), limit=10, quiet=False, lease=lease
        )
    clock.advance(dt.timedelta(seconds=3))  # the lease ran out while it waited for its slot
    assert row.id is not None
    async with sqlite_db.session() as session:
        mine = await claim(
            session, channel="telegram", now=clock.now(), limit=10, quiet=False, exclude={row.id}
        )
        assert mine == []
        theirs = await claim(session, channel="telegram", now=clock.now(), limit=10, quiet=False)
    assert [taken.id for taken in theirs] == [row.id]  # another sender may take it over


async def test_a_lane_holds_no_more_than_it_can_send_within_half_a_lease(
    sqlite_db: Database, clock: ManualClock, telegram: Bot, fake: FakeBotAPI, tmp_path
) -> None:
    people = await recipients(sqlite_db, 30, clock)
    for person in people:
        await queue(sqlite_db, person, f"q{person.chat_id}", clock)
    worker = worker_for(
        sqlite_db, clock, telegram, tmp_path, rate=40.0, lease=dt.timedelta(seconds=0.5)
    )
    lane = worker.lanes["telegram"]
    assert lane.cap == 10
    seen: list[int] = []

    async def watch() -> None:
        while True:
            seen.append(len(lane.in_flight))
            await asyncio.sleep(0.005)

    watcher = asyncio.create_task(watch())
    try:
        assert await worker.run_once() == 30
    finally:
        watcher.cancel()
    assert max(seen) <= 10
    assert set((await states(sqlite_db)).values()) == {"sent"}
    assert len(fake.calls_of("sendMessage")) == 30


async def test_results_that_could_not_be_written_are_written_later(
    sqlite_db: Database,
    clock: ManualClock,
    telegram: Bot,
    fake: FakeBotAPI,
    tmp_path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    people = await recipients(sqlite_db, 3, clock)
    for person in people:
        await queue(sqlite_db, person, f"r{person.chat_id}", clock)
    attempts: list[int] = []

    async def flaky_record(session: AsyncSession, results: list[Delivery], **how: Any) -> None:
        attempts.append(len(results))
        if len(attempts) == 1:
            raise OperationalError("UPDATE outbox_message", {}, Exception("database is locked"))
        await record(session, results, **how)

    monkeypatch.setattr(bot_delivery, "record", flaky_record)
    worker = worker_for(sqlite_db, clock, telegram, tmp_path)
    assert await worker.run_once() == 3
    assert len(attempts) >= 2 and sum(attempts[1:]) == 3
    assert set((await states(sqlite_db)).values()) == {"sent"}
    assert len(fake.calls_of("sendMessage")) == 3
