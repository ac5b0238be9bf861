"""Meetings are the administrators' business: station staff who reach them are refused."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.filters import Command, Filter
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog.api.entities import Context

from handlers.filters import ButtonText
from handlers.staff.context import AdminStaff
from handlers.staff.meeting_form import MeetingForm
from handlers.staff.meetings_list import StaffMeetings
from handlers.texts import Buttons

log = logging.getLogger(__name__)
# Leave decisions and a notice's "Open the meeting".
MEETING_PREFIXES = frozenset({"lv", "sm"})
MEETING_DIALOGS = (MeetingForm, StaffMeetings)


def refusal() -> str:
    """Why meetings are closed to station staff."""
    return _("Meetings are run by the committee office's administrators.")


async def refuse_message(message: Message) -> None:
    """A meeting command or menu button from station staff."""
    log.info("chat %s: meetings refused to station staff", message.chat.id)
    await message.answer(refusal())


async def refuse_callback(callback: CallbackQuery) -> None:
    """A meeting button pressed (or forged) by station staff."""
    log.warning("chat %s: meeting button %r refused", callback.from_user.id, callback.data)
    await callback.answer(refusal(), show_alert=True)


def is_meeting_callback(data: str | None) -> bool:
    """Whether callback data belongs to a meeting button of the staff desk."""
    if not data:
        return False
    return data.split(":", 1)[0] in MEETING_PREFIXES or data == "sx:new-meeting"


class MeetingDialogPress(Filter):
    """A press on a card of the meeting form or of the meetings list.

    The card's intent was found in the chat's own dialog stack, so it was drawn for this chat:
    one opened before an administrator became station staff.
    """

    async def __call__(self, event: CallbackQuery, aiogd_context: Context | None = None) -> bool:
        """Whether the press belongs to one of the meeting dialogs."""
        return aiogd_context is not None and aiogd_context.state.group in MEETING_DIALOGS


def setup() -> Router:
    """The handlers of this module, on a fresh router; staff other than administrators only."""
    router = Router(name="staff-meetings-gate")
    router.message.filter(~AdminStaff())
    router.callback_query.filter(~AdminStaff())
    router.message.register(refuse_message, Command("newmeeting", "meetings"))
    router.message.register(refuse_message, ButtonText(Buttons.NEW_MEETING))
    router.message.register(refuse_message, ButtonText(Buttons.MEETINGS))
    router.callback_query.register(refuse_callback, F.data.func(is_meeting_callback))
    router.callback_query.register(refuse_callback, MeetingDialogPress())
    return router
