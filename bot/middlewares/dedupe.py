"""Every update id is handled once per bot; a replay is acknowledged and ignored.

The id is recorded when the handling is over, not when it begins: an update whose handlers
were cut short by a crash is not on record, so when the update inbox feeds it again after the
restart it is answered; one whose handlers finished is on record and ignored. The record
commits together with the dialog state the update wrote (see bot/middlewares/commit.py), so
after a crash the dialog is either at the step before the update and the update is answered
again, or past it and the update is ignored. Two deliveries of one update never run at once:
the same chat's updates are isolated from each other, and an update still running in this
process makes its twin a replay.

With the SQL dialog storage the bot is one process (its event isolation lives in memory), so
the ids this process recorded are known without a query, and so is every id above the highest
one on record when it started: only an id at or below that mark is looked up. With Redis,
several processes may share the database, and every id is looked up.
"""

from __future__ import annotations

import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import TelegramObject, Update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.middlewares.commit import UpdateCommitter
from bot.middlewares.concurrency import release_slot
from services.chats.updates import highest_processed, is_processed
from storage.fsm import SQLStorage

log = logging.getLogger(__name__)

REMEMBERED_IDS = 100_000


class _Recorded:
    """The update ids of one bot recorded by this process, above the mark known at start."""

    def __init__(self, mark: int, size: int) -> None:
        # Every id recorded before this process started, or forgotten since, is <= mark.
        self.mark = mark
        self.size = size
        self._ids: set[int] = set()
        self._order: deque[int] = deque()

    def known(self, update_id: int) -> bool | None:
        """True if recorded, False if certainly not, None if only the database knows."""
        if update_id in self._ids:
            return True
        return False if update_id > self.mark else None

    def add(self, update_id: int) -> None:
        if update_id in self._ids:
            return
        self._ids.add(update_id)
        self._order.append(update_id)
        while len(self._order) > self.size:
            forgotten = self._order.popleft()
            self._ids.discard(forgotten)
            self.mark = max(self.mark, forgotten)


class ReplayGuardMiddleware(BaseMiddleware):
    """Drop updates handled before; record an update id once its handlers are done."""

    def __init__(self, committer: UpdateCommitter, *, remembered: int = REMEMBERED_IDS) -> None:
        self.committer = committer
        self.remembered = remembered
        self._running: set[tuple[int, int]] = set()
        self._recorded: dict[int, _Recorded] = {}

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        """Run the handlers only for an update id not handled before."""
        if not isinstance(event, Update):
            return await handler(event, data)
        bot: Bot = data["bot"]
        session: AsyncSession = data["session"]
        storage = data.get("fsm_storage")
        sql_storage = storage if isinstance(storage, SQLStorage) else None
        key = (bot.id, event.update_id)
        if key in self._running or await self._seen(session, key, sql_storage is not None):
            log.info("replayed update %s for bot %s ignored", event.update_id, bot.id)
            return None
        self._running.add(key)
        try:
            failure: Exception | None = None
            deferred = sql_storage.deferred(session) if sql_storage else contextlib.nullcontext()
            with deferred as batch:
                try:
                    result = await handler(event, data)
                except Exception as error:
                    # The error handler tells the user to try again; a redelivery of the same
                    # update would only fail the same way, so it is recorded all the same.
                    failure = error
            # Give the connection back before waiting for the commit.
            if failure is not None:
                await session.rollback()
            elif session.in_transaction():
                await session.commit()
            release_slot(data)
            await self.committer.commit(key, sql_storage, batch)
            recorded = self._recorded.get(bot.id)
            if recorded is not None:
                recorded.add(event.update_id)
            if failure is not None:
                raise failure
            return result
        finally:
            self._running.discard(key)

    async def _seen(self, session: AsyncSession, key: tuple[int, int], one_process: bool) -> bool:
        bot_id, update_id = key
        if one_process:
            recorded = self._recorded.get(bot_id)
            if recorded is None:
                mark = await highest_processed(session, bot_id=bot_id)
                recorded = self._recorded.setdefault(
                    bot_id, _Recorded(mark if mark is not None else -1, self.remembered)
                )
            known = recorded.known(update_id)
            if known is not None:
                return known
        return await is_processed(session, bot_id=bot_id, update_id=update_id)
