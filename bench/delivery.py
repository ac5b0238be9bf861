"""How fast and how safely the outbox is delivered: the real delivery loop against the fake
Bot API server, each in a process of its own, on 127.0.0.1.

Run from the repository root: ``.venv/bin/python bench/delivery.py``. One JSON object goes to
stdout, progress to stderr; the exit code is 0 when every target is met, 1 otherwise.

The fake (``tests.support.fake_bot_api.FakeBotAPI``) runs in a child process started from this
file (``--fake-server``), so that the loop's ceiling is not halved by sharing one event loop
with the server it sends to. The child records every call and, when asked over its stdin,
answers on its stdout with what it accepted: how many sendMessage calls, how many were refused
with 429, the arrival times of the first and last accepted one, the busiest second, and how
often it received each message's token. Every message text carries a unique token (its outbox
dedupe key), so "no duplicates" and "none lost" are judged on what the fake actually received,
and "none lost" also against the outbox (every row ``sent``).

The database is a fresh SQLite file, migrated to head, with ``--chats`` (10,000) private chat
identities (one Core insert of the rows ``touch_identity`` writes for a new chat); each phase
works on its own copy of it. Messages are queued with
``services.outbox.queue.add`` before the clock starts, round robin over the phase's chats, so one
chat's next message comes ``chats / rate`` seconds after its previous one: the loop's own
one-message-a-second-per-chat spacing is never what limits the rate. The fake enforces
Telegram's per-chat limit too (one a second, a 429 past it) in every phase.

1. Capped: the fake answers 429 (``retry_after`` 1) past a global cap, a token bucket with a
   burst of one second (``FakeBotAPI.rate_limit``), and the loop's delivery rate is set to the
   cap. 1,500 messages at 30 a second over 500 chats (3 each, 16.7 s apart), then 10,000 at
   300 a second over 1,000 chats (10 each, 3.3 s apart). The achieved rate is counted at the
   fake: accepted messages a second from the first accepted call to the last. The baseline is
   the cap itself, Telegram's bulk limit: a polite loop must get close to it (target: at
   least 95 %) without losing or repeating a message.
2. Ceiling: the same without a global cap (the per-chat limit stays) and with the loop's pace
   out of the way (``--ceiling-rate``, 1,000,000 a second): 10,000 messages over 10,000 chats.
   Target: at least 1,000 accepted messages a second, the most ``LIAISON_DELIVERY_RATE`` can be
   set to. For reference the fake's own ceiling is measured too, with a bare aiohttp client
   (no database, no aiogram, the same 100 connections as aiogram's session), so that a low
   figure can be told apart from a slow fake.
3. Crash: ``liaison outbox deliver`` (the real command, as an operator runs it, configured by
   its environment alone) sends ``--crash-messages`` (3,000) messages over as many chats at
   ``--crash-rate`` (500) a second with a ``--crash-lease`` of 2 s; it is killed with SIGKILL
   once the fake accepted half of them. The outbox is read right after the kill: the rows left
   ``sending`` are what was in flight (claimed, or sent with the result not yet written). Then
   the command is started again until no row is pending or sending. The lease of the killed
   process is the one that matters: it is written into the rows it claimed. Target: every row
   sent, every token received at least once, and no more duplicates than rows ``sending`` at
   the kill. ``--restart loop`` (the default) runs ``liaison outbox deliver`` again and stops
   it with SIGINT once the outbox is empty; ``--restart until-empty`` runs ``liaison outbox
   deliver --until-empty`` (again after a lease while rows are left), each run bounded by
   ``--until-empty-timeout`` so that a run that does not end fails the phase.

A phase stops early, reports what it saw and fails when rows stay pending or sending
``--settle`` (3) seconds after the loop sent as many messages as were queued (their results
were never written; the lease would send them again later) or when nothing moves for
``--stall-timeout`` (15) seconds. ``--phases`` runs a subset.

Delivery runs as in production otherwise: ``DeliveryWorker.run()`` with the wall clock, quiet
hours off, the default batch (200), in-flight limit (400) and lease (120 s), a ``Bot`` with
aiogram's ``AiohttpSession`` and HTML parse mode, the heap settled as ``bot.runner.serve`` does.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import json
import logging
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiogram import Bot  # noqa: E402
from aiogram.client.default import DefaultBotProperties  # noqa: E402
from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402
from sqlmodel import col  # noqa: E402

from bot.delivery import DeliverySettings, DeliveryWorker  # noqa: E402
from bot.heap import settle_heap  # noqa: E402
from services.clock import SystemClock  # noqa: E402
from services.outbox.queue import Outgoing, Recipient, add, stats  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import ChatIdentity, OutboxMessage  # noqa: E402
from storage.queries import table_of  # noqa: E402
from tests.support.fake_bot_api import FakeBotAPI  # noqa: E402

log = logging.getLogger("bench.delivery")

TOKEN = "123456:BENCH-delivery"
FIRST_CHAT_ID = 5_000_000
TEXT_PREFIX = "Outbox bench"
TZ = ZoneInfo("Asia/Shanghai")
NO_QUIET = dt.time(0, 0)
TARGET_SHARE = 0.95
TARGET_CEILING = 1000.0
PER_CHAT_LIMIT = 1.0
QUEUE_CHUNK = 2_000
UNFINISHED = ("pending", "sending")


class PhaseError(Exception):
    """A phase could not finish: it stalled, a process died, or the fake went silent."""


@dataclass(frozen=True)
class Plan:
    """One delivery phase: how many messages over how many chats, the fake's cap, the pace."""

    name: str
    messages: int
    chats: int
    cap: float | None
    rate: float


