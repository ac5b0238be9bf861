"""Faults injected during the year, each returning a small report for the JSON.

- ``kill_mid_delivery``: waits (briefly) until the outbox holds rows in ``sending``, then
  SIGKILLs a worker and starts it again; the rows it held are sent again once their lease
  runs out, so what was in flight may arrive twice and nothing is lost.
- ``storm_429``: the fake answers 429 (``retry_after`` 1) past two messages a second, for a
  few real seconds, as Telegram does under a flood.
- ``drop_redis_clients``: ``CLIENT KILL`` of every connection on our Redis database only (the
  server is shared, so it is never restarted).
- ``drop_postgres_connections``: ``pg_terminate_backend`` on every connection to our
  database only.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlmodel import col

from bench.cityyear_app import Worker
from bench.cityyear_platform import CityFake
from storage.db import Database
from storage.models import OutboxMessage


async def rows_sending(db: Database) -> int:
    """Outbox rows held by a sender right now."""
    async with db.session() as session:
        query = select(func.count()).where(col(OutboxMessage.state) == "sending")
        return int((await session.execute(query)).scalar_one())


async def kill_mid_delivery(worker: Worker, db: Database, wait: float = 20.0) -> dict[str, Any]:
    """SIGKILL the worker while it holds rows in ``sending`` (or after ``wait`` s), restart."""
    deadline = time.monotonic() + wait
    held = await rows_sending(db)
    while held == 0 and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
        held = await rows_sending(db)
    worker.kill()
    assert worker.process is not None
    await worker.process.wait()
    started = time.monotonic()
    await worker.start()
    return {
        "fault": "worker killed with SIGKILL and restarted",
        "worker_port": worker.port,
        "rows_sending_at_kill": held,
        "restart_seconds": round(time.monotonic() - started, 1),
    }


async def storm_429(
    fake: CityFake, seconds: float = 4.0, per_second: float = 2.0
) -> dict[str, Any]:
    """Cap the fake at ``per_second`` for ``seconds``: 429 with retry_after past the cap."""
    before = fake.stats["statuses"][429]
    fake.rate_limit(per_second)
    await asyncio.sleep(seconds)
    fake.rate_limit(None)
    return {
        "fault": f"429 storm: {per_second:g} messages a second for {seconds:g} s",
        "answered_429": fake.stats["statuses"][429] - before,
    }


async def drop_redis_clients(redis_url: str) -> dict[str, Any]:
    """Kill every client connection on our Redis database (never the server)."""
    from redis.asyncio import Redis

    database = int(urlsplit(redis_url).path.strip("/") or 0)
    client = Redis.from_url(redis_url)
    try:
        clients = await client.client_list()
        own = await client.client_id()
        killed = 0
        for entry in clients:
            if int(entry.get("db", -1)) == database and int(entry["id"]) != own:
                killed += int(bool(await client.client_kill_filter(_id=int(entry["id"]))))
    finally:
        await client.aclose()
    return {"fault": f"Redis connections on db {database} killed", "killed": killed}


async def drop_postgres_connections(admin_dsn: str, database: str) -> dict[str, Any]:
    """Terminate every backend connected to our PostgreSQL database."""
    import asyncpg

    connection = await asyncpg.connect(admin_dsn)
    try:
        rows = await connection.fetch(
            "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
    finally:
        await connection.close()
    return {
        "fault": f"PostgreSQL connections to {database} terminated",
        "terminated": sum(bool(row["done"]) for row in rows),
    }
