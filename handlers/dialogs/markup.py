"""Button labels and reply keyboards for dialog windows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager
from aiogram_dialog.api.internal import RawKeyboard
from aiogram_dialog.utils import add_intent_id
from aiogram_dialog.widgets.common import WhenCondition
from aiogram_dialog.widgets.kbd import Keyboard
from aiogram_dialog.widgets.markup.inline_keyboard import InlineKeyboardFactory
from aiogram_dialog.widgets.text import Text


class Label(Text):
    """A button's msgid in the reader's language: plain text, as buttons carry no HTML."""

    def __init__(self, msgid: str, when: WhenCondition = None) -> None:
        super().__init__(when=when)
        self.msgid = msgid

    async def _render_text(self, data: dict[str, Any], manager: DialogManager) -> str:
        return _(self.msgid)


class Elsewhere(Keyboard):
    """A button on a dialog's card that a router outside the dialog answers.

    Its callback data carries no intent id, so the dialogs let it pass (see ``guard``) and the
    feature that owns it (members' reports, say) takes it as it takes its other buttons.
    """

    def __init__(self, text: Text, callback_data: str, when: WhenCondition = None) -> None:
        super().__init__(when=when)
        self.text = text
        self.callback_data = callback_data

    async def _render_keyboard(self, data: dict[str, Any], manager: DialogManager) -> RawKeyboard:
        text = await self.text.render_text(data, manager)
        return [[InlineKeyboardButton(text=text, callback_data=self.callback_data)]]


class OutsideButtons(InlineKeyboardFactory):
    """A window's inline markup whose buttons of the given callback prefixes carry no intent id.

    Those buttons (a proposal's or an outcome's actions, say) are answered by a router outside
    the dialog, which reads them again like a notice's button; every other button of the
    window keeps the dialog's intent id, as aiogram-dialog draws it.
    """

    def __init__(self, *callback_prefixes: str) -> None:
        self.prefixes = tuple(f"{prefix}:" for prefix in callback_prefixes)

    def _outside(self, button: object) -> bool:
        return isinstance(button, InlineKeyboardButton) and (button.callback_data or "").startswith(
            self.prefixes
        )

    async def render_markup(
        self, data: dict[str, Any], manager: DialogManager, keyboard: RawKeyboard
    ) -> InlineKeyboardMarkup:
        """Add the intent id to the dialog's own buttons only, keeping the window's order."""
        add_intent_id(
            [[b for b in row if not self._outside(b)] for row in keyboard],
            manager.current_context().id,
        )
        rows = [[b for b in row if isinstance(b, InlineKeyboardButton)] for row in keyboard]
        return InlineKeyboardMarkup(inline_keyboard=[row for row in rows if row])


class ReplyKeyboard:
    """A window's markup factory that draws one of our reply keyboards from the window's data.

    The keyboard's buttons send their label as text, which the window's inputs recognise in
    any language (a chat that switched language may tap a keyboard drawn in the old one).
    """

    def __init__(self, build: Callable[[dict[str, Any]], ReplyKeyboardMarkup]) -> None:
        self.build = build

    async def render_markup(
        self, data: dict[str, Any], manager: DialogManager, keyboard: RawKeyboard
    ) -> ReplyKeyboardMarkup:
        """Ignore the window's inline buttons (it has none) and draw the keyboard."""
        return self.build(data)