# --- the fake, in a process of its own -------------------------------------------------------


async def serve_fake(cap: float | None, per_chat: float | None) -> None:
    """Child process: serve a FakeBotAPI, answer ``count`` and ``summary`` on stdin/stdout.

    Prints ``{"port": ...}`` once listening. ``count`` answers the sendMessage calls accepted
    so far; ``summary`` (or the end of stdin) answers everything and stops the server.
    """
    async with FakeBotAPI() as fake:
        fake.rate_limit(cap)
        fake.per_chat_limit(per_chat)
        _say({"port": fake.port})
        while True:
            command = (await asyncio.to_thread(sys.stdin.readline)).strip()
            if command == "count":
                accepted = fake.stats["method_statuses"]["sendMessage", 200]
                _say({"accepted": accepted, "calls": len(fake.calls)})
                continue
            _say(fake_summary(fake))
            return


def _say(payload: dict[str, Any]) -> None:
    with contextlib.suppress(BrokenPipeError):
        print(json.dumps(payload), flush=True)


def fake_summary(fake: FakeBotAPI) -> dict[str, Any]:
    """What the fake saw of sendMessage: statuses, timing of the accepted ones, tokens."""
    calls = fake.calls_of("sendMessage")
    accepted = [call for call in calls if call.ok]
    statuses = Counter(str(call.status) for call in calls)
    tokens = Counter(str(call.params.get("text", "")).rsplit(" ", 1)[-1] for call in accepted)
    times = sorted(call.timestamp for call in accepted)
    seconds = times[-1] - times[0] if len(times) > 1 else 0.0
    return {
        "calls": len(calls),
        "accepted": len(accepted),
        "statuses": dict(statuses),
        "first_to_last_seconds": seconds,
        "achieved_rate": (len(times) - 1) / seconds if seconds > 0 else None,
        "max_in_any_second": _busiest_second(times),
        "tokens": dict(tokens),
        "internal_errors": len(fake.internal_errors),
    }


def _busiest_second(times: Sequence[float]) -> int:
    """The most arrivals in any window of one second (two pointers over sorted times)."""
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


