"""The update inbox and the replay guard in process: order per chat, restarts, cut-short work."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Update
from sqlalchemy import select
from sqlmodel import col

from bot.app import build_context, build_dispatcher
from bot.channels.raw_updates import dump_update
from bot.inbox import HANDLED, RECEIVED, UpdateInbox
from bot.settings import Settings
from services.chats.updates import claim_update
from services.clock import ManualClock
from storage.db import Database
from storage.models import InboxUpdate
from tests.support.chat import ChatUser
from tests.support.recording import RecordingSession

COMMANDS = ["/start", "/help", "/language", "/stations", "/help", "/language"]


class HeldSession(RecordingSession):
    """Records like RecordingSession, but the first sendMessage waits until ``release``."""

    def __init__(self) -> None:
        super().__init__()
        self.holding = asyncio.Event()
        self.release = asyncio.Event()
        self._held = False

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        if isinstance(method, SendMessage) and not self._held:
            self._held = True
            self.holding.set()
            await self.release.wait()
        return await super().make_request(bot, method, timeout)


def command_update(update_id: int, chat_id: int, text: str) -> Update:
    user = {"id": chat_id, "is_bot": False, "first_name": "Resident", "language_code": "en"}
    return Update.model_validate(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "from": user,
                "chat": {"id": chat_id, "type": "private", "first_name": "Resident"},
                "date": 1_795_000_000,
                "text": text,
                "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
            },
        }
    )


def kind(text: str) -> str:
    """Which command a reply answers."""
    for fragment, command in (
        ("Welcome", "/start"),
        ("How this works", "/help"),
        ("Choose your language", "/language"),
        ("Liaison stations", "/stations"),
    ):
        if fragment in text:
            return command
    return text


def replies(session: RecordingSession, chat_id: int) -> list[str]:
    return [
        str(request.text)
        for request in session.requests
        if isinstance(request, SendMessage) and request.chat_id == chat_id
    ]


async def states(db: Database) -> dict[int, str]:
    async with db.session() as session:
        rows = await session.execute(select(col(InboxUpdate.update_id), col(InboxUpdate.state)))
        return {update_id: state for update_id, state in rows.all()}


async def until(condition: Callable[[], Any], what: str) -> None:
    deadline = time.monotonic() + 15
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        assert time.monotonic() < deadline, f"no {what} within 15 s"
        await asyncio.sleep(0.01)


async def test_an_update_cut_short_is_answered_when_fed_again(
    dispatcher: Dispatcher, resident: ChatUser
) -> None:
    held = HeldSession()
    resident.bot.session = held
    update = command_update(7001, resident.user.id, "/help")
    crashed = asyncio.create_task(dispatcher.feed_update(resident.bot, update))
    await held.holding.wait()
    crashed.cancel()  # the process dies with the reply unsent and nothing committed
    await asyncio.gather(crashed, return_exceptions=True)
    held.release.set()
    assert held.requests == []

    assert len(await resident.feed(update)) == 1  # handled again after the restart
    assert await resident.feed(update) == []  # now on record: a replay is ignored


@pytest.fixture
def backend(db: Database, settings: Settings, clock: ManualClock) -> Dispatcher:
    """A dispatcher on SQLite and on PostgreSQL."""
    return build_dispatcher(build_context(settings, db, clock))


async def test_inbox_keeps_order_per_chat_and_resumes_after_a_restart(
    backend: Dispatcher, bot: Bot, db: Database, clock: ManualClock
) -> None:
    session = bot.session
    assert isinstance(session, RecordingSession)
    first, second, third = 6101, 6102, 6103
    updates = [
        command_update(100 + index * 3 + offset, chat, text)
        for index, text in enumerate(COMMANDS)
        for offset, chat in enumerate((first, second))
    ]
    # A third chat's update whose handlers finished just before a crash: on record, not marked.
    done = command_update(99, third, "/help")
    inbox = UpdateInbox(db, clock, backend, bot)
    assert await inbox.put([(update.update_id, dump_update(update)) for update in updates]) == 12
    assert await inbox.put([(done.update_id, dump_update(done))]) == 1
    assert await inbox.put([(updates[0].update_id, dump_update(updates[0]))]) == 0  # redelivered
    async with db.session() as db_session:
        assert await claim_update(db_session, bot_id=bot.id, update_id=99, now=clock.now())

    inbox.start()
    try:

        async def all_handled() -> bool:
            return set((await states(db)).values()) == {HANDLED}

        await until(all_handled, "every row handled")
    finally:
        await inbox.stop()

    for chat in (first, second):
        assert [kind(text) for text in replies(session, chat)] == COMMANDS
    assert replies(session, third) == []


async def test_handled_rows_are_emptied_and_pruned_after_a_day(
    backend: Dispatcher, bot: Bot, db: Database, clock: ManualClock
) -> None:
    inbox = UpdateInbox(db, clock, backend, bot)
    update = command_update(500, 6201, "/help")
    await inbox.put([(update.update_id, dump_update(update))])
    inbox.start()
    try:

        async def handled() -> bool:
            return (await states(db)).get(500) == HANDLED

        await until(handled, "the row handled")
    finally:
        await inbox.stop()
    async with db.session() as session:
        # What the resident sent does not outlive its handling (nor an erasure after it).
        row = await session.get(InboxUpdate, (bot.id, 500))
        assert row is not None and row.payload == ""
    later = command_update(501, 6201, "/help")
    await inbox.put([(later.update_id, dump_update(later))])
    clock.advance(dt.timedelta(days=1, minutes=1))
    inbox = UpdateInbox(db, clock, backend, bot)
    inbox.start()
    try:

        async def pruned() -> bool:
            return await states(db) == {501: HANDLED}

        await until(pruned, "the old row pruned and the new one handled")
    finally:
        await inbox.stop()
    assert RECEIVED not in (await states(db)).values()


async def test_a_worker_handles_what_it_stored_and_adopts_a_gone_workers_rows(
    backend: Dispatcher, bot: Bot, db: Database, clock: ManualClock
) -> None:
    session = bot.session
    assert isinstance(session, RecordingSession)
    alive = {"first", "second"}

    async def workers() -> set[str]:
        return set(alive)

    first = UpdateInbox(db, clock, backend, bot, owner="first", alive=workers)
    second = UpdateInbox(db, clock, backend, bot, owner="second", alive=workers)
    stored_by_first = [command_update(800 + index, 6300 + index, "/help") for index in range(3)]
    stored_by_second = command_update(810, 6310, "/help")
    await first.put([(update.update_id, dump_update(update)) for update in stored_by_first])
    await second.put([(stored_by_second.update_id, dump_update(stored_by_second))])
    second.start()
    try:

        async def own_handled() -> bool:
            return (await states(db)).get(810) == HANDLED

        await until(own_handled, "the second worker's own update handled")
        # The first worker is alive: its rows wait for it, however long.
        assert await states(db) == {
            800: RECEIVED,
            801: RECEIVED,
            802: RECEIVED,
            810: HANDLED,
        }
        alive.discard("first")  # it died before handling them

        async def adopted() -> bool:
            return set((await states(db)).values()) == {HANDLED}

        await until(adopted, "the gone worker's rows adopted and handled")
    finally:
        await second.stop()
    for index in range(3):
        assert [kind(text) for text in replies(session, 6300 + index)] == ["/help"]
    assert [kind(text) for text in replies(session, 6310)] == ["/help"]
