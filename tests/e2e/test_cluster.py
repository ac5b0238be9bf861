"""Several workers meeting in a real Redis: the lead, who is alive, shared numbers, the bus.

Each worker here is a ``RedisCluster`` (or ``RedisBus``) of its own, on its own connection
pool, as separate processes would be. A worker that dies is one that simply stops calling:
its keys run out of lease, as a killed process's do.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.bus import RedisBus
from bot.cluster import RedisCluster
from bot.leadership import Leadership

LEASE = 1.0


@pytest.fixture
async def workers(redis_url: str) -> AsyncIterator[Callable[[str], RedisCluster]]:
    made: list[RedisCluster] = []

    def make(name: str) -> RedisCluster:
        cluster = RedisCluster.from_url(redis_url, lease_seconds=LEASE, name=name)
        made.append(cluster)
        return cluster

    yield make
    for cluster in made:
        await cluster.close()


async def until(condition: Callable[[], Awaitable[bool]], what: str, timeout: float = 10) -> float:
    """Wait for ``condition``; return how long it took."""
    started = time.monotonic()
    while not await condition():
        assert time.monotonic() - started < timeout, f"no {what} within {timeout} s"
        await asyncio.sleep(0.02)
    return time.monotonic() - started


async def test_one_worker_leads_and_another_takes_over_once_its_lease_runs_out(
    workers: Callable[[str], RedisCluster],
) -> None:
    first, second = workers("first"), workers("second")
    assert await first.claim_lead()
    assert not await second.claim_lead()
    assert await first.claim_lead()  # renewed by its holder
    assert await first.leader() == "first"

    # The first dies: it renews no more, and the lock is the second's within a lease.
    took = await until(second.claim_lead, "takeover")
    assert took <= LEASE + 0.5
    assert await second.leader() == "second"
    assert not await first.claim_lead()  # come back, it finds the lead taken


async def test_a_worker_that_resigns_hands_the_lead_over_at_once(
    workers: Callable[[str], RedisCluster],
) -> None:
    first, second = workers("first"), workers("second")
    assert await first.claim_lead()
    await second.resign()  # not its lock: nothing happens
    assert await first.leader() == "first"
    await first.resign()
    assert await second.claim_lead()


async def test_workers_alive_are_the_ones_announcing_themselves(
    workers: Callable[[str], RedisCluster],
) -> None:
    first, second = workers("first"), workers("second")
    await first.announce()
    await second.announce()
    assert await first.alive() == {"first", "second"}

    async def first_gone() -> bool:
        await second.announce()
        return await second.alive() == {"second"}

    await until(first_gone, "the silent worker counted as gone")


async def test_a_shared_counter_gives_each_number_once_and_survives_an_empty_redis(
    workers: Callable[[str], RedisCluster], redis_url: str
) -> None:
    first, second = workers("first"), workers("second")
    stored = 1000

    async def floor() -> int:
        return stored

    numbers = await asyncio.gather(
        *(cluster.next_number("ids", floor) for cluster in [first, second] * 50)
    )
    assert sorted(numbers) == list(range(stored + 1, stored + 101))

    client = Redis.from_url(redis_url)
    await client.flushdb()  # Redis restarted with nothing kept
    await client.aclose()
    stored = max(numbers)  # what was stored meanwhile is the floor
    assert await second.next_number("ids", floor) == stored + 1


class Duties:
    """Counts what a worker was asked to run."""

    def __init__(self) -> None:
        self.running = False
        self.starts = 0

    async def start(self) -> None:
        self.running = True
        self.starts += 1

    async def stop(self) -> None:
        self.running = False


class Flaky(RedisCluster):
    """A worker whose Redis can be cut off."""

    cut = False

    async def claim_lead(self) -> bool:
        if self.cut:
            raise RedisConnectionError("Redis went away")
        return await super().claim_lead()


async def test_duties_run_on_exactly_one_worker_and_move_when_it_stops_or_loses_redis(
    redis_url: str,
) -> None:
    clusters = [Flaky.from_url(redis_url, lease_seconds=LEASE, name=f"w{i}") for i in range(3)]
    duties = [Duties() for _ in clusters]
    stops = [asyncio.Event() for _ in clusters]
    leaderships = [
        Leadership(cluster, work, lease_seconds=LEASE)
        for cluster, work in zip(clusters, duties, strict=True)
    ]
    tasks = [
        asyncio.create_task(leadership.run(stop))
        for leadership, stop in zip(leaderships, stops, strict=True)
    ]
    try:

        async def one_running() -> bool:
            return sum(work.running for work in duties) == 1

        await until(one_running, "a leader")
        leader = next(index for index, work in enumerate(duties) if work.running)
        # A leader that stops gives the lead up at once: another takes it within a beat.
        stops[leader].set()
        await tasks[leader]
        assert not duties[leader].running
        took = await until(one_running, "a new leader")
        assert took <= LEASE
        second = next(index for index, work in enumerate(duties) if work.running)
        assert second != leader

        # A leader cut off from Redis steps down at once, and the lease moves on.
        clusters[second].cut = True

        async def third_leads() -> bool:
            return not duties[second].running and await one_running()

        await until(third_leads, "the lead off the worker that lost Redis")
        third = next(index for index, work in enumerate(duties) if work.running)
        assert third not in (leader, second)
        assert all(work.starts <= 1 for work in duties)
    finally:
        for stop in stops:
            stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        for cluster in clusters:
            await cluster.close()


async def test_the_bus_reaches_every_worker_in_order_and_says_when_it_is_back(
    redis_url: str,
) -> None:
    buses = [RedisBus.from_url(redis_url, worker=f"bus-test-{index}") for index in range(2)]
    heard: list[list[int]] = [[], []]
    reconnected = [asyncio.Event(), asyncio.Event()]
    for index, bus in enumerate(buses):

        async def hear(payload: dict[str, Any], index: int = index) -> None:
            heard[index].append(int(payload["n"]))

        async def back(index: int = index) -> None:
            reconnected[index].set()

        bus.subscribe("numbers", hear)
        bus.on_reconnect(back)
        await bus.start()
    try:
        for number in range(200):
            await buses[0].publish("numbers", {"n": number})

        async def all_heard() -> bool:
            return all(len(numbers) == 200 for numbers in heard)

        await until(all_heard, "every publication")
        assert heard == [list(range(200)), list(range(200))]

        # The second worker's subscription is cut, as a Redis restart would cut it.
        client = Redis.from_url(redis_url)
        for connection in await client.client_list():
            if connection.get("name") == "liaison-bus:bus-test-1":
                await client.client_kill_filter(_id=connection["id"])
        await client.aclose()
        await asyncio.wait_for(reconnected[1].wait(), timeout=10)
        await buses[0].publish("numbers", {"n": 200})

        async def heard_after() -> bool:
            return heard[1][-1:] == [200]

        await until(heard_after, "a publication after the reconnect")
    finally:
        for bus in buses:
            await bus.close()


class StartsOnSecondTry(Duties):
    """Duties whose first start fails half way, as a database away for a moment would."""

    async def start(self) -> None:
        await super().start()
        if self.starts == 1:
            raise ConnectionResetError("the database went away")


async def test_a_leader_whose_duties_fail_to_start_steps_down_and_tries_again(
    redis_url: str,
) -> None:
    cluster = RedisCluster.from_url(redis_url, lease_seconds=LEASE, name="only")
    duties = StartsOnSecondTry()
    leadership = Leadership(cluster, duties, lease_seconds=LEASE)
    stop = asyncio.Event()
    task = asyncio.create_task(leadership.run(stop))
    try:

        async def running() -> bool:
            return duties.running and leadership.leading

        await until(running, "the duties running after a failed start")
        assert duties.starts == 2
    finally:
        stop.set()
        await task
        await cluster.close()
    assert not duties.running
