"""The delivery pace: slots in the order asked, evenly spaced, held by a pause, turned away.

The pace and the chats' turns run on the injected clock: the loop's virtual time, which
jumps to the next timer, so every gap below is exact and costs no real time.
"""

from __future__ import annotations

import asyncio
import itertools

import pytest

from bot.pacing import PER_CHAT_INTERVAL, ChatTurns, HaltedError, Pace
from tests.support.virtual_time import VirtualTimeLoop, run_virtual


def test_slots_go_in_the_order_they_were_asked_for_and_evenly() -> None:
    async def main(loop: VirtualTimeLoop) -> list[tuple[int, float]]:
        pace = Pace(rate=50.0, monotonic=loop.time)  # one every 20 ms
        taken: list[tuple[int, float]] = []

        async def sender(index: int) -> None:
            await pace.wait()
            taken.append((index, loop.time()))

        await asyncio.gather(*(sender(index) for index in range(10)))
        return taken

    taken = run_virtual(main)
    assert [index for index, _at in taken] == list(range(10))
    gaps = [b - a for (_i, a), (_j, b) in itertools.pairwise(taken)]
    # No two in one slot, and no slowing down either.
    assert gaps == pytest.approx([0.02] * 9)


def test_a_pause_holds_everyone_and_keeps_their_order() -> None:
    async def main(loop: VirtualTimeLoop) -> tuple[list[int], list[float]]:
        pace = Pace(rate=100.0, monotonic=loop.time)
        await pace.wait()
        pace.pause(0.2)
        started = loop.time()
        order: list[int] = []
        waited: list[float] = []

        async def sender(index: int) -> None:
            await pace.wait()
            order.append(index)
            waited.append(loop.time() - started)

        await asyncio.gather(*(sender(index) for index in range(5)))
        return order, waited

    order, waited = run_virtual(main)
    assert order == list(range(5))
    # The first goes when the pause ends, the rest at the pace's rate after it.
    assert waited == pytest.approx([0.2, 0.21, 0.22, 0.23, 0.24])


def test_after_a_lull_there_is_no_burst() -> None:
    async def main(loop: VirtualTimeLoop) -> list[float]:
        pace = Pace(rate=5.0, monotonic=loop.time)  # one every 200 ms
        await pace.wait()
        await asyncio.sleep(0.5)  # virtual: the lull costs no real time
        moments = []
        for _ in range(3):
            await pace.wait()
            moments.append(loop.time())
        return moments

    first, second, third = run_virtual(main)
    assert first == pytest.approx(0.5)  # the slot after a lull is taken at once
    assert (second - first, third - second) == pytest.approx((0.2, 0.2))


def test_halt_turns_away_whoever_waits() -> None:
    async def main(loop: VirtualTimeLoop) -> list[BaseException | None]:
        pace = Pace(rate=2.0, monotonic=loop.time)
        await pace.wait()
        waiting = [asyncio.create_task(pace.wait()) for _ in range(3)]
        await asyncio.sleep(0)  # they ask for their slots, due half a second from now
        assert not any(task.done() for task in waiting)
        pace.halt()
        results = await asyncio.gather(*waiting, return_exceptions=True)
        await pace.close()
        return [result if isinstance(result, BaseException) else None for result in results]

    assert all(isinstance(result, HaltedError) for result in run_virtual(main))


def test_a_chat_gets_one_message_a_second_in_order() -> None:
    async def main(loop: VirtualTimeLoop) -> tuple[list[tuple[str, float]], int]:
        turns = ChatTurns(monotonic=loop.time)
        sent: list[tuple[str, float]] = []

        async def send(name: str) -> None:
            async with turns.turn(42):
                sent.append((name, loop.time()))

        await asyncio.gather(send("a"), send("b"), send("c"))
        return sent, turns.waiting(42)

    sent, waiting = run_virtual(main)
    assert [name for name, _at in sent] == ["a", "b", "c"]
    assert [at for _name, at in sent] == pytest.approx(
        [0.0, PER_CHAT_INTERVAL, 2 * PER_CHAT_INTERVAL]
    )
    assert waiting == 0


def test_chats_do_not_wait_for_each_other() -> None:
    async def main(loop: VirtualTimeLoop) -> dict[int, float]:
        turns = ChatTurns(monotonic=loop.time)
        sent: dict[int, float] = {}

        async def send(chat: int) -> None:
            async with turns.turn(chat):
                sent[chat] = loop.time()

        await asyncio.gather(*(send(chat) for chat in (1, 2, 3)))
        return sent

    assert run_virtual(main) == {1: 0.0, 2: 0.0, 3: 0.0}
