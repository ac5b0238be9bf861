"""The cap on updates handled at once, and the slot an update gives up before its commit."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiogram.types import TelegramObject

from bot.middlewares.concurrency import ConcurrencyLimitMiddleware, release_slot


async def test_an_update_waiting_only_for_its_commit_lets_the_next_one_run() -> None:
    cap = ConcurrencyLimitMiddleware(limit=1)
    committed = asyncio.Event()
    second_ran = asyncio.Event()

    async def first(_event: TelegramObject, data: dict[str, Any]) -> str:
        release_slot(data)
        await committed.wait()  # as the group commit would
        return "first"

    async def second(_event: TelegramObject, _data: dict[str, Any]) -> str:
        second_ran.set()
        return "second"

    one = asyncio.create_task(cap(first, TelegramObject(), {}))
    two = asyncio.create_task(cap(second, TelegramObject(), {}))
    await second_ran.wait()
    assert not one.done()
    committed.set()
    assert (await one, await two) == ("first", "second")


async def test_a_slot_is_given_back_once_however_the_update_ends() -> None:
    cap = ConcurrencyLimitMiddleware(limit=2)

    async def releases_twice_then_fails(_event: TelegramObject, data: dict[str, Any]) -> None:
        release_slot(data)
        release_slot(data)
        raise RuntimeError("handler failed")

    with pytest.raises(RuntimeError):
        await cap(releases_twice_then_fails, TelegramObject(), {})
    assert cap.in_use == 0
    go_on = asyncio.Event()
    inside = [asyncio.Event(), asyncio.Event()]

    async def holds(_event: TelegramObject, data: dict[str, Any]) -> None:
        data["inside"].set()
        await go_on.wait()

    holders = [asyncio.create_task(cap(holds, TelegramObject(), {"inside": e})) for e in inside]
    await asyncio.gather(*(event.wait() for event in inside))
    # Two updates inside: a third would wait, whatever the failed one released.
    assert cap.full
    go_on.set()
    await asyncio.gather(*holders)
    assert cap.in_use == 0 and not cap.full


async def test_an_update_without_the_early_release_holds_its_slot_to_the_end() -> None:
    cap = ConcurrencyLimitMiddleware(limit=1)
    go_on = asyncio.Event()
    first_in = asyncio.Event()

    async def holds(_event: TelegramObject, _data: dict[str, Any]) -> None:
        first_in.set()
        await go_on.wait()

    one = asyncio.create_task(cap(holds, TelegramObject(), {}))
    await first_in.wait()
    assert cap.full
    go_on.set()
    await one
    assert not cap.full
