"""The staff member behind a chat, resolved once per update, and the filter that gates them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.filters import Filter
from aiogram.types import TelegramObject

from services.accounts.staff import staff_of_identity
from storage.enums import Role, StaffRole
from storage.models import ChatIdentity, Staff

STAFF_MENU = "staff"
STATION_STAFF_MENU = "station-staff"


def staff_menu(staff: Staff) -> str:
    """The menu of a staff member: station staff have no meetings in theirs."""
    return STAFF_MENU if staff.role == StaffRole.ADMIN else STATION_STAFF_MENU


class StaffMiddleware(BaseMiddleware):
    """Puts ``staff`` (a Staff or None) in the data, and the staff menu for staff chats."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        """Load the staff member of a staff chat; other chats cost nothing."""
        identity: ChatIdentity | None = data.get("identity")
        staff = None
        if identity is not None and identity.role == Role.STAFF and identity.id is not None:
            staff = await staff_of_identity(data["session"], identity_id=identity.id)
        data["staff"] = staff
        if staff is not None:
            data["menu_role"] = staff_menu(staff)
        return await handler(event, data)


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
