"""Three ``liaison run`` workers on one PostgreSQL database and one Redis, as deployed.

The real command runs three times, configured by its environment alone, each on its own port
and all against a fresh database they migrate together at start, the in-repo fake Bot API
(in this process) and a flushed Redis database. The test talks to them only as their users'
platforms do: Telegram webhooks POSTed to whichever worker (as a reverse proxy balances
them), and web chat pages open on different workers.

- Every webhook update is answered once, whichever worker stored it.
- A web chat page on one worker sees what another worker renders for its chat, in order:
  the reply to a second tab of the same chat, and the leader's delivery of a notice.
- Exactly one worker leads. Killed with SIGKILL, another takes the lead within seconds, and
  the next notice is delivered once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from redis.asyncio import Redis
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlmodel import col

from services.accounts.identities import find_identity
from services.outbox.queue import OutboxState, Outgoing, Recipient, enqueue
from storage.db import Database
from storage.models import OutboxMessage
from tests.conftest import POSTGRES_URL, RUNNING_CLOCK, missing
from tests.support.fake_bot_api import FakeBotAPI
from tests.support.processes import free_port, reap, start_liaison
from tests.support.telegram_updates import command_json

TOKEN = "717171:several-workers"
SECRET = "several-workers-secret"
WORKERS = 3
RESIDENTS = 30
FIRST_CHAT = 8_300_000
FIRST_UPDATE = 930_001
LEASE = 1
GUARD = 60.0


@pytest.fixture
async def database_of_workers() -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database: the workers migrate it as they start."""
    admin_url = make_url(POSTGRES_URL)
    name = f"liaison_workers_{uuid.uuid4().hex[:10]}"
    admin = Database(admin_url)
    try:
        async with admin.engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        await admin.dispose()
        missing(f"PostgreSQL not reachable at {admin_url.host}: {error}")
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


class Worker:
    """One ``liaison run`` process and its address."""

    def __init__(self, port: int, process: asyncio.subprocess.Process) -> None:
        self.port = port
        self.process = process

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def webhook(self) -> str:
        return f"{self.base}/telegram/webhook"


def worker_env(
    port: int, database_url: str, redis_url: str, fake: FakeBotAPI, data_dir: Path
) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("LIAISON_")}
    env.update(
        {
            "LIAISON_DATABASE_URL": database_url,
            "LIAISON_REDIS_URL": redis_url,
            "LIAISON_TELEGRAM_TOKEN": TOKEN,
            "LIAISON_TELEGRAM_API_URL": fake.base_url,
            "LIAISON_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook",
            "LIAISON_WEBHOOK_SECRET": SECRET,
            "LIAISON_WEB_PORT": str(port),
            "LIAISON_DATA_DIR": str(data_dir),
            "LIAISON_DEFAULT_LOCALE": "en",
            "LIAISON_LEADER_LEASE_SECONDS": str(LEASE),
            "LIAISON_DELIVERY_LEASE_SECONDS": "5",
            "LIAISON_DATABASE_POOL_SIZE": "5",
            "LIAISON_LOG_LEVEL": "INFO",
        }
    )
    return env


async def until(
    condition: Callable[[], Awaitable[bool]], what: str, workers: list[Worker], log: Path
) -> float:
    """Wait for ``condition``; fail with the workers' log if one dies or time runs out."""
    started = time.monotonic()
    while not await condition():
        assert time.monotonic() - started < GUARD, f"no {what} within {GUARD} s:\n{logged(log)}"
        for worker in workers:
            assert worker.process.returncode is None, f"a worker died:\n{logged(log)}"
        await asyncio.sleep(0.05)
    return time.monotonic() - started


def logged(path: Path) -> str:
    return path.read_text()


async def healthy(base: str) -> bool:
    try:
        async with aiohttp.ClientSession() as session, session.get(f"{base}/healthz") as answer:
            return answer.status == 200
    except aiohttp.ClientError:
        return False


def help_update(index: int) -> dict[str, Any]:
    return command_json(FIRST_UPDATE + index, FIRST_CHAT + index)


class Page:
    """A browser tab of one web chat, open on one worker."""

    def __init__(self, session: aiohttp.ClientSession, socket: aiohttp.ClientWebSocketResponse):
        self.session = session
        self.socket = socket
        self.chat_id = 0
        self.seen: list[dict[str, Any]] = []

    @classmethod
    async def open(cls, base: str, jar: aiohttp.CookieJar) -> Page:
        session = aiohttp.ClientSession(cookie_jar=jar)
        async with session.get(f"{base}/", headers={"Accept-Language": "en"}) as response:
            assert response.status == 200
        socket = await session.ws_connect(f"{base}/webchat/ws?lang=en")
        page = cls(session, socket)
        hello = await page.next_event()
        assert hello["type"] == "hello"
        page.chat_id = int(hello["chat_id"])
        assert (await page.next_event())["type"] == "history"
        return page

    async def next_event(self) -> dict[str, Any]:
        async with asyncio.timeout(GUARD):
            message = await self.socket.receive()
        assert message.type is aiohttp.WSMsgType.TEXT, message
        event: dict[str, Any] = json.loads(message.data)
        self.seen.append(event)
        return event

    async def wait_for_text(self, fragment: str) -> dict[str, Any]:
        """The next message whose text holds ``fragment`` (a redraw's history counts too)."""
        while True:
            event = await self.next_event()
            for found in [event, *event.get("events", [])]:
                if found.get("type") == "message" and fragment in str(found.get("html")):
                    return found

    def texts_with(self, fragment: str) -> list[int]:
        return [
            int(event["message_id"])
            for event in self.seen
            if event.get("type") == "message" and fragment in str(event.get("html"))
        ]

    async def close(self) -> None:
        await self.socket.close()
        await self.session.close()


