"""A crash after Telegram's updates were acknowledged: ``liaison run`` killed with SIGKILL.

The real command runs in a subprocess against a SQLite file and the in-repo fake Bot API (in
this process), by long polling and by webhook. Twenty residents each send ``/help``; the fake
lets the first replies through and holds the others, so at the kill some updates are answered
and on record, some are in the middle of their handlers and some were never started. All are
acknowledged: confirmed by the next getUpdates, or answered 200 by the webhook. After a
restart every resident has exactly one answer: none lost, none repeated.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select
from sqlmodel import col

from bot.inbox import RECEIVED
from storage.db import Database
from storage.models import ChatIdentity, InboxUpdate, ProcessedUpdate
from tests.support.fake_bot_api import FakeBotAPI
from tests.support.processes import free_port, reap, start_liaison
from tests.support.telegram_updates import command_json

TOKEN = "434343:inbox-crash"
BOT_ID = 434343
SECRET = "inbox-crash-secret"
RESIDENTS = 20
ANSWERED_BEFORE_KILL = 4
FIRST_CHAT = 8_100_000
FIRST_UPDATE = 900_001


class HeldReplies(FakeBotAPI):
    """Lets the first ``free`` sendMessage calls through and holds the later ones.

    A held call is neither answered nor recorded; when its client dies (the kill), aiohttp
    cancels it, so the resident never saw that reply.
    """

    def __init__(self, free: int) -> None:
        super().__init__()
        self.free = free
        self.held = 0
        self._released = asyncio.Event()

    def release(self) -> None:
        """Let every call through from now on."""
        self._released.set()

    async def _on_api_request(self, request: web.Request) -> web.Response:
        if request.match_info["method"].lower() == "sendmessage" and not self._released.is_set():
            if self.free > 0:
                self.free -= 1
            else:
                self.held += 1
                await self._released.wait()
                if request.transport is None or request.transport.is_closing():
                    return web.Response(status=499)
        return await super()._on_api_request(request)


@pytest.fixture
async def fake() -> AsyncIterator[HeldReplies]:
    async with HeldReplies(free=ANSWERED_BEFORE_KILL) as server:
        yield server


def run_env(
    database_url: str, fake: FakeBotAPI, data_dir: Path, webhook: str | None
) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("LIAISON_")}
    env.update(
        {
            "LIAISON_DATABASE_URL": database_url,
            "LIAISON_TELEGRAM_TOKEN": TOKEN,
            "LIAISON_TELEGRAM_API_URL": fake.base_url,
            "LIAISON_DATA_DIR": str(data_dir),
            "LIAISON_DEFAULT_LOCALE": "en",
            "LIAISON_WEB_ENABLED": "false",
            "LIAISON_MAX_CONCURRENT_UPDATES": "16",
            "LIAISON_LOG_LEVEL": "INFO",
        }
    )
    if webhook is not None:
        port = webhook.split(":")[2].split("/")[0]
        env.update(
            {
                "LIAISON_WEB_PORT": port,
                "LIAISON_WEBHOOK_URL": webhook,
                "LIAISON_WEBHOOK_SECRET": SECRET,
            }
        )
    else:
        env["LIAISON_WEB_PORT"] = str(free_port())
    return env


async def until(
    condition: Callable[[], Any], process: asyncio.subprocess.Process, log: Path, what: str
) -> None:
    """Wait for ``condition`` (sync or async), failing if the process dies or 30 s pass."""
    deadline = time.monotonic() + 30
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        assert process.returncode is None, f"the bot exited waiting for {what}:\n{logged(log)}"
        assert time.monotonic() < deadline, f"no {what} within 30 s:\n{logged(log)}"
        await asyncio.sleep(0.05)


def logged(path: Path) -> str:
    return path.read_text()


def help_update(index: int) -> dict[str, Any]:
    return command_json(FIRST_UPDATE + index, FIRST_CHAT + index)


def answers(fake: FakeBotAPI) -> Counter[int]:
    """Replies the residents received, by chat."""
    return Counter(
        int(call.chat_id or 0)
        for call in fake.calls_of("sendMessage")
        if call.ok and isinstance(call.chat_id, int) and call.chat_id >= FIRST_CHAT
    )


async def count(db: Database, query: Any) -> int:
    async with db.session() as session:
        return int((await session.execute(query)).scalar_one())


def processed() -> Any:
    return (
        select(func.count())
        .select_from(ProcessedUpdate)
        .where(col(ProcessedUpdate.bot_id) == BOT_ID)
    )


def waiting() -> Any:
    return select(func.count()).where(col(InboxUpdate.state) == RECEIVED)


async def post(url: str, update: dict[str, Any]) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=update, headers=headers) as response,
    ):
        return response.status


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_acknowledged_updates_survive_a_kill_and_are_answered_once(
    mode: str, sqlite_url: str, sqlite_db: Database, fake: HeldReplies, tmp_path: Path
) -> None:
    webhook = f"http://127.0.0.1:{free_port()}/telegram/webhook" if mode == "webhook" else None
    env = run_env(sqlite_url, fake, tmp_path / "var", webhook)
    chats = {FIRST_CHAT + index for index in range(RESIDENTS)}
    log_path = tmp_path / "run.log"
    with log_path.open("w") as log:
        first = await start_liaison(["run"], env, tmp_path, log)
        try:
            if webhook is None:
                await until(lambda: fake.waiting_pollers >= 1, first, log_path, "a long poll")
                for index in range(RESIDENTS):
                    fake.push_update(help_update(index))
                # Confirmed by a later getUpdates: Telegram would never send them again.
                await until(lambda: not fake.pending_updates, first, log_path, "confirmation")
            else:
                await until(lambda: fake.webhook is not None, first, log_path, "setWebhook")
                statuses = await asyncio.gather(
                    *(post(webhook, help_update(index)) for index in range(RESIDENTS))
                )
                assert statuses == [200] * RESIDENTS  # Telegram would never send them again
            await until(lambda: fake.held >= 1, first, log_path, "replies held in the handlers")

            async def recorded() -> bool:
                return await count(sqlite_db, processed()) >= ANSWERED_BEFORE_KILL

            await until(recorded, first, log_path, "the first answers on record")
            os.kill(first.pid, signal.SIGKILL)
            await first.wait()
        finally:
            await reap(first)
        before = answers(fake)
        assert sum(before.values()) == ANSWERED_BEFORE_KILL, before

        fake.release()
        second = await start_liaison(["run"], env, tmp_path, log)
        try:

            async def all_handled() -> bool:
                return set(answers(fake)) >= chats and await count(sqlite_db, waiting()) == 0

            await until(all_handled, second, log_path, "every update handled")
            second.send_signal(signal.SIGINT)
            await asyncio.wait_for(second.wait(), timeout=15)
        finally:
            await reap(second)

    received = answers(fake)
    assert received == Counter(dict.fromkeys(chats, 1)), (received, log_path.read_text())
    identities = select(func.count()).where(col(ChatIdentity.chat_id).in_(chats))
    assert await count(sqlite_db, identities) == RESIDENTS
    assert await count(sqlite_db, processed()) == RESIDENTS
    output = log_path.read_text()
    assert "Traceback" not in output
    # Fed again after the restart: at most the updates whose handlers had finished.
    assert output.count("replayed update") <= ANSWERED_BEFORE_KILL, output
