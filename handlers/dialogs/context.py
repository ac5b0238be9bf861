"""What a window's getter may read: the session, the reader's language and time zone, now.

Getters read these from the update's own data rather than from an audience's middleware
(the staff desk, a member's log), because a window is also drawn again when a stale press is
refused, outside any audience's router.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from aiogram_dialog import DialogManager
from sqlalchemy.ext.asyncio import AsyncSession

from services.calendar import local_today
from services.clock import Clock


@dataclass(frozen=True)
class Reader:
    """The session a window reads through, and the person it is drawn for."""

    session: AsyncSession
    locale: str
    tz: dt.tzinfo
    now: dt.datetime

    @property
    def today(self) -> dt.date:
        """The reader's date in the committee's time zone."""
        return local_today(self.now, self.tz)


def reader_of(manager: DialogManager) -> Reader:
    """The reader of the window ``manager`` is drawing."""
    data = manager.middleware_data
    clock: Clock = data["clock"]
    return Reader(data["session"], str(data["locale"]), data["tz"], clock.now())
