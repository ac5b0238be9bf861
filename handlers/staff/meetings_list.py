"""The administrators' upcoming meetings: a paged list, and each meeting's card with its QR code.

One aiogram-dialog: the list pages through the meetings that have not ended, a meeting opens
its card (who answered what, the check-in code and link), and the card sends the check-in QR
code. A notice's "Open the meeting" starts the dialog on the card.
"""

from __future__ import annotations

import io
import logging
from operator import itemgetter
from typing import Any

import segno
from aiogram import Bot, F
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Row, ScrollingGroup, Select, StubScroll, SwitchTo
from aiogram_dialog.widgets.text import Format, Multi
from markupsafe import Markup

from handlers.channel import ChannelCapabilities
from handlers.dialogs.context import Reader, reader_of
from handlers.dialogs.paging import choices, page_buttons
from handlers.dialogs.press import answer_press, pass_on
from handlers.dialogs.text import T
from handlers.member.checkin import CHECKIN_PAYLOAD
from handlers.member.meetings import response_label
from handlers.staff import guest_invite
from handlers.staff import meeting_changes as changes
from handlers.staff.consultation_prep_steps import open_prep
from handlers.staff.desk import desk_of
from handlers.staff.proceedings_desk import open_proceedings
from handlers.texts import anchor, escape, local_time
from services.meetings.views import get_meeting, invitees_of, upcoming_meetings
from services.translation import N_
from storage.enums import MeetingResponse
from storage.models import Meeting

log = logging.getLogger(__name__)
PAGE = 8  # meetings a page
LISTED = 200  # the list goes no further than this many meetings ahead
LABEL_MAX = 60


class StaffMeetings(StatesGroup):
    """The upcoming meetings, one meeting's card, its cancellation, and the past meetings."""

    list = State()
    card = State()
    cancel = State()
    past = State()


def checkin_link(meeting: Meeting, username: str | None, capabilities: ChannelCapabilities) -> str:
    """The meeting's QR deep link, as the channel writes links that open the bot."""
    return capabilities.deep_link(f"{CHECKIN_PAYLOAD}{meeting.checkin_token}", username)


async def render_meeting(
    reader: Reader, meeting: Meeting, bot: Bot, capabilities: ChannelCapabilities
) -> str:
    """The meeting for staff: answers, leave requests, the check-in code and link."""
    assert meeting.id is not None
    rows = await invitees_of(reader.session, meeting.id)
    by_response: dict[str, list[str]] = {}
    checked_in = 0
    for invitee, member in rows:
        by_response.setdefault(invitee.response, []).append(member.name)
        checked_in += invitee.checked_in_at is not None
    tz = reader.tz
    me = await bot.me()
    lines = [f"<b>{escape(meeting.title)}</b>"]
    if meeting.cancelled_at is not None:
        lines.append(_("✖ Cancelled at {when}.").format(when=local_time(meeting.cancelled_at, tz)))
    lines += [
        _("When: {value}").format(
            value=f"{local_time(meeting.starts_at, tz)} – {local_time(meeting.ends_at, tz)}"
        ),
        _("Venue: {value}").format(value=escape(meeting.venue)),
        _("Invited: {count}; checked in: {checked}").format(count=len(rows), checked=checked_in),
        "",
    ]
    if meeting.cancelled_at is not None:
        # Nobody is waited for or checked in any more: the answers and the code are history.
        return "\n".join(lines).rstrip()
    for response in MeetingResponse:
        names = by_response.get(response, [])
        if names:
            heading = _("{name} ({count})").format(name=response_label(response), count=len(names))
            lines.append(f"{heading}: {escape('、'.join(names))}")
    lines += [
        "",
        _("Check-in code: <code>{code}</code>").format(code=meeting.checkin_code),
        _("Check-in link: {link}").format(
            link=anchor(checkin_link(meeting, me.username, capabilities))
        ),
    ]
    return "\n".join(lines)


# --- getters ---------------------------------------------------------------------------------


