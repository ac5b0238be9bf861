"""Ways into the casework dialog: the menu button, /cases, and a notice's "Open the case"."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, StartMode

from handlers.assignee.states import Casework
from handlers.callbacks import AssigneeIssueCB
from handlers.filters import ButtonText
from handlers.texts import Buttons
from handlers.turn import Turn
from services.cases.assignee import assigned_issue
from services.cases.common import Assignee

log = logging.getLogger(__name__)


async def show_list(message: Message, dialog_manager: DialogManager) -> None:
    """The menu button or /cases: the assigned cases, from the first page."""
    await dialog_manager.start(Casework.cases, mode=StartMode.RESET_STACK)


async def open_case(
    callback: CallbackQuery,
    callback_data: AssigneeIssueCB,
    turn: Turn,
    assignee: Assignee,
    dialog_manager: DialogManager,
) -> None:
    """A notice's button: that case's card, if it is this chat's; anything else is refused."""
    detail = await assigned_issue(turn.session, assignee=assignee, issue_id=callback_data.id)
    if detail is None or callback_data.action != "view":
        log.warning(
            "chat %s: assignee case %s (%s) refused",
            callback.from_user.id,
            callback_data.id,
            callback_data.action,
        )
        await callback.answer(_("This case is not available."), show_alert=True)
        return
    await callback.answer()
    await dialog_manager.start(
        Casework.case, mode=StartMode.RESET_STACK, data={"case": callback_data.id}
    )


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="assignee-cases")
    router.message.register(show_list, ButtonText(Buttons.ASSIGNED_CASES))
    router.message.register(show_list, Command("cases"))
    router.callback_query.register(open_case, AssigneeIssueCB.filter())
    return router
