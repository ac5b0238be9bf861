"""One Telegram rate for every worker: slots from one schedule in Redis, people first.

Two ``SharedRate`` objects on separate connection pools stand for two workers. Timings are
real (the schedule reads Redis's own clock), so each bound leaves room for a busy machine.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from aiogram.exceptions import TelegramRetryAfter
from redis.asyncio import Redis

from bot.channels.shared_rate import BULK, SharedRate, as_bulk, share_rate
from tests.e2e.conftest import BotFactory
from tests.support.fake_bot_api import FakeBotAPI

RATE = 50.0


async def test_two_workers_sending_bulk_share_one_rate(redis_url: str) -> None:
    clients = [Redis.from_url(redis_url) for _ in range(2)]
    rates = [SharedRate(client, channel="test", rate=RATE) for client in clients]
    sent: list[float] = []

    async def send(rate: SharedRate) -> None:
        await rate.take(bulk=True)
        sent.append(time.monotonic())

    try:
        await asyncio.gather(*(send(rates[index % 2]) for index in range(100)))
    finally:
        for client in clients:
            await client.aclose()
    sent.sort()
    # 100 slots at 50 a second span at least 99 intervals, whoever took them.
    assert sent[-1] - sent[0] >= 99 / RATE * 0.95
    # No second ever held more than the rate, give or take the wake-ups' jitter on a busy
    # machine (a sender woken late sends close to the next one, never earlier than its slot).
    for first in range(len(sent)):
        within = sum(1 for moment in sent[first:] if moment - sent[first] < 1.0)
        assert within <= RATE * 1.1


async def test_a_persons_answer_goes_before_the_bulk_waiting(redis_url: str) -> None:
    client = Redis.from_url(redis_url)
    rate = SharedRate(client, channel="test", rate=10.0)
    try:
        bulk = [asyncio.create_task(rate.take(bulk=True)) for _ in range(20)]
        # The bulk is under way: 20 slots, two seconds of them.
        await asyncio.wait(bulk, return_when=asyncio.FIRST_COMPLETED)
        started = time.monotonic()
        await rate.take(bulk=False)
        waited = time.monotonic() - started
        # Bulk never books ahead: the answer waits at most about two slots, not two seconds.
        assert waited < 0.35, waited
        await asyncio.gather(*bulk)
    finally:
        await client.aclose()


async def test_a_429_holds_every_worker_back(redis_url: str) -> None:
    clients = [Redis.from_url(redis_url) for _ in range(2)]
    first, second = (SharedRate(client, channel="test", rate=RATE) for client in clients)
    try:
        await first.pause(0.5)
        started = time.monotonic()
        await second.take(bulk=False)
        assert time.monotonic() - started >= 0.45
    finally:
        for client in clients:
            await client.aclose()


async def test_the_delivery_loops_context_sends_as_bulk() -> None:
    seen: list[bool] = []

    async def look() -> None:
        seen.append(BULK.get())

    await asyncio.create_task(look(), context=as_bulk())
    await asyncio.create_task(look())
    assert seen == [True, False]


async def test_a_bot_on_the_shared_rate_paces_its_messages_and_shares_a_429(
    redis_url: str, fake: FakeBotAPI, bot_on_fake: BotFactory
) -> None:
    clients = [Redis.from_url(redis_url) for _ in range(2)]
    bots = [bot_on_fake("565656:shared-rate") for _ in clients]
    for bot, client in zip(bots, clients, strict=True):
        share_rate(bot, client, rate=RATE)
    try:
        started = time.monotonic()
        await asyncio.gather(
            *(bots[index % 2].send_message(chat_id=5000 + index, text="hi") for index in range(40))
        )
        assert time.monotonic() - started >= 39 / RATE * 0.95
        assert len(fake.calls_of("sendMessage")) == 40

        fake.fail_next("sendMessage", status=429, retry_after=1)
        with pytest.raises(TelegramRetryAfter):
            await bots[0].send_message(chat_id=5100, text="refused")
        # The other worker's next message waits out the pause its neighbour was told of.
        started = time.monotonic()
        await bots[1].send_message(chat_id=5101, text="after the pause")
        assert time.monotonic() - started >= 0.9
        # Getting the bot's name costs no slot.
        started = time.monotonic()
        await bots[1].get_me()
        assert time.monotonic() - started < 0.5
    finally:
        for client in clients:
            await client.aclose()
