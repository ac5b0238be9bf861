"""One AsyncSession per update, committed when the handlers are done."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

from storage.db import Database


class DbSessionMiddleware(BaseMiddleware):
    """Put ``session`` in the handler data; roll back if a handler fails."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        """Run the handlers inside one session."""
        db: Database = data["db"]
        async with db.session() as session:
            data["session"] = session
            result = await handler(event, data)
            if session.in_transaction():
                await session.commit()
            return result
