"""The ways into the case desk: the menu button, /queue, and a notice's "Open the case"."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, StartMode

from handlers.callbacks import StaffIssueCB, StaffMenuCB
from handlers.filters import ButtonText
from handlers.staff.desk import Desk
from handlers.states import CaseDesk
from handlers.texts import Buttons
from services.cases.residents import get_issue

log = logging.getLogger(__name__)
# The steps that read what is typed; elsewhere a message goes on to the other routers.
TYPING = frozenset(
    {
        CaseDesk.members,
        CaseDesk.reply,
        CaseDesk.confirm,
        CaseDesk.reject,
        CaseDesk.duplicate,
        CaseDesk.note,
    }
)


async def open_queue(desk: Desk, dialog_manager: DialogManager) -> None:
    """The queue's overview, in place of whatever the chat was doing."""
    await desk.state.clear()
    await dialog_manager.start(CaseDesk.overview, mode=StartMode.RESET_STACK)


async def queue_command(message: Message, desk: Desk, dialog_manager: DialogManager) -> None:
    """The menu button or /queue."""
    await open_queue(desk, dialog_manager)


async def queue_button(callback: CallbackQuery, desk: Desk, dialog_manager: DialogManager) -> None:
    """The "◀ Case queue" button under the members' reports."""
    await callback.answer()
    await open_queue(desk, dialog_manager)


async def open_case(desk: Desk, dialog_manager: DialogManager, issue_id: int) -> None:
    """The case's card (its scope checked by the caller), in place of the pressed message."""
    await desk.state.clear()
    await dialog_manager.start(CaseDesk.case, mode=StartMode.RESET_STACK, data={"case": issue_id})


async def case_from_notice(
    callback: CallbackQuery,
    callback_data: StaffIssueCB,
    desk: Desk,
    dialog_manager: DialogManager,
) -> None:
    """A notice's "Open the case": that case's card, if it is within reach."""
    detail = await get_issue(
        desk.session, issue_id=callback_data.id, condition=desk.scope.issues_clause()
    )
    if detail is None or callback_data.action != "view":
        log.warning(
            "chat %s: staff case %s (%s) refused",
            callback.from_user.id,
            callback_data.id,
            callback_data.action,
        )
        await callback.answer(_("This case is not available."), show_alert=True)
        return
    await callback.answer()
    await open_case(desk, dialog_manager, callback_data.id)


def entry() -> Router:
    """The ways into the case desk, on a fresh router."""
    router = Router(name="staff-case-desk-entry")
    router.message.register(queue_command, ButtonText(Buttons.CASE_QUEUE))
    router.message.register(queue_command, Command("queue"))
    router.callback_query.register(queue_button, StaffMenuCB.filter(F.action == "queue"))
    router.callback_query.register(case_from_notice, StaffIssueCB.filter())
    return router
