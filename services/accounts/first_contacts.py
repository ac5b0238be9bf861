"""First contact of many chats at once: their identities inserted in one write transaction.

A chat's first update must create its identity before anything else can run, and on SQLite
every write transaction queues behind the one before it. When many people write at once
(a broadcast answered, a station's poster scanned by a room), one transaction per new chat
would keep the updates waiting on each other; instead, every new chat that arrives while a
transaction runs is inserted by the next one, in one statement.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import col

from storage.db import Database
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


class FirstContacts:
    """Creates the identities of new chats in shared write transactions of ``db``."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._pending: dict[IdentityKey, _Request] = {}
        self._writer: asyncio.Task[None] | None = None

    async def create(
        self,
        *,
        channel: str,
        chat_id: int,
        chat_type: str,
        client_locale: str | None,
        now: dt.datetime,
    ) -> ChatIdentity:
        """The chat's identity, inserted now unless it exists; detached from any session."""
        key = (channel, chat_id)
        request = self._pending.setdefault(key, _Request(chat_type, client_locale, now))
        done: asyncio.Future[ChatIdentity] = asyncio.get_running_loop().create_future()
        request.waiting.append(done)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all(), name="first-contacts")
        # A cancelled caller does not cancel the insert the others wait for.
        return await asyncio.shield(done)

    async def _write_all(self) -> None:
        while self._pending:
            requests, self._pending = self._pending, {}
            try:
                created = await self._insert(requests)
            except Exception as error:
                if len(requests) == 1:
                    _fail(requests, error)
                    continue
                # One bad row must not fail the others: insert each on its own.
                for key, request in requests.items():
                    try:
                        _deliver({key: request}, await self._insert({key: request}))
                    except Exception as own_error:
                        _fail({key: request}, own_error)
            else:
                _deliver(requests, created)

    async def _insert(
        self, requests: dict[IdentityKey, _Request]
    ) -> dict[IdentityKey, ChatIdentity]:
        rows = [
            {
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
            for (channel, chat_id), request in requests.items()
        ]
        by_channel: defaultdict[str, list[int]] = defaultdict(list)
        for channel, chat_id in requests:
            by_channel[channel].append(chat_id)
        found: dict[IdentityKey, ChatIdentity] = {}
        async with self.db.writing() as session:
            await insert_ignore_many(
                session, table_of(ChatIdentity), rows, conflict_columns=("channel", "chat_id")
            )
            for channel, chat_ids in by_channel.items():
                stmt = select(ChatIdentity).where(
                    col(ChatIdentity.channel) == channel, col(ChatIdentity.chat_id).in_(chat_ids)
                )
                for identity in (await session.execute(stmt)).scalars():
                    found[(identity.channel, identity.chat_id)] = identity
        return found


def _deliver(
    requests: dict[IdentityKey, _Request], created: dict[IdentityKey, ChatIdentity]
) -> None:
    for key, request in requests.items():
        identity = created.get(key)
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
