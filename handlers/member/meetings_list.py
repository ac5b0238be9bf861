"""A member's upcoming meetings as a dialog: the list paged from the database, and a meeting's card.

The list reads one page of the member's own meetings at a time (a stub scroll holds the page);
a meeting opens its card with the answer buttons that apply now: attend or ask for leave before
the start, check in while check-in is open, the calendar file. Every press checks again that
the member is invited. A notice's buttons (see :mod:`handlers.member.meetings`) open the card.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.common import ManagedScroll
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import (
    Button,
    Row,
    Select,
    StubScroll,
    SwitchTo,
)
from aiogram_dialog.widgets.text import Format, Multi
from markupsafe import Markup

from handlers.consultation.entry import start_speaking
from handlers.consultation.materials_send import member_materials_chosen as materials_chosen
from handlers.detours import back_to_entry, placement
from handlers.dialogs.guard import Refused, guard
from handlers.dialogs.markup import Label
from handlers.dialogs.paging import choices, page_buttons
from handlers.dialogs.press import answer, answer_press, pass_on
from handlers.dialogs.text import T
from handlers.member import meetings_past as past
from handlers.member.log_steps import member_log
from handlers.member.meetings import (
    ask_checkin_code,
    ask_leave_reason,
    refusal,
    render_meeting,
    response_label,
    send_ics,
)
from handlers.notifications import ChatNotifier
from handlers.states import MemberMeetings
from handlers.texts import local_time
from services.errors import DomainError
from services.meetings.attendance import respond
from services.meetings.invitations import CHECKIN_OPENS, member_meeting
from services.meetings.views import member_meetings_page
from services.translation import N_
from storage.enums import MeetingResponse
from storage.models import Meeting, MeetingInvitee

log_ = logging.getLogger(__name__)
LABEL_MAX = 60
NOT_AVAILABLE = "This meeting is not available."
OUT_OF_DATE = "This card is out of date. Here is where you are now."


def _scroll(manager: DialogManager) -> ManagedScroll:
    scroll = manager.find("pages")
    assert isinstance(scroll, ManagedScroll)
    return scroll


def _chosen(manager: DialogManager) -> int:
    start_data = manager.start_data if isinstance(manager.start_data, dict) else {}
    return int(manager.dialog_data.get("meeting") or start_data.get("meeting") or 0)


async def _own(manager: DialogManager, meeting_id: int) -> tuple[Meeting, MeetingInvitee] | None:
    log = await member_log(manager)
    return await member_meeting(log.session, member_id=log.member.id, meeting_id=meeting_id)


async def _checked(
    callback: CallbackQuery, manager: DialogManager
) -> tuple[Meeting, MeetingInvitee] | None:
    """The card's meeting, if the member is still invited and it is as the card showed it.

    A meeting the member is not invited to is refused; one changed or cancelled since the
    card was drawn is out of date: the press is answered so, and the card drawn again.
    """
    found = await _own(manager, _chosen(manager))
    if found is None:
        log_.warning("chat %s: meeting %s refused", callback.from_user.id, _chosen(manager))
        raise Refused(_(NOT_AVAILABLE), alert=True)
    drawn = manager.dialog_data.get("drawn")
    if drawn is not None and drawn != found[0].sequence:
        log_.info("chat %s: stale card of meeting %s", callback.from_user.id, _chosen(manager))
        await answer(manager, _(OUT_OF_DATE), alert=True)
        return None
    return found


# --- getters ---------------------------------------------------------------------------------


async def page_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """A page of the member's meetings that have not ended, soonest first."""
    log = await member_log(dialog_manager)
    scroll = _scroll(dialog_manager)
    wanted = await scroll.get_page()
    page = await member_meetings_page(
        log.session, member_id=log.member.id, now=log.now, page=wanted
    )
    if page.page != wanted:
        await scroll.set_page(page.page)
    items = []
    for meeting, invitee in page.items:
        label = (
            f"{local_time(meeting.starts_at, log.turn.tz)} · {meeting.title} · "
            + response_label(invitee.response)
        )
        items.append((meeting.id, label[:LABEL_MAX]))
    return {
        "items": items,
        "empty": page.total == 0,
        "page": page.page + 1,
        "pages": page.pages,
        "paged": page.pages > 1,
        **placement(dialog_manager),
    }


