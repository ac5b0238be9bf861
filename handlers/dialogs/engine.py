"""Setting the dialog engine up on a Dispatcher, and refusing presses on cards that moved on."""

from __future__ import annotations

import logging
import secrets
import string
from typing import Any

from aiogram import Dispatcher
from aiogram.filters import ExceptionTypeFilter
from aiogram.fsm.storage.base import BaseEventIsolation
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode, setup_dialogs
from aiogram_dialog.api.entities import stack as dialog_stack
from aiogram_dialog.api.exceptions import OutdatedIntent, UnknownIntent, UnknownState

from handlers.dialogs.guard import Refused, refuse_press
from handlers.dialogs.press import AnswerOnce
from storage.db import Database

log = logging.getLogger(__name__)

STALE = (UnknownIntent, OutdatedIntent, UnknownState)
INTENT_ID_LENGTH = 8
_ID_ALPHABET = string.ascii_letters + string.digits


def new_intent_id() -> str:
    """A dialog's id, random enough that no dialog of a chat ever takes an earlier one's.

    aiogram-dialog builds it from the current second and one of a hundred random numbers, so
    two dialogs opened in the same second share it once in a hundred, and a card of the first
    would then pass the stack check as the second's. 62 ** 8 ids make that never happen, and
    eight characters leave the callback data far under Telegram's 64 bytes.
    """
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(INTENT_ID_LENGTH))


# The library names the function it calls for a new dialog's id at module level.
dialog_stack.new_id = new_intent_id


def install_dialog_engine(dp: Dispatcher, *, isolation: BaseEventIsolation) -> None:
    """Set aiogram-dialog up on ``dp``, sharing the Dispatcher's event isolation.

    Call before the catch-all error handler is registered: the refusal of a stale press
    must see the error first.
    """
    setup_dialogs(dp, events_isolation=isolation, message_manager=AnswerOnce())
    dp.errors.register(refuse_stale_press, ExceptionTypeFilter(*STALE))
    dp.errors.register(refuse_press, ExceptionTypeFilter(Refused))


async def refuse_stale_press(
    event: ErrorEvent,
    i18n: I18n,
    dialog_manager: DialogManager | None = None,
    locale: str | None = None,
    db: Database | None = None,
    **_data: Any,
) -> bool:
    """Tell the user the card is out of date, then draw the card their dialog is on now."""
    query = event.update.callback_query
    log.info(
        "chat %s pressed %r on a stale card: %s",
        query.from_user.id if query else None,
        query.data if query else None,
        event.exception,
    )
    with i18n.context(), i18n.use_locale(locale or i18n.default_locale):
        text = _("This card is out of date. Here is where you are now.")
        if query is not None:
            await query.answer(text)
        if dialog_manager is not None and dialog_manager.has_context():
            await _redraw(dialog_manager, db)
        elif query is not None and query.message is not None:
            await query.message.answer(
                _("That card is from a conversation that has ended. Choose from the menu.")
            )
    return True


async def _redraw(dialog_manager: DialogManager, db: Database | None) -> None:
    """Draw the current card again, its getters reading through a session of their own.

    The update's session ended with the refused press, so the redraw opens its own.
    """
    if db is None:
        await dialog_manager.show(ShowMode.SEND)
        return
    async with db.session() as session:
        dialog_manager.middleware_data["session"] = session
        await dialog_manager.show(ShowMode.SEND)
