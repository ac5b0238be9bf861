"""Ways into the department's handling: the menu button, /handling, and a notice's "Open".

A notice's button names the state it was drawn for; a press on a proposal or suggestion that
moved on opens the card as it stands and says so. An id the department holds no row for, or
a press from a chat that is not a department's, is refused.
"""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, StartMode

from handlers.department.states import HandlingWork
from handlers.filters import ButtonText
from handlers.pipeline_callbacks import HandlingCB
from handlers.texts import Buttons
from handlers.turn import Turn
from services.errors import DomainError
from services.pipeline.department_views import department_card
from storage.models import Department

log = logging.getLogger(__name__)


async def show_items(
    message: Message, dialog_manager: DialogManager, department: Department | None = None
) -> None:
    """The menu button or /handling: the department's open items, from the first page."""
    if department is None:
        await message.answer(_("This is for the departments' handlers."))
        return
    await dialog_manager.start(HandlingWork.items, mode=StartMode.RESET_STACK)


async def open_card(
    callback: CallbackQuery,
    callback_data: HandlingCB,
    turn: Turn,
    dialog_manager: DialogManager,
    department: Department | None = None,
) -> None:
    """A notice's button: the card, if the department holds it; anything else is refused."""
    card = None
    if department is not None and department.id is not None and callback_data.action == "open":
        try:
            card = await department_card(
                turn.session,
                department_id=department.id,
                kind=callback_data.kind,
                key=callback_data.id,
            )
        except DomainError:
            card = None
    if card is None:
        log.warning(
            "chat %s: handling %s %s (%s) refused",
            callback.from_user.id,
            callback_data.kind,
            callback_data.id,
            callback_data.action,
        )
        await callback.answer(_("This is not available."), show_alert=True)
        return
    if card.token != callback_data.v:
        await callback.answer(_("This has moved on; here it is as it stands now."))
    else:
        await callback.answer()
    await dialog_manager.start(
        HandlingWork.card,
        mode=StartMode.RESET_STACK,
        data={"kind": card.kind, "key": card.key},
    )


def setup() -> Router:
    """The ways in, on a fresh router; the press handler also refuses other chats."""
    router = Router(name="department-handling-entry")
    router.message.register(show_items, ButtonText(Buttons.HANDLING))
    router.message.register(show_items, Command("handling"))
    router.callback_query.register(open_card, HandlingCB.filter())
    return router
