"""The web chat's periodic cleanup: expired exports, uploads no case took, stray bytes.

Every file on the web chat's disk is claimed by a row (``services.chats.webchat_files``); rows
that expired go, and the bytes no row and no case or activity photo refers to go with them.
Bytes left without any row (a crash between a commit and the delete, or files stored before
the rows existed) are found on disk and removed too.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Iterable
from pathlib import Path

from bot.app import AppContext
from bot.channels.webchat.media import MediaStore
from services.chats.webchat_files import CLEANUP_BATCH, clean_up_files, unreferenced
from storage.db import write_transaction

log = logging.getLogger(__name__)


async def _delete(media: MediaStore, file_ids: Iterable[str]) -> int:
    removed = 0
    for file_id in file_ids:
        removed += await asyncio.to_thread(media.delete, file_id)
    return removed


async def clean_up_web_files(ctx: AppContext) -> int:
    """Delete what expired or was left behind; the number of files removed from disk."""
    settings = ctx.settings
    # Deleting needs no signing key.
    media = MediaStore(Path(settings.upload_dir), b"")
    async with ctx.db.session() as session:
        expired = await clean_up_files(
            session,
            now=ctx.clock.now(),
            upload_age=dt.timedelta(hours=settings.webchat_upload_hours),
        )
    removed = await _delete(media, expired)
    on_disk = await asyncio.to_thread(lambda: list(media.file_ids()))
    for start in range(0, len(on_disk), CLEANUP_BATCH):
        batch = on_disk[start : start + CLEANUP_BATCH]
        async with ctx.db.session() as session, write_transaction(session):
            strays = await unreferenced(session, batch)
        removed += await _delete(media, strays)
    if removed:
        log.info("web chat: %s files removed from disk", removed)
    return removed
