"""The web chat's rows in the database: each chat's history and its claims on files.

Every call is one short transaction of its own, so nothing here is kept in memory per chat:
a page that opens after a restart draws the same history, and erasure or the cleanup job
finds every file from the database.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from bot.channels.webchat.media import StoredFile
from services.chats.webchat_files import (
    FileKind,
    held_name,
    pending_bytes,
    record_file,
    uploaded_by,
)
from services.chats.webchat_history import (
    add_entry,
    find_message,
    last_message_id,
    load_history,
    remove_message,
    update_message,
)
from services.clock import Clock
from storage.db import Database

# The number of a shared counter, given a floor to start above when it is not there.
SharedCounter = Callable[[str, Callable[[], Awaitable[int]]], Awaitable[int]]
MESSAGE_IDS = "webchat-message-id"


class WebChatStore:
    """History entries and file claims of the web chat's chats."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        history_length: int,
        shared_counter: SharedCounter | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.history_length = history_length
        # Of several workers, the ids come from a counter they share (see bot.cluster).
        self.shared_counter = shared_counter
        self._next_id: int | None = None
        self._seeding = asyncio.Lock()

    async def next_message_id(self) -> int:
        """A message id above every stored one, unique across the web chats of every worker."""
        if self.shared_counter is not None:
            value = await self.shared_counter(MESSAGE_IDS, self._floor)
            self._next_id = max(self._next_id or 0, value + 1)
            return value
        if self._next_id is None:
            async with self._seeding:
                if self._next_id is None:
                    self._next_id = await self._floor()
        value = self._next_id
        self._next_id = value + 1
        return value

    async def _floor(self) -> int:
        """Above every id stored, and every id this process gave."""
        async with self.db.session() as session:
            last = await last_message_id(session)
        # The clock as a floor: a page still open from before may show higher ids than the
        # history kept (an erased chat's, say).
        return max(last + 1, int(self.clock.now().timestamp()), self._next_id or 0)

    async def record(self, chat_id: int, frame: dict[str, Any]) -> None:
        """Keep a frame in the chat's history (the oldest beyond the limit go)."""
        async with self.db.session() as session:
            await add_entry(
                session,
                chat_id=chat_id,
                message_id=int(frame["message_id"]),
                frame=frame,
                now=self.clock.now(),
                keep=self.history_length,
            )

    async def history(self, chat_id: int) -> list[dict[str, Any]]:
        """The chat's history, oldest first."""
        async with self.db.session() as session:
            return await load_history(session, chat_id=chat_id, limit=self.history_length)

    async def find(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """One of the bot's messages in the chat's history."""
        async with self.db.session() as session:
            return await find_message(session, chat_id=chat_id, message_id=message_id)

    async def update(self, chat_id: int, message_id: int, **changes: Any) -> bool:
        """Change a stored message of the bot (an edit); whether it was there."""
        async with self.db.session() as session:
            return await update_message(
                session, chat_id=chat_id, message_id=message_id, changes=changes
            )

    async def remove(self, chat_id: int, message_id: int) -> bool:
        """Delete a stored message; whether it was there."""
        async with self.db.session() as session:
            return await remove_message(session, chat_id=chat_id, message_id=message_id)

    async def hold(
        self,
        stored: StoredFile,
        *,
        chat_id: int,
        kind: FileKind,
        client_address: str | None = None,
        lifetime: dt.timedelta | None = None,
    ) -> None:
        """Note that a chat holds a file, for ``lifetime`` if given."""
        now = self.clock.now()
        async with self.db.session() as session:
            await record_file(
                session,
                file_id=stored.file_id,
                chat_id=chat_id,
                kind=kind,
                name=stored.name,
                mime_type=stored.mime_type,
                size=stored.size,
                now=now,
                client_address=client_address,
                expires_at=now + lifetime if lifetime is not None else None,
            )

    async def held_name(self, chat_id: int, file_id: str) -> str | None:
        """The name the chat holds the file under; None if it does not (or no longer) hold it."""
        async with self.db.session() as session:
            return await held_name(session, chat_id=chat_id, file_id=file_id, now=self.clock.now())

    async def uploaded_by(self, chat_id: int, file_id: str) -> bool:
        """Whether the chat uploaded the file."""
        async with self.db.session() as session:
            return await uploaded_by(session, chat_id=chat_id, file_id=file_id)

    async def pending_bytes(self, client_address: str) -> int:
        """Bytes of one address's uploads that no case or activity took yet."""
        async with self.db.session() as session:
            return await pending_bytes(session, client_address=client_address)
