"""What staff type at the case desk: a reply and its preview, a reason, a case number, a note."""

from __future__ import annotations

import logging
from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode
from aiogram_dialog.widgets.kbd import Button

from handlers.dialogs.guard import Refused
from handlers.dialogs.press import answer, answer_press, mark_choice, refuse_input
from handlers.staff.case_desk_steps import act_on_case, back_to_card, own_case, to_menu, typed_case
from handlers.staff.case_desk_views import (
    case_id,
)
from handlers.staff.case_errors import case_error
from handlers.staff.desk import desk_of
from handlers.states import CaseDesk
from handlers.texts import escape
from services.cases import answers as case_answers
from services.cases import casework
from services.cases.audience import resident_locale
from services.cases.canned import list_canned, text_for, title_for
from services.cases.common import check_text
from services.errors import DomainError

log = logging.getLogger(__name__)


async def reply_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """A reply written by hand: checked, then shown as the resident will read it."""
    try:
        text = check_text(message.text or "")
    except DomainError as error:
        await message.answer(case_error(error))
        manager.show_mode = ShowMode.NO_UPDATE
        return
    manager.dialog_data["reply"] = text
    await manager.switch_to(CaseDesk.confirm)


async def canned_picked(
    callback: CallbackQuery, widget: Any, manager: DialogManager, reply_id: int
) -> None:
    """A ready answer, in the resident's language, shown before it is sent."""
    desk = desk_of(manager)
    reply = next((r for r in await list_canned(desk.session) if r.id == reply_id), None)
    if reply is None:
        log.warning("chat %s: forged ready answer %r", callback.from_user.id, reply_id)
        raise Refused(_("This button is not valid."), alert=True)
    detail = await own_case(manager)
    locale = await resident_locale(desk.session, detail.issue)
    manager.dialog_data["reply"] = text_for(reply, locale)
    title = escape(title_for(reply, desk.turn.locale))
    await mark_choice(manager, _("Ready answer: {title}").format(title=title))
    await manager.switch_to(CaseDesk.confirm, show_mode=ShowMode.SEND)


async def send_reply(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """The answer goes to the resident, if the case is still within reach."""
    await own_case(manager)
    try:
        await act_on_case(
            manager,
            case_answers.staff_reply,
            issue_id=case_id(manager),
            text=str(manager.dialog_data.get("reply", "")),
        )
    except DomainError as error:
        await answer_press(manager, case_error(error), show_alert=True)
        return
    await answer(manager)
    await mark_choice(manager, _("📤 Sent to the resident."))
    await back_to_card(manager, _("The resident will get your answer and can rate it."))


async def rewrite_reply(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Back to typing the answer; the preview comes again after it."""
    manager.dialog_data["rewriting"] = True
    await mark_choice(manager, _("Rewrite the answer below."))
    await manager.switch_to(CaseDesk.reply, show_mode=ShowMode.SEND)


async def drop_reply(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Nothing is sent."""
    await to_menu(manager, _("The answer was dropped; nothing was sent."))


async def cancel_typing(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """✖ Cancel on a step: nothing is changed."""
    await to_menu(manager, _("Cancelled; nothing was changed."))


# --- reasons, numbers and notes --------------------------------------------------------------


async def reason_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """The reason for not accepting the case; the resident reads it as the answer."""
    if await typed_case(message, manager) is None:
        return
    try:
        await act_on_case(
            manager, casework.reject, issue_id=case_id(manager), reason=message.text or ""
        )
    except DomainError as error:
        await refuse_input(message, manager, case_error(error))
        return
    await back_to_card(manager, _("The case was not accepted; the resident was told why."))


async def note_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """An internal note."""
    if await typed_case(message, manager) is None:
        return
    desk = desk_of(manager)
    try:
        await case_answers.add_note(
            desk.session,
            issue_id=case_id(manager),
            text=message.text or "",
            actor=desk.actor,
            now=desk.now,
            scope=desk.scope,
        )
    except DomainError as error:
        await message.answer(case_error(error))
        manager.show_mode = ShowMode.NO_UPDATE
        return
    await back_to_card(manager, _("Note added."))
