"""The two case desk actions asked twice: closing a case, and merging it into another.

Both end the case for its resident (closed, or followed under another number) and cannot be
taken back from the desk, so the card asks once more, naming the case, before doing it.
"""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode, Window
from aiogram_dialog.widgets.kbd import Button, Row

from handlers.dialogs.markup import Label
from handlers.dialogs.press import answer, answer_press, refuse_input
from handlers.dialogs.text import T
from handlers.staff import case_desk_views as views
from handlers.staff.case_desk_steps import act_on_case, back_to_card, own_case, typed_case
from handlers.staff.case_errors import case_error
from handlers.staff.desk import desk_of
from handlers.states import CaseDesk
from services.cases import answers as case_answers
from services.cases import casework
from services.errors import DomainError


async def number_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """The number of the case this one duplicates: checked, then asked to confirm."""
    if await typed_case(message, manager) is None:
        return
    desk = desk_of(manager)
    try:
        original = await casework.merge_target(
            desk.session,
            issue_id=views.case_id(manager),
            original_number=message.text or "",
            scope=desk.scope,
        )
    except DomainError as error:
        await refuse_input(message, manager, case_error(error))
        return
    manager.dialog_data["original"] = original.number
    await manager.switch_to(CaseDesk.merge_confirm, show_mode=ShowMode.SEND)


async def merge_confirmed(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Merge now; a number that does not hold sends the desk back to type another."""
    await own_case(manager)
    try:
        _issue, original = await act_on_case(
            manager,
            casework.mark_duplicate,
            issue_id=views.case_id(manager),
            original_number=str(manager.dialog_data.get("original", "")),
        )
    except DomainError as error:
        await answer_press(manager, case_error(error), show_alert=True)
        await manager.switch_to(CaseDesk.duplicate)
        return
    await answer(manager)
    text = _("Merged with case {number}; the resident follows that case now.").format(
        number=original.number
    )
    await back_to_card(manager, text)


async def resolve_confirmed(
    callback: CallbackQuery, button: Button, manager: DialogManager
) -> None:
    """Close the case now; the card is drawn again."""
    await own_case(manager)
    try:
        await act_on_case(manager, case_answers.resolve, issue_id=views.case_id(manager))
    except DomainError as error:
        await answer_press(manager, case_error(error), show_alert=True)
        await manager.switch_to(CaseDesk.case)
        return
    await answer(manager, _("Resolved."))
    await manager.switch_to(CaseDesk.case)


async def back(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Not now: back to the card, nothing done."""
    await answer(manager)
    await manager.switch_to(CaseDesk.case)


def confirm_windows() -> list[Window]:
    """The two confirmations, each with its yes and its way back."""
    return [
        Window(
            T(
                "Close case {number} as resolved? The resident is told it is closed and can "
                "still rate the answer."
            ),
            Row(
                Button(Label("✅ Yes, resolve it"), id="resolve_yes", on_click=resolve_confirmed),
                Button(Label("◀ Back to the case"), id="back", on_click=back),
            ),
            getter=views.number_getter,
            state=CaseDesk.resolve_confirm,
        ),
        Window(
            T(
                "Merge case {number} into case {original}? Its resident will follow case "
                "{original} from now on."
            ),
            Row(
                Button(Label("🔗 Yes, merge"), id="merge_yes", on_click=merge_confirmed),
                Button(Label("◀ Back to the case"), id="back", on_click=back),
            ),
            getter=views.confirm_getter,
            state=CaseDesk.merge_confirm,
        ),
    ]
