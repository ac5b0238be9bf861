"""``bench/updates.py --workers N``: the report flow's rate over real ``liaison run`` workers.

Three configurations, each on a fresh database: one worker on SQLite (for reference; left out
with ``--no-sqlite``), one worker on the server database (``--database``, as ``updbench_*``)
with Redis (``--redis``, flushed first), then N workers sharing that database and Redis. For
each, the workers are started (``bench/updates_processes.py``) against one lean fake Bot API
for the whole run (``bench/updates_fake.py``), and once every one answers ``/healthz`` and
registered its webhook they are warmed up, then ``--residents`` residents walk the report
flow at once (``bench/updates_driver.py``). The rate is updates answered per second, end to
end: from the first post to the last answer reaching the fake. Afterwards the inbox must be
empty and every chat must own exactly one issue, with distinct case numbers, the ones the
bot told the residents.

Before each configuration, with no worker running, one round of aiogram alone runs in this
process as phase 0 of the in-process benchmark does; the median round is the baseline every
rate is divided by. CPU seconds over the measured walk are read from ``/proc``
(``bench/updates_cpu.py``) for the workers, the database backends serving this database,
Redis, the fake, the driver and the whole machine.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import platform
import random
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from redis.asyncio import Redis
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlmodel import col

from bench.updates_cpu import CpuMeter, pids_named
from bench.updates_database import check_issues, drop_database, open_database
from bench.updates_driver import Drive, Replies, throughput
from bench.updates_fake import FakeProcess
from bench.updates_flow import UPDATES_PER_RESIDENT, Updates
from bench.updates_processes import (
    SECRET,
    TOKEN,
    Worker,
    start_workers,
    stop_workers,
    wait_ready,
)
from storage.db import Database
from storage.models import InboxUpdate, ProcessedUpdate

log = logging.getLogger("bench.updates")

TARGET_SCALING = 1.5
WARMUP_PER_WORKER = 5
FIRST_CHAT = 20_000_000
CHATS_PER_CONFIGURATION = 1_000_000

AiogramAlone = Callable[[int], Awaitable[dict[str, Any]]]


async def scalar(db: Database, query: Any) -> int:
    """One count."""
    async with db.session() as session:
        return int((await session.execute(query)).scalar_one())


async def inbox_drained(db: Database, timeout: float) -> int:
    """Wait until no stored update is left unhandled; how many were left at the deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    waiting = select(func.count()).where(col(InboxUpdate.state) == "received")
    while True:
        left = await scalar(db, waiting)
        if not left or loop.time() > deadline:
            return left
        await asyncio.sleep(0.1)


async def backends(db: Database) -> list[int]:
    """The server processes serving this database (PostgreSQL); none on SQLite."""
    if db.url.get_backend_name() != "postgresql":
        return []
    async with db.session() as session:
        query = text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        return [int(pid) for pid in (await session.execute(query)).scalars()]


def describe(error: BaseException) -> str:
    """One line for an exception, the first one of a group."""
    if isinstance(error, BaseExceptionGroup):
        more = len(error.exceptions) - 1
        return describe(error.exceptions[0]) + (f" (and {more} more)" if more else "")
    return f"{type(error).__name__}: {(str(error).splitlines() or [''])[0]}"


def meter_for(workers: list[Worker], fake: FakeProcess, database: list[int]) -> CpuMeter:
    """Workers, database backends (a list the caller may extend), Redis, fake, driver."""
    return CpuMeter(
        {
            "workers": lambda: [worker.process.pid for worker in workers],
            "database": lambda: database,
            "redis": lambda: pids_named(["redis-server"]),
            "fake_bot_api": lambda: [fake.process.pid],
            "driver": lambda: [os.getpid()],
        }
    )


