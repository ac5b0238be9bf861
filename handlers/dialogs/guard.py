"""Refusing presses a dialog's current card does not offer: forged, stale or unknown buttons.

The engine refuses presses on cards of a dialog that ended or moved on (their intent id is no
longer on the stack). A press that does carry the current intent id can still name a button
the current card does not show: a button of an earlier card of the same dialog, a widget the
dialog never had, or an item a widget would never draw (a forged id). :func:`guard` refuses
the first two before any callback runs; a widget's own callback raises :class:`Refused` for
the third. A refusal answers the press with its reason, once, and changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.types import CallbackQuery, ErrorEvent, TelegramObject
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager
from aiogram_dialog.utils import remove_intent_id

log = logging.getLogger(__name__)


class Refused(Exception):  # noqa: N818 - it names the outcome, like aiogram's SkipHandler
    """A press the current card does not take; ``text`` tells the user why.

    Raised before anything changed: the update's transaction is rolled back and the press is
    answered with ``text`` by :func:`refuse_press`, with no card drawn.
    """

    def __init__(self, text: str, *, alert: bool = False) -> None:
        super().__init__(text)
        self.text = text
        self.alert = alert


async def refuse_press(event: ErrorEvent) -> bool:
    """Answer a refused press with its reason, and log it with the button's data."""
    error = event.exception
    query = event.update.callback_query
    assert isinstance(error, Refused)
    if query is None:
        raise error
    log.info("chat %s: press %r refused: %s", query.from_user.id, query.data, error.text)
    await query.answer(error.text, show_alert=error.alert)
    return True


def _has_intent(query: CallbackQuery) -> bool:
    return remove_intent_id(query.data or "")[0] is not None


def guard(dialog: Dialog) -> Dialog:
    """Let ``dialog`` take only presses of its own buttons that its current card shows.

    A press without an intent id is not the dialog's at all and goes on to the routers after
    it (the fallback answers it); a button of another card of this dialog is stale, and one
    this dialog never drew is not valid.
    """
    dialog.callback_query.filter(_has_intent)

    async def own_buttons(
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, CallbackQuery)
        manager: DialogManager = data["dialog_manager"]
        widget_id = remove_intent_id(event.data or "")[1].split(":", 1)[0]
        window = dialog.windows[manager.current_context().state]
        if window.find(widget_id) is None:
            if dialog.find(widget_id) is not None:
                raise Refused(_("This button is no longer active. Please use the menu."))
            raise Refused(_("This button is not valid."))
        return await handler(event, data)

    dialog.callback_query.middleware(own_buttons)
    return dialog
