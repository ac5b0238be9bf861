"""The suggestion card's outcome buttons, drawn in a dialog window but answered outside it."""

from __future__ import annotations

from typing import Any

from aiogram.types import InlineKeyboardButton
from aiogram_dialog import DialogManager
from aiogram_dialog.api.internal import RawKeyboard
from aiogram_dialog.api.internal.widgets import MarkupVariant
from aiogram_dialog.widgets.kbd import Keyboard
from aiogram_dialog.widgets.markup.inline_keyboard import InlineKeyboardFactory

from handlers.pipeline_callbacks import OutcomeCB


class CardButtons(Keyboard):
    """Buttons a router outside the dialog answers, one a row, from the window's ``buttons``."""

    async def _render_keyboard(self, data: dict[str, Any], manager: DialogManager) -> RawKeyboard:
        return [
            [InlineKeyboardButton(text=text, callback_data=packed)]
            for text, packed in data.get("buttons", [])
        ]


class OutcomeButtonsOutside(InlineKeyboardFactory):
    """The card's markup, its :class:`OutcomeCB` buttons left without the dialog's intent id.

    Those buttons are answered by :func:`outcome_pressed`, which reads them again like a
    notice's button, so they must reach it rather than the dialog.
    """

    async def render_markup(
        self, data: dict[str, Any], manager: DialogManager, keyboard: RawKeyboard
    ) -> MarkupVariant:
        """Add the intent id to every button but the outcome buttons."""
        outside = {
            id(button)
            for row in keyboard
            for button in row
            if isinstance(button, InlineKeyboardButton)
            and (button.callback_data or "").startswith(f"{OutcomeCB.__prefix__}:")
        }
        kept = {
            id(button): button.callback_data
            for row in keyboard
            for button in row
            if id(button) in outside and isinstance(button, InlineKeyboardButton)
        }
        markup = await super().render_markup(data, manager, keyboard)
        for row in keyboard:
            for button in row:
                if id(button) in kept and isinstance(button, InlineKeyboardButton):
                    button.callback_data = kept[id(button)]
        return markup
