"""Texts for dialog windows: translated when drawn, with the window's data escaped for HTML."""

from __future__ import annotations

from typing import Any

from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager
from aiogram_dialog.widgets.common import WhenCondition
from aiogram_dialog.widgets.text import Text
from markupsafe import Markup


class T(Text):
    """A msgid looked up in the reader's language, its fields filled from the window's data.

    Every field is escaped for HTML unless it is already ``markupsafe.Markup``, so a getter
    hands over user text as it is and only deliberately built markup stays markup.
    """

    def __init__(self, msgid: str, when: WhenCondition = None) -> None:
        super().__init__(when=when)
        self.msgid = msgid

    async def _render_text(self, data: dict[str, Any], manager: DialogManager) -> str:
        # The msgid and its translations are ours, so they are markup; the data is escaped.
        return str(Markup(_(self.msgid)).format_map(data))  # noqa: S704


class Step(Text):
    """A step's question headed by its number: "Step 2 of 6 · What is it about?"."""

    def __init__(self, msgid: str, *, number: int, total: int, when: WhenCondition = None) -> None:
        super().__init__(when=when)
        self.question = T(msgid)
        self.number = number
        self.total = total

    async def _render_text(self, data: dict[str, Any], manager: DialogManager) -> str:
        question = await self.question.render_text(data, manager)
        # The heading is ours and the question was escaped when it was drawn.
        heading = Markup(_("<b>Step {number} of {total}</b> · {text}"))  # noqa: S704
        return str(heading.format(number=self.number, total=self.total, text=Markup(question)))  # noqa: S704
