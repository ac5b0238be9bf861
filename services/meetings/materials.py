"""Files the bot keeps (meeting materials): bytes on disk by hash, a row describing each."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import mimetypes
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.db import write_transaction
from storage.models import StoredFile
from storage.queries import table_of, upsert

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_NAME = 120


def file_name(name: str, mime_type: str) -> str:
    """The name a kept file is sent under.

    No folders, at most ``MAX_NAME`` characters with its extension kept, and an extension
    from its type when it came without one: a browser or a phone picks what opens a download
    by its extension.
    """
    base = Path(name.replace("\\", "/")).name.strip() or "file"
    suffix = Path(base).suffix
    if not suffix:
        suffix = mimetypes.guess_extension(mime_type.split(";")[0].strip()) or ""
        base += suffix
    if len(base) > MAX_NAME:
        base = base[: MAX_NAME - len(suffix)] + suffix if len(suffix) < 16 else base[:MAX_NAME]
    return base


def file_path(root: Path, key: str) -> Path:
    """Where a stored file's bytes are."""
    return root / key


def store_bytes(root: Path, data: bytes) -> str:
    """Write bytes once, named by their hash; return the key (blocking: run it in a thread)."""
    key = hashlib.sha256(data).hexdigest()[:40]
    root.mkdir(parents=True, exist_ok=True)
    path = file_path(root, key)
    if not path.exists():
        partial = path.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(path)
    return key


async def keep_file(
    session: AsyncSession,
    *,
    root: Path,
    data: bytes,
    name: str,
    mime_type: str,
    now: dt.datetime,
    telegram_file_id: str | None = None,
) -> str:
    """Store bytes once (by content) and describe them, in a write transaction.

    ``telegram_file_id`` is Telegram's id for the file when it came from there: the bot can
    send it again by that id, with no upload per recipient.
    """
    key = await asyncio.to_thread(store_bytes, root, data)
    async with write_transaction(session):
        await upsert(
            session,
            table_of(StoredFile),
            {
                "key": key,
                "name": file_name(name, mime_type),
                "mime_type": mime_type[:100],
                "size": len(data),
                "created_at": now,
            },
            conflict_columns=["key"],
            update_columns=["name"],
        )
        if telegram_file_id is not None:
            await remember_telegram_id(session, key=key, file_id=telegram_file_id)
    return key


async def remember_telegram_id(session: AsyncSession, *, key: str, file_id: str) -> None:
    """Keep Telegram's id of an uploaded file, so the next message reuses it."""
    await session.execute(
        update(StoredFile).where(col(StoredFile.key) == key).values(telegram_file_id=file_id)
    )


async def stored_file(session: AsyncSession, key: str) -> StoredFile | None:
    """The record of a kept file, or None once it is gone."""
    return await session.get(StoredFile, key)
