"""A 429 pauses the whole Telegram lane: while it lasts no chat gets anything, then all arrive.

Telegram's flood control answers one message with ``retry_after``; sending to other chats
during that time only earns longer bans, so the delivery loop must hold back every chat, not
just the one that was refused. The loop runs for real against the in-repo fake Bot API, and
the fake's arrival timestamps (``time.monotonic()``, the same clock the pace uses) show what
was sent when.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiogram import Bot
from sqlalchemy import select

from bot.delivery import DeliverySettings, DeliveryWorker
from services.accounts.identities import touch_identity
from services.outbox.queue import Outgoing, Recipient, enqueue
from storage.db import Database
from storage.models import OutboxMessage
from tests.conftest import RUNNING_CLOCK
from tests.e2e.conftest import BotFactory
from tests.support.fake_bot_api import CallRecord, FakeBotAPI

CHATS = (2001, 2002, 2003, 2004, 2005)
REFUSED_CHAT = 2003
RETRY_AFTER = 1
# Ten a second: a request is answered long before the next one is due, so no request can
# already be on its way when the 429 comes back and the pause is all the worker's doing.
RATE = 10.0


@pytest.fixture
def telegram(bot_on_fake: BotFactory) -> Bot:
    return bot_on_fake("424242:pause-test")


def worker_for(db: Database, bot: Bot, files: Path) -> DeliveryWorker:
    """A worker on the system clock (the 429's retry time must really come) with no quiet hours."""
    settings = DeliverySettings(
        rates={"telegram": RATE},
        quiet_start=dt.time(0, 0),
        quiet_end=dt.time(0, 0),  # equal ends: never quiet, whatever the hour of the run
        tz=ZoneInfo("Asia/Shanghai"),
        files_dir=files,
    )
    return DeliveryWorker(db, RUNNING_CLOCK, {"telegram": bot}, settings)


async def queue_two_each(db: Database) -> list[str]:
    """Two messages to every chat, the first round before the second; return their texts."""
    now = RUNNING_CLOCK.now()
    texts = []
    async with db.session() as session:
        people = [
            Recipient.of(
                await touch_identity(
                    session, channel="telegram", chat_id=chat, chat_type="private", now=now
                )
            )
            for chat in CHATS
        ]
        for round_, person in itertools.product((1, 2), people):
            text = f"notice {round_} for {person.chat_id}"
            await enqueue(session, to=person, message=Outgoing(text=text), dedupe_key=text, now=now)
            texts.append(text)
    return texts


@contextlib.asynccontextmanager
async def delivering(worker: DeliveryWorker) -> AsyncIterator[None]:
    task = asyncio.create_task(worker.run())
    try:
        yield
    finally:
        await worker.stop()
        await task


def delivered(fake: FakeBotAPI) -> list[CallRecord]:
    return [call for call in fake.calls_of("sendMessage") if call.ok]


@dataclass
class PausedRun:
    """What one run with a single 429 did: the messages queued, the calls, the pause."""

    texts: list[str]
    calls: list[CallRecord]
    paused_at: float
    resume: float

    @property
    def delivered(self) -> list[CallRecord]:
        return [call for call in self.calls if call.ok]


async def run_with_one_429(db: Database, bot: Bot, fake: FakeBotAPI, files: Path) -> PausedRun:
    """Queue two messages to each chat, refuse the refused chat's first one with a 429."""
    texts = await queue_two_each(db)
    fake.fail_next("sendMessage", status=429, retry_after=RETRY_AFTER, chat_id=REFUSED_CHAT)
    worker = worker_for(db, bot, files)
    pace = worker.lanes["telegram"].pace
    pauses: list[tuple[float, float]] = []
    pause = pace.pause

    def noted_pause(seconds: float) -> None:
        # When the worker learnt of the 429: the pause runs from here, not from the request.
        pauses.append((time.monotonic(), seconds))
        pause(seconds)

    pace.pause = noted_pause  # type: ignore[method-assign]
    async with delivering(worker):
        await fake.wait_for(
            lambda: len(delivered(fake)) >= len(texts), timeout=15, what="every message"
        )
    [(paused_at, seconds)] = pauses
    assert seconds == RETRY_AFTER
    assert pace.paused_until == pytest.approx(paused_at + RETRY_AFTER)
    return PausedRun(texts, fake.calls_of("sendMessage"), paused_at, pace.paused_until)


async def test_a_429_for_one_chat_holds_back_every_chat_until_it_passes(
    sqlite_db: Database, telegram: Bot, fake: FakeBotAPI, tmp_path: Path
) -> None:
    run = await run_with_one_429(sqlite_db, telegram, fake, tmp_path)
    [refused] = [call for call in run.calls if not call.ok]
    assert refused.status == 429 and refused.chat_id == REFUSED_CHAT
    assert refused.params["text"] == f"notice 1 for {REFUSED_CHAT}"

    # Nothing at all reached Telegram while the pause lasted, to any chat.
    during = [call for call in run.calls if run.paused_at <= call.timestamp < run.resume]
    assert during == [], [(call.chat_id, call.timestamp - run.paused_at) for call in during]
    # The pause did hold messages back: the other chats' first round after the refused one,
    # and the whole second round (each chat's second slot fell inside the pause).
    after = {str(call.params["text"]) for call in run.delivered if call.timestamp >= run.resume}
    held = {f"notice 1 for {chat}" for chat in CHATS if chat >= REFUSED_CHAT}
    held |= {f"notice 2 for {chat}" for chat in CHATS}
    assert held <= after  # the refused message too: it was retried only after the pause

    # Everything was delivered, and delivered once.
    assert sorted(str(call.params["text"]) for call in run.delivered) == sorted(run.texts)
    async with sqlite_db.session() as session:
        rows = (await session.execute(select(OutboxMessage))).scalars().all()
    assert {row.dedupe_key: row.state for row in rows} == dict.fromkeys(run.texts, "sent")
    # A 429 is Telegram's pacing, not the message's fault: it costs no attempt.
    assert {row.attempts for row in rows} == {1}
    # Once the pause is over the lane keeps its pace: no burst of everything held back.
    resumed = sorted(call.timestamp for call in run.delivered if call.timestamp >= run.resume)
    # (Half the interval: arrival times jitter by some milliseconds; a burst would be ~0.)
    for earlier, later in itertools.pairwise(resumed):
        assert later - earlier >= 1 / RATE / 2


async def test_after_a_pause_a_chat_still_gets_at_most_one_message_a_second(
    sqlite_db: Database, telegram: Bot, fake: FakeBotAPI, tmp_path: Path
) -> None:
    # Telegram allows about one message a second to a chat; the pause must not squeeze a
    # chat's two messages closer together than that.
    run = await run_with_one_429(sqlite_db, telegram, fake, tmp_path)
    gaps = {}
    for chat in CHATS:
        first, second = sorted(call.timestamp for call in run.delivered if call.chat_id == chat)
        gaps[chat] = round(second - first, 3)
    assert all(gap >= 0.95 for gap in gaps.values()), gaps


async def test_after_a_pause_each_chat_gets_its_messages_in_order(
    sqlite_db: Database, telegram: Bot, fake: FakeBotAPI, tmp_path: Path
) -> None:
    # Chats that were never refused had both messages claimed in queue order; the pause must
    # not swap them (an invitation must not arrive after the materials that follow it).
    run = await run_with_one_429(sqlite_db, telegram, fake, tmp_path)
    order = {
        chat: [str(call.params["text"]) for call in run.delivered if call.chat_id == chat]
        for chat in CHATS
        if chat != REFUSED_CHAT
    }
    expected = {chat: [f"notice 1 for {chat}", f"notice 2 for {chat}"] for chat in order}
    assert order == expected


async def test_a_second_429_during_the_pause_extends_it(
    sqlite_db: Database, telegram: Bot, fake: FakeBotAPI, tmp_path: Path
) -> None:
    texts = await queue_two_each(sqlite_db)
    # The retry after the first pause is refused again: the lane waits a second time.
    fake.fail_next(
        "sendMessage", status=429, retry_after=RETRY_AFTER, chat_id=REFUSED_CHAT, count=2
    )
    worker = worker_for(sqlite_db, telegram, tmp_path)
    pace = worker.lanes["telegram"].pace
    pauses: list[float] = []
    pause = pace.pause

    def noted_pause(seconds: float) -> None:
        pauses.append(time.monotonic())
        pause(seconds)

    pace.pause = noted_pause  # type: ignore[method-assign]
    async with delivering(worker):
        await fake.wait_for(
            lambda: len(delivered(fake)) >= len(texts), timeout=20, what="every message"
        )

    refused = [call for call in fake.calls_of("sendMessage") if not call.ok]
    assert [call.chat_id for call in refused] == [REFUSED_CHAT] * 2
    assert len(pauses) == 2
    for start in pauses:
        during = [
            call
            for call in fake.calls_of("sendMessage")
            if start <= call.timestamp < start + RETRY_AFTER
        ]
        assert during == [], [(call.chat_id, call.timestamp - start) for call in during]
    assert sorted(str(call.params["text"]) for call in delivered(fake)) == sorted(texts)