class FakeServer:
    """The parent's handle on a fake child process."""

    def __init__(self, process: asyncio.subprocess.Process, port: int) -> None:
        self.process = process
        self.port = port

    @property
    def base_url(self) -> str:
        """Where the Bot API is served."""
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    async def start(cls, cap: float | None, per_chat: float | None) -> FakeServer:
        """Start the child and wait until it listens."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(SCRIPT),
            "--fake-server",
            "--fake-cap",
            str(cap or 0),
            "--fake-per-chat",
            str(per_chat or 0),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=64 * 1024 * 1024,  # the summary is one long line
        )
        server = cls(process, 0)
        try:
            server.port = int((await server._read(timeout=30.0))["port"])
        except BaseException:
            await server.close()
            raise
        return server

    async def _read(self, timeout: float = 60.0) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), timeout)
        if not line:
            raise PhaseError("the fake Bot API process ended unexpectedly")
        answer: dict[str, Any] = json.loads(line)
        return answer

    async def ask(self, command: str) -> dict[str, Any]:
        """Send one command line, read the one-line JSON answer."""
        assert self.process.stdin is not None
        self.process.stdin.write(f"{command}\n".encode())
        await self.process.stdin.drain()
        return await self._read()

    async def accepted(self) -> int:
        """sendMessage calls accepted so far."""
        return int((await self.ask("count"))["accepted"])

    async def finish(self) -> dict[str, Any]:
        """The final summary; the child stops."""
        try:
            return await self.ask("summary")
        finally:
            await self.close()

    async def close(self) -> None:
        """Make sure the child is gone and its pipes are closed."""
        if self.process.stdin is not None and not self.process.stdin.is_closing():
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), 10.0)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


# --- the database ------------------------------------------------------------------------------


async def build_template(path: Path, chats: int) -> None:
    """A fresh SQLite file at head with ``chats`` private chat identities, WAL checkpointed."""
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await upgrade(db)
        now = SystemClock().now()
        rows = [
            {
                "channel": "telegram",
                "chat_id": FIRST_CHAT_ID + index,
                "chat_type": "private",
                "role": "resident",
                "blocked": False,
                "group_notice_sent": False,
                "created_at": now,
                "last_seen_at": now,
            }
            for index in range(chats)
        ]
        async with db.writing() as session:
            await session.execute(insert(table_of(ChatIdentity)), rows)
        async with db.engine.connect() as connection:
            await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        await db.dispose()


async def open_copy(template: Path, path: Path) -> Database:
    """A copy of the template for one phase."""
    shutil.copyfile(template, path)
    return Database(f"sqlite+aiosqlite:///{path}")


async def queue_messages(db: Database, name: str, messages: int, chats: int) -> None:
    """Queue ``messages`` round robin over the first ``chats`` chats, all due now."""
    async with db.session() as session:
        identities = (
            await session.execute(
                select(ChatIdentity).order_by(col(ChatIdentity.chat_id)).limit(chats)
            )
        ).scalars()
        recipients = [Recipient.of(identity) for identity in identities]
    if len(recipients) < chats:
        raise PhaseError(f"the template holds {len(recipients)} chats, {chats} needed")
    now = SystemClock().now()
    for start in range(0, messages, QUEUE_CHUNK):
        async with db.writing() as session:
            for index in range(start, min(messages, start + QUEUE_CHUNK)):
                token = token_of(name, index)
                await add(
                    session,
                    to=recipients[index % chats],
                    message=Outgoing(text=f"{TEXT_PREFIX} {token}"),
                    dedupe_key=f"bench:{token}",
                    now=now,
                    kind="bench",
                )


def token_of(name: str, index: int) -> str:
    """The unique token of one message; the last word of its text."""
    return f"{name}-{index:06d}"


async def state_counts(db: Database) -> dict[str, int]:
    """Outbox rows by state."""
    async with db.session() as session:
        return (await stats(session, failures=0)).counts


async def unfinished(db: Database) -> int:
    """Rows still pending or sending."""
    async with db.session() as session:
        return int(
            (
                await session.execute(
                    select(func.count()).where(col(OutboxMessage.state).in_(UNFINISHED))
                )
            ).scalar_one()
        )


# --- phases 1 and 2: the loop in this process ------------------------------------------------


def telegram_bot(base_url: str) -> Bot:
    """A Bot as the runner builds it, pointed at the fake."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(base_url))
    return Bot(TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))


