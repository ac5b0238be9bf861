"""Processed update ids: each update is handled once, a replay is acknowledged and ignored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.db import write_transaction
from storage.models import InboxUpdate, ProcessedUpdate
from storage.queries import insert_ignore, insert_ignore_many, table_of

KEEP_PROCESSED_UPDATES = dt.timedelta(days=14)


async def adopt_waiting_updates(
    session: AsyncSession, *, bot_id: int, owner: str, alive: Iterable[str], waiting: str
) -> int:
    """Give ``owner`` the stored updates still ``waiting`` whose worker is not ``alive``.

    Rows stored before workers put their names on them have no owner and are adopted too.
    Of two workers adopting at once, each row goes to one: the second finds it owned by a
    worker alive. Returns how many rows were adopted; the caller commits.
    """
    statement = (
        update(InboxUpdate)
        .where(
            col(InboxUpdate.bot_id) == bot_id,
            col(InboxUpdate.state) == waiting,
            or_(col(InboxUpdate.owner).is_(None), col(InboxUpdate.owner).not_in(list(alive))),
        )
        .values(owner=owner)
    )
    return int(getattr(await session.execute(statement), "rowcount", 0))


async def claim_update(
    session: AsyncSession, *, bot_id: int, update_id: int, now: dt.datetime
) -> bool:
    """Record an update id; True if it is new, False if it was seen before."""
    async with write_transaction(session):
        return await insert_ignore(
            session,
            table_of(ProcessedUpdate),
            {"bot_id": bot_id, "update_id": update_id, "processed_at": now},
            conflict_columns=["bot_id", "update_id"],
        )


async def record_updates(
    session: AsyncSession, *, keys: Iterable[tuple[int, int]], now: dt.datetime
) -> int:
    """Record ``(bot_id, update_id)`` pairs in the caller's write transaction; count the new.

    One statement for every pair (a group commit hands over many at once).
    """
    rows = [
        {"bot_id": bot_id, "update_id": update_id, "processed_at": now}
        for bot_id, update_id in dict.fromkeys(keys)
    ]
    return await insert_ignore_many(
        session, table_of(ProcessedUpdate), rows, conflict_columns=["bot_id", "update_id"]
    )


async def is_processed(session: AsyncSession, *, bot_id: int, update_id: int) -> bool:
    """Whether an update id was recorded."""
    stmt = select(col(ProcessedUpdate.update_id)).where(
        col(ProcessedUpdate.bot_id) == bot_id, col(ProcessedUpdate.update_id) == update_id
    )
    return (await session.execute(stmt)).first() is not None


async def highest_processed(session: AsyncSession, *, bot_id: int) -> int | None:
    """The highest update id recorded for a bot, or None when there is none."""
    stmt = select(func.max(col(ProcessedUpdate.update_id))).where(
        col(ProcessedUpdate.bot_id) == bot_id
    )
    value = (await session.execute(stmt)).scalar_one_or_none()
    return int(value) if value is not None else None


async def prune_processed_updates(session: AsyncSession, *, now: dt.datetime) -> int:
    """Forget update ids older than two weeks (Telegram never redelivers that late)."""
    async with write_transaction(session):
        result = await session.execute(
            delete(ProcessedUpdate).where(
                col(ProcessedUpdate.processed_at) < now - KEEP_PROCESSED_UPDATES
            )
        )
    return int(getattr(result, "rowcount", 0))
