"""Staff and meetings: the ways into the list and a meeting's card, and leave decisions."""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, StartMode

from handlers.callbacks import LeaveCB, StaffMeetingCB
from handlers.filters import ButtonText
from handlers.notifications import ChatNotifier
from handlers.outgoing import markup_of
from handlers.staff.desk import Desk
from handlers.staff.meetings_list import StaffMeetings
from handlers.texts import Buttons, escape
from services.errors import DomainError
from services.meetings.attendance import decide_leave, leave_request_of
from services.meetings.views import get_meeting
from storage.enums import MeetingResponse
from storage.models import ChatIdentity

log = logging.getLogger(__name__)


async def list_meetings(message: Message, dialog_manager: DialogManager) -> None:
    """Meetings that have not ended, soonest first, a page at a time."""
    await dialog_manager.start(StaffMeetings.list, mode=StartMode.RESET_STACK)


async def open_meeting(
    callback: CallbackQuery,
    callback_data: StaffMeetingCB,
    desk: Desk,
    dialog_manager: DialogManager,
) -> None:
    """A notice's "Open the meeting": the meeting's card, in place of the notice."""
    meeting = await get_meeting(desk.session, callback_data.id)
    if meeting is None or callback_data.action != "view":
        log.warning("chat %s: staff meeting %s refused", callback.from_user.id, callback_data.id)
        await callback.answer(_("This meeting is not available."), show_alert=True)
        return
    await callback.answer()
    await dialog_manager.start(
        StaffMeetings.card, mode=StartMode.RESET_STACK, data={"meeting": callback_data.id}
    )


async def leave_decided(
    callback: CallbackQuery,
    callback_data: LeaveCB,
    bot: Bot,
    desk: Desk,
    identity: ChatIdentity,
    notifier: ChatNotifier,
    wake_delivery: Callable[[], None],
) -> None:
    """Approve or refuse a leave request; the member is told, and the card says who decided.

    The card is drawn again from the database, never from the message pressed: a channel may
    not give that message's text back (the web chat does not).
    """
    if callback_data.action not in ("approve", "refuse"):
        log.warning("chat %s sent leave action %r", callback.from_user.id, callback_data.action)
        await callback.answer(_("This button is not valid."))
        return
    assert desk.staff.id is not None
    try:
        await decide_leave(
            desk.session,
            meeting_id=callback_data.meeting,
            member_id=callback_data.member,
            staff_id=desk.staff.id,
            approve=callback_data.action == "approve",
            now=desk.now,
            notifier=notifier,
            actor=desk.actor,
        )
    except DomainError as error:
        if error.code == "not_requested":
            text = _("This request was already decided.")
        elif error.code == "meeting_over":
            text = _("The meeting is over; its leave requests can no longer be decided.")
        else:
            text = _("This leave request is not available.")
        log.info("chat %s: leave decision refused (%s)", callback.from_user.id, error.code)
        await callback.answer(text, show_alert=True)
        if error.code == "not_requested":
            await _redraw(callback, desk, identity, notifier, callback_data)
        return
    wake_delivery()
    await callback.answer()
    await _redraw(callback, desk, identity, notifier, callback_data)


async def _redraw(
    callback: CallbackQuery,
    desk: Desk,
    identity: ChatIdentity,
    notifier: ChatNotifier,
    callback_data: LeaveCB,
) -> None:
    """The leave request's card as it stands: who asked, for what and why, and the decision."""
    request = await leave_request_of(
        desk.session, meeting_id=callback_data.meeting, member_id=callback_data.member
    )
    if request is None or not isinstance(callback.message, Message):
        return
    name = escape(request.decided_by or "")
    if request.response == MeetingResponse.LEAVE_APPROVED:
        decided: str | None = _("Approved by {name}.").format(name=name)
    elif request.response == MeetingResponse.LEAVE_REFUSED:
        decided = _("Refused by {name}.").format(name=name)
    else:
        decided = None
    card = notifier.render(
        "leave-request",
        identity,
        meeting=request.meeting,
        member=request.member,
        reason=request.reason,
        decided=decided,
    )
    await callback.message.edit_text(card.text, reply_markup=markup_of(card.buttons))


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="staff-meetings")
    router.message.register(list_meetings, ButtonText(Buttons.MEETINGS))
    router.message.register(list_meetings, Command("meetings"))
    router.callback_query.register(open_meeting, StaffMeetingCB.filter())
    router.callback_query.register(leave_decided, LeaveCB.filter())
    return router
