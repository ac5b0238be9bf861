"""The suggestion card's outcome buttons, drawn in a dialog window but answered outside it."""

from __future__ import annotations

from typing import Any

from aiogram.types import InlineKeyboardButton
from aiogram_dialog import DialogManager
from aiogram_dialog.api.internal import RawKeyboard
from aiogram_dialog.widgets.kbd import Keyboard


class CardButtons(Keyboard):
    """Buttons a router outside the dialog answers, one a row, from the window's ``buttons``."""

    async def _render_keyboard(self, data: dict[str, Any], manager: DialogManager) -> RawKeyboard:
        return [
            [InlineKeyboardButton(text=text, callback_data=packed)]
            for text, packed in data.get("buttons", [])
        ]
