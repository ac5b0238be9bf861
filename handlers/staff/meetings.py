"""Staff and meetings: the list, who answered what, the check-in QR, leave decisions."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable

import segno
from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import LeaveCB, StaffMeetingCB
from handlers.channel import ChannelCapabilities
from handlers.filters import ButtonText
from handlers.grid import Grid
from handlers.member.checkin import CHECKIN_PAYLOAD
from handlers.member.meetings import response_label
from handlers.messaging import replace_or_send
from handlers.notifications import ChatNotifier
from handlers.staff.desk import Desk
from handlers.texts import Buttons, escape, local_time
from services.errors import DomainError
from services.meetings.attendance import decide_leave
from services.meetings.views import get_meeting, invitees_of, upcoming_meetings
from storage.enums import MeetingResponse
from storage.models import Meeting

log = logging.getLogger(__name__)


async def list_meetings(message: Message, desk: Desk) -> None:
    """Meetings that have not ended, soonest first."""
    upcoming = await upcoming_meetings(desk.session, now=desk.now)
    grid = Grid()
    for meeting in upcoming:
        assert meeting.id is not None
        label = f"{local_time(meeting.starts_at, desk.turn.tz)} · {meeting.title}"
        grid.button(text=label[:60], callback_data=StaffMeetingCB(action="view", id=meeting.id))
    grid.adjust(1)
    markup = grid.as_markup()
    if not markup.inline_keyboard:
        await message.answer(_("No upcoming meetings. Use “➕ New meeting” to set one up."))
        return
    await message.answer(_("<b>Upcoming meetings</b>"), reply_markup=markup)


def checkin_link(meeting: Meeting, username: str | None, capabilities: ChannelCapabilities) -> str:
    """The meeting's QR deep link, as the channel writes links that open the bot."""
    return capabilities.deep_link(f"{CHECKIN_PAYLOAD}{meeting.checkin_token}", username)


async def render_meeting(
    desk: Desk, meeting: Meeting, bot: Bot, capabilities: ChannelCapabilities
) -> str:
    """The meeting for staff: answers, leave requests, the check-in code and link."""
    assert meeting.id is not None
    rows = await invitees_of(desk.session, meeting.id)
    by_response: dict[str, list[str]] = {}
    checked_in = 0
    for invitee, member in rows:
        by_response.setdefault(invitee.response, []).append(member.name)
        checked_in += invitee.checked_in_at is not None
    tz = desk.turn.tz
    me = await bot.me()
    lines = [
        f"<b>{escape(meeting.title)}</b>",
        _("When: {value}").format(
            value=f"{local_time(meeting.starts_at, tz)} – {local_time(meeting.ends_at, tz)}"
        ),
        _("Venue: {value}").format(value=escape(meeting.venue)),
        _("Invited: {count}; checked in: {checked}").format(count=len(rows), checked=checked_in),
        "",
    ]
    for response in MeetingResponse:
        names = by_response.get(response, [])
        if names:
            lines.append(f"{response_label(response)} ({len(names)}): {escape('、'.join(names))}")
    lines += [
        "",
        _("Check-in code: <code>{code}</code>").format(code=meeting.checkin_code),
        _("Check-in link: {link}").format(link=checkin_link(meeting, me.username, capabilities)),
    ]
    return "\n".join(lines)


def meeting_buttons(meeting: Meeting) -> InlineKeyboardMarkup:
    """The check-in QR code."""
    assert meeting.id is not None
    grid = Grid()
    grid.button(
        text=_("🖨 Check-in QR code"), callback_data=StaffMeetingCB(action="qr", id=meeting.id)
    )
    return grid.as_markup()


async def meeting_chosen(
    callback: CallbackQuery,
    callback_data: StaffMeetingCB,
    bot: Bot,
    desk: Desk,
    capabilities: ChannelCapabilities,
) -> None:
    """View a meeting, or send its check-in QR code."""
    meeting = await get_meeting(desk.session, callback_data.id)
    if meeting is None or callback_data.action not in ("view", "qr"):
        log.warning("chat %s: staff meeting %s refused", callback.from_user.id, callback_data.id)
        await callback.answer(_("This meeting is not available."), show_alert=True)
        return
    await callback.answer()
    if callback_data.action == "qr":
        me = await bot.me()
        buffer = io.BytesIO()
        link = checkin_link(meeting, me.username, capabilities)
        segno.make(link, error="m").save(buffer, kind="png", scale=10, border=4)
        await bot.send_photo(
            callback.from_user.id,
            BufferedInputFile(buffer.getvalue(), filename=f"checkin-{meeting.id}.png"),
            caption=_("Check-in for {title}: members scan this at the venue.").format(
                title=escape(meeting.title)
            ),
        )
        return
    await replace_or_send(
        callback,
        bot,
        await render_meeting(desk, meeting, bot, capabilities),
        meeting_buttons(meeting),
    )


async def leave_decided(
    callback: CallbackQuery,
    callback_data: LeaveCB,
    bot: Bot,
    desk: Desk,
    notifier: ChatNotifier,
    wake_delivery: Callable[[], None],
) -> None:
    """Approve or refuse a leave request; the member is told."""
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
        return
    wake_delivery()
    decided = (
        _("Approved by {name}.") if callback_data.action == "approve" else _("Refused by {name}.")
    )
    await callback.answer()
    if isinstance(callback.message, Message):
        original = callback.message.html_text if callback.message.text else ""
        await callback.message.edit_text(
            f"{original}\n\n{decided.format(name=escape(desk.staff.name))}"
        )


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="staff-meetings")
    router.message.register(list_meetings, ButtonText(Buttons.MEETINGS))
    router.message.register(list_meetings, Command("meetings"))
    router.callback_query.register(meeting_chosen, StaffMeetingCB.filter())
    router.callback_query.register(leave_decided, LeaveCB.filter())
    return router