async def configuration(
    args: Any,
    fake: FakeProcess,
    replies: Replies,
    updates: Updates,
    directory: Path,
    number: int,
    count: int,
    server_url: str | None,
    redis_url: str | None,
) -> dict[str, Any]:
    """One configuration on a fresh database: warm-up, the measured walk, the checks."""
    started = time.perf_counter()
    db = await open_database(directory, server_url, prefix="updbench")
    log.info("database ready after %.1f s", time.perf_counter() - started)
    if redis_url is not None:
        async with Redis.from_url(redis_url) as redis:
            await redis.flushdb()
    database_url = db.url.render_as_string(hide_password=False)
    workers = await start_workers(
        count,
        database_url,
        redis_url,
        fake.base_url,
        directory,
        args.worker_log_level,
        args.worker_env,
    )
    result: dict[str, Any] = {"workers": count, "database": db.url.get_backend_name()}
    result["redis"] = redis_url is not None
    try:
        await wait_ready(workers, replies, timeout=120.0)
        log.info("%d worker(s) ready after %.1f s", count, time.perf_counter() - started)
        # Telegram opens at most ``max_connections`` (default 40) to a webhook; the proxy in
        # front of the workers spreads them, so each worker sees its share at once.
        share = max(1, math.ceil(args.connections / count))
        connector = aiohttp.TCPConnector(limit=0, limit_per_host=share)
        async with aiohttp.ClientSession(connector=connector) as http:
            drive = Drive(
                http=http,
                webhooks=[worker.webhook for worker in workers],
                secret=SECRET,
                bot_id=int(TOKEN.split(":")[0]),
                replies=replies,
                updates=updates,
                rng=random.Random(args.seed),
                step_timeout=args.step_timeout,
            )
            first = FIRST_CHAT + number * CHATS_PER_CONFIGURATION
            await throughput(drive, range(first, first + WARMUP_PER_WORKER * count))
            start = first + CHATS_PER_CONFIGURATION // 2
            chats = range(start, start + args.residents)
            log.info("warmed up after %.1f s", time.perf_counter() - started)
            database = await backends(db)
            meter = meter_for(workers, fake, database)
            meter.start()
            measured = await throughput(drive, chats)
            database.extend(pid for pid in await backends(db) if pid not in database)
            result.update(measured)
            result.update(meter.stop(measured["seconds"]))
            # Per update, the machine's other load does not enter: where a worker's time goes.
            result["cpu_ms_per_update"] = {
                name: round(seconds * 1000 / measured["updates"], 2)
                for name, seconds in result["cpu_seconds"].items()
            }
        result["left_unhandled"] = await inbox_drained(db, timeout=30.0)
        await check_issues(db, chats, drive.case_numbers[-args.residents :])
        result["one_issue_per_chat"] = True
        result["updates_recorded"] = await scalar(
            db, select(func.count()).select_from(ProcessedUpdate)
        )
        result["updates_posted"] = drive.handled
    except Exception as error:  # the JSON must say what went wrong, whatever it was
        result["error"] = describe(error)
        result["one_issue_per_chat"] = False
        log.error("%s workers failed: %s", count, result["error"])
    finally:
        await stop_workers(workers)
        log.info("workers stopped after %.1f s", time.perf_counter() - started)
        errors = [line for worker in workers for line in worker.errors()]
        result["errors_logged"] = len(errors)
        result["first_errors"] = errors[:3]
        # Logged at INFO only: counted when --worker-log-level INFO.
        result["replays_ignored"] = sum(worker.count("replayed update") for worker in workers)
        await db.dispose()
        await drop_database(db, server_url)
    for key, digits in (("seconds", 3), ("updates_per_second", 1)):
        if isinstance(result.get(key), float):
            result[key] = round(result[key], digits)
    return result


async def workers_mode(args: Any, directory: Path, aiogram_alone: AiogramAlone) -> dict[str, Any]:
    """aiogram alone before each configuration, the configurations, then the summary."""
    kind = make_url(args.database).get_backend_name()
    plan = [] if args.no_sqlite else [("sqlite_1_worker", 1, None, None)]
    plan.append((f"{kind}_1_worker", 1, args.database, args.redis))
    plan.append((f"{kind}_{args.workers}_workers", args.workers, args.database, args.redis))
    fake = await FakeProcess.start()
    replies = Replies()
    reading = asyncio.create_task(replies.read(fake))
    updates = Updates()
    rounds: list[dict[str, Any]] = []
    runs: dict[str, dict[str, Any]] = {}
    try:
        for number, (name, count, server_url, redis_url) in enumerate(plan):
            rounds.append(await aiogram_alone(number + 1))
            log.info("%s ...", name)
            folder = directory / name
            folder.mkdir()
            runs[name] = await configuration(
                args, fake, replies, updates, folder, number, count, server_url, redis_url
            )
            log.info("%s: %s", name, runs[name])
    finally:
        await fake.close()
        await reading
    return summary(args, rounds, runs, [name for name, *_ in plan], replies)


def _rate(run: dict[str, Any]) -> float | None:
    return None if "error" in run else float(run["updates_per_second"])


def _ratio(top: float | None, bottom: float | None) -> float | None:
    return round(top / bottom, 3) if top and bottom else None


def summary(
    args: Any,
    rounds: list[dict[str, Any]],
    runs: dict[str, dict[str, Any]],
    names: list[str],
    replies: Replies,
) -> dict[str, Any]:
    """The flat JSON report of the workers mode."""
    ok_rounds = sorted(
        (phase for phase in rounds if "error" not in phase),
        key=lambda phase: float(phase["updates_per_second"]),
    )
    plain = ok_rounds[(len(ok_rounds) - 1) // 2] if ok_rounds else None
    plain_rate = float(plain["updates_per_second"]) if plain else None
    *reference, single, multi = (runs[name] for name in names)
    sqlite = reference[0] if reference else {"error": "left out (--no-sqlite)"}
    scaling = _ratio(_rate(multi), _rate(single))
    correct = all(
        run.get("one_issue_per_chat") and not run.get("left_unhandled") and not run["errors_logged"]
        for run in runs.values()
    )
    return {
        "benchmark": "updates",
        "mode": "workers",
        "workers": args.workers,
        "database": single["database"],
        "residents_in_flight": args.residents,
        "updates_per_resident": UPDATES_PER_RESIDENT,
        "aiogram_alone": plain,
        "aiogram_alone_rounds": rounds,
        "rate_sqlite_1_worker": _rate(sqlite),
        "rate_1_worker": _rate(single),
        "rate_n_workers": _rate(multi),
        "ratio_n_to_1": scaling,
        "target_ratio_n_to_1": TARGET_SCALING,
        "ratio_sqlite_1_worker_to_aiogram": _ratio(_rate(sqlite), plain_rate),
        "ratio_1_worker_to_aiogram": _ratio(_rate(single), plain_rate),
        "ratio_n_workers_to_aiogram": _ratio(_rate(multi), plain_rate),
        "one_issue_per_chat": all(run.get("one_issue_per_chat") for run in runs.values()),
        "correct": correct,
        "configurations": runs,
        "fake_bot_api_calls": replies.method_counts,
        "connections": args.connections,
        "worker_env": args.worker_env,
        "seed": args.seed,
        "passed": correct and scaling is not None and scaling >= TARGET_SCALING,
        "python": platform.python_version(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
    }
