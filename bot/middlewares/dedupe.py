"""Every update id is handled once per bot; a replay is acknowledged and ignored.

The id is recorded when the handling is over, not when it begins: an update whose handlers
were cut short by a crash is not on record, so when the update inbox feeds it again after the
restart it is answered; one whose handlers finished is on record and ignored. Two deliveries
of one update never run at once: the same chat's updates are isolated from each other, and an
update still running in this process makes its twin a replay.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import TelegramObject, Update
from sqlalchemy.ext.asyncio import AsyncSession

from services.chats.updates import claim_update
from services.clock import Clock
from storage.models import ProcessedUpdate

log = logging.getLogger(__name__)


class ReplayGuardMiddleware(BaseMiddleware):
    """Drop updates handled before; record an update id once its handlers are done."""

    def __init__(self) -> None:
        self._running: set[tuple[int, int]] = set()

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
        key = (bot.id, event.update_id)
        if key in self._running or await session.get(ProcessedUpdate, key) is not None:
            log.info("replayed update %s for bot %s ignored", event.update_id, bot.id)
            return None
        self._running.add(key)
        try:
            try:
                result = await handler(event, data)
            except Exception:
                # The error handler tells the user to try again; a redelivery of the same
                # update would only fail the same way.
                await session.rollback()
                await self._record(session, key, data["clock"])
                raise
            await self._record(session, key, data["clock"])
            return result
        finally:
            self._running.discard(key)

    @staticmethod
    async def _record(session: AsyncSession, key: tuple[int, int], clock: Clock) -> None:
        # claim_update commits what the handlers left open first, then the id.
        if not await claim_update(session, bot_id=key[0], update_id=key[1], now=clock.now()):
            log.warning("update %s for bot %s was handled twice", key[1], key[0])
