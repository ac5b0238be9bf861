"""A crash in the middle of delivery: ``liaison outbox deliver`` or ``run`` killed, restarted.

The real command runs in a subprocess, configured by its environment alone, against a SQLite
file and the in-repo fake Bot API (in this process; the command is the only client). It is
killed with SIGKILL once the fake accepted a third of the messages; the rows left ``sending``
at that moment are what was in flight. A second run, started after the kill and stopped once
the outbox is empty, must send everything else: no message lost, and no more duplicates than
rows that were in flight at the kill.

``outbox deliver`` may run next to ``run``, so it waits out the killed run's lease (two seconds
here). ``run`` leads the installation: it knows the killed process is gone and sends its rows
at once, so its test keeps the default lease of two minutes and still finishes in seconds.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from services.accounts.identities import touch_identity
from services.outbox.queue import OutboxState, Outgoing, Recipient, add, stats
from storage.db import Database, write_transaction
from storage.models import OutboxMessage
from tests.conftest import RUNNING_CLOCK
from tests.support.fake_bot_api import FakeBotAPI
from tests.support.processes import free_port, reap, start_liaison

TOKEN = "424242:crash-test"
MESSAGES = 300
KILL_AFTER = 100  # accepted by the fake
RATE = 150  # messages a second: two seconds of sending in all
# The killed run's lease, for ``outbox deliver``: it decides when its rows may be sent again.
LEASE_SECONDS = 2
FIRST_CHAT = 7_000_000
TEXT = "Crash test message"


@pytest.fixture
def fake(fake: FakeBotAPI) -> FakeBotAPI:
    fake.per_chat_limit(1.0)  # Telegram's one a second per chat: a 429 past it
    return fake


def deliver_env(
    database_url: str, fake: FakeBotAPI, data_dir: Path, command: list[str]
) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("LIAISON_")}
    env.update(
        {
            "LIAISON_DATABASE_URL": database_url,
            "LIAISON_TELEGRAM_TOKEN": TOKEN,
            "LIAISON_TELEGRAM_API_URL": fake.base_url,
            "LIAISON_DELIVERY_RATE": str(RATE),
            "LIAISON_DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
            "LIAISON_QUIET_HOURS": "00:00-00:00",
            "LIAISON_DATA_DIR": str(data_dir),
            "LIAISON_LOG_LEVEL": "WARNING",
        }
    )
    if command == ["run"]:
        del env["LIAISON_DELIVERY_LEASE_SECONDS"]  # the default, two minutes
        env["LIAISON_WEB_PORT"] = str(free_port())
    return env


async def queue(db: Database) -> set[str]:
    """One message to each of MESSAGES chats; their tokens (the last word of each text)."""
    now = RUNNING_CLOCK.now()
    people: list[Recipient] = []
    async with db.session() as session:
        for index in range(MESSAGES):
            identity = await touch_identity(
                session,
                channel="telegram",
                chat_id=FIRST_CHAT + index,
                chat_type="private",
                now=now,
            )
            people.append(Recipient.of(identity))
    tokens = {f"crash-{index:04d}" for index in range(MESSAGES)}
    async with db.session() as session, write_transaction(session):
        for person, token in zip(people, sorted(tokens), strict=True):
            await add(
                session,
                to=person,
                message=Outgoing(text=f"{TEXT} {token}"),
                dedupe_key=f"crash:{token}",
                now=now,
            )
    return tokens


async def counts(db: Database) -> dict[str, int]:
    async with db.session() as session:
        return (await stats(session, failures=0)).counts


async def unfinished(db: Database) -> int:
    async with db.session() as session:
        query = select(func.count()).where(
            col(OutboxMessage.state).in_([OutboxState.PENDING, OutboxState.SENDING])
        )
        return int((await session.execute(query)).scalar_one())


def accepted(fake: FakeBotAPI) -> list[str]:
    """The token of every sendMessage the fake accepted, in order."""
    return [
        str(call.params["text"]).rsplit(" ", 1)[-1]
        for call in fake.calls_of("sendMessage")
        if call.ok
    ]


@pytest.mark.parametrize("command", [["outbox", "deliver"], ["run"]], ids=["deliver", "run"])
async def test_a_killed_deliverer_loses_nothing_and_repeats_only_what_was_in_flight(
    command: list[str], sqlite_url: str, sqlite_db: Database, fake: FakeBotAPI, tmp_path: Path
) -> None:
    tokens = await queue(sqlite_db)
    env = deliver_env(sqlite_url, fake, tmp_path / "var", command)
    log_path = tmp_path / "deliver.log"
    with log_path.open("w") as log:
        first = await start_liaison(command, env, tmp_path, log)
        try:
            await fake.wait_for(
                lambda: len(accepted(fake)) >= KILL_AFTER or first.returncode is not None,
                timeout=30,
                what=f"{KILL_AFTER} messages accepted",
            )
            assert first.returncode is None, log_path.read_text()
            os.kill(first.pid, signal.SIGKILL)
            await first.wait()
        finally:
            await reap(first)
        at_kill = await counts(sqlite_db)
        in_flight = at_kill[OutboxState.SENDING]
        assert at_kill[OutboxState.SENT] < MESSAGES
        assert in_flight > 0, at_kill

        second = await start_liaison(command, env, tmp_path, log)
        try:
            deadline = time.monotonic() + 30
            while await unfinished(sqlite_db):
                assert second.returncode is None, log_path.read_text()
                assert time.monotonic() < deadline, await counts(sqlite_db)
                await asyncio.sleep(0.1)
            second.send_signal(signal.SIGINT)
            await asyncio.wait_for(second.wait(), timeout=10)
        finally:
            await reap(second)

    assert await counts(sqlite_db) == {**dict.fromkeys(OutboxState, 0), "sent": MESSAGES}
    received = Counter(accepted(fake))
    assert set(received) == tokens  # every message arrived, nothing else did
    duplicates = sum(count - 1 for count in received.values())
    assert duplicates <= in_flight, (duplicates, at_kill)
    assert {call.status for call in fake.calls_of("sendMessage")} == {200}