async def deliver_until_done(
    worker: DeliveryWorker, db: Database, messages: int, args: argparse.Namespace
) -> tuple[float, str | None]:
    """Run the worker until no row is pending or sending: the seconds it took and a problem.

    The problem is None when every row was finished. Otherwise the run stopped because rows
    stayed pending or sending ``--settle`` seconds after the loop had sent as many messages
    as were queued (their results were never written), or nothing moved for
    ``--stall-timeout`` seconds.
    """
    started = time.perf_counter()
    running = asyncio.create_task(worker.run())
    seen: tuple[int, int] = (-1, -1)
    since = started
    try:
        while True:
            await asyncio.sleep(0.1)
            if running.done():
                running.result()
                raise PhaseError("the delivery loop stopped on its own")
            left = await unfinished(db)
            now = time.perf_counter()
            if left == 0:
                return now - started, None
            if (worker.sent, left) != seen:
                seen, since = (worker.sent, left), now
            elif worker.sent >= messages and now - since > args.settle:
                return now - started, (
                    f"{left} rows still pending or sending {args.settle:g} s after "
                    f"{worker.sent} successful sends: results not written"
                )
            elif now - since > args.stall_timeout:
                return now - started, f"nothing moved for {args.stall_timeout:g} s"
    finally:
        await worker.stop()
        await running


async def unfinished_sample(db: Database, limit: int = 5) -> list[dict[str, Any]]:
    """A few rows that are not sent, to say which and how."""
    async with db.session() as session:
        rows = (
            await session.execute(
                select(
                    col(OutboxMessage.dedupe_key),
                    col(OutboxMessage.state),
                    col(OutboxMessage.attempts),
                    col(OutboxMessage.last_error),
                )
                .where(col(OutboxMessage.state) != "sent")
                .order_by(col(OutboxMessage.id))
                .limit(limit)
            )
        ).all()
    return [
        {"key": key, "state": state, "attempts": attempts, "last_error": error}
        for key, state, attempts, error in rows
    ]


async def delivery_phase(
    plan: Plan, template: Path, directory: Path, args: argparse.Namespace
) -> dict[str, Any]:
    """Queue, start a fake with the plan's cap, deliver everything, check what arrived."""
    db = await open_copy(template, directory / f"{plan.name}.db")
    try:
        await queue_messages(db, plan.name, plan.messages, plan.chats)
        fake = await FakeServer.start(plan.cap, PER_CHAT_LIMIT)
        bot = telegram_bot(fake.base_url)
        try:
            settings = DeliverySettings(
                rates={"telegram": plan.rate},
                quiet_start=NO_QUIET,
                quiet_end=NO_QUIET,
                tz=TZ,
                files_dir=directory / "files",
            )
            worker = DeliveryWorker(db, SystemClock(), {"telegram": bot}, settings)
            settle_heap()
            loop_seconds, problem = await deliver_until_done(worker, db, plan.messages, args)
            seen = await fake.finish()
        finally:
            await bot.session.close()
            await fake.close()
        rows = await state_counts(db)
        sample = await unfinished_sample(db) if problem else []
    finally:
        await db.dispose()
    result = judge_delivery(plan, seen, rows, loop_seconds)
    if problem:
        result.update(problem=problem, not_sent_sample=sample, passed=False)
    return result