async def leader_pid(redis_url: str) -> int | None:
    client = Redis.from_url(redis_url)
    try:
        holder = await client.get("liaison:leader")
    finally:
        await client.aclose()
    return int(holder.decode().split(":")[1]) if holder else None


async def queue_notice(database_url: str, chat_id: int, text_: str) -> None:
    """A notice to the web chat, as the app queues one: a row the leader's loop must send."""
    db = Database(database_url)
    try:
        async with db.session() as session:
            identity = await find_identity(session, channel="web", chat_id=chat_id)
            assert identity is not None
            await enqueue(
                session,
                to=Recipient.of(identity),
                message=Outgoing(text=text_),
                dedupe_key=f"test-notice:{text_}",
                # The workers' clocks started with them, after this one: a little in their past.
                now=RUNNING_CLOCK.now() - dt.timedelta(minutes=5),
                urgent=True,
            )
    finally:
        await db.dispose()


async def notice_sent(database_url: str, text_: str) -> bool:
    """Whether the notice's row is recorded sent: from then on it is no longer in flight."""
    db = Database(database_url)
    try:
        async with db.session() as session:
            state = await session.scalar(
                select(OutboxMessage.state).where(
                    col(OutboxMessage.dedupe_key) == f"test-notice:{text_}"
                )
            )
    finally:
        await db.dispose()
    return state == OutboxState.SENT


async def test_three_workers_share_the_updates_the_pages_and_the_lead(
    database_of_workers: str, redis_url: str, tmp_path: Path
) -> None:
    log_path = tmp_path / "workers.log"
    workers: list[Worker] = []
    pages: list[Page] = []
    async with FakeBotAPI() as fake:
        with log_path.open("w") as log:
            try:
                for _ in range(WORKERS):
                    port = free_port()
                    env = worker_env(port, database_of_workers, redis_url, fake, tmp_path / "var")
                    workers.append(Worker(port, await start_liaison(["run"], env, tmp_path, log)))

                async def all_healthy() -> bool:
                    return all([await healthy(worker.base) for worker in workers])

                await until(all_healthy, "three healthy workers", workers, log_path)

                async def a_leader() -> bool:
                    return await leader_pid(redis_url) is not None

                await until(a_leader, "a leader", workers, log_path)
                by_pid = {worker.process.pid: worker for worker in workers}
                pid = await leader_pid(redis_url)
                assert pid in by_pid
                leader = by_pid[pid]
                followers = [worker for worker in workers if worker is not leader]

                # Updates POSTed round robin: each stored and answered by exactly one worker.
                async with aiohttp.ClientSession() as session:
                    for index in range(RESIDENTS):
                        target = workers[index % WORKERS]
                        async with session.post(
                            target.webhook,
                            json=help_update(index),
                            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                        ) as answer:
                            assert answer.status == 200

                def answers() -> Counter[int]:
                    return Counter(
                        int(call.chat_id or 0)
                        for call in fake.calls_of("sendMessage")
                        if call.ok and isinstance(call.chat_id, int) and call.chat_id >= FIRST_CHAT
                    )

                async def all_answered() -> bool:
                    return len(answers()) == RESIDENTS

                await until(all_answered, "every resident answered", workers, log_path)

                # One chat, two tabs on two followers: each sees what the other's worker drew.
                jar = aiohttp.CookieJar(unsafe=True)
                first = await Page.open(followers[0].base, jar)
                pages.append(first)
                second = await Page.open(followers[1].base, jar)
                pages.append(second)
                assert first.chat_id == second.chat_id
                await first.socket.send_json({"type": "text", "id": "t1", "text": "/help"})
                drawn = await first.wait_for_text("How this works")
                mirrored = await second.wait_for_text("How this works")
                assert mirrored["message_id"] == drawn["message_id"]

                # A notice: sent by the leader's delivery loop, drawn on both followers' tabs.
                await queue_notice(database_of_workers, first.chat_id, "Notice one")
                await first.wait_for_text("Notice one")
                await second.wait_for_text("Notice one")

                async def recorded() -> bool:
                    return await notice_sent(database_of_workers, "Notice one")

                # What was in flight at a kill may go twice; this notice is past that.
                await until(recorded, "the notice recorded as sent", workers, log_path)

                # The leader dies; a follower takes the lead within seconds.
                os.kill(leader.process.pid, signal.SIGKILL)
                await leader.process.wait()

                async def new_leader() -> bool:
                    pid = await leader_pid(redis_url)
                    return pid is not None and pid != leader.process.pid

                took = await until(new_leader, "a new leader", followers, log_path)
                # A lease and a beat; the rest is room for a busy machine.
                assert took <= 10 * LEASE, took
                await queue_notice(database_of_workers, first.chat_id, "Notice two")
                await first.wait_for_text("Notice two")
                await second.wait_for_text("Notice two")

                for worker in followers:
                    worker.process.send_signal(signal.SIGINT)
                for worker in followers:
                    await asyncio.wait_for(worker.process.wait(), timeout=30)
            finally:
                for page in pages:
                    await page.close()
                for worker in workers:
                    await reap(worker.process)

    assert answers() == Counter(dict.fromkeys(range(FIRST_CHAT, FIRST_CHAT + RESIDENTS), 1))
    for page in (first, second):
        assert len(page.texts_with("Notice one")) == 1
        assert len(page.texts_with("Notice two")) == 1
    output = log_path.read_text()
    assert "Traceback" not in output, output
    assert output.count(" leads: the scheduler") >= 2
