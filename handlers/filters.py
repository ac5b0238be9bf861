"""Filters shared by the routers."""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.filters import Filter, and_f
from aiogram.types import Message
from aiogram.utils.i18n import I18n


class ButtonText(Filter):
    """Matches the text of a reply-keyboard button in any of the supported languages.

    A chat that switched language may still tap a button drawn in the old one.
    """

    def __init__(self, msgid: str) -> None:
        self.msgid = msgid
        self._cache: frozenset[str] | None = None

    def _labels(self, i18n: I18n) -> frozenset[str]:
        if self._cache is None:
            labels = {self.msgid}
            for locale in i18n.available_locales:
                labels.add(i18n.gettext(self.msgid, locale=locale))
            self._cache = frozenset(labels)
        return self._cache

    async def __call__(self, message: Message, i18n: I18n, **_: Any) -> bool:
        """Whether the message text is this button's label."""
        return message.text is not None and message.text.strip() in self._labels(i18n)


class MenuLabel(Filter):
    """Matches the label of any main-menu button, in any supported language.

    Typed steps that come before a menu's own handler use ``~MenuLabel()`` so a tap on the menu
    opens that item instead of being taken for the text the step waits for.
    """

    def __init__(self) -> None:
        from handlers.texts import MENU_BUTTONS

        self._filters = [ButtonText(msgid) for msgid in MENU_BUTTONS]

    async def __call__(self, message: Message, i18n: I18n, **_: Any) -> bool:
        """Whether the message text is a main-menu label."""
        for button in self._filters:
            if await button(message, i18n):
                return True
        return False


# Typed text that is not a command: what a typed step takes as its answer.
TYPED = and_f(F.text, ~F.text.startswith("/"))