def judge_delivery(
    plan: Plan, seen: dict[str, Any], rows: dict[str, int], loop_seconds: float
) -> dict[str, Any]:
    """The phase's figures and whether it met its target."""
    tokens = check_tokens(plan.name, plan.messages, seen["tokens"])
    rate = seen["achieved_rate"]
    result: dict[str, Any] = {
        "messages": plan.messages,
        "chats": plan.chats,
        "messages_per_chat": plan.messages // plan.chats,
        "seconds_between_a_chats_messages": round(plan.chats / plan.rate, 3)
        if plan.messages > plan.chats
        else None,
        "cap": plan.cap,
        "delivery_rate": plan.rate,
        "accepted": seen["accepted"],
        "rejected_429": seen["statuses"].get("429", 0),
        "statuses": seen["statuses"],
        "first_to_last_seconds": round(seen["first_to_last_seconds"], 3),
        "achieved_rate": round(rate, 1) if rate else None,
        "max_in_any_second": seen["max_in_any_second"],
        "loop_seconds": round(loop_seconds, 3),
        "rows": rows,
        "rows_not_sent": plan.messages - rows.get("sent", 0),
        **tokens,
    }
    ok = (
        result["rows_not_sent"] == 0
        and tokens["lost"] == 0
        and tokens["duplicates"] == 0
        and tokens["unexpected"] == 0
        and seen["internal_errors"] == 0
    )
    if plan.cap:
        share = (rate or 0.0) / plan.cap
        result["share_of_cap"] = round(share, 4)
        result["target_share"] = TARGET_SHARE
        ok = ok and share >= TARGET_SHARE
    else:
        result["target_rate"] = TARGET_CEILING
        ok = ok and (rate or 0.0) >= TARGET_CEILING
    result["passed"] = ok
    return result


def check_tokens(name: str, messages: int, received: dict[str, int]) -> dict[str, int]:
    """Tokens never received (lost), received more than once (duplicates), or unknown."""
    expected = {token_of(name, index) for index in range(messages)}
    return {
        "lost": len(expected - received.keys()),
        "duplicates": sum(count - 1 for count in received.values()),
        "duplicated_messages": sum(1 for count in received.values() if count > 1),
        "unexpected": len(received.keys() - expected),
    }


async def fake_ceiling(messages: int, connections: int) -> dict[str, Any]:
    """The fake's own ceiling: a bare aiohttp client, no database, no aiogram."""
    fake = await FakeServer.start(None, PER_CHAT_LIMIT)
    try:
        url = f"{fake.base_url}/bot{TOKEN}/sendMessage"
        numbers = itertools.count()
        connector = aiohttp.TCPConnector(limit=connections)
        async with aiohttp.ClientSession(connector=connector) as http:

            async def sender() -> None:
                while (index := next(numbers)) < messages:
                    form = {
                        "chat_id": str(FIRST_CHAT_ID + index),
                        "text": f"{TEXT_PREFIX} {token_of('raw', index)}",
                        "parse_mode": "HTML",
                    }
                    async with http.post(url, data=form) as answer:
                        await answer.read()

            await asyncio.gather(*(sender() for _ in range(connections)))
        seen = await fake.finish()
    finally:
        await fake.close()
    rate = seen["achieved_rate"]
    return {
        "messages": messages,
        "connections": connections,
        "accepted": seen["accepted"],
        "achieved_rate": round(rate, 1) if rate else None,
    }


# --- phase 3: kill and restart `liaison outbox deliver` ---------------------------------------


def deliver_command(until_empty: bool) -> list[str]:
    """``liaison outbox deliver``: the console script next to this Python, or its equivalent."""
    script = Path(sys.executable).with_name("liaison")
    base = (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]
    )
    return [*base, "outbox", "deliver", *(["--until-empty"] if until_empty else [])]


