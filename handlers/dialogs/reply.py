"""A window whose keyboard is one of our reply keyboards (✖ Cancel, ⏭ Skip ...), not inline buttons.

aiogram-dialog's own reply keyboards hide the callback data in the button text; ours are the
plain labels the rest of the bot already answers (``ButtonText``), so a tap on ✖ Cancel is the
same message wherever it is typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram.types import ReplyKeyboardMarkup
from aiogram_dialog import DialogManager
from aiogram_dialog.api.entities import MarkupVariant
from aiogram_dialog.api.internal import RawKeyboard
from aiogram_dialog.api.internal.widgets import MarkupFactory


class ReplyKeys(MarkupFactory):
    """Draws ``build()`` (in the reader's language) as the window's keyboard."""

    def __init__(self, build: Callable[[], ReplyKeyboardMarkup]) -> None:
        self.build = build

    async def render_markup(
        self, data: dict[str, Any], manager: DialogManager, keyboard: RawKeyboard
    ) -> MarkupVariant:
        """The reply keyboard; the window has no inline buttons to add."""
        return self.build()
