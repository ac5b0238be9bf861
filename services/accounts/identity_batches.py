"""Identities the cache does not hold, read for many chats at once, and made for new ones.

Every update needs its chat's identity before anything else can run. When many people
write at once (a broadcast answered, a station's poster scanned by a room, the bot back
after a restart), one query per chat, and for a chat writing for the first time one write
transaction each, would keep the updates waiting on each other: on SQLite every write
queues behind the one before it. Instead, every chat that asks while a lookup runs is
looked up by the next one, in one read; only the chats not found take the write lock, and
are inserted in one statement.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.db import Database, write_transaction
from storage.enums import Role
from storage.models import ChatIdentity
from storage.queries import insert_ignore_many, table_of

IdentityKey = tuple[str, int]


@dataclass
class _Request:
    chat_type: str
    client_locale: str | None
    now: dt.datetime
    waiting: list[asyncio.Future[ChatIdentity]] = field(default_factory=list)


class IdentityBatches:
    """Reads, or inserts, the identities of chats in transactions shared by many of them."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._pending: dict[IdentityKey, _Request] = {}
        self._writer: asyncio.Task[None] | None = None

    async def load(
        self,
        *,
        channel: str,
        chat_id: int,
        chat_type: str,
        client_locale: str | None,
        now: dt.datetime,
    ) -> ChatIdentity:
        """The chat's identity as stored, or inserted now if there is none; detached."""
        key = (channel, chat_id)
        request = self._pending.setdefault(key, _Request(chat_type, client_locale, now))
        done: asyncio.Future[ChatIdentity] = asyncio.get_running_loop().create_future()
        request.waiting.append(done)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all(), name="identity-batches")
        # A cancelled caller does not cancel the insert the others wait for.
        return await asyncio.shield(done)

    async def _write_all(self) -> None:
        while self._pending:
            requests, self._pending = self._pending, {}
            try:
                loaded = await self._load(requests)
            except Exception as error:
                if len(requests) == 1:
                    _fail(requests, error)
                    continue
                # One bad row must not fail the others: insert each on its own.
                for key, request in requests.items():
                    try:
                        _deliver({key: request}, await self._load({key: request}))
                    except Exception as own_error:
                        _fail({key: request}, own_error)
            else:
                _deliver(requests, loaded)

    async def _load(self, requests: dict[IdentityKey, _Request]) -> dict[IdentityKey, ChatIdentity]:
        async with self.db.session() as session:
            found = await _select(session, requests)
            missing = {key: request for key, request in requests.items() if key not in found}
            if not missing:
                await session.commit()
                return found
            async with write_transaction(session):
                await insert_ignore_many(
                    session,
                    table_of(ChatIdentity),
                    [_new_row(key, request) for key, request in missing.items()],
                    conflict_columns=("channel", "chat_id"),
                )
                found.update(await _select(session, missing))
        return found


async def _select(
    session: AsyncSession, keys: Iterable[IdentityKey]
) -> dict[IdentityKey, ChatIdentity]:
    by_channel: defaultdict[str, list[int]] = defaultdict(list)
    for channel, chat_id in keys:
        by_channel[channel].append(chat_id)
    found: dict[IdentityKey, ChatIdentity] = {}
    for channel, chat_ids in by_channel.items():
        stmt = select(ChatIdentity).where(
            col(ChatIdentity.channel) == channel, col(ChatIdentity.chat_id).in_(chat_ids)
        )
        for identity in (await session.execute(stmt)).scalars():
            found[(identity.channel, identity.chat_id)] = identity
    return found


def _new_row(key: IdentityKey, request: _Request) -> dict[str, Any]:
    channel, chat_id = key
    return {
        "channel": channel,
        "chat_id": chat_id,
        "chat_type": request.chat_type,
        "client_locale": request.client_locale,
        "role": Role.RESIDENT,
        "blocked": False,
        "group_notice_sent": False,
        "created_at": request.now,
        "last_seen_at": request.now,
    }


def _deliver(
    requests: dict[IdentityKey, _Request], loaded: dict[IdentityKey, ChatIdentity]
) -> None:
    for key, request in requests.items():
        identity = loaded.get(key)
        for done in request.waiting:
            if done.done():
                continue
            if identity is None:
                done.set_exception(LookupError(f"identity {key} neither inserted nor found"))
            else:
                done.set_result(identity)


def _fail(requests: dict[IdentityKey, _Request], error: Exception) -> None:
    for request in requests.values():
        for done in request.waiting:
            if not done.done():
                done.set_exception(error)
