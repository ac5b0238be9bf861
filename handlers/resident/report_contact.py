"""The report dialog, step 6: anonymous, or a phone number given with consent."""

from __future__ import annotations

import logging
from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode

from handlers.dialogs.press import show_answer
from handlers.resident.flow import advance, draw_below
from handlers.states import ReportForm
from services.cases import limits
from services.errors import DomainError

log = logging.getLogger(__name__)


async def anonymous_chosen(callback: CallbackQuery, widget: Any, manager: DialogManager) -> None:
    """Anonymous goes straight to the review."""
    manager.dialog_data["phone"] = None
    await show_answer(callback, _("Contact: anonymous"))
    await advance(manager, ReportForm.review)


async def phone_chosen(callback: CallbackQuery, widget: Any, manager: DialogManager) -> None:
    """A phone number is asked for next, also when the resident came from the review."""
    await show_answer(callback, _("Contact: by phone"))
    draw_below(manager)
    await manager.switch_to(ReportForm.phone, show_mode=ShowMode.SEND)


async def contact_expected(message: Message, widget: Any, manager: DialogManager) -> None:
    """Anything else while the contact choice is expected."""
    await message.answer(_("Please choose with the buttons above: anonymous or by phone."))


async def phone_shared(message: Message, widget: Any, manager: DialogManager) -> None:
    """The account's own number, shared with the button."""
    contact = message.contact
    assert contact is not None
    if message.from_user is None or contact.user_id != message.from_user.id:
        await message.answer(
            _("Please share your own number; this contact card belongs to someone else.")
        )
        return
    await _keep_phone(message, contact.phone_number, manager)


async def phone_typed(message: Message, widget: Any, manager: DialogManager) -> None:
    """A typed number."""
    assert message.text is not None
    await _keep_phone(message, message.text, manager)


async def _keep_phone(message: Message, raw: str, manager: DialogManager) -> None:
    try:
        phone = limits.normalize_phone(raw)
    except DomainError:
        await message.answer(
            _(
                "That does not look like a phone number. Please type digits only, "
                "for example 13800138000, or use the button."
            )
        )
        return
    manager.dialog_data["phone"] = phone
    await advance(manager, ReportForm.review)


async def phone_expected(message: Message, widget: Any, manager: DialogManager) -> None:
    """Anything else while a number is expected."""
    await message.answer(_("Please share your number with the button below, or type it."))