def deliver_env(url: str, api_url: str, rate: float, lease: int, data_dir: Path) -> dict[str, str]:
    """The environment the command is configured by."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("LIAISON_")}
    env.update(
        {
            "LIAISON_DATABASE_URL": url,
            "LIAISON_TELEGRAM_TOKEN": TOKEN,
            "LIAISON_TELEGRAM_API_URL": api_url,
            "LIAISON_DELIVERY_RATE": f"{rate:g}",
            "LIAISON_DELIVERY_LEASE_SECONDS": str(lease),
            "LIAISON_QUIET_HOURS": "00:00-00:00",
            "LIAISON_DATA_DIR": str(data_dir),
            "LIAISON_LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        }
    )
    return env


async def start_deliverer(
    until_empty: bool, env: dict[str, str], cwd: Path, output: TextIO
) -> asyncio.subprocess.Process:
    """Start the command; its output goes to ``output``. Run where no ``.env`` is read."""
    return await asyncio.create_subprocess_exec(
        *deliver_command(until_empty),
        env=env,
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=output,
        stderr=asyncio.subprocess.STDOUT,
    )


async def reap(process: asyncio.subprocess.Process) -> None:
    """Kill the process if it still runs and wait for it."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
    await process.wait()


def tail(path: Path, lines: int = 5) -> str:
    """The last lines of a log, for an error message."""
    return " | ".join(path.read_text(errors="replace").splitlines()[-lines:])


