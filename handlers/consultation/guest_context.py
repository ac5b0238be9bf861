"""A guest's chat: its menu, and the filter that tells a guest's update from others."""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.types import KeyboardButton, ReplyKeyboardMarkup, TelegramObject
from aiogram.utils.i18n import gettext as _

from handlers.texts import Buttons
from services.translation import N_

GUEST_MENU = "guest"
MY_CONSULTATION = N_("🏛 My consultation")


def guest_menu() -> ReplyKeyboardMarkup:
    """A guest's menu: their consultation, and help."""
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=_(MY_CONSULTATION)), KeyboardButton(text=_(Buttons.HELP))]],
        resize_keyboard=True,
        is_persistent=True,
    )


class GuestChat(Filter):
    """Passes for a chat acting as a guest (a resident's chat holding a valid pass)."""

    async def __call__(self, event: TelegramObject, **data: Any) -> bool:
        """Whether the actor middleware drew this chat's menu for a guest."""
        return data.get("menu_role") == GUEST_MENU
