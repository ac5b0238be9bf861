"""Staff change or cancel a meeting from its card, and page through the meetings that are over.

The card remembers the meeting's ``sequence`` it was drawn for; a press on "Change" or
"Cancel the meeting" after the meeting changed (a colleague edited or cancelled it) is refused
as out of date and the card is drawn again as the meeting stands. A change opens the meeting
form on its review, filled from the meeting, whose edit buttons switch to the step to change.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode
from aiogram_dialog.widgets.common import ManagedScroll

from handlers import keyboards
from handlers.dialogs.context import reader_of
from handlers.dialogs.press import answer, answer_press
from handlers.staff.desk import desk_of
from handlers.staff.meeting_form import MeetingForm
from services.errors import DomainError
from services.meetings.changes import cancel_meeting
from services.meetings.past import past_meetings_page
from services.meetings.views import get_meeting
from storage.enums import Attendance
from storage.models import Meeting

log = logging.getLogger(__name__)
LABEL_MAX = 60
OUT_OF_DATE = "This card is out of date. Here is where you are now."


def out_of_date() -> str:
    """What a press on a card drawn before the meeting changed is told."""
    return _(OUT_OF_DATE)


def may_change(meeting: Meeting, manager: DialogManager) -> bool:
    """Whether the meeting can still be changed or cancelled: not cancelled, not started."""
    return meeting.cancelled_at is None and reader_of(manager).now < meeting.starts_at


async def drawn_meeting(manager: DialogManager) -> Meeting | None:
    """The card's meeting, if it is still as the card showed it; refused as stale otherwise.

    A refused press is answered; the engine then draws the card again, as it stands now.
    """
    meeting = await get_meeting(
        desk_of(manager).session, int(manager.dialog_data.get("meeting", 0))
    )
    if meeting is None:
        await answer_press(manager, _("This meeting is not available."), show_alert=True)
        return None
    drawn = manager.dialog_data.get("drawn")
    if drawn is not None and drawn != meeting.sequence:
        log.info("chat %s: stale card of meeting %s", desk_of(manager).turn.chat_id, meeting.id)
        await answer(manager, out_of_date(), alert=True)
        return None
    return meeting


async def changeable_meeting(manager: DialogManager) -> Meeting | None:
    """:func:`drawn_meeting`, if it may still change; a press on one that may not is refused."""
    meeting = await drawn_meeting(manager)
    if meeting is not None and not may_change(meeting, manager):
        await answer(manager, _("This meeting can no longer be changed."), alert=True)
        return None
    return meeting


async def change_chosen(callback: CallbackQuery, button: Any, manager: DialogManager) -> None:
    """Open the meeting form on its review, filled from the meeting as it stands."""
    meeting = await changeable_meeting(manager)
    if meeting is None:
        return
    await answer(manager)
    await desk_of(manager).turn.say(
        _("Choose what to change, then save: the invited are told what changed."),
        reply_markup=keyboards.cancel_only(),
    )
    await manager.start(
        MeetingForm.review,
        data={
            "edit": meeting.id,
            "sequence": meeting.sequence,
            "kind": meeting.kind,
            "title": meeting.title,
            "starts": meeting.starts_at.isoformat(),
            "ends": meeting.ends_at.isoformat(),
            "venue": meeting.venue,
            "agenda": meeting.agenda,
            "audience": meeting.audience.split(),
            "audience_label": meeting.audience,
            "materials": meeting.materials_file,
            "materials_name": meeting.materials_name,
        },
        show_mode=ShowMode.SEND,
    )


async def cancel_chosen(callback: CallbackQuery, button: Any, manager: DialogManager) -> None:
    """Ask whether to cancel the meeting."""
    from handlers.staff.meetings_list import StaffMeetings

    if await changeable_meeting(manager) is not None:
        await manager.switch_to(StaffMeetings.cancel)


async def cancel_confirmed(callback: CallbackQuery, button: Any, manager: DialogManager) -> None:
    """Cancel the meeting; the invited are told, and the card shows it cancelled."""
    from handlers.staff.meetings_list import StaffMeetings

    desk = desk_of(manager)
    meeting = await drawn_meeting(manager)
    if meeting is not None:
        try:
            await cancel_meeting(
                desk.session,
                meeting_id=meeting.id or 0,
                sequence=meeting.sequence,
                now=desk.now,
                notifier=manager.middleware_data["notifier"],
                actor=desk.actor,
            )
        except DomainError as error:
            log.info("chat %s: cancellation refused (%s)", desk.turn.chat_id, error.code)
            await answer(manager, _("This meeting can no longer be changed."), alert=True)
        else:
            manager.middleware_data["wake_delivery"]()
            await answer(manager, _("The meeting is cancelled; the invited are told."))
    await manager.switch_to(StaffMeetings.card)


# --- the meetings that are over --------------------------------------------------------------


def _past_scroll(manager: DialogManager) -> ManagedScroll:
    scroll = manager.find("past_pages")
    assert isinstance(scroll, ManagedScroll)
    return scroll


def counts_label(counts: Counter[Attendance]) -> str:
    """A past meeting's attendance in a few characters: attended, on leave, absent."""
    return _("✔{attended} 🙋{excused} ✖{absent}").format(
        attended=counts[Attendance.ATTENDED],
        excused=counts[Attendance.EXCUSED],
        absent=counts[Attendance.ABSENT],
    )


async def past_listed(dialog_manager: DialogManager, **_data: Any) -> dict[str, Any]:
    """A page of the meetings that are over, latest first, with their attendance."""
    reader = reader_of(dialog_manager)
    scroll = _past_scroll(dialog_manager)
    wanted = await scroll.get_page()
    page = await past_meetings_page(reader.session, now=reader.now, page=wanted)
    if page.page != wanted:
        await scroll.set_page(page.page)
    items = []
    for meeting, counts in page.items:
        label = f"{meeting.starts_at.astimezone(reader.tz):%Y-%m-%d} · {meeting.title}"
        items.append((str(meeting.id), f"{label[: LABEL_MAX - 16]} · {counts_label(counts)}"))
    return {
        "items": items,
        "empty": page.total == 0,
        "page": page.page + 1,
        "pages": page.pages,
        "paged": page.pages > 1,
    }
