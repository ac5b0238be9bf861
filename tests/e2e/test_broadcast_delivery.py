"""A broadcast to 2,000 residents through the real delivery loop and the fake Bot API server.

The first run goes through to the end with some recipients who blocked the bot; the second
is cancelled halfway. The monitor edits the sender's progress message and reports at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties

from bot.broadcast_monitor import BroadcastMonitor
from bot.delivery import DeliverySettings, DeliveryWorker
from handlers.outgoing import markup_of
from services.accounts.identities import touch_identity
from services.accounts.scope import scope_of
from services.accounts.staff import add_staff, bind_staff
from services.broadcasts.audiences import Audience
from services.broadcasts.progress import (
    Cancelled,
    cancel_broadcast,
    progress,
    set_progress_message,
)
from services.broadcasts.queue import BroadcastDraft, create_broadcast
from services.clock import ManualClock
from storage.db import Database, write_transaction
from storage.models import Broadcast, ChatIdentity, Staff
from tests.e2e.conftest import BotFactory
from tests.support.fake_bot_api import CallRecord, FakeBotAPI
from tests.support.notices import notifier
from tests.unit.test_audiences import bulk_residents, station_id

TZ = ZoneInfo("Asia/Shanghai")
DAYTIME = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
RECIPIENTS = 2000
FIRST_CHAT = 200_000
BLOCKED = list(range(FIRST_CHAT, FIRST_CHAT + RECIPIENTS, 50))  # 40 of them
OFFICE_CHAT = 555


@pytest.fixture
def telegram(bot_on_fake: BotFactory) -> Bot:
    return bot_on_fake("424242:broadcast-test", default=DefaultBotProperties(parse_mode="HTML"))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(DAYTIME)


@pytest.fixture
async def office(sqlite_db: Database, clock: ManualClock) -> tuple[Staff, ChatIdentity]:
    async with sqlite_db.session() as session:
        staff = await add_staff(session, name="王芳", now=clock.now())
        chat = await touch_identity(
            session, channel="telegram", chat_id=OFFICE_CHAT, chat_type="private", now=clock.now()
        )
        async with write_transaction(session):
            await bind_staff(session, staff_id=staff.id or 0, identity=chat, now=clock.now())
    return staff, chat


@pytest.fixture
async def audience(sqlite_db: Database) -> Audience:
    station = await station_id(sqlite_db, "jf-beian")
    await bulk_residents(sqlite_db, RECIPIENTS, station, first_chat=FIRST_CHAT)
    return Audience.parse("station", str(station))


def worker_for(
    db: Database, clock: ManualClock, bot: Bot, tmp_path: Path, rate: float, in_flight: int
) -> DeliveryWorker:
    settings = DeliverySettings(
        rates={"telegram": rate},
        quiet_start=dt.time(21, 0),
        quiet_end=dt.time(8, 0),
        tz=TZ,
        files_dir=tmp_path,
        batch=in_flight,
        in_flight=in_flight,
    )
    return DeliveryWorker(db, clock, {"telegram": bot}, settings)


async def start(
    db: Database,
    clock: ManualClock,
    bot: Bot,
    office: tuple[Staff, ChatIdentity],
    text: str,
    audience: Audience,
) -> tuple[Broadcast, float]:
    """Queue the broadcast and post the progress message, as the dialog does."""
    staff, chat = office
    started = time.perf_counter()
    async with db.session() as session:
        broadcast = await create_broadcast(
            session,
            staff=staff,
            scope=await scope_of(session, staff),
            draft=BroadcastDraft(audience=audience, text=text),
            now=clock.now(),
            progress_identity_id=chat.id,
        )
    queued = time.perf_counter() - started
    assert broadcast.id is not None
    async with db.session() as session:
        counts = await progress(session, broadcast_id=broadcast.id)
        rendered = notifier().render(
            "broadcast-progress", chat, broadcast=broadcast, counts=counts, now=clock.now()
        )
        sent = await bot.send_message(
            OFFICE_CHAT, rendered.text, reply_markup=markup_of(rendered.buttons)
        )
        await set_progress_message(
            session,
            broadcast_id=broadcast.id,
            identity_id=chat.id or 0,
            message_id=sent.message_id,
            text=rendered.text,
        )
        fresh = await session.get(Broadcast, broadcast.id)
    assert fresh is not None
    return fresh, queued


async def follow(
    db: Database, monitor: BroadcastMonitor, broadcast_id: int, fake: FakeBotAPI, word: str
) -> int:
    """Tick the monitor until the broadcast is finished and its report arrived; count ticks."""
    ticks = 0
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        await monitor.tick()
        ticks += 1
        async with db.session() as session:
            broadcast = await session.get(Broadcast, broadcast_id)
        reported = any(word in str(m.get("text")) for m in fake.sent_to(OFFICE_CHAT))
        if broadcast is not None and broadcast.finished_at is not None and reported:
            return ticks
        await asyncio.sleep(0.2)
    raise AssertionError("the broadcast did not finish in time")


def deliveries(fake: FakeBotAPI, text: str) -> list[CallRecord]:
    return [call for call in fake.calls_of("sendMessage") if call.params.get("text") == text]


def edits(fake: FakeBotAPI, message_id: int) -> list[str]:
    return [
        str(call.params["text"])
        for call in fake.calls_of("editMessageText")
        if call.ok and call.params.get("message_id") == message_id
    ]


@contextlib.asynccontextmanager
async def delivering(worker: DeliveryWorker) -> AsyncIterator[None]:
    task = asyncio.create_task(worker.run())
    try:
        yield
    finally:
        await worker.stop()
        await task


async def test_two_thousand_then_a_cancel_halfway(
    sqlite_db: Database,
    clock: ManualClock,
    telegram: Bot,
    fake: FakeBotAPI,
    office: tuple[Staff, ChatIdentity],
    audience: Audience,
    tmp_path: Path,
) -> None:
    for chat in BLOCKED:
        fake.block_chat(chat)
    first_text = "<b>Open session</b> at Bei'an on Saturday"
    broadcast, queued = await start(sqlite_db, clock, telegram, office, first_text, audience)
    assert broadcast.id is not None and broadcast.recipients == RECIPIENTS
    worker = worker_for(sqlite_db, clock, telegram, tmp_path, rate=1000.0, in_flight=400)
    monitor = BroadcastMonitor(
        sqlite_db, clock, {"telegram": telegram}, notifier(), wake_delivery=worker.wake
    )
    started = time.perf_counter()
    async with delivering(worker):
        ticks = await follow(sqlite_db, monitor, broadcast.id, fake, "It is finished")
    elapsed = time.perf_counter() - started

    visible = "Open session at Bei'an on Saturday"
    calls = Counter(call.chat_id for call in deliveries(fake, first_text))
    for chat in range(FIRST_CHAT, FIRST_CHAT + RECIPIENTS):
        assert calls[chat] == 1, chat  # one try each, blocked ones included
        received = fake.sent_to(chat)
        if chat in BLOCKED:
            assert received == []
        else:
            assert [message["text"] for message in received] == [visible]
    async with sqlite_db.session() as session:
        counts = await progress(session, broadcast_id=broadcast.id)
    assert (counts["sent"], counts["blocked"], counts["failed"], counts.open) == (1960, 40, 0, 0)
    shown = edits(fake, broadcast.progress_message_id or 0)
    assert 1 <= len(shown) <= ticks and all(a != b for a, b in itertools.pairwise(shown))
    final = fake.message(OFFICE_CHAT, broadcast.progress_message_id or 0)
    assert final is not None and "reply_markup" not in final
    assert "Sent: 1960 · pending: 0 · blocked: 40 · failed: 0" in final["text"]
    assert "Finished" in final["text"]
    [report] = [m for m in fake.sent_to(OFFICE_CHAT) if "It is finished" in m["text"]]
    assert "1960 of 2000 messages were delivered" in report["text"]
    assert "40 recipients have blocked the bot" in report["text"]
    print(f"\nqueued {RECIPIENTS} in {queued:.3f} s; delivered in {elapsed:.2f} s ({ticks} ticks)")

    # The second run, cancelled halfway.
    fake.clear_calls()
    second_text = "Change of venue: the open session moves to the Jingde Street station"
    second, _queued = await start(sqlite_db, clock, telegram, office, second_text, audience)
    assert second.id is not None
    worker = worker_for(sqlite_db, clock, telegram, tmp_path, rate=400.0, in_flight=40)
    monitor = BroadcastMonitor(
        sqlite_db, clock, {"telegram": telegram}, notifier(), wake_delivery=worker.wake
    )
    staff = office[0]
    async with delivering(worker):
        # Half the recipients, plus the progress message sent after the calls were cleared.
        await fake.wait_for_call("sendMessage", RECIPIENTS // 2 + 1, timeout=60)
        async with sqlite_db.session() as session:
            done: Cancelled = await cancel_broadcast(
                session,
                broadcast_id=second.id,
                staff=staff,
                scope=await scope_of(session, staff),
                now=clock.now(),
            )
        await follow(sqlite_db, monitor, second.id, fake, "It was cancelled")

    async with sqlite_db.session() as session:
        counts = await progress(session, broadcast_id=second.id)
    sent, cancelled = counts["sent"], counts["cancelled"]
    assert sent + cancelled + counts["blocked"] + counts["failed"] == RECIPIENTS
    assert counts.open == 0 and cancelled == done.stopped > 0 and sent >= RECIPIENTS // 2
    calls = Counter(call.chat_id for call in deliveries(fake, second_text))
    assert max(calls.values()) == 1  # nobody got it twice
    assert not set(calls) & set(BLOCKED)  # known to have blocked us: counted, never tried
    assert sum(calls.values()) == sent  # every call is a row marked sent, and no other
    assert sent <= done.sent + done.in_flight  # after the cancel, only what was in flight
    final = fake.message(OFFICE_CHAT, second.progress_message_id or 0)
    assert final is not None and "reply_markup" not in final and "Cancelled at" in final["text"]
    [report] = [m for m in fake.sent_to(OFFICE_CHAT) if "It was cancelled" in m["text"]]
    assert f"{sent} of 2000 messages were delivered before it stopped" in report["text"]
    assert f"{cancelled} were not sent" in report["text"]
    print(f"cancelled after {done.sent} sent and {done.in_flight} in flight; {sent} in the end")