async def listed(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """Meetings that have not ended, soonest first, as (id, label) pairs."""
    reader = reader_of(dialog_manager)
    upcoming = await upcoming_meetings(reader.session, now=reader.now, limit=LISTED)
    items = [
        (str(meeting.id), f"{local_time(meeting.starts_at, reader.tz)} · {meeting.title}")
        for meeting in upcoming
    ]
    return {"meetings": [(id_, label[:LABEL_MAX]) for id_, label in items], "any": bool(items)}


async def card(
    dialog_manager: DialogManager, bot: Bot, capabilities: ChannelCapabilities, **_data: Any
) -> dict[str, Any]:
    """The chosen meeting's card, read afresh each time it is drawn."""
    reader = reader_of(dialog_manager)
    meeting_id = int(dialog_manager.dialog_data.get("meeting", 0))
    meeting = await get_meeting(reader.session, meeting_id)
    if meeting is None:
        return {"card": "", "found": False, "changeable": False, "live": False, "title": ""}
    # The buttons below are for the meeting as it stands now: a press names this version.
    dialog_manager.dialog_data["drawn"] = meeting.sequence
    # Built from our msgids and escaped values, so it is markup as it stands.
    text = Markup(await render_meeting(reader, meeting, bot, capabilities))  # noqa: S704
    return {
        "card": text,
        "found": True,
        "changeable": changes.may_change(meeting, dialog_manager),
        # A cancelled meeting has nobody to check in.
        "live": meeting.cancelled_at is None,
        "title": meeting.title,
    }


# --- callbacks -------------------------------------------------------------------------------


async def on_start(start_data: Any, manager: DialogManager) -> None:
    """Remember the meeting a notice opened."""
    if isinstance(start_data, dict) and start_data.get("meeting"):
        manager.dialog_data["meeting"] = int(start_data["meeting"])


async def meeting_chosen(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: str
) -> None:
    """Open a meeting of the list."""
    meeting_id = int(item_id) if item_id.isdigit() else 0
    if await get_meeting(desk_of(manager).session, meeting_id) is None:
        log.warning("chat %s: staff meeting %r refused", callback.from_user.id, item_id)
        await answer_press(manager, _("This meeting is not available."), show_alert=True)
        return
    manager.dialog_data["meeting"] = meeting_id
    await manager.switch_to(StaffMeetings.card)


async def proceedings_chosen(callback: CallbackQuery, button: Any, manager: DialogManager) -> None:
    """The meeting's speeches, remarks and steps."""
    await open_proceedings(manager, int(manager.dialog_data.get("meeting", 0)))


async def send_qr(callback: CallbackQuery, button: Any, manager: DialogManager) -> None:
    """Send the meeting's check-in QR code below the card."""
    desk = desk_of(manager)
    meeting = await get_meeting(desk.session, int(manager.dialog_data.get("meeting", 0)))
    if meeting is None or meeting.cancelled_at is not None:
        await answer_press(manager, _("This meeting is not available."), show_alert=True)
        return
    await answer_press(manager)
    bot: Bot = manager.middleware_data["bot"]
    me = await bot.me()
    buffer = io.BytesIO()
    link = checkin_link(meeting, me.username, manager.middleware_data["capabilities"])
    segno.make(link, error="m").save(buffer, kind="png", scale=10, border=4)
    await bot.send_photo(
        callback.from_user.id,
        BufferedInputFile(buffer.getvalue(), filename=f"checkin-{meeting.id}.png"),
        caption=_("Check-in for {title}: members scan this at the venue.").format(
            title=escape(meeting.title)
        ),
    )


def meetings_dialog() -> Dialog:
    """The list and the card, built fresh for each Dispatcher."""
    return Dialog(
        Window(
            T("<b>Upcoming meetings</b>", when="any"),
            T("No upcoming meetings. Use “➕ New meeting” to set one up.", when=~F["any"]),
            ScrollingGroup(
                Select(
                    Format("{item[1]}"),
                    id="meeting",
                    item_id_getter=itemgetter(0),
                    items="meetings",
                    on_click=meeting_chosen,
                ),
                id="meetings",
                width=1,
                height=PAGE,
                hide_on_single_page=True,
            ),
            SwitchTo(T("🗂 Past meetings"), id="to_past", state=StaffMeetings.past),
            MessageInput(pass_on),
            getter=listed,
            state=StaffMeetings.list,
        ),
        Window(
            Format("{card}", when="found"),
            T("This meeting is not available.", when=~F["found"]),
            Row(
                Button(
                    T("✏️ Change"), id="change", on_click=changes.change_chosen, when="changeable"
                ),
                Button(
                    T("✖ Cancel the meeting"),
                    id="cancel",
                    on_click=changes.cancel_chosen,
                    when="changeable",
                ),
            ),
            Button(T("🖨 Check-in QR code"), id="qr", on_click=send_qr, when="live"),
            Button(T("🎤 Proceedings"), id="proceedings", on_click=proceedings_chosen, when="live"),
            Button(T("👥 Guests"), id="guests", on_click=guest_invite.open_guests, when="found"),
            Button(T("🗂 Preparation"), id="prep", on_click=open_prep, when="found"),
            SwitchTo(T("◀ Back"), id="back", state=StaffMeetings.list),
            MessageInput(pass_on),
            getter=card,
            state=StaffMeetings.card,
        ),
        Window(
            Format("{card}", when="found"),
            T("Cancel this meeting? Everyone invited will be told it will not take place."),
            Button(T("✖ Yes, cancel it"), id="cancel_yes", on_click=changes.cancel_confirmed),
            SwitchTo(T("◀ Keep it"), id="cancel_no", state=StaffMeetings.card),
            MessageInput(pass_on),
            getter=card,
            state=StaffMeetings.cancel,
        ),
        Window(
            Multi(
                T("<b>Past meetings</b> (attended, on leave, absent)"),
                T("Page {page} of {pages}.", when="paged"),
                sep=" ",
            ),
            T("No meetings are over yet.", when="empty"),
            choices("past", meeting_chosen),
            StubScroll(id="past_pages", pages="pages"),
            page_buttons(
                "past_pages", back=("later", N_("◀ Later")), forward=("earlier", N_("Earlier ▶"))
            ),
            SwitchTo(T("◀ Back"), id="past_back", state=StaffMeetings.list),
            MessageInput(pass_on),
            getter=changes.past_listed,
            state=StaffMeetings.past,
        ),
        on_start=on_start,
    )
