"""Staff features reached by anyone else: refused, logged, nothing changes."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import STAFF_CALLBACK_PREFIXES
from handlers.filters import ButtonText
from handlers.staff.context import ActiveStaff
from handlers.texts import Buttons

log = logging.getLogger(__name__)
STAFF_COMMANDS = ("newmeeting", "queue", "case")


def refusal() -> str:
    """Why staff features are closed to this chat."""
    return _("This is for the committee office's staff.")


async def refuse_message(message: Message) -> None:
    """A staff command or button from another chat."""
    log.info("chat %s: staff feature refused", message.chat.id)
    await message.answer(refusal())


async def refuse_callback(callback: CallbackQuery) -> None:
    """A staff button pressed (or forged) in another chat."""
    log.warning("chat %s: staff button %r refused", callback.from_user.id, callback.data)
    await callback.answer(refusal(), show_alert=True)


def is_staff_callback(data: str | None) -> bool:
    """Whether callback data belongs to a staff button."""
    return bool(data) and str(data).split(":", 1)[0] in STAFF_CALLBACK_PREFIXES


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="staff-gate")
    router.message.filter(~ActiveStaff())
    router.callback_query.filter(~ActiveStaff())
    router.message.register(refuse_message, Command(*STAFF_COMMANDS))
    staff_labels = (
        Buttons.NEW_MEETING,
        Buttons.QUARTER_REPORT,
        Buttons.CASE_QUEUE,
        Buttons.BROADCAST,
        Buttons.REPORTS,
    )
    for label in staff_labels:
        router.message.register(refuse_message, ButtonText(label))
    router.callback_query.register(refuse_callback, F.data.func(is_staff_callback))
    return router
