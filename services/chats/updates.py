"""Processed update ids: each update is handled once, a replay is acknowledged and ignored."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.db import write_transaction
from storage.models import ProcessedUpdate
from storage.queries import insert_ignore, table_of

KEEP_PROCESSED_UPDATES = dt.timedelta(days=14)


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


async def prune_processed_updates(session: AsyncSession, *, now: dt.datetime) -> int:
    """Forget update ids older than two weeks (Telegram never redelivers that late)."""
    async with write_transaction(session):
        result = await session.execute(
            delete(ProcessedUpdate).where(
                col(ProcessedUpdate.processed_at) < now - KEEP_PROCESSED_UPDATES
            )
        )
    return int(getattr(result, "rowcount", 0))