async def card_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The chosen meeting as the member sees it, and the answers open to them now."""
    log = await member_log(dialog_manager)
    found = await _own(dialog_manager, _chosen(dialog_manager))
    if found is None:
        return {"card": _(NOT_AVAILABLE), "found": False}
    meeting, invitee = found
    dialog_manager.dialog_data["drawn"] = meeting.sequence
    before = log.now < meeting.starts_at and meeting.cancelled_at is None
    return {
        # Built from our msgids and escaped values, so it is markup as it stands.
        "card": Markup(render_meeting(meeting, invitee, log)),  # noqa: S704
        "found": True,
        "may_attend": before and invitee.response != MeetingResponse.ATTENDING,
        "may_leave": before
        and invitee.response
        not in (MeetingResponse.LEAVE_REQUESTED, MeetingResponse.LEAVE_APPROVED),
        # Speaking and remarks stay open until the meeting ends.
        "may_speak": meeting.cancelled_at is None and log.now < meeting.ends_at,
        "may_check_in": meeting.starts_at - CHECKIN_OPENS <= log.now <= meeting.ends_at
        and invitee.checked_in_at is None
        and meeting.cancelled_at is None,
    }


# --- callbacks -------------------------------------------------------------------------------


async def meeting_chosen(
    callback: CallbackQuery, widget: Select[str], manager: DialogManager, item: str
) -> None:
    """Open one of my meetings; a meeting the member is not invited to is refused."""
    meeting_id = int(item) if item.isdigit() else 0
    if await _own(manager, meeting_id) is None:
        log_.warning("chat %s: meeting %r refused", callback.from_user.id, item)
        raise Refused(_(NOT_AVAILABLE), alert=True)
    manager.dialog_data["meeting"] = meeting_id
    await manager.switch_to(MemberMeetings.card)


async def attend_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Say yes; the card shows the answer."""
    found = await _checked(callback, manager)
    if found is None:
        return
    meeting, _invitee = found
    log = await member_log(manager)
    notifier: ChatNotifier = manager.middleware_data["notifier"]
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
        await answer_press(manager, refusal(error), show_alert=True)
        return
    await answer(manager, _("Noted: you will attend."))


async def leave_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Ask for the reason for leave (typed next)."""
    found = await _checked(callback, manager)
    if found is None:
        return
    meeting, _invitee = found
    log = await member_log(manager)
    if log.now >= meeting.starts_at:
        await answer_press(manager, refusal(DomainError("started")), show_alert=True)
        return
    await answer_press(manager)
    await ask_leave_reason(log, meeting)


async def checkin_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Ask for the code shown at the venue (typed next)."""
    if await _checked(callback, manager) is None:
        return
    await answer_press(manager)
    await ask_checkin_code(await member_log(manager))


async def ics_chosen(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Send the meeting as a calendar file below the card (a cancelled one takes it off)."""
    found = await _own(manager, _chosen(manager))
    if found is None:
        raise Refused(_(NOT_AVAILABLE), alert=True)
    meeting, _invitee = found
    await answer_press(manager)
    await send_ics(manager.middleware_data["bot"], callback.from_user.id, meeting)


async def speak(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    """Book a speech or write a remark (the screen checks the invitation again)."""
    await start_speaking(manager, _chosen(manager))


def meetings_dialog() -> Dialog:
    """A fresh member meetings dialog (one per Dispatcher)."""
    return guard(
        Dialog(
            Window(
                Multi(
                    T("<b>Your upcoming meetings</b>"),
                    T("Page {page} of {pages}.", when="paged"),
                    sep=" ",
                ),
                T("You have no upcoming meetings.", when="empty"),
                choices("meeting", meeting_chosen),
                SwitchTo(Label("🗂 Past meetings"), id="to_past", state=MemberMeetings.past),
                StubScroll(id="pages", pages="pages"),
                page_buttons(
                    "pages", back=("sooner", N_("◀ Sooner")), forward=("later", N_("Later ▶"))
                ),
                Button(
                    Label("▶ Continue the entry"),
                    id="to_entry",
                    on_click=back_to_entry,
                    when="over_entry",
                ),
                MessageInput(pass_on),
                getter=page_getter,
                state=MemberMeetings.list,
            ),
            Window(
                Multi(
                    T("<b>Your past meetings</b>"),
                    T("Page {page} of {pages}.", when="paged"),
                    sep=" ",
                ),
                T("No meetings of yours are over yet.", when="empty"),
                choices("past", past.past_chosen),
                StubScroll(id="past_pages", pages="pages"),
                page_buttons(
                    "past_pages",
                    back=("later", N_("◀ Later")),
                    forward=("earlier", N_("Earlier ▶")),
                ),
                SwitchTo(Label("◀ Back"), id="past_back", state=MemberMeetings.list),
                MessageInput(pass_on),
                getter=past.past_getter,
                state=MemberMeetings.past,
            ),
            Window(
                Format("{card}"),
                Row(
                    Button(
                        Label("✅ I will attend"),
                        id="attend",
                        on_click=attend_chosen,
                        when="may_attend",
                    ),
                    Button(
                        Label("🙋 Ask for leave"),
                        id="leave",
                        on_click=leave_chosen,
                        when="may_leave",
                    ),
                ),
                Button(
                    Label("📍 Check in"), id="checkin", on_click=checkin_chosen, when="may_check_in"
                ),
                Button(
                    Label("🎤 Speeches and remarks"), id="speak", on_click=speak, when="may_speak"
                ),
                Button(Label("📅 Add to my calendar"), id="ics", on_click=ics_chosen, when="found"),
                Button(
                    Label("📎 Materials"), id="materials", on_click=materials_chosen, when="found"
                ),
                SwitchTo(Label("◀ Back"), id="back", state=MemberMeetings.list),
                MessageInput(pass_on),
                getter=card_getter,
                state=MemberMeetings.card,
            ),
        )
    )
