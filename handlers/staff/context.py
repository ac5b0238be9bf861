"""The filters that gate staff, and their menus.

The staff member behind a chat is resolved once per update by bot/middlewares/actor.py.
"""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import TelegramObject

from storage.enums import StaffRole
from storage.models import Staff

STAFF_MENU = "staff"
STATION_STAFF_MENU = "station-staff"


def staff_menu(staff: Staff) -> str:
    """The menu of a staff member: station staff have no meetings in theirs."""
    return STAFF_MENU if staff.role == StaffRole.ADMIN else STATION_STAFF_MENU


class ActiveStaff(Filter):
    """Passes for a chat of an active staff member."""

    async def __call__(self, event: TelegramObject, staff: Staff | None = None) -> bool:
        """Whether the update comes from a staff chat."""
        return staff is not None


class AdminStaff(Filter):
    """Passes for a chat of an active administrator."""

    async def __call__(self, event: TelegramObject, staff: Staff | None = None) -> bool:
        """Whether the update comes from an administrator's chat."""
        return staff is not None and staff.role == StaffRole.ADMIN
