"""A member's meetings that are over, a page at a time, each with whether they attended."""

from __future__ import annotations

import logging
from typing import Any

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager
from aiogram_dialog.widgets.common import ManagedScroll
from aiogram_dialog.widgets.kbd import Select

from handlers.dialogs.guard import Refused
from handlers.member.log_steps import member_log
from handlers.states import MemberMeetings
from services.meetings.invitations import member_meeting
from services.meetings.past import member_past_page
from storage.enums import Attendance

log_ = logging.getLogger(__name__)
LABEL_MAX = 60


def attendance_label(outcome: str) -> str:
    """How the member's invitation ended, as they read it."""
    labels = {
        Attendance.ATTENDED: _("attended"),
        Attendance.EXCUSED: _("on leave"),
        Attendance.ABSENT: _("absent"),
    }
    try:
        return labels[Attendance(outcome)]
    except ValueError:
        return outcome


def _scroll(manager: DialogManager) -> ManagedScroll:
    scroll = manager.find("past_pages")
    assert isinstance(scroll, ManagedScroll)
    return scroll


async def past_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """A page of the member's meetings that are over, latest first."""
    log = await member_log(dialog_manager)
    scroll = _scroll(dialog_manager)
    wanted = await scroll.get_page()
    page = await member_past_page(log.session, member_id=log.member.id, now=log.now, page=wanted)
    if page.page != wanted:
        await scroll.set_page(page.page)
    items = []
    for meeting, outcome in page.items:
        day = f"{meeting.starts_at.astimezone(log.turn.tz):%Y-%m-%d}"
        suffix = f" · {attendance_label(outcome)}"
        label = f"{day} · {meeting.title}"[: LABEL_MAX - len(suffix)] + suffix
        items.append((meeting.id, label))
    return {
        "items": items,
        "empty": page.total == 0,
        "page": page.page + 1,
        "pages": page.pages,
        "paged": page.pages > 1,
    }


async def past_chosen(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """Open one of my past meetings; a meeting the member was not invited to is refused."""
    log = await member_log(manager)
    meeting_id = int(item) if item.isdigit() else 0
    if await member_meeting(log.session, member_id=log.member.id, meeting_id=meeting_id) is None:
        log_.warning("chat %s: past meeting %r refused", callback.from_user.id, item)
        raise Refused(_("This meeting is not available."), alert=True)
    manager.dialog_data["meeting"] = meeting_id
    await manager.switch_to(MemberMeetings.card)
