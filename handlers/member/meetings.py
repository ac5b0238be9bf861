"""A member's meetings: the ways in, answering from a notice, the reason for leave, the texts.

The list and the meeting's card are a dialog (:mod:`handlers.member.meetings_list`); this
module opens it from the menu, /meetings and a notice's buttons, and reads what is typed after
"Ask for leave" or "Check in".
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager

from handlers import keyboards
from handlers.callbacks import MeetingCB, MemberMenuCB
from handlers.detours import open_list
from handlers.filters import ButtonText
from handlers.member.context import LogContext
from handlers.member.log_entry import open_entry
from handlers.member.progress import show_progress
from handlers.notifications import ChatNotifier
from handlers.states import MeetingAnswer, MemberMeetings
from handlers.texts import Buttons, escape, local_time
from services.errors import DomainError
from services.meetings.attendance import respond
from services.meetings.invitations import ics, meeting_kind, member_meeting
from services.meetings.past import member_past_page
from services.meetings.views import member_meetings_page
from services.reference.catalog import display_name
from storage.enums import MeetingResponse
from storage.models import Meeting, MeetingInvitee

log_ = logging.getLogger(__name__)


def response_label(response: str) -> str:
    """A member's answer, as they read it."""
    labels = {
        MeetingResponse.PENDING: _("not answered yet"),
        MeetingResponse.ATTENDING: _("attending"),
        MeetingResponse.LEAVE_REQUESTED: _("leave requested"),
        MeetingResponse.LEAVE_APPROVED: _("leave approved"),
        MeetingResponse.LEAVE_REFUSED: _("leave not approved"),
    }
    try:
        return labels[MeetingResponse(response)]
    except ValueError:
        return response


def refusal(error: DomainError) -> str:
    """Why a meeting action was refused."""
    messages = {
        "not_invited": _("You are not invited to this meeting."),
        "cancelled": _("This meeting was cancelled."),
        "started": _("The meeting has started; answers can no longer be changed."),
        "reason_length": _("Please give a reason in a few words (at most 500 characters)."),
        "checkin_closed": _(
            "Check-in is open from an hour before the meeting until its end; it is not open now."
        ),
        "checkin_wrong": _("That code is not right. Please check the code shown at the venue."),
        "checkin_locked": _(
            "Too many wrong codes. Please ask the staff at the venue to check you in."
        ),
        "checkin_unknown": _("This check-in code is not known."),
    }
    return messages.get(error.code, _("This could not be done."))


def render_meeting(meeting: Meeting, invitee: MeetingInvitee, log: LogContext) -> str:
    """The meeting as the member sees it, with their answer."""
    kind = meeting_kind(meeting.kind)
    tz = log.turn.tz
    lines = [
        f"<b>{escape(meeting.title)}</b>",
        _("Kind: {value}").format(
            value=escape(display_name(kind, log.turn.locale)) if kind else "-"
        ),
        _("When: {value}").format(
            value=f"{local_time(meeting.starts_at, tz)} – {local_time(meeting.ends_at, tz)}"
        ),
        _("Venue: {value}").format(value=escape(meeting.venue)),
        _("Your answer: {value}").format(value=response_label(invitee.response)),
    ]
    if invitee.checked_in_at is not None:
        lines.append(_("Checked in at {time}.").format(time=local_time(invitee.checked_in_at, tz)))
    if meeting.cancelled_at is not None:
        lines.append(_("This meeting was cancelled."))
    elif log.now >= meeting.ends_at:
        attended = invitee.checked_in_at is not None
        lines.append(_("You attended.") if attended else _("You did not attend."))
    if meeting.agenda:
        lines += [_("Agenda:"), f"<blockquote>{escape(meeting.agenda)}</blockquote>"]
    return "\n".join(lines)


async def send_ics(bot: Bot, chat_id: int, meeting: Meeting) -> None:
    """The meeting as a calendar file."""
    await bot.send_document(
        chat_id,
        BufferedInputFile(ics(meeting).encode(), filename=f"meeting-{meeting.id}.ics"),
        caption=_("Open the file to add {title} to your calendar.").format(
            title=escape(meeting.title)
        ),
    )


async def ask_leave_reason(log: LogContext, meeting: Meeting) -> None:
    """Ask why the member cannot attend; the reason is typed next."""
    await log.state.set_state(MeetingAnswer.leave_reason)
    await log.state.update_data(meeting_id=meeting.id)
    await log.turn.say(
        _("Why can't you attend {title}? Your reason goes to the committee office.").format(
            title=escape(meeting.title)
        ),
        reply_markup=keyboards.cancel_only(),
    )


async def ask_checkin_code(log: LogContext) -> None:
    """Ask for the code shown at the venue; it is typed next."""
    await log.state.set_state(MeetingAnswer.checkin_code)
    await log.turn.say(
        _("Please type the 6-digit code shown at the venue."),
        reply_markup=keyboards.cancel_only(),
    )


