"""The report dialog, step 6: anonymous, or a phone number given with consent."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import ContactCB
from handlers.messaging import show_choice
from handlers.resident.flow import advance, ask_phone
from handlers.states import ReportForm
from handlers.turn import Turn
from services.cases import limits
from services.errors import DomainError

log = logging.getLogger(__name__)

# --- step 6: contact -------------------------------------------------------------------------


async def contact_chosen(
    callback: CallbackQuery,
    callback_data: ContactCB,
    state: FSMContext,
    turn: Turn,
) -> None:
    """Anonymous goes straight to the review; a phone number is asked for next."""
    if callback_data.choice == "anonymous":
        await state.update_data(phone=None)
        await show_choice(callback, _("Contact: anonymous"))
        await advance(turn)
    elif callback_data.choice == "phone":
        await show_choice(callback, _("Contact: by phone"))
        await ask_phone(turn)
    else:
        log.warning("chat %s sent contact choice %r", callback.from_user.id, callback_data.choice)
        await callback.answer(_("This button is not valid."))


async def contact_expected(message: Message) -> None:
    """Anything else while the contact choice is expected."""
    await message.answer(_("Please choose with the buttons above: anonymous or by phone."))


async def phone_shared(
    message: Message,
    turn: Turn,
) -> None:
    """The account's own number, shared with the button."""
    contact = message.contact
    assert contact is not None
    if message.from_user is None or contact.user_id != message.from_user.id:
        await message.answer(
            _("Please share your own number; this contact card belongs to someone else.")
        )
        return
    await _keep_phone(message, contact.phone_number, turn)


async def phone_typed(
    message: Message,
    turn: Turn,
) -> None:
    """A typed number."""
    assert message.text is not None
    await _keep_phone(message, message.text, turn)


async def _keep_phone(message: Message, raw: str, turn: Turn) -> None:
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
    await turn.state.update_data(phone=phone)
    await advance(turn)


async def phone_expected(message: Message) -> None:
    """Anything else while a number is expected."""
    await message.answer(_("Please share your number with the button below, or type it."))


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="report-contact")
    router.callback_query.register(contact_chosen, ReportForm.contact, ContactCB.filter())
    router.message.register(contact_expected, ReportForm.contact)
    router.message.register(phone_shared, ReportForm.phone, F.contact)
    router.message.register(phone_typed, ReportForm.phone, F.text)
    router.message.register(phone_expected, ReportForm.phone)
    return router