async def crash_phase(template: Path, directory: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Kill ``liaison outbox deliver`` midway, restart it until empty, count what arrived."""
    name, messages = "crash", args.crash_messages
    path = directory / f"{name}.db"
    db = await open_copy(template, path)
    work = directory / "crash-cwd"  # no .env here: the environment alone configures it
    work.mkdir()
    output_path = directory / "crash-deliver.log"
    try:
        await queue_messages(db, name, messages, min(messages, args.chats))
        fake = await FakeServer.start(None, PER_CHAT_LIMIT)
        try:
            env = deliver_env(
                f"sqlite+aiosqlite:///{path}",
                fake.base_url,
                args.crash_rate,
                args.crash_lease,
                directory / "var",
            )
            with output_path.open("w") as output:
                killed = await run_and_kill(fake, env, work, output, messages, output_path)
                at_kill = await state_counts(db)
                accepted_at_kill = await fake.accepted()
                log.info("killed at %s accepted; rows %s", accepted_at_kill, at_kill)
                restarted, problem = await restart(db, env, work, output, args, output_path)
            seen = await fake.finish()
        finally:
            await fake.close()
        rows = await state_counts(db)
        sample = await unfinished_sample(db) if problem else []
    finally:
        await db.dispose()
    tokens = check_tokens(name, messages, seen["tokens"])
    in_flight = at_kill.get("sending", 0)
    result: dict[str, Any] = {
        "messages": messages,
        "delivery_rate": args.crash_rate,
        "lease_seconds": args.crash_lease,
        "killed_after_seconds": round(killed, 3),
        "accepted_at_kill": accepted_at_kill,
        "rows_at_kill": at_kill,
        "sending_at_kill": in_flight,
        "accepted_but_not_recorded_at_kill": accepted_at_kill - at_kill.get("sent", 0),
        **restarted,
        "accepted": seen["accepted"],
        "statuses": seen["statuses"],
        "rows": rows,
        "rows_not_sent": messages - rows.get("sent", 0),
        **tokens,
    }
    result["passed"] = (
        problem is None
        and in_flight > 0
        and result["rows_not_sent"] == 0
        and tokens["lost"] == 0
        and tokens["unexpected"] == 0
        and tokens["duplicates"] <= in_flight
    )
    if problem:
        result.update(problem=problem, not_sent_sample=sample)
    return result


async def run_and_kill(
    fake: FakeServer,
    env: dict[str, str],
    work: Path,
    output: TextIO,
    messages: int,
    output_path: Path,
) -> float:
    """Start the loop, SIGKILL it once the fake accepted half the messages; seconds it ran."""
    started = time.perf_counter()
    process = await start_deliverer(False, env, work, output)
    try:
        while await fake.accepted() < messages // 2:
            if process.returncode is not None:
                raise PhaseError(f"deliver exited early: {tail(output_path)}")
            if time.perf_counter() - started > 120:
                raise PhaseError(f"deliver sent too little in 120 s: {tail(output_path)}")
            await asyncio.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)
        killed = time.perf_counter() - started
    finally:
        await reap(process)
    return killed


async def restart(
    db: Database,
    env: dict[str, str],
    work: Path,
    output: TextIO,
    args: argparse.Namespace,
    output_path: Path,
) -> tuple[dict[str, Any], str | None]:
    """Start the command again until no row is pending or sending: what it took, a problem.

    ``--restart loop``: one ``liaison outbox deliver``, stopped with SIGINT once the outbox is
    empty. ``--restart until-empty``: ``liaison outbox deliver --until-empty``, run again
    (after a lease) while rows are left, each run given ``--until-empty-timeout`` seconds.
    """
    started = time.perf_counter()
    runs, problem = 0, None
    if args.restart == "loop":
        runs = 1
        process = await start_deliverer(False, env, work, output)
        try:
            problem = await wait_until_empty(db, process, args.stall_timeout, output_path)
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGINT)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(process.wait(), 10.0)
            await reap(process)
    else:
        while problem is None and await unfinished(db):
            if runs == 5:
                problem = f"rows left after {runs} runs: {await state_counts(db)}"
                break
            if runs:
                await asyncio.sleep(args.crash_lease)  # what is left waits for its lease
            runs += 1
            process = await start_deliverer(True, env, work, output)
            try:
                await asyncio.wait_for(process.wait(), args.until_empty_timeout)
            except TimeoutError:
                problem = (
                    f"deliver --until-empty still running after {args.until_empty_timeout:g} s"
                )
            finally:
                await reap(process)
            if problem is None and process.returncode != 0:
                problem = f"deliver --until-empty failed: {tail(output_path)}"
    info = {
        "restart": args.restart,
        "restart_runs": runs,
        "restart_seconds": round(time.perf_counter() - started, 3),
    }
    return info, problem


async def wait_until_empty(
    db: Database, process: asyncio.subprocess.Process, stall_timeout: float, output_path: Path
) -> str | None:
    """Poll the outbox until no row is pending or sending; a problem if it stops moving."""
    seen, since = -1, time.perf_counter()
    while left := await unfinished(db):
        if process.returncode is not None:
            return f"deliver exited with {process.returncode}: {tail(output_path)}"
        now = time.perf_counter()
        if left != seen:
            seen, since = left, now
        elif now - since > stall_timeout:
            return f"{left} rows pending or sending, unchanged for {stall_timeout:g} s"
        await asyncio.sleep(0.1)
    return None


# --- the run and the report --------------------------------------------------------------------


async def run_phase(name: str, work: Any) -> dict[str, Any]:
    """Await one phase; a failure becomes an ``error`` in its result instead of a crash."""
    log.info("%s ...", name)
    started = time.perf_counter()
    try:
        result: dict[str, Any] = await work
    except Exception as error:  # the JSON must say what went wrong, whatever it was
        result = {"error": f"{type(error).__name__}: {error}", "passed": False}
    result["phase_seconds"] = round(time.perf_counter() - started, 1)
    shown = {key: value for key, value in result.items() if key not in ("statuses", "rows")}
    log.info("%s: %s", name, json.dumps(shown))
    return result


PHASES = ("cap30", "cap300", "ceiling", "fake", "crash")
CAPPED = (Plan("cap30", 1_500, 500, 30.0, 30.0), Plan("cap300", 10_000, 1_000, 300.0, 300.0))


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """The chosen phases, one after the other, in the order of ``PHASES``."""
    with tempfile.TemporaryDirectory(prefix="liaison-bench-delivery-") as temp:
        directory = Path(temp)
        template = directory / "template.db"
        await build_template(template, args.chats)
        messages = args.ceiling_messages
        ceiling = Plan("ceiling", messages, min(messages, args.chats), None, args.ceiling_rate)
        results: dict[str, Any] = {}
        for plan in CAPPED:
            if plan.name in args.phases:
                results[plan.name] = await run_phase(
                    f"{plan.messages} at {plan.cap:g}/s",
                    delivery_phase(plan, template, directory, args),
                )
        if "ceiling" in args.phases:
            results["ceiling"] = await run_phase(
                f"{ceiling.messages} uncapped", delivery_phase(ceiling, template, directory, args)
            )
        if "fake" in args.phases:
            results["fake"] = await run_phase(
                "the fake's own ceiling", fake_ceiling(args.ceiling_messages, 100)
            )
        if "crash" in args.phases:
            results["crash"] = await run_phase(
                "kill and restart", crash_phase(template, directory, args)
            )
    return results


def summary(args: argparse.Namespace, results: dict[str, Any], seconds: float) -> dict[str, Any]:
    """The flat JSON report; phases not run are null and do not count."""
    judged = [results[name] for name in ("cap30", "cap300", "ceiling", "crash") if name in results]
    return {
        "benchmark": "delivery",
        "database": "sqlite",
        "fake": "separate process; per-chat limit 1/s in every phase",
        "capped_30": results.get("cap30"),
        "capped_300": results.get("cap300"),
        "ceiling": results.get("ceiling"),
        "fake_ceiling_bare_client": results.get("fake"),
        "crash": results.get("crash"),
        "targets": {
            "share_of_cap": TARGET_SHARE,
            "ceiling_per_second": TARGET_CEILING,
            "crash_duplicates": "<= rows sending at the kill",
        },
        "passed": bool(judged) and all(result.get("passed") for result in judged),
        "run_seconds": round(seconds, 1),
        "python": platform.python_version(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
    }


def phase_list(text: str) -> list[str]:
    """``--phases``: a comma-separated subset of ``PHASES``."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in PHASES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(PHASES)}")
    return names


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument(
        "--phases", type=phase_list, default=list(PHASES), help=f"some of {','.join(PHASES)}"
    )
    parser.add_argument("--chats", type=int, default=10_000, help="chat identities")
    parser.add_argument("--ceiling-messages", type=int, default=10_000, help="uncapped run")
    parser.add_argument(
        "--ceiling-rate", type=float, default=1_000_000.0, help="the pace when uncapped"
    )
    parser.add_argument("--crash-messages", type=int, default=3_000, help="kill-and-restart run")
    parser.add_argument("--crash-rate", type=float, default=500.0, help="LIAISON_DELIVERY_RATE")
    parser.add_argument("--crash-lease", type=int, default=2, help="LIAISON_DELIVERY_LEASE_SECONDS")
    parser.add_argument(
        "--restart",
        choices=["loop", "until-empty"],
        default="loop",
        help="how the crashed command is started again",
    )
    parser.add_argument(
        "--until-empty-timeout", type=float, default=30.0, help="seconds a restart may take"
    )
    parser.add_argument(
        "--settle", type=float, default=3.0, help="seconds rows may stay unfinished after all sent"
    )
    parser.add_argument("--stall-timeout", type=float, default=15.0, help="seconds")
    parser.add_argument("--fake-server", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fake-cap", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--fake-per-chat", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.chats < 1_000 or args.crash_messages < 10:
        parser.error("need at least 1,000 chats and 10 crash messages")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with ``--fake-server``, the fake's process)."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.fake_server:
        asyncio.run(serve_fake(args.fake_cap or None, args.fake_per_chat or None))
        return 0
    log.setLevel(logging.INFO)
    started = time.perf_counter()
    results = asyncio.run(run(args))
    result = summary(args, results, time.perf_counter() - started)
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
