"""The delivery pace: slots in the order asked, evenly spaced, held by a pause, turned away."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from bot.pacing import ChatTurns, HaltedError, Pace


async def test_slots_go_in_the_order_they_were_asked_for_and_evenly() -> None:
    pace = Pace(rate=50.0)  # one every 20 ms
    taken: list[tuple[int, float]] = []

    async def sender(index: int) -> None:
        await pace.wait()
        taken.append((index, time.monotonic()))

    await asyncio.gather(*(sender(index) for index in range(10)))
    assert [index for index, _at in taken] == list(range(10))
    gaps = [b - a for (_i, a), (_j, b) in itertools.pairwise(taken)]
    assert min(gaps) >= 0.015  # no two in one slot
    assert taken[-1][1] - taken[0][1] < 0.4  # and no slowing down either


async def test_a_pause_holds_everyone_and_keeps_their_order() -> None:
    pace = Pace(rate=100.0)
    await pace.wait()
    pace.pause(0.2)
    started = time.monotonic()
    order: list[int] = []

    async def sender(index: int) -> None:
        await pace.wait()
        order.append(index)

    await asyncio.gather(*(sender(index) for index in range(5)))
    assert time.monotonic() - started >= 0.19
    assert order == list(range(5))


async def test_after_a_lull_there_is_no_burst() -> None:
    pace = Pace(rate=5.0)  # one every 200 ms
    await pace.wait()
    await asyncio.sleep(0.5)
    first = time.monotonic()
    await pace.wait()
    await pace.wait()
    assert time.monotonic() - first >= 0.18


async def test_halt_turns_away_whoever_waits() -> None:
    pace = Pace(rate=2.0)
    await pace.wait()
    waiting = [asyncio.create_task(pace.wait()) for _ in range(3)]
    await asyncio.sleep(0.05)
    pace.halt()
    for task in waiting:
        with pytest.raises(HaltedError):
            await task
    await pace.close()


async def test_a_chat_gets_one_message_a_second_in_order() -> None:
    turns = ChatTurns()
    sent: list[tuple[str, float]] = []

    async def send(name: str) -> None:
        async with turns.turn(42):
            sent.append((name, time.monotonic()))

    await asyncio.gather(send("a"), send("b"), send("c"))
    assert [name for name, _at in sent] == ["a", "b", "c"]
    assert sent[1][1] - sent[0][1] >= 0.99 and sent[2][1] - sent[1][1] >= 0.99
    assert turns.waiting(42) == 0