async def open_meetings(
    log: LogContext, manager: DialogManager, *, meeting_id: int | None = None
) -> bool:
    """The member's upcoming meetings (or one meeting's card); False if there are none."""
    if meeting_id is not None:
        await open_list(manager, MemberMeetings.card, meeting=meeting_id)
        return True
    page = await member_meetings_page(log.session, member_id=log.member.id, now=log.now)
    past = await member_past_page(log.session, member_id=log.member.id, now=log.now, page_size=1)
    if page.total == 0 and past.total == 0:
        await log.turn.say(_("You have no upcoming meetings."))
        return False
    await open_list(manager, MemberMeetings.list)
    return True


async def meetings_command(
    message: Message, log: LogContext, dialog_manager: DialogManager
) -> None:
    """The meetings button or /meetings."""
    await open_meetings(log, dialog_manager)


async def meeting_action(
    callback: CallbackQuery,
    callback_data: MeetingCB,
    bot: Bot,
    log: LogContext,
    notifier: ChatNotifier,
    dialog_manager: DialogManager,
) -> None:
    """A notice's button: open the meeting, attend, ask for leave, the calendar file, check in.

    Only the member's own meetings; opening and attending show the meeting's card in place of
    the notice.
    """
    found = await member_meeting(log.session, member_id=log.member.id, meeting_id=callback_data.id)
    if found is None or callback_data.action not in ("view", "attend", "leave", "ics", "checkin"):
        log_.warning(
            "chat %s: meeting %s (%s) refused",
            callback.from_user.id,
            callback_data.id,
            callback_data.action,
        )
        await callback.answer(_("This meeting is not available."), show_alert=True)
        return
    meeting, _invitee = found
    action = callback_data.action
    moved_on = callback_data.v not in (-1, meeting.sequence) and meeting.cancelled_at is None
    if action in ("attend", "leave") and moved_on:
        # The answer would be to the meeting as the notice told it, not as it stands now.
        log_.info("chat %s: stale answer to meeting %s", callback.from_user.id, meeting.id)
        await callback.answer(
            _("This card is out of date: the meeting has changed. Here it is as it stands now."),
            show_alert=True,
        )
        await open_meetings(log, dialog_manager, meeting_id=callback_data.id)
        return
    if action == "ics":
        await callback.answer()
        await send_ics(bot, callback.from_user.id, meeting)
        return
    if action == "leave":
        if log.now >= meeting.starts_at:
            await callback.answer(refusal(DomainError("started")), show_alert=True)
            return
        await callback.answer()
        await ask_leave_reason(log, meeting)
        return
    if action == "checkin":
        await callback.answer()
        await ask_checkin_code(log)
        return
    if action == "attend":
        try:
            await respond(
                log.session,
                meeting_id=meeting.id or 0,
                member_id=log.member.id,
                attend=True,
                now=log.now,
                notifier=notifier,
            )
        except DomainError as error:
            await callback.answer(refusal(error), show_alert=True)
            return
        await callback.answer(_("Noted: you will attend."))
    else:
        await callback.answer()
    await open_meetings(log, dialog_manager, meeting_id=callback_data.id)


async def leave_reason_typed(
    message: Message,
    log: LogContext,
    notifier: ChatNotifier,
    wake_delivery: Callable[[], None],
) -> None:
    """The reason for leave: the request goes to staff."""
    assert message.text is not None
    meeting_id = int((await log.state.get_data()).get("meeting_id") or 0)
    try:
        await respond(
            log.session,
            meeting_id=meeting_id,
            member_id=log.member.id,
            attend=False,
            reason=message.text,
            now=log.now,
            notifier=notifier,
        )
    except DomainError as error:
        await message.answer(refusal(error))
        if error.code != "reason_length":
            await log.state.clear()
        return
    await log.state.clear()
    wake_delivery()
    await message.answer(
        _("Your leave request was sent to the committee office. You will be told their decision."),
        reply_markup=keyboards.main_menu("member"),
    )


async def text_expected(message: Message) -> None:
    """A sticker or a photo where a reason or a code is expected."""
    await message.answer(_("Please answer with text, or “✖ Cancel”."))


async def menu_button(
    callback: CallbackQuery,
    callback_data: MemberMenuCB,
    log: LogContext,
    dialog_manager: DialogManager,
) -> None:
    """A button on a reminder: log an activity, my progress, my meetings."""
    await callback.answer()
    if callback_data.action == "log":
        await open_entry(log, dialog_manager)
    elif callback_data.action == "progress" and isinstance(callback.message, Message):
        await show_progress(callback.message, log)
    elif callback_data.action == "meetings":
        await open_meetings(log, dialog_manager)
    else:
        log_.warning("chat %s sent menu action %r", callback.from_user.id, callback_data.action)
        await log.turn.say(_("This button is not valid."))


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="member-meetings")
    router.message.register(meetings_command, Command("meetings"))
    router.message.register(meetings_command, ButtonText(Buttons.MEETINGS))
    router.callback_query.register(meeting_action, MeetingCB.filter())
    router.callback_query.register(menu_button, MemberMenuCB.filter())
    router.message.register(leave_reason_typed, MeetingAnswer.leave_reason, F.text)
    router.message.register(text_expected, MeetingAnswer.leave_reason)
    return router
