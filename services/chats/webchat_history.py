"""Each web chat's history in the database: the frames its page draws, newest N kept.

A page that opens (or reopens after a restart) draws the chat from here. Entries are the JSON
frames the page understands; the bot's own messages are updated in place when edited.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from services.privacy.redact import redact
from storage.db import write_transaction
from storage.models import WebChatHistoryEntry
from storage.queries import insert_ignore, table_of


async def add_entry(
    session: AsyncSession,
    *,
    chat_id: int,
    message_id: int,
    frame: Mapping[str, Any],
    now: dt.datetime,
    keep: int,
) -> None:
    """Store a frame and drop the chat's entries beyond the newest ``keep``."""
    async with write_transaction(session):
        await insert_ignore(
            session,
            table_of(WebChatHistoryEntry),
            {
                "chat_id": chat_id,
                "message_id": message_id,
                "frame": json.dumps(frame, ensure_ascii=False),
                "created_at": now,
            },
            conflict_columns=["chat_id", "message_id"],
        )
        cutoff = (
            select(col(WebChatHistoryEntry.message_id))
            .where(col(WebChatHistoryEntry.chat_id) == chat_id)
            .order_by(col(WebChatHistoryEntry.message_id).desc())
            .offset(keep - 1)
            .limit(1)
            .scalar_subquery()
        )
        await session.execute(
            delete(WebChatHistoryEntry).where(
                col(WebChatHistoryEntry.chat_id) == chat_id,
                col(WebChatHistoryEntry.message_id) < cutoff,
            )
        )


async def load_history(session: AsyncSession, *, chat_id: int, limit: int) -> list[dict[str, Any]]:
    """The chat's newest ``limit`` frames, oldest first."""
    rows = await session.execute(
        select(col(WebChatHistoryEntry.frame))
        .where(col(WebChatHistoryEntry.chat_id) == chat_id)
        .order_by(col(WebChatHistoryEntry.message_id).desc())
        .limit(limit)
    )
    frames: list[dict[str, Any]] = [json.loads(frame) for frame in rows.scalars()]
    frames.reverse()
    return frames


async def find_message(
    session: AsyncSession, *, chat_id: int, message_id: int
) -> dict[str, Any] | None:
    """One of the bot's messages in the chat's history, or None."""
    raw = (
        await session.execute(
            select(col(WebChatHistoryEntry.frame)).where(
                col(WebChatHistoryEntry.chat_id) == chat_id,
                col(WebChatHistoryEntry.message_id) == message_id,
            )
        )
    ).scalar_one_or_none()
    if raw is None:
        return None
    frame: dict[str, Any] = json.loads(raw)
    return frame if frame.get("type") == "message" else None


async def update_message(
    session: AsyncSession, *, chat_id: int, message_id: int, changes: Mapping[str, Any]
) -> bool:
    """Change fields of one of the bot's stored messages; whether it was there."""
    async with write_transaction(session):
        frame = await find_message(session, chat_id=chat_id, message_id=message_id)
        if frame is None:
            return False
        frame.update(changes)
        await session.execute(
            update(WebChatHistoryEntry)
            .where(
                col(WebChatHistoryEntry.chat_id) == chat_id,
                col(WebChatHistoryEntry.message_id) == message_id,
            )
            .values(frame=json.dumps(frame, ensure_ascii=False))
        )
    return True


async def remove_message(session: AsyncSession, *, chat_id: int, message_id: int) -> bool:
    """Delete one message from the chat's history; whether it was there."""
    async with write_transaction(session):
        result = await session.execute(
            delete(WebChatHistoryEntry).where(
                col(WebChatHistoryEntry.chat_id) == chat_id,
                col(WebChatHistoryEntry.message_id) == message_id,
            )
        )
    return bool(getattr(result, "rowcount", 0))


async def forget_history(session: AsyncSession, *, chat_id: int) -> int:
    """Delete the chat's whole history in the caller's transaction; how many entries went."""
    result = await session.execute(
        delete(WebChatHistoryEntry).where(col(WebChatHistoryEntry.chat_id) == chat_id)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def redact_histories(session: AsyncSession, phones: Collection[str]) -> int:
    """Cut phone numbers out of every chat's stored frames, in the caller's transaction.

    Returns how many frames changed.
    """
    needles = sorted({phone for phone in phones if len(phone) >= 6})
    if not needles:
        return 0
    matching = or_(
        *(col(WebChatHistoryEntry.frame).contains(needle, autoescape=True) for needle in needles)
    )
    rows = await session.execute(
        select(col(WebChatHistoryEntry.id), col(WebChatHistoryEntry.frame)).where(matching)
    )
    changed = 0
    for row_id, frame in rows.all():
        cleaned = redact(frame, phones)
        if cleaned != frame:
            changed += 1
            await session.execute(
                update(WebChatHistoryEntry)
                .where(col(WebChatHistoryEntry.id) == row_id)
                .values(frame=cleaned)
            )
    return changed


async def last_message_id(session: AsyncSession) -> int:
    """The highest message id any web chat's history holds; 0 when there is none."""
    found = await session.execute(select(func.max(col(WebChatHistoryEntry.message_id))))
    return int(found.scalar_one() or 0)
