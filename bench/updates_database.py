"""The database of ``bench/updates.py``: a fresh one per run, and what it must hold afterwards.

An SQLite file by default; with a server URL (``postgresql+asyncpg://...``) a new database
created on that server and dropped afterwards. Either is migrated to head with the reference
data (stations, categories) loaded, which is all the report flow needs.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlmodel import col

from services.demo.data import load_reference_data, read_demo_data
from storage.db import Database
from storage.migrate import upgrade
from storage.models import ChatIdentity, Issue, Resident


class IssuesMismatchError(Exception):
    """The chats of a phase do not own exactly one issue each, with distinct case numbers."""


async def open_database(
    directory: Path, server_url: str | None, prefix: str = "liaison_bench"
) -> Database:
    """A fresh database at head with the reference data: an SQLite file, or one on a server.

    A server's database is named ``prefix`` and a random suffix.
    """
    url = f"sqlite+aiosqlite:///{directory / 'bench.db'}"
    if server_url is not None:
        admin_url = make_url(server_url)
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        await _on_server(admin_url, f'CREATE DATABASE "{name}"')
        url = admin_url.set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    await upgrade(db)
    async with db.writing() as session:
        await load_reference_data(session, read_demo_data())
    return db


async def _on_server(admin_url: Any, statement: str) -> None:
    admin = Database(admin_url)
    try:
        async with admin.engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(statement))
    finally:
        await admin.dispose()


async def drop_database(db: Database, server_url: str | None) -> None:
    """Drop the database created on a server for this run."""
    if server_url is not None:
        await _on_server(
            make_url(server_url), f'DROP DATABASE IF EXISTS "{db.url.database}" WITH (FORCE)'
        )


async def check_issues(db: Database, chat_ids: range, answered: list[str]) -> None:
    """The phase's chats own exactly one issue each, with distinct case numbers.

    ``answered`` are the case numbers the bot told the residents; they must be the stored ones.
    """
    stmt = (
        select(col(Issue.number))
        .join(Resident, col(Resident.id) == col(Issue.resident_id))
        .join(ChatIdentity, col(ChatIdentity.id) == col(Resident.identity_id))
        .where(col(ChatIdentity.chat_id).between(chat_ids.start, chat_ids.stop - 1))
    )
    async with db.session() as session:
        stored = list((await session.execute(stmt)).scalars())
        total = (await session.execute(select(func.count()).select_from(Issue))).scalar_one()
    expected = len(chat_ids)
    if len(set(stored)) != expected or len(stored) != expected or set(stored) != set(answered):
        raise IssuesMismatchError(
            f"expected {expected} issues with distinct numbers, found {len(stored)} "
            f"({len(set(stored))} distinct; {len(answered)} numbers answered; {total} in all)"
        )
