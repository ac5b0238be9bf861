"""Held notices: those waiting for the person to write again, for ``liaison outbox``.

A notice is held when its channel may not send it now (the WeChat service account outside
the resident's 48-hour window) and no template message stands in for it. A held row's
``due_at`` is when it was held; ``last_error`` says why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.outbox.queue import OutboxState
from storage.models import OutboxMessage


@dataclass(frozen=True)
class HeldChannel:
    """One channel's held notices: how many, and since when the oldest waits."""

    channel: str
    count: int
    oldest: dt.datetime


async def held_by_channel(session: AsyncSession) -> list[HeldChannel]:
    """Every channel with held notices, by name."""
    rows = (
        await session.execute(
            select(col(OutboxMessage.channel), func.count(), func.min(col(OutboxMessage.due_at)))
            .where(col(OutboxMessage.state) == OutboxState.HELD)
            .group_by(col(OutboxMessage.channel))
            .order_by(col(OutboxMessage.channel))
        )
    ).all()
    return [HeldChannel(channel, int(count), oldest) for channel, count, oldest in rows]


async def held_messages(
    session: AsyncSession, *, channel: str | None = None, limit: int = 100
) -> Sequence[OutboxMessage]:
    """Held notices, the longest waiting first."""
    stmt = select(OutboxMessage).where(col(OutboxMessage.state) == OutboxState.HELD)
    if channel is not None:
        stmt = stmt.where(col(OutboxMessage.channel) == channel)
    stmt = stmt.order_by(col(OutboxMessage.due_at), col(OutboxMessage.id)).limit(limit)
    return (await session.execute(stmt)).scalars().all()
