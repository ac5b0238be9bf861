"""Every update id is handled once per bot; a replay is acknowledged and ignored."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import TelegramObject, Update

from services.clock import Clock
from services.updates import claim_update

log = logging.getLogger(__name__)


class ReplayGuardMiddleware(BaseMiddleware):
    """Record the update id before anything else runs; drop updates seen before."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        """Run the handlers only for an update id not seen before."""
        if not isinstance(event, Update):
            return await handler(event, data)
        bot: Bot = data["bot"]
        clock: Clock = data["clock"]
        fresh = await claim_update(
            data["session"], bot_id=bot.id, update_id=event.update_id, now=clock.now()
        )
        if not fresh:
            log.info("replayed update %s for bot %s ignored", event.update_id, bot.id)
            return None
        return await handler(event, data)
