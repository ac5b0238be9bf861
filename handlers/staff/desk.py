"""A turn of a staff member's conversation: the staff member, now, where files are kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.types import TelegramObject
from aiogram_dialog import DialogManager
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.turn import Turn
from services.accounts.scope import StaffScope, scope_of
from services.audit import Actor
from services.calendar import local_today
from services.clock import Clock
from storage.models import Staff


@dataclass
class Desk:
    """Everything a staff handler needs."""

    turn: Turn
    staff: Staff
    now: dt.datetime
    today: dt.date
    files_dir: Path
    scope: StaffScope

    @property
    def state(self) -> FSMContext:
        """The staff member's dialog state."""
        return self.turn.state

    @property
    def session(self) -> AsyncSession:
        """The update's database session."""
        return self.turn.session

    @property
    def actor(self) -> Actor:
        """The staff member as the author of what they do."""
        return Actor.staff(self.staff)


class DeskMiddleware(BaseMiddleware):
    """Puts ``desk`` in the data of handlers that passed the staff filter."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        """Build the desk from the turn, the staff member and the clock."""
        staff: Staff | None = data.get("staff")
        turn: Turn | None = data.get("turn")
        if staff is not None and turn is not None:
            clock: Clock = data["clock"]
            now = clock.now()
            scope = await scope_of(turn.session, staff)
            today = local_today(now, turn.tz)
            data["desk"] = Desk(turn, staff, now, today, data["files_dir"], scope)
        return await handler(event, data)


def desk_of(manager: DialogManager) -> Desk:
    """The desk of the staff member whose dialog event is being handled."""
    desk = manager.middleware_data.get("desk")
    assert isinstance(desk, Desk), "staff dialogs run behind the desk middleware"
    return desk
